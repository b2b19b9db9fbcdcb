package io.junction.tools;

import static io.junction.tools.ClientTestSupport.port;
import static io.junction.tools.ClientTestSupport.startDaemon;
import static io.junction.tools.ClientTestSupport.writeConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @TempDir
    Path tmp;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void aFullSendBufferDoesNotLeakCreditSoEveryMessageArrives() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        resources.add(startDaemon(tmp, writeConfig(tmp, node, 0, "max-message-length = 1024",
            "network.send-buffer = 16K", "subscriber.policy = back-pressure", "journal.enabled = false"), node,
            "daemon.log"));
        final ClientContext context = new ClientContext().url("tcp://127.0.0.1:" + port(node));
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
     * A drop-oldest subscriber whose send buffer fills while it does not read: each message dropped from the buffer
     * to make room was never sent, so its credit comes back; otherwise every full buffer leaked the credit of what it
     * dropped, and after a few bursts the subscription received nothing ever again (found at 3x overload).
     * Each round floods it while it is not polled, then sends a marker, the newest message, which must arrive.
     */
    @Test
    void messagesDroppedOldestGiveTheirCreditBackSoTheSubscriptionNeverStalls() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        resources.add(startDaemon(tmp, writeConfig(tmp, node, 0, "max-message-length = 1024",
            "network.send-buffer = 16K", "subscriber.policy = drop-oldest", "journal.enabled = false"), node,
            "daemon.log"));
        final ClientContext context = new ClientContext().url("tcp://127.0.0.1:" + port(node));
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
            while (publisher.offer("credit.marker", Priority.NORMAL, payload, 0, payload.capacity()) <= 0)
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

    private JunctionClient client(final JunctionClient client)
    {
        resources.add(client);
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
