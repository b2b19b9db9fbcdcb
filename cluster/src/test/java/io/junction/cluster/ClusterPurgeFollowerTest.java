package io.junction.cluster;

import io.aeron.cluster.service.Cluster;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.JunctionClient;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log purge keeps what a follower still needs: a follower is stopped while the others take snapshots and purge
 * behind them (one snapshot kept), and started again; the leader kept the log from the follower's position, so it
 * catches up from the log with nothing missing. Without that the leader's log would start at the last snapshot and
 * the follower could not catch up.
 */
@Tag("slow")
class ClusterPurgeFollowerTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int SEGMENT_LENGTH = 256 * 1024; // the least the log's term length (256k) allows
    private static final int PAYLOAD_LENGTH = 1000;
    private static final int ROUND = 600;                 // over two segments of log

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
    @Timeout(300)
    void aStoppedFollowerCatchesUpFromTheLogAfterTheOthersSnapshotAndPurge()
    {
        harness = new ClusterHarness(tempDir, 25_400, 3, (ctx) -> ctx
            .segmentFileLength(SEGMENT_LENGTH)
            .snapshotsKept(1))
            .startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        final List<Integer> received = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient(new ClientContext().instance("watch"));
        harness.subscribe(subscriber, "ticks.>", (message) -> received.add(message.buffer().getInt(message.offset())),
            TIMEOUT);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);

        int published = publishRound(publisher, acks, payload, 0, 100, subscriber);
        harness.awaitApplied(published, TIMEOUT);
        final int laggardId = (leader.memberId() + 1) % 3;
        harness.stop(laggardId);

        // The others go on: three rounds, a snapshot after each, each followed by a purge behind the last one.
        // Each snapshot's purge is awaited before the next snapshot: a snapshot taken while the last one's purge
        // still waits for the members query (slow on a loaded machine) replaces it, and is then counted once.
        for (int round = 0; round < 3; round++)
        {
            published = publishRound(publisher, acks, payload, published, ROUND, subscriber);
            harness.takeSnapshot(TIMEOUT);
            final int held = round + 1;
            // The leader held the purge back for the stopped follower.
            harness.awaitCondition(TIMEOUT, () -> leader.service().counters().logPurgeHeld() >= held);
        }
        // The other follower purged behind its snapshot.
        final int otherId = (leader.memberId() + 2) % 3;
        harness.awaitCondition(TIMEOUT, () -> harness.node(otherId).service().counters().logPurgedBytes() > 0);
        assertEquals(0, harness.node(otherId).service().counters().logPurgeHeld());
        assertEquals(leader, harness.awaitLeader(TIMEOUT), "no election meanwhile");

        // The laggard comes back: it catches up from the leader's log, which still has what it missed.
        final ClusterNode laggard = harness.start(laggardId, false);
        final int caughtUp = published;
        harness.pollUntil(TIMEOUT, () -> laggard.service().appliedSequence() == caughtUp &&
            laggard.role() == Cluster.Role.FOLLOWER, publisher, subscriber);
        published = publishRound(publisher, acks, payload, published, 20, subscriber);
        final int total = published;
        harness.pollUntil(TIMEOUT, () -> laggard.service().appliedSequence() == total && received.size() == total,
            publisher, subscriber);
        assertTrue(acks.refused.isEmpty(), acks.refused.toString());

        // Once it is back, the next snapshot's purge is held by no one: the log goes behind the snapshot kept.
        final long purgedBefore = leader.service().counters().logPurgedBytes();
        harness.takeSnapshot(TIMEOUT);
        harness.awaitCondition(TIMEOUT, () -> leader.service().counters().logPurgedBytes() > purgedBefore);
    }

    private int publishRound(
        final JunctionClient publisher,
        final ClientOutcomes acks,
        final UnsafeBuffer payload,
        final int from,
        final int count,
        final JunctionClient subscriber)
    {
        for (int value = from + 1; value <= from + count; value++)
        {
            payload.putInt(0, value);
            harness.pollUntil(TIMEOUT, () -> publisher.inFlight() < 16 && publisher.offer("ticks.a", Priority.NORMAL,
                QualityOfService.GUARANTEED, payload, 0, PAYLOAD_LENGTH) > 0, publisher, subscriber);
        }
        final int target = from + count;
        harness.pollUntil(TIMEOUT, () -> acks.acked == target, publisher, subscriber);
        return target;
    }
}
