package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.RejectReason;
import io.junction.journal.JournalReader;
import io.junction.journal.StartPosition;
import io.junction.protocol.codecs.OutcomeCode;

/**
 * Remote idempotent publish across SIGKILL: a client streams guaranteed publishes to a real daemon child process
 * over the protocol, the daemon is killed at a seeded random point (twice per run, with publishes in flight) and
 * restarted on the same directory, and the client reconnects as the same instance and resends every publish not
 * yet answered DURABLE with its original publisher sequence. Just before each kill the client sends one more burst
 * and stops recording outcomes, as if they were lost with the daemon: those publishes are journaled but never
 * acknowledged, so their resends must be known to the restarted daemon. At the end every publish is in the journal
 * exactly once: every acknowledged one, and none twice.
 */
class DaemonCrashResendTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String INSTANCE = "crash-feed";
    private static final String TOPIC = "crash.resend";
    private static final int TOTAL = 1500;
    private static final int KILLS = 2;
    private static final int MAX_IN_FLIGHT = 256;

    @TempDir
    Path tmp;

    private final List<AutoCloseable> resources = new ArrayList<>();
    /** Publisher sequences answered DURABLE, with the journal sequence they were given (-1 for a known resend). */
    private final ConcurrentHashMap<Long, Long> durable = new ConcurrentHashMap<>();
    private final AtomicLong resendsAnsweredDurable = new AtomicLong();

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5, 11, 23, 42, 77})
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void everyAcknowledgedPublishIsJournaledExactlyOnce(final long seed) throws Exception
    {
        System.out.println("DaemonCrashResendTest seed " + seed);
        final Random random = new Random(seed);
        final File node = tmp.resolve("node").toFile();
        final File config = tmp.resolve("junction.conf").toFile();
        Files.writeString(config.toPath(), String.join("\n",
            "dir = \"" + node.getPath().replace("\\", "\\\\") + "\"",
            "listen { port = 0 }",
            "http.enabled = false",
            "histogram-log = false",
            "journal { min-free-disk = 0, durable-timeout = 10s }",
            ""));

        long next = 1;
        int killed = 0;
        long resent = 0;
        long lostDurable = 0;
        for (int lifetime = 0; lifetime <= KILLS; lifetime++)
        {
            final JunctionProcess daemon = JunctionProcess.start(tmp.resolve("daemon-" + lifetime + ".log").toFile(),
                "run", "--config", config.getPath());
            resources.add(daemon);
            final Connection connection = new Connection(awaitPort(daemon, node));
            resources.add(connection);

            // First what the last daemon did not answer DURABLE, with its original publisher sequence, after up to
            // 20 it did (as a client that lost track of them would): those must be known, and not journaled again.
            final List<Long> toSend = new ArrayList<>();
            long firstUnacknowledged = next;
            for (long n = 1; n < next; n++)
            {
                if (!durable.containsKey(n))
                {
                    firstUnacknowledged = Math.min(firstUnacknowledged, n);
                    toSend.add(n);
                }
            }
            final long acknowledgedAgain = Math.min(firstUnacknowledged - 1, lifetime > 0 ? random.nextInt(21) : 0);
            for (long n = firstUnacknowledged - 1; n >= firstUnacknowledged - acknowledgedAgain; n--)
            {
                toSend.add(0, n);
            }
            resent += acknowledgedAgain;
            final boolean last = lifetime == KILLS;
            final int killAfter = last ? Integer.MAX_VALUE : durable.size() + 100 + random.nextInt(400);
            int sendIndex = 0;
            while (true)
            {
                if (!last && durable.size() >= killAfter)
                {
                    break;
                }
                final int burst = 1 + random.nextInt(32);
                int sent = 0;
                for (; sent < burst; sent++)
                {
                    if (sendIndex < toSend.size())
                    {
                        connection.publish(toSend.get(sendIndex++));
                    }
                    else if (next <= TOTAL)
                    {
                        connection.publish(next++);
                    }
                    else
                    {
                        break;
                    }
                }
                connection.client.flush();
                if (0 == sent)
                {
                    break;
                }
                await().atMost(TIMEOUT).until(() -> connection.inFlight() < MAX_IN_FLIGHT);
            }
            if (!last)
            {
                // Outcomes from here on are lost with the daemon (as those in the socket when it dies would be): the
                // client never sees them acknowledged, though the journal may have them. Then SIGKILL, with
                // publishes in flight (or, if all were sent, while the last are answered).
                connection.deaf = true;
                for (int i = 1 + random.nextInt(32); i > 0 && next <= TOTAL; i--)
                {
                    connection.publish(next++);
                }
                connection.client.flush();
                await().atMost(TIMEOUT).until(() -> connection.lost.get() > 0 || connection.inFlight() == 0);
                daemon.process().destroyForcibly();
                assertTrue(daemon.process().waitFor(30, TimeUnit.SECONDS));
                killed++;
                connection.close();
                lostDurable += connection.lostDurable.get();
                continue;
            }

            // The last daemon: resend until every publish is answered DURABLE (a refusal is resent too).
            for (int round = 0; round < 5 && durable.size() < TOTAL; round++)
            {
                await().atMost(TIMEOUT).until(() -> 0 == connection.inFlight());
                for (long n = 1; n <= TOTAL; n++)
                {
                    if (!durable.containsKey(n))
                    {
                        connection.publish(n);
                    }
                }
                connection.client.flush();
                await().atMost(TIMEOUT).until(() -> 0 == connection.inFlight());
            }
            assertEquals(TOTAL, durable.size(), () -> "not all answered DURABLE: " + connection.others);
            connection.close();
            daemon.process().destroy(); // SIGTERM: a graceful stop
            assertEquals(0, daemon.awaitExit(60, "run"), daemon::output);
        }
        assertEquals(KILLS, killed);

        // The journal: every publisher sequence exactly once, with its payload, under the instance's publisher id.
        final TreeMap<Long, Integer> journaled = new TreeMap<>();
        final long publisherId = PublisherStreams.publisherId(INSTANCE);
        try (JournalReader reader = JournalReader.open(new File(node, "journal")))
        {
            reader.read(StartPosition.earliest(), null, (message) ->
            {
                assertEquals(publisherId, message.publisherId());
                assertEquals(message.publisherSequence(), message.buffer().getLong(message.offset()));
                journaled.merge(message.publisherSequence(), 1, Integer::sum);
                return true;
            });
            assertEquals(List.of(), reader.verify());
        }
        for (final var entry : journaled.entrySet())
        {
            assertEquals(1, entry.getValue(), "publisher sequence " + entry.getKey() + " journaled twice");
        }
        for (final long n : durable.keySet())
        {
            assertTrue(journaled.containsKey(n), "acknowledged publisher sequence " + n + " is not in the journal");
        }
        assertEquals(TOTAL, journaled.size());
        final long known = resent + lostDurable;
        assertTrue(resendsAnsweredDurable.get() >= known, () -> known + " resends the journal had (acknowledged, " +
            "or answered DURABLE in an outcome lost with the daemon), " + resendsAnsweredDurable.get() +
            " answered DURABLE as already journaled");
        System.out.println("DaemonCrashResendTest seed " + seed + ": " + TOTAL + " publishes journaled once over " +
            KILLS + " SIGKILLs; " + resendsAnsweredDurable.get() + " resends answered DURABLE as already journaled (" +
            resent + " of them acknowledged before, " + (resendsAnsweredDurable.get() - resent) +
            " journaled before a kill but never acknowledged, " + lostDurable + " of which in outcomes lost with the daemon)");
    }

    /**
     * The new daemon's port, once its properties file is its own (a killed daemon leaves its file behind).
     */
    private static int awaitPort(final JunctionProcess daemon, final File node)
    {
        final long pid = daemon.process().pid();
        final int[] port = { -1 };
        await().atMost(TIMEOUT).ignoreExceptions().until(() ->
        {
            if (!daemon.process().isAlive())
            {
                throw new AssertionError("the daemon exited: " + daemon.output());
            }
            final Properties properties = Daemon.readProperties(node);
            if (Long.parseLong(properties.getProperty("pid")) != pid)
            {
                return false;
            }
            port[0] = Integer.parseInt(properties.getProperty("listen.port"));
            return true;
        });
        return port[0];
    }

    /**
     * One connection as the instance, with a reader thread counting its answers.
     */
    private final class Connection implements ProtocolClient.FrameListener, AutoCloseable
    {
        final ProtocolClient client;
        final Thread reader;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final List<String> others = new java.util.concurrent.CopyOnWriteArrayList<>();
        final byte[] payload = new byte[8];
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        volatile boolean ended;
        /** Set just before the kill: outcomes are counted, not recorded. */
        volatile boolean deaf;
        final AtomicLong lost = new AtomicLong();
        final AtomicLong lostDurable = new AtomicLong();

        Connection(final int port) throws Exception
        {
            client = new ProtocolClient("127.0.0.1", port, INSTANCE);
            reader = client.startReader("crash-test-reader", this, () -> ended = true);
        }

        void publish(final long publisherSequence) throws Exception
        {
            buffer.putLong(0, publisherSequence);
            client.publish(TOPIC, Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, payload.length,
                publisherSequence);
            sent.incrementAndGet();
        }

        long inFlight()
        {
            if (ended)
            {
                throw new AssertionError("the connection ended: " + others);
            }
            return sent.get() - answered.get();
        }

        @Override
        public void onOutcome(final long publisherSequence, final long sequence, final OutcomeCode outcome,
            final int reasonCode)
        {
            if (deaf)
            {
                lost.incrementAndGet();
                lostDurable.addAndGet(OutcomeCode.DURABLE == outcome ? 1 : 0);
                answered.incrementAndGet();
                return;
            }
            if (OutcomeCode.DURABLE == outcome)
            {
                if (-1 == sequence && OfferResult.rejected(RejectReason.DUPLICATE) == reasonCode)
                {
                    resendsAnsweredDurable.incrementAndGet();
                }
                durable.put(publisherSequence, sequence);
            }
            else
            {
                others.add(publisherSequence + " " + outcome + " " + reasonCode);
            }
            answered.incrementAndGet();
        }

        @Override
        public void onRefused(final long count, final long first, final long last, final OutcomeCode outcome,
            final int reasonCode, final String text)
        {
            others.add(count + " refused " + first + ".." + last + " " + text);
            answered.addAndGet(count);
        }

        @Override
        public void onError(final io.junction.protocol.codecs.ErrorCode code, final long correlation,
            final String text)
        {
            others.add("ERROR " + code + " " + text);
        }

        @Override
        public void close() throws java.io.IOException
        {
            client.close();
            try
            {
                reader.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
