package io.junction.cluster;

import io.junction.Priority;
import io.junction.client.JunctionClient;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots on a schedule of cluster time, and the archive purged behind them: while the total published grows
 * to many times the bound, every member's archive stays under it; a follower restarted after the purge recovers
 * from its snapshot and the remaining log, and its next snapshot is the others' byte for byte.
 */
@Tag("slow")
class ClusterSnapshotPurgeTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(40);
    private static final int SEGMENT_LENGTH = 256 * 1024; // the least the log's term length (256k) allows
    private static final int PAYLOAD_LENGTH = 1000;
    private static final int ROUND = 1200;           // about 1.3 MB of log: five segments
    private static final int ROUNDS = 10;
    /** Segments of the log and snapshot recordings: about a round of log and two snapshots (two recordings each). */
    private static final long RECORDINGS_BOUND = 3_500_000;
    /** The archive's mark file and catalog (1 MiB each) come on top of the recordings. */
    private static final long ARCHIVE_BOUND = RECORDINGS_BOUND + (2L << 20) + (64 << 10);

    @TempDir
    File tempDir;

    private ClusterHarness harness;

    @AfterEach
    void tearDown()
    {
        if (null != harness)
        {
            harness.close();
        }
    }

    @Test
    @Timeout(240)
    void scheduledSnapshotsKeepTheArchiveBoundedAndARestartedMemberRecovers()
    {
        // A 2 s heartbeat timeout: at 250 ms a loaded machine's pause elects a follower, which purged behind its
        // snapshots alone and so may lack the log the other follower needs (LogPurger): not what is tested here.
        harness = new ClusterHarness(tempDir, 22_200, 3, (ctx) -> ClusterHarness.tolerantOfLoad(ctx
            .segmentFileLength(SEGMENT_LENGTH)
            .snapshotIntervalNs(TimeUnit.SECONDS.toNanos(1))
            .snapshotsKept(2)))
            .startAll(true);
        harness.awaitLeader(TIMEOUT);
        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);

        int published = 0;
        long maxArchiveBytes = 0;
        String largest = "";
        for (int round = 0; round < ROUNDS; round++)
        {
            for (int i = 0; i < ROUND; i++)
            {
                publish(publisher, payload, ++published);
            }
            final int target = published;
            harness.pollUntil(TIMEOUT, () -> acks.acked == target, publisher);
            published = awaitSnapshotEverywhere(publisher, acks, payload, published);
            harness.awaitApplied(published, TIMEOUT);
            // Each member purges in its own time after the snapshot: without the purge, three rounds exceed the bound.
            try
            {
                harness.awaitCondition(TIMEOUT, () -> harness.running().stream().allMatch(
                    (node) -> recordingBytes(node) < RECORDINGS_BOUND));
            }
            catch (final AssertionError ex)
            {
                final StringBuilder sb = new StringBuilder("round " + round + ", recordings not purged below the bound:");
                harness.running().forEach((node) -> sb.append(" member ").append(node.memberId()).append(": ")
                    .append(archiveFiles(node)));
                throw new AssertionError(sb.toString(), ex);
            }
            for (final ClusterNode node : harness.running())
            {
                final long recordings = recordingBytes(node);
                assertTrue(recordings < RECORDINGS_BOUND, "member " + node.memberId() + "'s recordings took " +
                    recordings + " bytes in round " + round + ": " + archiveFiles(node));
                final long bytes = archiveBytes(node);
                if (bytes > maxArchiveBytes)
                {
                    maxArchiveBytes = bytes;
                    largest = archiveFiles(node);
                }
            }
        }
        final long publishedBytes = (long)published * PAYLOAD_LENGTH;
        assertTrue(publishedBytes > 2 * ARCHIVE_BOUND, "published " + publishedBytes + " bytes");
        assertTrue(maxArchiveBytes < ARCHIVE_BOUND, "an archive held " + maxArchiveBytes + " bytes after " +
            publishedBytes + " published: " + largest);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        // Leaders (one, or more after an election on this loaded machine) asked for a snapshot each round.
        assertTrue(harness.running().stream().mapToLong((node) -> node.service().counters().snapshotsScheduled()).sum()
            >= ROUNDS, "scheduled by the leaders");
        for (final ClusterNode node : harness.running())
        {
            assertTrue(node.service().counters().logPurgedBytes() > 0, "member " + node.memberId() + " purged");
            assertTrue(node.service().counters().snapshotsDeleted() > 0, "member " + node.memberId() + " deleted");
        }

        // A follower restarted now has only the log after the snapshots kept: it must start from one.
        final int follower = (leader.memberId() + 1) % 3;
        harness.stop(follower);
        final ClusterNode restarted = harness.start(follower, false);
        for (int i = 0; i < 20; i++)
        {
            publish(publisher, payload, ++published);
        }
        final int target = published;
        harness.pollUntil(TIMEOUT, () -> acks.acked == target, publisher);
        harness.pollUntil(Duration.ofSeconds(60), () -> restarted.service().appliedSequence() == target, publisher);
        assertTrue(restarted.service().restoredFromSnapshot());

        harness.takeSnapshot(TIMEOUT);
        // Idle clients' probes are log entries too, so scheduled snapshots go on: compare the same log position's.
        final long position = SnapshotBytes.latestLogPosition(restarted);
        final byte[] snapshot = SnapshotBytes.at(harness.node(leader.memberId()), position, TIMEOUT);
        assertArrayEquals(snapshot, SnapshotBytes.at(restarted, position, TIMEOUT), "the restarted member's snapshot");
        assertEquals(target, restarted.service().appliedSequence());
    }

    /**
     * Cluster time moves with the log: publish a message now and then until every member has a new snapshot.
     *
     * @return how many were published in all.
     */
    private int awaitSnapshotEverywhere(
        final JunctionClient publisher,
        final ClientOutcomes acks,
        final UnsafeBuffer payload,
        final int publishedBefore)
    {
        final long[] before = new long[3];
        for (final ClusterNode node : harness.running())
        {
            before[node.memberId()] = node.snapshotCount();
        }
        final int[] published = { publishedBefore };
        final long[] nextPublishNs = { System.nanoTime() };
        harness.awaitCondition(TIMEOUT, () ->
        {
            publisher.poll();
            if (System.nanoTime() - nextPublishNs[0] >= 0 && acks.acked == published[0])
            {
                publish(publisher, payload, ++published[0]);
                nextPublishNs[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            }
            return harness.running().stream().allMatch((node) -> node.snapshotCount() > before[node.memberId()]);
        });
        return published[0];
    }

    private static void publish(final JunctionClient publisher, final UnsafeBuffer payload, final int value)
    {
        payload.putInt(0, value);
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        // Few in flight: a follower left a round behind on this loaded machine would need the purged log.
        while (publisher.inFlight() >= 8 || publisher.offer("ticks.a", Priority.NORMAL,
            io.junction.QualityOfService.GUARANTEED, payload, 0, PAYLOAD_LENGTH) < 0)
        {
            publisher.poll();
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("could not publish " + value);
            }
            Thread.onSpinWait();
        }
        publisher.poll();
    }

    // The archive directory is flat; a file deleted while it is listed counts 0 (File.length of a missing file).
    private static String archiveFiles(final ClusterNode node)
    {
        final StringBuilder sb = new StringBuilder();
        for (final File file : files(node))
        {
            sb.append(file.getName()).append('=').append(file.length()).append(' ');
        }
        return sb.toString();
    }

    private static long recordingBytes(final ClusterNode node)
    {
        long bytes = 0;
        for (final File file : files(node))
        {
            bytes += file.getName().endsWith(".rec") ? file.length() : 0;
        }
        return bytes;
    }

    private static long archiveBytes(final ClusterNode node)
    {
        long bytes = 0;
        for (final File file : files(node))
        {
            bytes += file.length();
        }
        return bytes;
    }

    private static File[] files(final ClusterNode node)
    {
        final File[] files = new File(node.context().nodeDir(), "archive").listFiles(File::isFile);
        return null == files ? new File[0] : files;
    }
}
