package io.junction.cluster;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.RecordingLog;
import io.aeron.cluster.service.ClusteredServiceContainer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.time.Duration;

/**
 * Reads the latest snapshot of a running member's service from its archive: the payload bytes of every
 * fragment of the snapshot recording, in order (Aeron's frame headers differ between members, the payloads
 * must not).
 */
final class SnapshotBytes
{
    private static final int REPLAY_STREAM_ID = 7_001;

    private SnapshotBytes()
    {
    }

    static byte[] latest(final ClusterNode node, final Duration timeout)
    {
        return read(node, latestEntry(node).recordingId, timeout);
    }

    /**
     * @return the log position of the member's latest service snapshot.
     */
    static long latestLogPosition(final ClusterNode node)
    {
        return latestEntry(node).logPosition;
    }

    /**
     * @return the member's service snapshot taken at the log position (members snapshot at the same positions).
     */
    static byte[] at(final ClusterNode node, final long logPosition, final Duration timeout)
    {
        final File nodeDir = node.context().nodeDir();
        try (RecordingLog log = new RecordingLog(new File(nodeDir, "cluster"), false))
        {
            for (final RecordingLog.Entry entry : log.entries())
            {
                if (RecordingLog.ENTRY_TYPE_SNAPSHOT == entry.type && entry.isValid && entry.logPosition == logPosition &&
                    ClusteredServiceContainer.Configuration.serviceId() == entry.serviceId)
                {
                    return read(node, entry.recordingId, timeout);
                }
            }
        }
        throw new AssertionError("member " + node.memberId() + " has no service snapshot at log position " +
            logPosition);
    }

    private static RecordingLog.Entry latestEntry(final ClusterNode node)
    {
        try (RecordingLog log = new RecordingLog(new File(node.context().nodeDir(), "cluster"), false))
        {
            final RecordingLog.Entry entry = log.getLatestSnapshot(ClusteredServiceContainer.Configuration.serviceId());
            if (null == entry)
            {
                throw new AssertionError("member " + node.memberId() + " has no service snapshot");
            }
            return entry;
        }
    }

    private static byte[] read(final ClusterNode node, final long recordingId, final Duration timeout)
    {
        final File nodeDir = node.context().nodeDir();
        final AeronArchive.Context archiveCtx = new AeronArchive.Context()
            .aeronDirectoryName(new File(nodeDir, "aeron").getAbsolutePath())
            .controlRequestChannel("aeron:ipc")
            .controlRequestStreamId(AeronArchive.Configuration.localControlStreamId())
            .controlResponseChannel("aeron:ipc")
            .controlResponseStreamId(3_300 + node.memberId());
        try (AeronArchive archive = AeronArchive.connect(archiveCtx))
        {
            final long start = archive.getStartPosition(recordingId);
            final long stop = archive.getStopPosition(recordingId);
            if (stop <= start)
            {
                throw new AssertionError("snapshot recording " + recordingId + " is empty or still open");
            }
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final long[] position = { start };
            final FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, header) ->
            {
                final byte[] fragment = new byte[length];
                buffer.getBytes(offset, fragment);
                bytes.writeBytes(fragment);
                position[0] = header.position();
            });
            final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
            final long deadlineNs = System.nanoTime() + timeout.toNanos();
            try (Subscription replay = archive.replay(recordingId, start, stop - start, "aeron:ipc", REPLAY_STREAM_ID))
            {
                while (position[0] < stop)
                {
                    if (System.nanoTime() > deadlineNs)
                    {
                        throw new AssertionError("snapshot replay of member " + node.memberId() + " not done in " +
                            timeout);
                    }
                    idle.idle(replay.poll(assembler, 64));
                }
            }
            return bytes.toByteArray();
        }
    }
}
