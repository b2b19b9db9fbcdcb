package io.junction.cluster;

import io.junction.Priority;
import io.junction.cluster.client.ClientListener;
import io.junction.cluster.client.JunctionClient;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance tests of the replicated switch on a 3-member cluster in this JVM on loopback.
 */
@Tag("slow")
class ClusterAcceptanceTest
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
    @Timeout(120)
    void everyReplicaJournalHoldsTheSameMessagesInTheSameOrder()
    {
        harness = new ClusterHarness(tempDir, 21_000, 3, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);

        final List<Long> received = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient((ctx) -> {});
        harness.subscribe(subscriber, "orders.>",
            (topic, sequence, priority, buffer, offset, length) -> received.add((long)buffer.getInt(offset)), TIMEOUT);

        final AckCounter acks = new AckCounter();
        final JunctionClient publisher = harness.newClient((ctx) -> ctx.listener(acks));
        final int count = 300;
        final List<Long> expected = new ArrayList<>();
        for (int i = 1; i <= count; i++)
        {
            final String topic = i % 3 == 0 ? "audit.x" : (i % 3 == 1 ? "orders.eu" : "orders.us");
            if (!topic.startsWith("audit"))
            {
                expected.add((long)i);
            }
            publishInt(publisher, topic, i, subscriber);
        }
        harness.pollUntil(TIMEOUT, () -> acks.acked == count && received.size() == expected.size(),
            publisher, subscriber);
        assertEquals(expected, received);

        harness.awaitApplied(count, TIMEOUT);
        harness.stopAll();

        final List<String> journal0 = JournalReader.entries(harness.journalDir(0));
        assertEquals(count, journal0.size());
        assertEquals(journal0, JournalReader.entries(harness.journalDir(1)));
        assertEquals(journal0, JournalReader.entries(harness.journalDir(2)));
    }

    @Test
    @Timeout(150)
    void leaderKilledDuringStreamLosesNoAcknowledgedMessageAndDuplicatesNone()
    {
        harness = new ClusterHarness(tempDir, 21_100, 3, (ctx) -> {}).startAll(true);
        final ClusterNode firstLeader = harness.awaitLeader(TIMEOUT);

        final List<Long> received = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient((ctx) -> {});
        harness.subscribe(subscriber, "prices.>",
            (topic, sequence, priority, buffer, offset, length) -> received.add((long)buffer.getInt(offset)), TIMEOUT);

        final AckCounter acks = new AckCounter();
        final JunctionClient publisher = harness.newClient((ctx) -> ctx.listener(acks));
        final int count = 600;
        long killedAtNs = 0;
        long firstDeliveryAfterKillNs = 0;
        int receivedAtKill = 0;
        for (int i = 1; i <= count; i++)
        {
            publishInt(publisher, "prices.fx", i, subscriber);
            if (i == count / 3)
            {
                harness.pollUntil(TIMEOUT, () -> acks.acked >= count / 6, publisher, subscriber);
                receivedAtKill = received.size();
                killedAtNs = System.nanoTime();
                harness.stop(firstLeader.memberId());
            }
            if (0 == firstDeliveryAfterKillNs && killedAtNs != 0 && received.size() > receivedAtKill)
            {
                firstDeliveryAfterKillNs = System.nanoTime();
            }
        }

        harness.pollUntil(Duration.ofSeconds(60), () -> acks.acked == count && received.size() >= count,
            publisher, subscriber);
        final ClusterNode newLeader = harness.awaitLeader(TIMEOUT);
        assertNotEquals(firstLeader.memberId(), newLeader.memberId());

        final List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= count; i++)
        {
            expected.add(i);
        }
        assertEquals(expected, received, "every acknowledged message exactly once, in order");
        assertEquals(count, newLeader.service().appliedSequence(), "each publish entered the log once");
        assertTrue(acks.connectedEvents >= 2, "the publisher followed a new leader");
        System.out.printf("failover: first delivery %.1f ms after the leader was killed; duplicates dropped " +
            "at the subscriber %d, gaps %d; publisher reconnects %d%n",
            (firstDeliveryAfterKillNs - killedAtNs) / 1e6, subscriber.duplicatesDropped(),
            subscriber.gapsDetected(), publisher.reconnects());
    }

    @Test
    @Timeout(120)
    void subscriberThatFellBehindGetsEveryMessageInOrderByResumingFromTheJournal()
    {
        harness = new ClusterHarness(tempDir, 21_700, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);

        final List<Long> received = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient((ctx) -> ctx
            .egressChannel("aeron:udp?endpoint=localhost:0|term-length=64k"));
        harness.subscribe(subscriber, "bulk.>",
            (topic, sequence, priority, buffer, offset, length) -> received.add((long)buffer.getInt(offset)), TIMEOUT);

        // The subscriber does not poll while 1000 messages go by: its egress window fills and the leader drops.
        final AckCounter acks = new AckCounter();
        final JunctionClient publisher = harness.newClient((ctx) -> ctx.listener(acks));
        final int count = 1000;
        for (int i = 1; i <= count; i++)
        {
            publishInt(publisher, "bulk.data", i);
        }
        harness.pollUntil(TIMEOUT, () -> acks.acked == count, publisher);
        assertTrue(leader.service().counters().egressDropped() > 0, "the test must overflow the subscriber");

        harness.pollUntil(TIMEOUT, () -> received.size() >= count, subscriber);
        final List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= count; i++)
        {
            expected.add(i);
        }
        assertEquals(expected, received);
        assertTrue(leader.service().counters().replayed() > 0, "the missing tail came from the journal");
    }

    static void publishInt(final JunctionClient publisher, final String topic, final int value, final JunctionClient... alsoPoll)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
        buffer.putInt(0, value);
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        while (publisher.inFlight() >= 64 || publisher.publish(topic, Priority.NORMAL, buffer, 0, 4) < 0)
        {
            publisher.poll();
            for (final JunctionClient client : alsoPoll)
            {
                client.poll();
            }
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("could not publish " + value);
            }
            Thread.onSpinWait();
        }
        publisher.poll();
    }

    static final class AckCounter implements ClientListener
    {
        long acked;
        long duplicates;
        long connectedEvents;
        final List<String> errors = new ArrayList<>();

        public void onPublishAck(final long publisherSequence, final long sequence, final boolean duplicate)
        {
            acked++;
            if (duplicate)
            {
                duplicates++;
            }
        }

        public void onConnected(final long clusterSessionId, final int leaderMemberId)
        {
            connectedEvents++;
        }

        public void onError(
            final long correlationId, final int requestTemplateId,
            final io.junction.cluster.codecs.ErrorCode code, final String reason)
        {
            errors.add(code + ":" + correlationId);
        }
    }
}
