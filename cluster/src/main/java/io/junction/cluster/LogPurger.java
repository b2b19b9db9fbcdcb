package io.junction.cluster;

import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.RecordingLog;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.collections.LongArrayList;

import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a member's archive bounded behind its snapshots: once a snapshot is in the consensus module's recording
 * log, the log recording's segments before the oldest of the last {@code snapshotsKept} snapshots are purged and
 * the recordings of older snapshots deleted. Each member does this for its own archive, from the service's
 * background work (local housekeeping, not state).
 * <p>
 * On the leader, never past what a follower still needs: after each snapshot the purge asks the member's consensus
 * module where each follower's log has got to ({@link FollowerPositions}: Aeron's cluster members query) and keeps
 * the log from the lowest of those heard from within the follower timeout, so a follower that lags, or was stopped,
 * catches up from the leader's log when it comes back. A follower's consensus module does not follow the others'
 * positions, so a follower purges behind its snapshots alone: should it become leader while another follower lags
 * behind them, that follower must be seeded. Not replicated through the log: Aeron takes a service's own messages
 * only when every member's service sends them alike, and only the leader knows the followers' positions. A
 * follower not heard from for longer than the timeout holds nothing back and, like a member down longer than the
 * snapshots kept span, must be given a snapshot.
 */
final class LogPurger implements AutoCloseable
{
    static final long NO_SNAPSHOT = Long.MIN_VALUE;
    private static final long RETRY_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int CONSENSUS_MODULE_SERVICE_ID = -1;

    private final File clusterDir;
    private final AeronArchive.Context archiveCtx;
    private final int snapshotsKept;
    private final ErrorHandler errorHandler;
    private final ServiceCounters counters;
    private final long[] descriptor = new long[4];
    private final FollowerPositions followerPositions;
    private AeronArchive archive;
    private long pendingPosition = NO_SNAPSHOT;
    private long nextAttemptNs;
    /** The lowest log position another member still needs, asked after the pending snapshot. */
    private long floor = FollowerPositions.NONE;
    private boolean floorKnown;

    LogPurger(
        final File clusterDir,
        final AeronArchive.Context archiveCtx,
        final int snapshotsKept,
        final FollowerPositions followerPositions,
        final ErrorHandler errorHandler,
        final ServiceCounters counters)
    {
        this.clusterDir = clusterDir;
        this.archiveCtx = archiveCtx;
        this.snapshotsKept = snapshotsKept;
        this.followerPositions = followerPositions;
        this.errorHandler = errorHandler;
        this.counters = counters;
    }

    /**
     * The service wrote its part of a snapshot at this log position: purge once the snapshot is recorded, no
     * further than the other members still need.
     */
    void onSnapshot(final long logPosition)
    {
        pendingPosition = logPosition;
        floorKnown = false;
        followerPositions.reset();
    }

    int doWork(final long nowNs)
    {
        if (NO_SNAPSHOT == pendingPosition || nowNs - nextAttemptNs < 0)
        {
            return 0;
        }
        if (!floorKnown)
        {
            // Where the other members' logs are, as this member's consensus module knows (not blocking: asked
            // again on the next call until answered).
            if (!followerPositions.doWork(nowNs))
            {
                return 1;
            }
            floor = followerPositions.floor();
            floorKnown = true;
        }
        nextAttemptNs = nowNs + RETRY_NS;
        try (RecordingLog recordingLog = new RecordingLog(clusterDir, false))
        {
            final LongArrayList positions = new LongArrayList();
            final List<RecordingLog.Entry> entries = recordingLog.entries();
            for (final RecordingLog.Entry entry : entries)
            {
                if (isSnapshot(entry) && entry.serviceId == CONSENSUS_MODULE_SERVICE_ID)
                {
                    positions.addLong(entry.logPosition);
                }
            }
            if (positions.isEmpty() || positions.getLong(positions.size() - 1) < pendingPosition)
            {
                return 0; // The consensus module has not recorded it yet.
            }
            pendingPosition = NO_SNAPSHOT;
            final long snapshotsFrom = positions.getLong(Math.max(0, positions.size() - snapshotsKept));
            final long keepFrom = Math.min(snapshotsFrom, floor);
            if (keepFrom < snapshotsFrom)
            {
                counters.onLogPurgeHeld(); // a follower still needs the log from before the snapshots kept
            }
            int work = purgeLog(recordingLog.findLastTermRecordingId(), keepFrom);
            for (final RecordingLog.Entry entry : entries)
            {
                if (isSnapshot(entry) && entry.logPosition < snapshotsFrom)
                {
                    work += deleteRecording(entry.recordingId);
                }
            }
            return work;
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(new IllegalStateException("archive purge in " + clusterDir + " failed: " + ex, ex));
            return 1;
        }
    }

    private static boolean isSnapshot(final RecordingLog.Entry entry)
    {
        return entry.isValid && RecordingLog.ENTRY_TYPE_SNAPSHOT == entry.type;
    }

    private int purgeLog(final long recordingId, final long keepFrom)
    {
        if (!describe(recordingId))
        {
            return 0;
        }
        final long startPosition = descriptor[0];
        final long newStart = AeronArchive.segmentFileBasePosition(
            startPosition, keepFrom, (int)descriptor[1], (int)descriptor[2]);
        if (newStart <= startPosition)
        {
            return 0;
        }
        archive().purgeSegments(recordingId, newStart);
        counters.onLogPurged(newStart - startPosition);
        return 1;
    }

    private int deleteRecording(final long recordingId)
    {
        if (!describe(recordingId))
        {
            return 0; // Deleted before (the recording log keeps its entry).
        }
        archive().purgeRecording(recordingId);
        counters.onSnapshotDeleted();
        return 1;
    }

    /**
     * @return true with the recording's start position, term length and segment length in the descriptor, false if
     * the archive no longer has it.
     */
    private boolean describe(final long recordingId)
    {
        return 1 == archive().listRecording(recordingId,
            (controlSessionId, correlationId, id, startTimestamp, stopTimestamp, startPosition, stopPosition,
                initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel,
                originalChannel, sourceIdentity) ->
            {
                descriptor[0] = startPosition;
                descriptor[1] = termBufferLength;
                descriptor[2] = segmentFileLength;
            });
    }

    private AeronArchive archive()
    {
        if (null == archive)
        {
            archive = AeronArchive.connect(archiveCtx);
        }
        return archive;
    }

    public void close()
    {
        CloseHelper.quietClose(followerPositions);
        CloseHelper.quietClose(archive);
        archive = null;
    }
}
