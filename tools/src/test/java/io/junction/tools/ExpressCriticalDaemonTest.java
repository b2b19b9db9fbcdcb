package io.junction.tools;

import static io.junction.tools.ClientTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.junction.Message;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.StartAt;

/**
 * {@link ClientSubscriptionOptions#expressCritical} through a daemon child process over real sockets: the client
 * reads on while its handler works through messages below CRITICAL, keeps them, and hands a CRITICAL message over as
 * soon as it is read, so one published while thousands of lower-class messages wait in the client overtakes them.
 * Each class keeps its order, and the client never holds more below CRITICAL than the subscription's credit.
 */
class ExpressCriticalDaemonTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(90);
    private static final Priority[] LOWER = { Priority.HIGH, Priority.NORMAL, Priority.BULK };

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withClientTestConfig(
        "max-message-length = 1024", "journal.enabled = false", "network.send-buffer = 1M");

    /**
     * 2,000 lower-class messages, each taking the handler 1 ms, all within the credit (4,096). When the handler is at
     * the 100th it publishes 10 CRITICAL messages; the client then holds most of the rest. The CRITICAL ones are
     * handed over before the lower-class ones that were waiting when they were published, in order (the daemon has
     * half a second or more to forward them; it takes about a millisecond).
     */
    @Test
    void criticalPublishedLaterOvertakesTheLowerClassesWaitingInTheClient() throws Exception
    {
        final File node = node("subscriber.policy = drop-oldest");
        final int lower = 2_000;
        final int critical = 10;
        final int trigger = 100;
        final JunctionClient publisher = client(node);
        final JunctionClient subscriber = client(node);
        final Arrivals arrivals = new Arrivals();
        final long[] keptAtPublish = { -1 };
        final ClientSubscription[] subscription = new ClientSubscription[1];
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        subscription[0] = subscriber.subscribe("express.>", (message) ->
        {
            arrivals.onMessage(message);
            if (Priority.CRITICAL == message.priority())
            {
                return;
            }
            if (trigger == arrivals.lowerArrived)
            {
                keptAtPublish[0] = subscription[0].backlog();
                for (int i = 0; i < critical; i++)
                {
                    publish(publisher, Priority.CRITICAL, i, payload);
                }
                flush(publisher);
            }
            spin(TimeUnit.MILLISECONDS.toNanos(1)); // a slow application
        }, ClientSubscriptionOptions.defaults().initialCredit(4096).criticalCredit(256).expressCritical(true)
            .slowSubscriberPolicy(SlowSubscriberPolicy.DROP_OLDEST));
        pollUntil(() -> subscription[0].isInEffect() && publisher.isConnected(), () -> "subscribed", publisher,
            subscriber);

        for (int i = 0; i < lower; i++)
        {
            publish(publisher, LOWER[i % LOWER.length], i, payload);
        }
        flush(publisher);
        pollUntil(() -> arrivals.count == lower + critical, () -> arrivals.count + " arrived; " +
            subscriber.statistics(), publisher, subscriber);

        assertTrue(keptAtPublish[0] >= lower / 2, "the client held most lower-class messages when CRITICAL was " +
            "published: " + keptAtPublish[0]);
        final long waiting = trigger + keptAtPublish[0];
        assertTrue(arrivals.lowerBeforeFirstCritical < waiting - keptAtPublish[0] / 2, () -> "CRITICAL came after " +
            arrivals.lowerBeforeFirstCritical + " lower-class messages, " + keptAtPublish[0] + " of them waiting in " +
            "the client when it was published");
        assertTrue(arrivals.lowerBeforeLastCritical < lower, "every CRITICAL one before the last lower-class one");
        assertEquals(0, arrivals.outOfOrder, "each class in its order");
        assertEquals(critical, arrivals.criticalArrived);
        assertEquals(0, subscriber.statistics().expressBacklogFull());
        assertEquals(lower, subscription[0].delivered() - critical);
    }

    /**
     * A flood at a subscriber that cannot keep up (20 µs a message, drop-oldest, a credit of 64 and a CRITICAL window
     * of 512): each class arrives in its order (with gaps where the daemon dropped the oldest), every CRITICAL
     * message arrives, and the client never holds more below CRITICAL than the credit of 64.
     */
    @Test
    void eachClassKeepsItsOrderAndTheCreditBoundsWhatTheClientHolds() throws Exception
    {
        final File node = node("subscriber.policy = drop-oldest");
        final int count = 20_000;
        final int credit = 64;
        final JunctionClient publisher = client(node);
        final JunctionClient subscriber = client(node);
        final Arrivals arrivals = new Arrivals();
        final int[] mostKept = { 0 };
        final ClientSubscription[] subscription = new ClientSubscription[1];
        subscription[0] = subscriber.subscribe("express.>", (message) ->
        {
            arrivals.onMessage(message);
            mostKept[0] = Math.max(mostKept[0], subscription[0].backlog());
            spin(TimeUnit.MICROSECONDS.toNanos(20));
        }, ClientSubscriptionOptions.defaults().initialCredit(credit).criticalCredit(512).expressCritical(true)
            .slowSubscriberPolicy(SlowSubscriberPolicy.DROP_OLDEST));
        pollUntil(() -> subscription[0].isInEffect() && publisher.isConnected(), () -> "subscribed", publisher,
            subscriber);

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        long critical = 0;
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        for (int i = 0; i < count; i++)
        {
            final boolean isCritical = 0 == i % 40;
            publish(publisher, isCritical ? Priority.CRITICAL : LOWER[i % LOWER.length], i, payload);
            critical += isCritical ? 1 : 0;
            publisher.poll();
            if (0 == i % 8)
            {
                subscriber.poll();
            }
            assertTrue(System.nanoTime() - deadlineNs < 0, "published in time");
        }
        flush(publisher);
        final long expectedCritical = critical;
        pollUntil(() -> arrivals.criticalArrived == expectedCritical && 0 == subscription[0].backlog(),
            () -> arrivals.criticalArrived + " of " + expectedCritical + " CRITICAL; " + subscriber.statistics(),
            publisher, subscriber);

        assertEquals(0, arrivals.outOfOrder, "each class in its order");
        assertTrue(mostKept[0] <= credit, "held at most the credit below CRITICAL: " + mostKept[0]);
        assertTrue(mostKept[0] > 0, "it did hold some");
        assertEquals(0, subscriber.statistics().expressBacklogFull());
        assertEquals(0, daemon.stat("protocol critical drops: NO_CREDIT"));
        assertTrue(daemon.stat("protocol subscriber drops: NORMAL") > 0, "the lower classes were over the credit");
    }

    /**
     * A queue-group member closed while its client holds messages for it hands them over before its leave ends
     * (they came before its UNSUBSCRIBED): with the other member, every message arrives exactly once, none discarded.
     */
    @Test
    void aLeavingMemberHandsOverWhatItsClientHeldBeforeItsLeaveEnds() throws Exception
    {
        final File node = node("subscriber.policy = drop-oldest");
        final int count = 1_000;
        final JunctionClient publisher = client(node);
        final JunctionClient[] members = { client(node), client(node) };
        final java.util.BitSet seen = new java.util.BitSet();
        final long[] duplicates = { 0 };
        final ClientSubscription[] subscriptions = new ClientSubscription[2];
        for (int m = 0; m < 2; m++)
        {
            subscriptions[m] = members[m].subscribe("express.>", (message) ->
            {
                final int number = (int)message.buffer().getLong(message.offset());
                duplicates[0] += seen.get(number) ? 1 : 0;
                seen.set(number);
                spin(TimeUnit.MICROSECONDS.toNanos(200));
            }, ClientSubscriptionOptions.defaults().initialCredit(4096).criticalCredit(256).expressCritical(true)
                .queueGroup("workers").slowSubscriberPolicy(SlowSubscriberPolicy.DROP_OLDEST));
        }
        pollUntil(() -> subscriptions[0].isInEffect() && subscriptions[1].isInEffect() && publisher.isConnected(),
            () -> "subscribed", publisher, members[0], members[1]);

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < count; i++)
        {
            publish(publisher, LOWER[i % LOWER.length], i, payload);
        }
        flush(publisher);
        pollUntil(() -> subscriptions[0].backlog() >= 50, () -> "the first member holds messages: " +
            subscriptions[0].backlog(), publisher, members[0], members[1]);
        final int heldAtClose = subscriptions[0].backlog();
        subscriptions[0].close();
        assertTrue(subscriptions[0].isDraining());
        for (int i = count; i < 2 * count; i++)
        {
            publish(publisher, LOWER[i % LOWER.length], i, payload);
        }
        flush(publisher);
        pollUntil(() -> seen.cardinality() == 2 * count && !subscriptions[0].isDraining(), () -> seen.cardinality() +
            " of " + 2 * count + " arrived; " + members[0].statistics(), publisher, members[0], members[1]);

        assertTrue(heldAtClose >= 50);
        assertEquals(0, duplicates[0], "none twice");
        assertEquals(0, members[0].statistics().discarded(), "none discarded by the leaver");
        assertEquals(0, members[0].statistics().leavesTimedOut());
        assertEquals(0, subscriptions[0].backlog());
        assertTrue(subscriptions[0].delivered() >= heldAtClose, "the leaver handled what it held");
    }

    /** The option needs flow control and a live subscription: a durable or replaying one keeps strict order. */
    @Test
    void isRefusedWithoutFlowControlAndForJournalSubscriptions() throws Exception
    {
        final File node = node();
        final JunctionClient subscriber = client(node);
        assertThrows(IllegalArgumentException.class, () -> subscriber.subscribe("express.>", (m) -> { },
            ClientSubscriptionOptions.defaults().expressCritical(true).durable("express")));
        assertThrows(IllegalArgumentException.class, () -> subscriber.subscribe("express.>", (m) -> { },
            ClientSubscriptionOptions.defaults().expressCritical(true).startAt(StartAt.earliest())));
        assertThrows(IllegalArgumentException.class, () -> subscriber.subscribe("express.>", (m) -> { },
            ClientSubscriptionOptions.defaults().expressCritical(true)
                .initialCredit(ClientSubscriptionOptions.NO_FLOW_CONTROL)));
        assertEquals(0, subscriber.subscriptions().size());
    }

    /** What the handler saw: per class, in order; where the first and last CRITICAL came among the lower classes. */
    private static final class Arrivals
    {
        final long[] nextNumber = new long[Priority.values().length];
        long outOfOrder;
        long count;
        long lowerArrived;
        long criticalArrived;
        long lowerBeforeFirstCritical = -1;
        long lowerBeforeLastCritical = -1;

        Arrivals()
        {
            java.util.Arrays.fill(nextNumber, -1);
        }

        void onMessage(final Message message)
        {
            final int priority = message.priority().ordinal();
            final long number = message.buffer().getLong(message.offset());
            outOfOrder += number <= nextNumber[priority] ? 1 : 0;
            nextNumber[priority] = number;
            count++;
            if (Priority.CRITICAL == message.priority())
            {
                criticalArrived++;
                if (lowerBeforeFirstCritical < 0)
                {
                    lowerBeforeFirstCritical = lowerArrived;
                }
                lowerBeforeLastCritical = lowerArrived;
            }
            else
            {
                lowerArrived++;
            }
        }
    }

    private static void publish(final JunctionClient publisher, final Priority priority, final long number,
        final UnsafeBuffer payload)
    {
        payload.putLong(0, number);
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (publisher.offer("express.flood", priority, payload, 0, payload.capacity()) <= 0)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "could not publish " + number);
            publisher.poll();
        }
    }

    private static void flush(final JunctionClient publisher)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (publisher.pendingBytes() > 0)
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "flushed in time");
            publisher.poll();
        }
    }

    private static void spin(final long ns)
    {
        final long until = System.nanoTime() + ns;
        while (System.nanoTime() - until < 0)
        {
            Thread.onSpinWait();
        }
    }

    private File node(final String... extra) throws Exception
    {
        daemon.start(extra);
        return daemon.node();
    }

    private JunctionClient client(final File node) throws Exception
    {
        return daemon.closeAfter(JunctionClient.connect(new ClientContext().url("tcp://127.0.0.1:" + daemon.port())));
    }
}
