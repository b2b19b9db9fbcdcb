package io.junction.cluster;

import io.aeron.archive.ArchiveMarkFile;
import io.aeron.cluster.service.ClusterMarkFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemberDirLockTest
{
    @TempDir
    File tempDir;

    @Test
    void oneHolderAtATimeAndStaleMarkFilesGo() throws Exception
    {
        final File node = new File(tempDir, "member-0");
        final File archive = new File(node, "archive");
        final File cluster = new File(node, "cluster");
        assertTrue(archive.mkdirs() && cluster.mkdirs());
        final File archiveMark = new File(archive, ArchiveMarkFile.FILENAME);
        final File clusterMark = new File(cluster, ClusterMarkFile.FILENAME);
        final File nodeState = new File(cluster, "node-state.dat");
        Files.writeString(archiveMark.toPath(), "left by a killed process");
        Files.writeString(clusterMark.toPath(), "left by a killed process");
        Files.writeString(nodeState.toPath(), "the vote");

        try (MemberDirLock lock = MemberDirLock.acquire(node, archive, cluster))
        {
            assertFalse(archiveMark.exists());
            assertFalse(clusterMark.exists());
            assertTrue(nodeState.exists(), "the Raft vote stays");
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> MemberDirLock.acquire(node, archive, cluster));
            assertTrue(ex.getMessage().contains("is in use"), ex.getMessage());
        }
        MemberDirLock.acquire(node, archive, cluster).close();
    }
}
