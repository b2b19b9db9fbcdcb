package io.junction.cluster;

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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance tests of the replicated switch on a 3-member cluster in this JVM on loopback, through the client
 * library's {@link io.junction.cluster.client.ClusterTransport}: every publish guaranteed, each answered DURABLE
 * once committed.
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
        final JunctionClient subscriber = harness.newClient(new ClientContext().instance("sub"));
        harness.subscribe(subscriber, "orders.>",
            (message) -> received.add((long)message.buffer().getInt(message.offset())), TIMEOUT);

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
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
        final JunctionClient subscriber = harness.newClient(new ClientContext().instance("sub"));
        harness.subscribe(subscriber, "prices.>",
            (message) -> received.add((long)message.buffer().getInt(message.offset())), TIMEOUT);

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
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

        try
        {
            harness.pollUntil(Duration.ofSeconds(60), () -> acks.acked == count && received.size() >= count,
                publisher, subscriber);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + ": acked " + acks.acked + ", refused " + acks.refused +
                ", publisher " + acks.states + " " + publisher.statistics() + ", received " + received.size() +
                ", subscriber " + subscriber.statistics() + " " + subscriber.lastError(), ex);
        }
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
        System.out.printf("failover: first delivery %.1f ms after the leader was killed; publisher resent %d, " +
            "duplicates acknowledged %d, connects %d%n",
            (firstDeliveryAfterKillNs - killedAtNs) / 1e6, publisher.statistics().resent(),
            publisher.statistics().duplicatesAcknowledged(), publisher.statistics().connects());
    }

    @Test
    @Timeout(120)
    void subscriberThatFellBehindGetsEveryMessageInOrderByResumingFromTheJournal()
    {
        harness = new ClusterHarness(tempDir, 21_700, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);

        final List<Long> received = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient(new ClientContext().instance("sub"), (ctx) -> ctx
            .egressChannel("aeron:udp?endpoint=localhost:0|term-length=64k"));
        harness.subscribe(subscriber, "bulk.>",
            (message) -> received.add((long)message.buffer().getInt(message.offset())), TIMEOUT);

        // The subscriber does not poll while 1000 messages go by: its egress window fills and the leader drops.
        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
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

    /**
     * A guaranteed publish of the int value, with at most 64 awaiting their outcome.
     */
    static void publishInt(final JunctionClient publisher, final String topic, final int value, final JunctionClient... alsoPoll)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
        buffer.putInt(0, value);
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        while (publisher.inFlight() >= 64 ||
            publisher.offer(topic, Priority.NORMAL, QualityOfService.GUARANTEED, buffer, 0, 4) < 0)
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
}
