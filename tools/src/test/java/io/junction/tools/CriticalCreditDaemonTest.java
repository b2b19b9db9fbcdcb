package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;

/**
 * A subscription's CRITICAL credit (protocol version 4) through a daemon child process over real sockets: the lower
 * classes spend the subscription's credit to the last message, and every CRITICAL message still arrives, in order,
 * paid for by its own credit, while the lower classes are dropped (counted, by class). Without a CRITICAL credit the
 * same flood loses CRITICAL for want of credit, and the daemon says so ({@code protocol critical drops: NO_CREDIT}).
 */
class CriticalCreditDaemonTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(90);
    private static final int FLOOD = 20_000;
    private static final int CREDIT = 64;

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withClientTestConfig("max-message-length = 1024",
        "subscriber.policy = drop-oldest", "journal.enabled = false");

    /**
     * The subscriber reads nothing during the flood: the lower classes spend its credit of 64 on the first messages,
     * and every CRITICAL one after them is sent on its own credit (a window as large as the flood's CRITICAL share).
     */
    @Test
    void criticalArrivesWhenTheLowerClassesHaveSpentTheCredit() throws Exception
    {
        daemon.start();
        final ExpressLaneDaemonTest.Tally tally = new ExpressLaneDaemonTest.Tally(0);
        final JunctionClient[] clients = connect(tally, 1024);
        final long critical = ExpressLaneDaemonTest.flood(clients[0], clients[1], FLOOD, 0);
        tally.awaitCritical(clients, critical);

        assertEquals(0, tally.criticalOutOfOrder, "CRITICAL in its order");
        assertEquals(0, daemon.stat("protocol subscriber drops: CRITICAL"));
        assertEquals(0, daemon.stat("protocol critical drops: NO_CREDIT"));
        tally.assertLowerDropped(daemon, FLOOD - critical);
    }

    /**
     * A slow subscriber (100 µs a message) reads on its own agent thread; the publisher floods in rounds of 2,560
     * messages (1 in 40 CRITICAL: 64 a round) and waits for a round's CRITICAL to arrive before the next. The lower
     * classes, on a credit of 64, are dropped; a CRITICAL window of 256 lasts four rounds unless the client grants it
     * back as it consumes CRITICAL (its auto-credit, in the same CREDIT frames as the lower classes'): over 16 rounds
     * every CRITICAL message arrives, in order. (Four rounds, not one: a round's last grants may still be on their
     * way to the daemon, or in the client, when the test sees its CRITICAL arrive.)
     */
    @Test
    void criticalCreditIsGrantedBackAsCriticalIsConsumed() throws Exception
    {
        daemon.start();
        final AtomicLong criticalReceived = new AtomicLong();
        final AtomicLong lowerReceived = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final long[] nextCritical = new long[1]; // the subscriber's agent thread alone
        final JunctionClient[] clients = connect((message) ->
        {
            if (Priority.CRITICAL == message.priority())
            {
                final long number = message.buffer().getLong(message.offset());
                outOfOrder.addAndGet(number < nextCritical[0] ? 1 : 0);
                nextCritical[0] = number + 1;
                criticalReceived.incrementAndGet();
            }
            else
            {
                lowerReceived.incrementAndGet();
            }
            final long until = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(100); // a slow application
            while (System.nanoTime() - until < 0)
            {
                Thread.onSpinWait();
            }
        }, 256);
        clients[1].startAgent(null, null); // the subscriber reads on its own thread from now on
        final int rounds = 16;
        final int perRound = 40 * 64;
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        long critical = 0;
        for (int round = 0; round < rounds; round++)
        {
            critical += ExpressLaneDaemonTest.flood(clients[0], null, perRound, 0, critical, 64);
            while (criticalReceived.get() < critical && System.nanoTime() - deadlineNs < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            final int r = round;
            final long expected = critical;
            assertEquals(expected, criticalReceived.get(), () -> "round " + r + ": every CRITICAL message; " +
                drops());
        }

        assertEquals(rounds * 64L, critical);
        assertEquals(0, outOfOrder.get(), "CRITICAL in its order");
        assertEquals(0, daemon.stat("protocol critical drops: NO_CREDIT"));
        final long lowerSent = rounds * perRound - critical;
        assertTrue(daemon.stat("protocol subscriber drops: NORMAL") > 0, () -> "the lower classes were short of " +
            "credit: " + lowerReceived.get() + " of " + lowerSent + " received");
    }

    /** The contrast: without a CRITICAL credit the lower classes' use of the credit leaves CRITICAL none. */
    @Test
    void withoutACriticalCreditCriticalIsDroppedForWantOfCredit() throws Exception
    {
        daemon.start();
        final ExpressLaneDaemonTest.Tally tally = new ExpressLaneDaemonTest.Tally(0);
        final JunctionClient[] clients = connect(tally, 0);
        final long critical = ExpressLaneDaemonTest.flood(clients[0], clients[1], FLOOD, 0);
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        long dropped = 0;
        while (tally.received[Priority.CRITICAL.ordinal()] + dropped < critical && System.nanoTime() - deadlineNs < 0)
        {
            awaitQuiet(clients);
            dropped = daemon.stat("protocol subscriber drops: CRITICAL");
        }
        assertEquals(critical, tally.received[Priority.CRITICAL.ordinal()] + dropped, "each received or counted");
        assertTrue(dropped > 0, "CRITICAL was dropped");
        assertEquals(dropped, daemon.stat("protocol critical drops: NO_CREDIT"), "each for want of credit");
    }

    /** @return the daemon's CRITICAL drops and their causes, for a failure's message. */
    private String drops()
    {
        try
        {
            return "CRITICAL dropped " + daemon.stat("protocol subscriber drops: CRITICAL") + " (no credit " +
                daemon.stat("protocol critical drops: NO_CREDIT") + ", send buffer full " +
                daemon.stat("protocol critical drops: SEND_BUFFER_FULL") + ", evicted " +
                daemon.stat("protocol critical drops: EVICTED") + ")";
        }
        catch (final Exception ex)
        {
            return "no counters: " + ex;
        }
    }

    /**
     * @return the publisher and a drop-oldest subscriber of {@code lane.>} with a credit of {@value #CREDIT} and this
     * CRITICAL credit (0: none), in effect.
     */
    private JunctionClient[] connect(
        final ExpressLaneDaemonTest.Tally tally, final long criticalCredit) throws Exception
    {
        return connect(tally::onMessage, criticalCredit);
    }

    private JunctionClient[] connect(
        final io.junction.MessageHandler handler, final long criticalCredit) throws Exception
    {
        final ClientContext context = new ClientContext().url("tcp://127.0.0.1:" + daemon.port());
        final JunctionClient subscriber = client(JunctionClient.connect(context));
        final ClientSubscription subscription = subscriber.subscribe("lane.>", handler,
            ClientSubscriptionOptions.defaults().initialCredit(CREDIT).criticalCredit(criticalCredit)
                .slowSubscriberPolicy(SlowSubscriberPolicy.DROP_OLDEST));
        final JunctionClient publisher = client(JunctionClient.connect(new ClientContext().url(context.url())));
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!(subscription.isInEffect() && publisher.isConnected()))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("not connected and subscribed");
            }
            if (0 == publisher.poll() + subscriber.poll())
            {
                LockSupport.parkNanos(20_000);
            }
        }
        return new JunctionClient[]{ publisher, subscriber };
    }

    /** Read until the clients have had nothing to do for a second. */
    private static void awaitQuiet(final JunctionClient[] clients)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
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

    private JunctionClient client(final JunctionClient client)
    {
        daemon.closeAfter(client);
        return client;
    }
}
