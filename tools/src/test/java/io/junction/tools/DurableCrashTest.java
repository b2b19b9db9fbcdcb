package io.junction.tools;

import static io.junction.tools.ClientTestSupport.freePort;
import static io.junction.tools.ClientTestSupport.pollUntil;
import static io.junction.tools.ClientTestSupport.startDaemon;
import static io.junction.tools.ClientTestSupport.writeConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.ConnectionState;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.client.StartAt;

/**
 * A durable subscription across SIGKILLs of the daemon: a publisher streams guaranteed messages (resending what was
 * not answered after each reconnect), a durable subscriber acknowledges each message it handles, and the daemon, a
 * real child process, is killed at seeded random points and restarted on the same directory and port. Both
 * clients reconnect by themselves, and the daemon resumes the subscription from the position it had persisted.
 * At the end: every message answered DURABLE to the publisher was delivered at least once; what was delivered,
 * without its repeats, is the journal in its order (no gap); and each resume started right after a message the
 * subscriber had acknowledged, so only what it had not (or whose ACK died with the daemon) came again.
 */
class DurableCrashTest
{
    private static final int TOTAL = 1200;
    private static final int KILLS = 2;

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

    private static ClientContext context(final int port)
    {
        return new ClientContext().url("tcp://127.0.0.1:" + port)
            .reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(200));
    }

    private JunctionClient client(final ClientContext ctx)
    {
        final JunctionClient client = JunctionClient.connect(ctx);
        resources.add(client);
        return client;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 17, 29})
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void resumesAfterEachKillWithNoGapAndRedeliversOnlyWhatWasNotAcknowledged(final long seed) throws Exception
    {
        System.out.println("DurableCrashTest seed " + seed);
        final Random random = new Random(seed);
        final File node = tmp.resolve("node").toFile();
        final int port = freePort();
        final File config = writeConfig(tmp, node, port);
        JunctionProcess daemon = startDaemon(tmp, config, node, "daemon-0.log");

        final Set<Long> durable = new HashSet<>();
        final int[] outcomes = new int[1];
        final JunctionClient publisher = client(context(port).instance("crash-feed").outcomeListener(
            (publisherSequence, outcome, sequence, reason) ->
            {
                if (PublishOutcome.DURABLE == outcome)
                {
                    outcomes[0]++;
                    if (sequence >= 0)
                    {
                        durable.add(sequence);
                    }
                }
            }));
        final int[] epoch = new int[1];
        final List<long[]> received = new ArrayList<>(); // {epoch, sequence}
        final Set<Long> seen = new HashSet<>();
        final JunctionClient subscriber = client(context(port).instance("crash-reader")
            .connectionListener((state, reason, detail) ->
            {
                if (ConnectionState.DISCONNECTED == state)
                {
                    epoch[0]++;
                }
            }));
        final ClientSubscription subscription = subscriber.subscribe("crash.>",
            (message) ->
            {
                received.add(new long[]{ epoch[0], message.sequence() });
                seen.add(message.sequence());
            },
            ClientSubscriptionOptions.defaults().durable("crash-reader").startAt(StartAt.earliest()).autoAck(true));
        pollUntil(() -> publisher.isConnected() && subscription.isInEffect(), () -> "connected", publisher, subscriber);

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
        int next = 0;
        for (int lifetime = 0; lifetime <= KILLS; lifetime++)
        {
            // Killed once the publisher has offered a seeded number of this lifetime's third of the messages, and
            // the subscriber has had some of them.
            final int third = TOTAL / (KILLS + 1);
            final int killAt = lifetime == KILLS ? TOTAL : lifetime * third + 50 + random.nextInt(third - 50);
            final int deliveredBefore = received.size();
            final long deadline = System.nanoTime() + ClientTestSupport.TIMEOUT.toNanos();
            while (next < killAt || received.size() < deliveredBefore + 20)
            {
                if (next < TOTAL)
                {
                    final int length = payload.putStringWithoutLengthUtf8(0, "m" + next);
                    final long result = publisher.offer("crash.feed", Priority.NORMAL, QualityOfService.GUARANTEED,
                        payload, 0, length);
                    if (result > 0)
                    {
                        next++;
                    }
                    else
                    {
                        assertTrue(result == ClientResult.NOT_CONNECTED || result == ClientResult.IN_FLIGHT_FULL ||
                            result == ClientResult.IN_FLIGHT_BUFFER_FULL || result == ClientResult.BACK_PRESSURED,
                            () -> ClientResult.describe(result));
                    }
                }
                if (0 == publisher.poll() + subscriber.poll())
                {
                    LockSupport.parkNanos(100_000);
                }
                assertTrue(System.nanoTime() - deadline < 0, () -> "lifetime stalled: " + received.size() +
                    " received, " + durable.size() + " durable, next " + received.size());
            }
            if (lifetime < KILLS)
            {
                System.out.println("DurableCrashTest seed " + seed + ": SIGKILL after " + next + " offered, " +
                    received.size() + " delivered, " + durable.size() + " durable");
                daemon.process().destroyForcibly(); // SIGKILL
                assertTrue(daemon.process().waitFor(30, TimeUnit.SECONDS));
                daemon.close();
                daemon = startDaemon(tmp, config, node, "daemon-" + (lifetime + 1) + ".log");
            }
        }
        resources.add(daemon);
        pollUntil(() -> outcomes[0] >= TOTAL, () -> outcomes[0] + " outcomes", publisher, subscriber);

        // The journal as it is, from a replay of it.
        final List<Long> journal = new ArrayList<>();
        final JunctionClient reader = client(context(port).instance("crash-check"));
        reader.subscribe("crash.>", (message) -> journal.add(message.sequence()),
            ClientSubscriptionOptions.defaults().startAt(StartAt.earliest()));
        pollUntil(() -> journal.size() >= TOTAL, () -> journal.size() + " replayed", reader);
        pollUntil(() -> seen.size() >= journal.size(), () -> seen.size() + " distinct of " + journal.size() +
            " delivered", subscriber);

        final LinkedHashSet<Long> distinct = new LinkedHashSet<>();
        for (final long[] entry : received)
        {
            distinct.add(entry[1]);
        }
        assertEquals(journal, new ArrayList<>(distinct), "delivered without repeats is the journal in order: no gap");
        assertTrue(journal.containsAll(durable), "every message answered DURABLE was delivered");

        // Each resume starts right after a message the subscriber had handled (and so acknowledged).
        int redelivered = 0;
        for (int e = 1; e <= epoch[0]; e++)
        {
            final int at = firstOfEpoch(received, e);
            if (at < 0)
            {
                continue;
            }
            final long first = received.get(at)[1];
            final int index = journal.indexOf(first);
            System.out.println("DurableCrashTest seed " + seed + ": epoch " + e + " resumed at journal index " +
                index + " (sequence " + first + ") after delivery " + at + " of journal index " +
                journal.indexOf(received.get(at - 1)[1]));
            if (index > 0)
            {
                final long previous = journal.get(index - 1);
                boolean handledBefore = false;
                for (int i = 0; i < at; i++)
                {
                    handledBefore |= received.get(i)[1] == previous;
                }
                assertTrue(handledBefore, "resumed after " + previous + ", which it had acknowledged");
            }
            final Set<Long> before = new HashSet<>();
            for (int i = 0; i < at; i++)
            {
                before.add(received.get(i)[1]);
            }
            for (int i = at; i < received.size() && received.get(i)[0] == e && before.contains(received.get(i)[1]);
                i++)
            {
                redelivered++;
            }
        }
        System.out.println("DurableCrashTest seed " + seed + ": " + journal.size() + " journaled, " +
            received.size() + " deliveries, " + redelivered + " redelivered after " + KILLS + " kills");
        assertEquals(received.size() - journal.size(), redelivered, "the only repeats are right after a resume");
    }

    private static int firstOfEpoch(final List<long[]> received, final int epoch)
    {
        for (int i = 0; i < received.size(); i++)
        {
            if (received.get(i)[0] >= epoch)
            {
                return received.get(i)[0] == epoch ? i : -1;
            }
        }
        return -1;
    }
}
