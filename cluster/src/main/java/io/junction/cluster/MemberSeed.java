package io.junction.cluster;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterBackup;
import io.aeron.cluster.ClusterBackupMediaDriver;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.util.StringJoiner;

/**
 * Seeds an empty member directory from the running cluster, for a member whose disk is lost once the others have
 * purged their log behind a snapshot (so the election can no longer replicate the log from its start): Aeron
 * Cluster's {@link ClusterBackup} on the member's own host and ports (the member is not running) copies the
 * latest snapshot and the log after it into the member's archive and cluster directory, then follows the live
 * log. Once {@link #isLive()} it is closed and the member started on the same directory: it loads the snapshot,
 * replays the log and catches up from the leader as after any restart.
 */
public final class MemberSeed implements AutoCloseable
{
    private final ClusterBackupMediaDriver backup;

    private MemberSeed(final ClusterNode.Context ctx)
    {
        final ClusterMembers.Member self = ctx.members().member(ctx.memberId());
        final File nodeDir = ctx.nodeDir();
        final File archiveDir = new File(nodeDir, "archive");
        final File clusterDir = new File(nodeDir, "cluster");
        if (new File(clusterDir, "recording.log").exists())
        {
            throw new IllegalStateException("member " + ctx.memberId() + "'s directory " + nodeDir +
                " has a log already: a seed is only for a member whose directory is empty (lost)");
        }
        final MemberDirLock dirLock = MemberDirLock.acquire(nodeDir, archiveDir, clusterDir);
        dirLock.close(); // Only to prove no member runs there; the backup's own mark files guard it from now on.

        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(new File(nodeDir, "aeron").getAbsolutePath())
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(ctx.termLength())
            .ipcTermBufferLength(ctx.termLength())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .errorHandler(ctx.errorHandler());
        final Archive.Context archiveCtx = new Archive.Context()
            .archiveId(ctx.memberId())
            .aeronDirectoryName(driverCtx.aeronDirectoryName())
            .archiveDir(archiveDir)
            .controlChannel("aeron:udp?endpoint=" + self.endpoint(ClusterNode.Context.ARCHIVE_OFFSET))
            .localControlChannel("aeron:ipc")
            .replicationChannel("aeron:udp?endpoint=" + self.host() + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .segmentFileLength(ctx.segmentFileLength())
            .deleteArchiveOnStart(false)
            .errorHandler(ctx.errorHandler());
        final ClusterBackup.Context backupCtx = new ClusterBackup.Context()
            .aeronDirectoryName(driverCtx.aeronDirectoryName())
            .clusterConsensusEndpoints(consensusEndpoints(ctx.members(), ctx.memberId()))
            .consensusChannel("aeron:udp?endpoint=" + self.endpoint(ClusterNode.Context.CONSENSUS_OFFSET))
            .catchupEndpoint(self.host() + ":0")
            .archiveContext(new AeronArchive.Context()
                .aeronDirectoryName(driverCtx.aeronDirectoryName())
                .controlRequestChannel("aeron:ipc")
                .controlRequestStreamId(archiveCtx.localControlStreamId())
                .controlResponseChannel("aeron:ipc")
                .controlResponseStreamId(3300 + ctx.memberId()))
            .clusterArchiveContext(new AeronArchive.Context()
                .aeronDirectoryName(driverCtx.aeronDirectoryName())
                .controlRequestChannel(archiveCtx.controlChannel())
                .controlResponseChannel("aeron:udp?endpoint=" + self.host() + ":0"))
            .clusterDir(clusterDir)
            .sourceType(ClusterBackup.SourceType.FOLLOWER)
            .deleteDirOnStart(false)
            .errorHandler(ctx.errorHandler());
        backup = ClusterBackupMediaDriver.launch(driverCtx, archiveCtx, backupCtx);
    }

    /**
     * Start seeding the directory of the member the context names (its members, base directory and id as the
     * member itself will be started with).
     *
     * @throws IllegalStateException if the member's directory already has a log, or a process has it.
     */
    public static MemberSeed launch(final ClusterNode.Context ctx)
    {
        ctx.conclude();
        return new MemberSeed(ctx);
    }

    /**
     * @return the backup's state (Aeron's {@link ClusterBackup.State}), null before it has one.
     */
    public ClusterBackup.State state()
    {
        return ClusterBackup.State.get(backup.clusterBackup().context().stateCounter());
    }

    /**
     * @return the log position the backup has recorded up to, -1 before it follows the live log.
     */
    public long liveLogPosition()
    {
        return backup.clusterBackup().context().liveLogPositionCounter().get();
    }

    /**
     * @return true once the snapshot and the log after it are in the directory and the backup follows the live
     * log: the member can be started on the directory.
     */
    public boolean isLive()
    {
        return ClusterBackup.State.BACKING_UP == state() && liveLogPosition() >= 0;
    }

    public void close()
    {
        CloseHelper.close(backup);
        IoUtil.delete(new File(backup.mediaDriver().aeronDirectoryName()), true);
    }

    /**
     * @return the consensus endpoints of the other members, "host:port,host:port", which the backup asks.
     */
    private static String consensusEndpoints(final ClusterMembers members, final int except)
    {
        final StringJoiner endpoints = new StringJoiner(",");
        for (final ClusterMembers.Member member : members.members())
        {
            if (member.id() != except)
            {
                endpoints.add(member.endpoint(ClusterNode.Context.CONSENSUS_OFFSET));
            }
        }
        return endpoints.toString();
    }
}
