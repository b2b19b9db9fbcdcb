package io.junction.cluster;

import io.aeron.cluster.service.Cluster;
import io.junction.cluster.client.JunctionClient;
import io.junction.cluster.client.ClientListener;
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
 * keeps its state.
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

        final ClusterAcceptanceTest.AckCounter acks = new ClusterAcceptanceTest.AckCounter();
        final JunctionClient publisher = harness.newClient((ctx) -> ctx.listener(acks));
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
        final long publisherId = 4242;
        harness = new ClusterHarness(tempDir, 21_400, 3, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);

        final ClusterAcceptanceTest.AckCounter acks = new ClusterAcceptanceTest.AckCounter();
        final JunctionClient publisher = harness.newClient((ctx) -> ctx.listener(acks).publisherId(publisherId));
        final JunctionClient durableSubscriber = harness.newClient((ctx) -> {});
        final List<Long> firstRun = new ArrayList<>();
        final long durable = durableSubscriber.subscribe("ticks.>", "audit", -2,
            (topic, sequence, priority, buffer, offset, length) -> firstRun.add(sequence));
        harness.pollUntil(TIMEOUT, () -> durableSubscriber.isSubscribed(durable), durableSubscriber);

        publishRange(publisher, 1, 100);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 100 && firstRun.size() == 100, publisher, durableSubscriber);
        durableSubscriber.acknowledge(durable, 60);
        harness.pollUntil(TIMEOUT, () -> true, durableSubscriber);

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

        // Dedupe state survived: a resend of publisher sequence 150 is a duplicate; sequences continue at 151.
        final ClusterAcceptanceTest.AckCounter acks2 = new ClusterAcceptanceTest.AckCounter();
        final List<Long> sequences = new ArrayList<>();
        final JunctionClient publisher2 = harness.newClient((ctx) -> ctx.publisherId(publisherId).listener(
            new ClientListener()
            {
                public void onPublishAck(final long publisherSequence, final long sequence, final boolean duplicate)
                {
                    acks2.acked++;
                    sequences.add(duplicate ? -publisherSequence : sequence);
                }
            }));
        // The new client numbers from 1 again: 1..150 are all duplicates, 151 is new.
        publishRange(publisher2, 1, 151);
        harness.pollUntil(TIMEOUT, () -> acks2.acked == 151, publisher2);
        assertEquals(-150L, sequences.get(149));
        assertEquals(151L, sequences.get(150));

        // Durable position and journal survived: resume from the acknowledged position replays 61..151.
        final List<Long> resumed = new ArrayList<>();
        final JunctionClient subscriber2 = harness.newClient((ctx) -> {});
        subscriber2.subscribe("ticks.>", "audit", -2,
            (topic, sequence, priority, buffer, offset, length) -> resumed.add(sequence));
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

        final ClusterAcceptanceTest.AckCounter acks = new ClusterAcceptanceTest.AckCounter();
        final JunctionClient publisher = harness.newClient((ctx) -> ctx.listener(acks)
            .newLeaderTimeoutNs(ClusterHarness.secondsToNanos(2)).connectTimeoutNs(ClusterHarness.secondsToNanos(3)));
        final List<Long> received = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient((ctx) -> ctx
            .newLeaderTimeoutNs(ClusterHarness.secondsToNanos(2)).connectTimeoutNs(ClusterHarness.secondsToNanos(3)));
        harness.subscribe(subscriber, "ticks.>",
            (topic, sequence, priority, buffer, offset, length) -> received.add((long)buffer.getInt(offset)), TIMEOUT);

        publishRange(publisher, 1, 100);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 100 && received.size() == 100, publisher, subscriber);

        harness.stopAll();
        publishRange(publisher, 101, 140);                 // held in flight while no cluster is there
        harness.pollUntil(TIMEOUT, () -> !publisher.isConnected() && !subscriber.isConnected(), publisher, subscriber);
        harness.startAll(false);

        harness.pollUntil(Duration.ofSeconds(60), () -> acks.acked == 140 && received.size() == 140,
            publisher, subscriber);
        final List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= 140; i++)
        {
            expected.add(i);
        }
        assertEquals(expected, received);
        assertTrue(publisher.reconnects() >= 1 && subscriber.reconnects() >= 1);
        harness.awaitApplied(140, TIMEOUT);
    }

    private static void publishRange(final JunctionClient publisher, final int from, final int to)
    {
        for (int i = from; i <= to; i++)
        {
            ClusterAcceptanceTest.publishInt(publisher, "ticks.a", i);
        }
    }
}
