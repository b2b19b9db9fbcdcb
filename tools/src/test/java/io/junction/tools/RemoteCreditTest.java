package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.junction.Priority;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.SlowSubscriberPolicy;

/**
 * Credit with a back-pressure subscriber whose send buffer is often full: a delivery that finds the buffer full
 * waits for room without spending a second credit, so the client's automatic grants keep up and a long burst of
 * large messages arrives whole (a leaked credit per full buffer stalled the subscription for good).
 */
class RemoteCreditTest
{
    private static final int MESSAGES = 20_000;
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(60);

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withClientTestConfig();

    /**
     * Also with {@code network.inline-shard}: there the I/O thread that reads the client's credit runs the shard, so
     * a delivery out of credit has the shard hold the message rather than wait (waiting stalled it for good).
     */
    @ParameterizedTest(name = "network.inline-shard = {0}")
    @ValueSource(booleans = { false, true })
    void aFullSendBufferDoesNotLeakCreditSoEveryMessageArrives(final boolean inlineShard) throws Exception
    {
        daemon.start("max-message-length = 1024",
            "network.send-buffer = 16K", "subscriber.policy = back-pressure", "journal.enabled = false",
            "network.inline-shard = " + inlineShard);
        final ClientContext context = new ClientContext().url("tcp://127.0.0.1:" + daemon.port());
        final JunctionClient subscriber = client(JunctionClient.connect(context));
        final long[] received = new long[1];
        final ClientSubscription subscription = subscriber.subscribe("credit.>", (message) -> received[0]++,
            ClientSubscriptionOptions.defaults().initialCredit(32).slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE));
        final JunctionClient publisher = client(JunctionClient.connect(new ClientContext().url(context.url())));
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!(subscription.isInEffect() && publisher.isConnected()))
        {
            pollBoth(publisher, subscriber, deadlineNs, "connected");
        }

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1000]);
        long sent = 0;
        while (sent < MESSAGES)
        {
            final long result = publisher.offer("credit.burst", Priority.NORMAL, payload, 0, payload.capacity());
            if (result > 0)
            {
                sent++;
            }
            else
            {
                final long receivedSoFar = received[0];
                final long sentSoFar = sent;
                assertEquals(ClientResult.BACK_PRESSURED, result, () -> ClientResult.describe(result) + " after " +
                    sentSoFar + " sent, " + receivedSoFar + " received (a stalled subscription holds the publisher " +
                    "until its heartbeat times out)");
                pollBoth(publisher, subscriber, deadlineNs, "room to publish after " + sent + " sent, " +
                    received[0] + " received");
            }
        }
        while (received[0] < MESSAGES)
        {
            pollBoth(publisher, subscriber, deadlineNs, received[0] + " of " + MESSAGES + " received");
        }
        assertEquals(MESSAGES, received[0]);
        assertTrue(subscriber.statistics().creditsGranted() >= MESSAGES / 16 - 1,
            "credit renewed as consumed: " + subscriber.statistics());
    }

    /**
     * A drop-oldest subscriber flooded while it does not read, round after round, still gets each round's CRITICAL
     * marker (the newest message): the flood spends the credit only down to the CRITICAL reserve. (Whether the
     * socket or the send buffer holds what the credit paid for is timing, so this does not show the credit refund of
     * messages dropped from the buffer by itself; RemoteOverloadRun does: without it the subscription stalled.)
     */
    @Test
    void aFloodedDropOldestSubscriberStillGetsEachRoundsCriticalMarker() throws Exception
    {
        daemon.start("max-message-length = 1024",
            "network.send-buffer = 16K", "subscriber.policy = drop-oldest", "network.critical-reserve = 25",
            "journal.enabled = false");
        final ClientContext context = new ClientContext().url("tcp://127.0.0.1:" + daemon.port());
        final JunctionClient subscriber = client(JunctionClient.connect(context));
        final long[] lastMarker = { -1 };
        final ClientSubscription subscription = subscriber.subscribe("credit.>", (message) ->
        {
            if (message.topic().equals("credit.marker"))
            {
                lastMarker[0] = message.buffer().getLong(message.offset());
            }
        }, ClientSubscriptionOptions.defaults().initialCredit(32).slowSubscriberPolicy(SlowSubscriberPolicy.DROP_OLDEST));
        final JunctionClient publisher = client(JunctionClient.connect(new ClientContext().url(context.url())));
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!(subscription.isInEffect() && publisher.isConnected()))
        {
            pollBoth(publisher, subscriber, deadlineNs, "connected");
        }
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1000]);
        for (long round = 0; round < 8; round++)
        {
            int sent = 0;
            while (sent < 200) // the subscriber is not polled meanwhile: its send buffer fills, the oldest go
            {
                if (publisher.offer("credit.flood", Priority.NORMAL, payload, 0, payload.capacity()) > 0)
                {
                    sent++;
                }
                else
                {
                    publisher.poll();
                }
            }
            payload.putLong(0, round);
            // CRITICAL: the flood spent the credit only down to the window's CRITICAL reserve (25%), kept for it; a
            // credit leaked by each message dropped from the full buffer would empty that reserve within rounds.
            while (publisher.offer("credit.marker", Priority.CRITICAL, payload, 0, payload.capacity()) <= 0)
            {
                publisher.poll();
            }
            while (lastMarker[0] < round)
            {
                final long r = round;
                pollBoth(publisher, subscriber, deadlineNs, "round " + r + "'s marker (last " + lastMarker[0] +
                    "): " + subscriber.statistics());
            }
        }
        assertEquals(7, lastMarker[0]);
    }

    /**
     * Under a dropping policy the last network.critical-reserve percent (here 25) of a subscriber's credit window is
     * CRITICAL's: a flood below CRITICAL
     * while the subscriber does not read spends the credit only down to that reserve, so the CRITICAL messages that
     * follow still go (before, the flood took every credit and the CRITICAL ones were dropped with the rest).
     */
    @Test
    void theCriticalReserveOfTheCreditWindowIsKeptForCritical() throws Exception
    {
        final Flooded flooded = floodedBelowCritical();
        final JunctionClient publisher = flooded.publisher;
        final JunctionClient subscriber = flooded.subscriber;
        final long[] byClass = flooded.byClass;
        final long deadlineNs = flooded.deadlineNs;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        publish(publisher, Priority.CRITICAL, payload, 8, deadlineNs);
        while (byClass[Priority.CRITICAL.ordinal()] < 8)
        {
            pollBoth(publisher, subscriber, deadlineNs, "8 CRITICAL received, got " +
                byClass[Priority.CRITICAL.ordinal()] + " and " + byClass[Priority.NORMAL.ordinal()] + " NORMAL");
        }
        assertEquals(48, byClass[Priority.NORMAL.ordinal()], "NORMAL spent the credit down to the reserve");
    }

    /**
     * Out of credit, a CRITICAL message may overdraw it into the express lane by as much again as its reserve (the
     * client grants in batches, and more CRITICAL may come between two grants than the reserve holds): with a window
     * of 64, no grants and a 25% reserve (16), a flood below CRITICAL spends 48; of 40 CRITICAL messages after it, 32
     * go (the reserve, then as much again) and 8 are dropped, counted as CRITICAL drops.
     */
    @Test
    void criticalMayOverdrawTheCreditByItsReserveIntoTheExpressLane() throws Exception
    {
        final Flooded flooded = floodedBelowCritical();
        final JunctionClient publisher = flooded.publisher;
        final JunctionClient subscriber = flooded.subscriber;
        final long[] byClass = flooded.byClass;
        final long deadlineNs = flooded.deadlineNs;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        publish(publisher, Priority.CRITICAL, payload, 40, deadlineNs);
        while (byClass[Priority.CRITICAL.ordinal()] < 32 ||
            daemon.stat("protocol subscriber drops: CRITICAL") < 8)
        {
            pollBoth(publisher, subscriber, deadlineNs, byClass[Priority.CRITICAL.ordinal()] + " CRITICAL received");
        }
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() - until < 0)
        {
            pollBoth(publisher, subscriber, deadlineNs, "a moment more");
        }
        assertEquals(32, byClass[Priority.CRITICAL.ordinal()], "the reserve, then as much again");
        assertEquals(8, daemon.stat("protocol subscriber drops: CRITICAL"));
        assertEquals(48, byClass[Priority.NORMAL.ordinal()], "NORMAL spent the credit down to the reserve");
    }

    /**
     * Credit and the express lane together: a drop-oldest subscriber on the default credit window (4,096) with a 25%
     * CRITICAL reserve does not read while a flood of every class goes by (10,000 messages, 1 in 40 CRITICAL), then
     * reads slowly (50 us a message) while another 10,000 go by. It gets every CRITICAL message, in order: each fit
     * the reserve of its credit and the express lane (64 KiB on the defaults), which goes to the socket ahead of the
     * lower classes. The lower classes are dropped and counted, by class, and still flow once it reads (no stall).
     */
    @Test
    void aNeverReadingThenSlowSubscriberGetsEveryCriticalThatFitItsLane() throws Exception
    {
        daemon.start("max-message-length = 1024",
            "network.send-buffer = 16K", "subscriber.policy = drop-oldest", "network.critical-reserve = 25",
            "journal.enabled = false");
        final ClientContext context = new ClientContext().url("tcp://127.0.0.1:" + daemon.port());
        final JunctionClient subscriber = client(JunctionClient.connect(context));
        final ExpressLaneDaemonTest.Tally tally = new ExpressLaneDaemonTest.Tally(50_000);
        final ClientSubscription subscription = subscriber.subscribe("lane.>", tally::onMessage,
            ClientSubscriptionOptions.defaults().slowSubscriberPolicy(SlowSubscriberPolicy.DROP_OLDEST));
        final JunctionClient publisher = client(JunctionClient.connect(new ClientContext().url(context.url())));
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!(subscription.isInEffect() && publisher.isConnected()))
        {
            pollBoth(publisher, subscriber, deadlineNs, "connected");
        }
        final JunctionClient[] clients = { publisher, subscriber };

        long critical = ExpressLaneDaemonTest.flood(publisher, subscriber, 10_000, 0); // never reading
        final long lowerBefore = tally.lower();
        critical += ExpressLaneDaemonTest.flood(publisher, subscriber, 10_000, 10, critical, 64); // then slow
        tally.awaitCritical(clients, critical);

        assertEquals(0, tally.criticalOutOfOrder, "CRITICAL in its order");
        assertEquals(0, daemon.stat("protocol subscriber drops: CRITICAL"));
        tally.assertLowerDropped(daemon, 20_000 - critical);
        assertTrue(tally.lower() > lowerBefore, "the lower classes flowed again once it read: credit came back");
    }

    /** A daemon, a subscriber and a publisher, after {@link #floodedBelowCritical()}. */
    private record Flooded(JunctionClient publisher, JunctionClient subscriber, long[] byClass,
        long deadlineNs)
    {
    }

    /**
     * A drop-oldest daemon with a 25% CRITICAL reserve, and a subscriber of {@code credit.>} (messages counted by
     * class) with a window of 64 and no grants, not polled while 500 NORMAL messages are published.
     */
    private Flooded floodedBelowCritical() throws Exception
    {
        daemon.start("subscriber.policy = drop-oldest",
            "network.critical-reserve = 25", "journal.enabled = false");
        final ClientContext context = new ClientContext().url("tcp://127.0.0.1:" + daemon.port());
        final JunctionClient subscriber = client(JunctionClient.connect(context));
        final long[] byClass = new long[Priority.values().length];
        final ClientSubscription subscription = subscriber.subscribe("credit.>",
            (message) -> byClass[message.priority().ordinal()]++,
            ClientSubscriptionOptions.defaults().initialCredit(64).autoCredit(false));
        final JunctionClient publisher = client(JunctionClient.connect(new ClientContext().url(context.url())));
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!(subscription.isInEffect() && publisher.isConnected()))
        {
            pollBoth(publisher, subscriber, deadlineNs, "connected");
        }
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        publish(publisher, Priority.NORMAL, payload, 500, deadlineNs); // the subscriber is not polled meanwhile
        return new Flooded(publisher, subscriber, byClass, deadlineNs);
    }

    private static void publish(final JunctionClient publisher, final Priority priority, final UnsafeBuffer payload,
        final int count, final long deadlineNs)
    {
        int sent = 0;
        while (sent < count)
        {
            if (publisher.offer("credit.mixed", priority, payload, 0, payload.capacity()) > 0)
            {
                sent++;
            }
            else if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("could not publish");
            }
            publisher.poll();
        }
        while (publisher.pendingBytes() > 0 && System.nanoTime() - deadlineNs < 0)
        {
            publisher.poll();
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
