package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;

/**
 * CRITICAL's express lane through a daemon child process over real sockets ({@code network.express-send-buffer}): a
 * slow drop-oldest subscriber without flow control, under a flood of every class far beyond what it reads, gets every
 * CRITICAL message, in order, while the lower classes are dropped (counted, by class). With a lane too small for the
 * flood, what CRITICAL cannot be delivered is counted, never lost silently.
 */
class ExpressLaneDaemonTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(90);
    /** Every 40th message is CRITICAL; the rest rotate over HIGH, NORMAL and BULK. */
    private static final int CRITICAL_EVERY = 40;
    private static final Priority[] LOWER = { Priority.HIGH, Priority.NORMAL, Priority.BULK };

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withClientTestConfig("max-message-length = 1024",
        "network.send-buffer = 16K", "subscriber.policy = drop-oldest", "journal.enabled = false");

    @Test
    void aSlowSubscriberGetsEveryCriticalWhileTheLowerClassesDrop() throws Exception
    {
        daemon.start("network.express-send-buffer = 256K");
        final Tally tally = new Tally(50_000);
        final JunctionClient[] clients = connect(tally, ClientSubscriptionOptions.NO_FLOW_CONTROL);
        final long critical = flood(clients[0], clients[1], 20_000, 100);
        tally.awaitCritical(clients, critical);

        assertEquals(0, tally.criticalOutOfOrder, "CRITICAL in its order");
        assertEquals(0, daemon.stat("protocol subscriber drops: CRITICAL"));
        assertEquals(0, daemon.stat("protocol express lane spills"), "the lane was big enough");
        tally.assertLowerDropped(daemon, 20_000 - critical);
    }

    /**
     * A lane too small for the CRITICAL messages (of 1,000 bytes here) of a flood the subscriber does not read: they
     * spill into the send buffer (counted), where drop-oldest may drop some; each one is either received or counted as
     * a CRITICAL drop.
     */
    @Test
    void whatCriticalCannotBeDeliveredIsCounted() throws Exception
    {
        daemon.start("network.express-send-buffer = 16K");
        final Tally tally = new Tally(0);
        final JunctionClient[] clients = connect(tally, ClientSubscriptionOptions.NO_FLOW_CONTROL);
        final long critical = flood(clients[0], clients[1], 20_000, 0, 0, 1000);
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        long accounted = 0;
        while (accounted < critical && System.nanoTime() - deadlineNs < 0)
        {
            awaitQuiet(clients, deadlineNs);
            accounted = tally.received[Priority.CRITICAL.ordinal()] +
                daemon.stat("protocol subscriber drops: CRITICAL");
        }
        assertEquals(critical, accounted, "each CRITICAL received or counted");
        assertEquals(0, tally.criticalOutOfOrder, "what arrives of CRITICAL keeps its order");
        assertTrue(daemon.stat("protocol express lane spills") > 0, () -> "the lane was too small and spilled: " +
            "received by class " + java.util.Arrays.toString(tally.received));
    }

    /**
     * @return the publisher and a drop-oldest subscriber of {@code lane.>} with this initial credit, in effect.
     */
    private JunctionClient[] connect(final Tally tally, final long initialCredit) throws Exception
    {
        final ClientContext context = new ClientContext().url("tcp://127.0.0.1:" + daemon.port());
        final JunctionClient subscriber = client(JunctionClient.connect(context));
        final ClientSubscription subscription = subscriber.subscribe("lane.>", tally::onMessage,
            ClientSubscriptionOptions.defaults().initialCredit(initialCredit)
                .slowSubscriberPolicy(SlowSubscriberPolicy.DROP_OLDEST));
        final JunctionClient publisher = client(JunctionClient.connect(new ClientContext().url(context.url())));
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!(subscription.isInEffect() && publisher.isConnected()))
        {
            pollBoth(publisher, subscriber, deadlineNs, "connected");
        }
        return new JunctionClient[]{ publisher, subscriber };
    }

    /**
     * Publish {@code count} messages on {@code lane.flood} as fast as the daemon takes them: every
     * {@link #CRITICAL_EVERY}th is CRITICAL, of 64 bytes, numbered in its first 8; the others rotate over HIGH, NORMAL
     * and BULK, of 1,000 bytes (the loopback socket takes about a megabyte of a subscriber that does not read). The subscriber is polled once per {@code pollEvery} published (0: never).
     *
     * @return the CRITICAL messages published.
     */
    static long flood(final JunctionClient publisher, final JunctionClient subscriber, final int count,
        final int pollEvery)
    {
        return flood(publisher, subscriber, count, pollEvery, 0, 64);
    }

    /**
     * @param firstCritical  the number of the first CRITICAL message (a flood after another goes on from its last).
     * @param criticalLength the CRITICAL messages' length (at least 8, at most 1,000).
     */
    static long flood(final JunctionClient publisher, final JunctionClient subscriber, final int count,
        final int pollEvery, final long firstCritical, final int criticalLength)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1000]);
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        long critical = 0;
        for (int i = 0; i < count; i++)
        {
            final boolean isCritical = 0 == i % CRITICAL_EVERY;
            final Priority priority = isCritical ? Priority.CRITICAL : LOWER[i % LOWER.length];
            payload.putLong(0, isCritical ? firstCritical + critical : -1);
            final int length = isCritical ? criticalLength : payload.capacity();
            while (publisher.offer("lane.flood", priority, payload, 0, length) <= 0)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new AssertionError("could not publish " + i);
                }
                publisher.poll();
            }
            if (isCritical)
            {
                critical++;
            }
            publisher.poll();
            if (pollEvery > 0 && 0 == i % pollEvery)
            {
                subscriber.poll();
            }
        }
        while (publisher.pendingBytes() > 0 && System.nanoTime() - deadlineNs < 0)
        {
            publisher.poll();
        }
        return critical;
    }

    /** Read until the clients have had nothing to do for a second. */
    private static void awaitQuiet(final JunctionClient[] clients, final long deadlineNs)
    {
        final long quietNs = TimeUnit.SECONDS.toNanos(1);
        long lastWorkNs = System.nanoTime();
        while (System.nanoTime() - lastWorkNs < quietNs)
        {
            if (clients[0].poll() + clients[1].poll() > 0)
            {
                lastWorkNs = System.nanoTime();
            }
            else
            {
                LockSupport.parkNanos(100_000);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("the subscriber did not go quiet");
            }
        }
    }

    /**
     * A subscriber's messages by class, the order of the CRITICAL ones (numbered), and a slow application's work.
     */
    static final class Tally
    {
        final long[] received = new long[Priority.values().length];
        private final long serviceNs;
        private long nextCritical;
        long criticalOutOfOrder;

        /**
         * @param serviceNs time spent on each message (a slow application).
         */
        Tally(final long serviceNs)
        {
            this.serviceNs = serviceNs;
        }

        void onMessage(final io.junction.Message message)
        {
            final int priority = message.priority().ordinal();
            received[priority]++;
            if (Priority.CRITICAL.ordinal() == priority)
            {
                final long number = message.buffer().getLong(message.offset());
                if (number < nextCritical)
                {
                    criticalOutOfOrder++;
                }
                nextCritical = number + 1;
            }
            final long until = System.nanoTime() + serviceNs;
            while (System.nanoTime() - until < 0)
            {
                Thread.onSpinWait();
            }
        }

        void awaitCritical(final JunctionClient[] clients, final long critical)
        {
            final long deadlineNs = System.nanoTime() + DEADLINE_NS;
            while (received[Priority.CRITICAL.ordinal()] < critical)
            {
                pollBoth(clients[0], clients[1], deadlineNs, received[Priority.CRITICAL.ordinal()] + " of " +
                    critical + " CRITICAL received, and " + lower() + " of the lower classes");
            }
            assertEquals(critical, received[Priority.CRITICAL.ordinal()], "every CRITICAL message");
        }

        long lower()
        {
            return received[Priority.HIGH.ordinal()] + received[Priority.NORMAL.ordinal()] +
                received[Priority.BULK.ordinal()];
        }

        /**
         * Each lower class was dropped and counted, and some of it still arrived (no stall).
         */
        void assertLowerDropped(final DaemonChild daemon, final long lowerSent) throws Exception
        {
            for (final Priority lower : LOWER)
            {
                final long dropped = daemon.stat("protocol subscriber drops: " + lower);
                assertTrue(dropped > 0, () -> lower + " dropped and counted: " + dropped);
            }
            final long lowerReceived = lower();
            assertTrue(lowerReceived < lowerSent, () -> "the lower classes were dropped: " + lowerReceived);
            assertTrue(lowerReceived > 0, "and the subscriber was not starved of them");
        }
    }

    private JunctionClient client(final JunctionClient client)
    {
        daemon.closeAfter(client);
        return client;
    }

    private static void pollBoth(
        final JunctionClient publisher, final JunctionClient subscriber, final long deadlineNs, final String what)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new AssertionError("not within " + TimeUnit.NANOSECONDS.toSeconds(DEADLINE_NS) + " s: " + what);
        }
        if (0 == publisher.poll() + subscriber.poll())
        {
            LockSupport.parkNanos(20_000);
        }
    }
}
