package io.junction.cluster;

import io.aeron.archive.ArchiveMarkFile;
import io.aeron.cluster.service.ClusterMarkFile;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;

/**
 * One process at a time in a member's directory: an OS file lock, released when the process ends however it ends.
 * Holding it proves that Aeron's mark files in the directory are left from a process that is gone (a crash), so they
 * are removed; otherwise a member restarted within Aeron's mark-file timeout of a SIGKILL refuses to start ("active
 * mark file detected"). The Raft vote (candidate term) is in the consensus module's node-state file, which stays.
 */
final class MemberDirLock implements AutoCloseable
{
    static final String FILENAME = "junction-member.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private MemberDirLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @throws IllegalStateException if another process (or another node in this one) has the directory.
     */
    static MemberDirLock acquire(final File nodeDir, final File archiveDir, final File clusterDir)
    {
        if (!nodeDir.isDirectory() && !nodeDir.mkdirs())
        {
            throw new IllegalStateException("cannot create the member's directory " + nodeDir);
        }
        final File file = new File(nodeDir, FILENAME);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = channel.tryLock();
            if (null == lock)
            {
                throw new IllegalStateException("the member's directory " + nodeDir + " is in use by another process");
            }
            deleteStale(new File(archiveDir, ArchiveMarkFile.FILENAME));
            deleteStale(new File(clusterDir, ClusterMarkFile.FILENAME));
            deleteStale(new File(clusterDir, ClusterMarkFile.markFilenameForService(0)));
            return new MemberDirLock(channel, lock);
        }
        catch (final OverlappingFileLockException ex)
        {
            closeQuietly(channel);
            throw new IllegalStateException("the member's directory " + nodeDir + " is in use by a node of this process");
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + file, ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    private static void deleteStale(final File markFile)
    {
        if (markFile.exists() && !markFile.delete())
        {
            throw new IllegalStateException("cannot remove the stale mark file " + markFile);
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // closing after a failure
            }
        }
    }

    @Override
    public void close()
    {
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException ignore)
        {
            // the lock goes with the channel
        }
    }
}
