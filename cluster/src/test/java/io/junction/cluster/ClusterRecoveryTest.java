package io.junction.cluster;

import io.aeron.cluster.service.Cluster;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
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
 * Acceptance (3) and (4): a follower restarted catches up; the whole cluster restarted from snapshot + log
 * keeps its state (deduplication by publisher, durable positions, journal); clients of the client library ride
 * through a whole-cluster restart.
 */
@Tag("slow")
class ClusterRecoveryTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(40);

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
    @Timeout(150)
    void followerKilledAndRestartedCatchesUp()
    {
        harness = new ClusterHarness(tempDir, 21_300, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final int followerId = (leader.memberId() + 1) % 3;

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        publishRange(publisher, 1, 100);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 100, publisher);

        harness.stop(followerId);
        publishRange(publisher, 101, 200);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 200, publisher);

        final ClusterNode restarted = harness.start(followerId, false);
        harness.pollUntil(Duration.ofSeconds(60), () -> restarted.service().appliedSequence() == 200, publisher);
        harness.awaitCondition(TIMEOUT, () -> restarted.role() == Cluster.Role.FOLLOWER);

        // It keeps following after catching up.
        publishRange(publisher, 201, 250);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 250 && restarted.service().appliedSequence() == 250, publisher);

        harness.stopAll();
        final List<String> journal = JournalReader.entries(harness.journalDir(followerId));
        assertEquals(250, journal.size());
        assertEquals(JournalReader.entries(harness.journalDir(leader.memberId())), journal);
    }

    @Test
    @Timeout(150)
    void wholeClusterRestartsFromSnapshotAndLogWithStateIntact()
    {
        harness = new ClusterHarness(tempDir, 21_400, 3, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);

        // One publisher (principal/instance "ticker"), numbering its publishes from 1.
        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("ticker").initialPublisherSequence(1));
        final JunctionClient durableSubscriber = harness.newClient(new ClientContext().instance("audit-1"));
        final List<Long> firstRun = new ArrayList<>();
        final ClientSubscription durable = harness.subscribe(durableSubscriber, "ticks.>",
            (message) -> firstRun.add(message.sequence()), ClientSubscriptionOptions.defaults().durable("audit"),
            TIMEOUT);

        publishRange(publisher, 1, 100);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 100 && firstRun.size() == 100, publisher, durableSubscriber);
        harness.pollUntil(TIMEOUT, () -> durable.ack(60), durableSubscriber);
        harness.pollUntil(TIMEOUT, () -> durableSubscriber.pendingBytes() == 0, durableSubscriber);

        harness.takeSnapshot(TIMEOUT);
        publishRange(publisher, 101, 150);                  // in the log after the snapshot
        harness.pollUntil(TIMEOUT, () -> acks.acked == 150, publisher);
        harness.awaitApplied(150, TIMEOUT);
        durableSubscriber.close();
        publisher.close();

        harness.stopAll();
        harness.startAll(false);
        harness.awaitLeader(Duration.ofSeconds(60));
        harness.awaitApplied(150, Duration.ofSeconds(60));
        assertTrue(harness.running().stream().allMatch((node) -> node.service().restoredFromSnapshot()));

        // Dedupe state survived: the same publisher numbering from 1 again has 1..150 answered as resends the log
        // had; 151 is new.
        final ClientOutcomes acks2 = new ClientOutcomes();
        final JunctionClient publisher2 = harness.newClient(acks2.context("ticker").initialPublisherSequence(1));
        publishRange(publisher2, 1, 151);
        harness.pollUntil(TIMEOUT, () -> acks2.acked == 151, publisher2);
        assertEquals(150, acks2.duplicates);
        assertEquals(-150L, acks2.sequences.get(149));
        assertEquals(151L, acks2.sequences.get(150));

        // Durable position and journal survived: resume from the acknowledged position replays 61..151.
        final List<Long> resumed = new ArrayList<>();
        final JunctionClient subscriber2 = harness.newClient(new ClientContext().instance("audit-2"));
        subscriber2.subscribe("ticks.>", (message) -> resumed.add(message.sequence()),
            ClientSubscriptionOptions.defaults().durable("audit"));
        harness.pollUntil(TIMEOUT, () -> resumed.size() == 91, subscriber2);
        final List<Long> expected = new ArrayList<>();
        for (long s = 61; s <= 151; s++)
        {
            expected.add(s);
        }
        assertEquals(expected, resumed);
        // Followers apply a committed entry a little after the leader acknowledged it: wait, don't sample.
        harness.awaitCondition(TIMEOUT,
            () -> harness.running().stream().allMatch((node) -> node.service().appliedSequence() == 151));
    }

    @Test
    @Timeout(150)
    void clientsRideThroughAWholeClusterRestartByReconnecting()
    {
        harness = new ClusterHarness(tempDir, 21_500, 3, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub")
            .connectTimeoutNs(ClusterHarness.secondsToNanos(3)), (ctx) -> ctx
            .newLeaderTimeoutNs(ClusterHarness.secondsToNanos(2)).messageTimeoutNs(ClusterHarness.secondsToNanos(3)));
        final List<Long> received = new ArrayList<>();
        final ClientOutcomes subscriberStates = new ClientOutcomes();
        final JunctionClient subscriber = harness.newClient(subscriberStates.context("sub")
            .connectTimeoutNs(ClusterHarness.secondsToNanos(3)), (ctx) -> ctx
            .newLeaderTimeoutNs(ClusterHarness.secondsToNanos(2)).messageTimeoutNs(ClusterHarness.secondsToNanos(3)));
        harness.subscribe(subscriber, "ticks.>", (message) -> received.add((long)message.buffer().getInt(message.offset())),
            TIMEOUT);

        publishRange(publisher, 1, 100);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 100 && received.size() == 100, publisher, subscriber);

        publishRange(publisher, 101, 140);                 // some still awaiting their outcome at the stop
        harness.stopAll();
        harness.pollUntil(TIMEOUT, () -> !publisher.isConnected() && !subscriber.isConnected(), publisher, subscriber);
        assertEquals(ClientResult.NOT_CONNECTED, publisher.offer("ticks.a", Priority.NORMAL,
            QualityOfService.GUARANTEED, new UnsafeBuffer(new byte[4]), 0, 4), "told, not queued, while no cluster");
        harness.startAll(false);

        // The outcomes of 101..140 may have reached the clients before the stop took effect, so waiting for them
        // alone says nothing of the restart: wait until both are back, then publish through the restarted cluster.
        harness.pollUntil(Duration.ofSeconds(60), () -> publisher.isConnected() && subscriber.isConnected(),
            publisher, subscriber);
        publishRange(publisher, 141, 160);
        harness.pollUntil(Duration.ofSeconds(60), () -> acks.acked == 160 && received.size() == 160,
            publisher, subscriber);
        final List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= 160; i++)
        {
            expected.add(i);
        }
        assertEquals(expected, received);
        // Each came back to the restarted cluster: reconnected, or its session (restored from the log) resumed.
        assertTrue(acks.connectedEvents >= 2 && subscriberStates.connectedEvents >= 2,
            "publisher " + acks.states + ", subscriber " + subscriberStates.states);
        harness.awaitApplied(160, TIMEOUT);
    }

    private static void publishRange(final JunctionClient publisher, final int from, final int to)
    {
        for (int i = from; i <= to; i++)
        {
            ClusterAcceptanceTest.publishInt(publisher, "ticks.a", i);
        }
    }
}
