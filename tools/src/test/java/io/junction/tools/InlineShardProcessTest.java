package io.junction.tools;

import static io.junction.tools.DaemonTestSupport.read;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.SubscribedDecoder;
import io.junction.protocol.codecs.WelcomeDecoder;

/**
 * {@code network.inline-shard = true} in a real daemon process: the switch runs on the I/O thread (no shard or
 * delivery threads), messages go round trip, a subscriber that never reads does not hold a reading one back, a
 * queue group is served, and a SIGTERM with messages in flight delivers them and exits within the shutdown timeout.
 */
class InlineShardProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int SHUTDOWN_TIMEOUT_S = 5;

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
    void servesOnTheIoThreadIsNotHeldByASubscriberThatNeverReadsAndStopsBySigterm() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        final File config = tmp.resolve("inline.conf").toFile();
        Files.writeString(config.toPath(), String.join("\n",
            "dir = \"" + node.getPath().replace("\\", "\\\\") + "\"",
            "shutdown-timeout = " + SHUTDOWN_TIMEOUT_S + "s",
            "listen { port = 0, publish-timeout = 10s }",
            "http.enabled = false",
            "alarms.rules = []",
            "network.inline-shard = true",
            ""));
        final JunctionProcess daemon = JunctionProcess.start(tmp.resolve("daemon.log").toFile(),
            "run", "--config", config.getPath());
        resources.add(daemon);
        final File properties = new File(node, Daemon.PROPERTIES_FILE);
        await().atMost(TIMEOUT).until(() -> properties.isFile() || !daemon.process().isAlive());
        assertTrue(daemon.process().isAlive(), daemon::output);
        final int port = Integer.parseInt(Daemon.readProperties(node).getProperty("listen.port"));
        assertTrue(daemon.output().contains("network.inline-shard"), daemon::output);
        assertNoSwitchThreads(daemon.process().pid());

        // A subscriber that says it will take back-pressure and never reads after its SUBSCRIBED would hold the I/O
        // thread; this one drops (drop-newest) once its send buffer and socket are full.
        final ProtocolClient stuck = ProtocolClient.raw("127.0.0.1", port, 64 * 1024);
        resources.add(stuck);
        stuck.hello("stuck", ProtocolFrames.VERSION, 0);
        stuck.subscribe("load.>", SlowSubscriberPolicy.DROP_NEWEST, -1);
        final ProtocolClient.FrameListener ignore = new ProtocolClient.FrameListener()
        {
        };
        assertEquals(WelcomeDecoder.TEMPLATE_ID, stuck.read(ignore));
        assertEquals(SubscribedDecoder.TEMPLATE_ID, stuck.read(ignore));

        // The reading one takes back-pressure: nothing of it may be dropped, so it sees every message in order.
        final FrameRecorder good = new FrameRecorder(new ProtocolClient("127.0.0.1", port));
        resources.add(good);
        good.client.subscribe("load.>", SlowSubscriberPolicy.BACK_PRESSURE, -1);
        good.awaitSubscribed();
        final FrameRecorder worker = new FrameRecorder(new ProtocolClient("127.0.0.1", port));
        resources.add(worker);
        worker.client.subscribe("work.>", null, -1, "workers");
        worker.awaitSubscribed();

        final FrameRecorder publisher = new FrameRecorder(new ProtocolClient("127.0.0.1", port));
        resources.add(publisher);
        final int count = 20_000; // 20 MB of 1 KB messages: far more than the stuck one's buffers hold
        publishNumbered(publisher.client, "load.x", 0, count, 1000);
        publishNumbered(publisher.client, "work.x", 0, 1000, 8);
        await().atMost(TIMEOUT).until(() -> good.received.get() == count && worker.received.get() == 1000);
        assertEquals(count - 1, good.lastValue.get());
        assertEquals(0, good.outOfOrder.get());
        assertEquals(0, worker.outOfOrder.get());
        assertTrue(publisher.refusals.isEmpty(), publisher.refusals::toString);
        final File statOut = tmp.resolve("stat.json").toFile();
        assertEquals(0, JunctionProcess.run(statOut, "stat", "--dir", node.getPath(), "--json"), () -> read(statOut));
        final Matcher dropped = Pattern.compile("\"label\":\"protocol subscriber messages dropped\",\"value\":([0-9]+)")
            .matcher(read(statOut));
        assertTrue(dropped.find() && Long.parseLong(dropped.group(1)) > 0, "the stuck subscriber dropped: " +
            read(statOut));

        // SIGTERM with messages in flight: every accepted one reaches the reading subscriber, within the timeout.
        final int inFlight = 5_000;
        publishNumbered(publisher.client, "load.x", count, inFlight, 1000);
        publisher.sync(); // every one accepted by now
        final long startNs = System.nanoTime();
        daemon.process().destroy();
        assertTrue(daemon.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), daemon::output);
        final long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertEquals(0, daemon.process().exitValue(), daemon::output);
        // The shutdown timeout, the server's second for clients to take their buffers, and a start-up margin.
        assertTrue(stopMs < TimeUnit.SECONDS.toMillis(SHUTDOWN_TIMEOUT_S) + 4_000,
            "stopped in " + stopMs + " ms: " + daemon.output());
        await().atMost(TIMEOUT).until(() -> good.ended);
        assertEquals(count + inFlight, good.received.get(), daemon::output);
        assertEquals(0, good.outOfOrder.get());
        assertTrue(daemon.output().contains("junction: stopped"), daemon::output);
        assertFalse(daemon.output().contains("did not stop running the switch"), daemon::output);
    }

    @Test
    void inlineShardWithSeveralIoAgentsIsAConfigErrorWithoutAStackTrace() throws Exception
    {
        final File config = tmp.resolve("two.conf").toFile();
        Files.writeString(config.toPath(), String.join("\n",
            "dir = \"" + tmp.resolve("two").toString().replace("\\", "\\\\") + "\"",
            "listen.port = 0",
            "http.enabled = false",
            "network { inline-shard = true, io-agents = 2 }",
            ""));
        final File out = tmp.resolve("two.txt").toFile();
        assertEquals(RunCommand.EXIT_CONFIG, JunctionProcess.run(out, "run", "--config", config.getPath()),
            () -> read(out));
        assertTrue(read(out).contains("junction: config error: key 'network.inline-shard': runs the switch on the " +
            "one I/O thread, so it needs network.io-agents = 1, was 2"), () -> read(out));
        assertFalse(read(out).contains("\tat "), () -> read(out));
    }

    /**
     * Linux names each thread after its Java name (15 characters): no shard or delivery thread may be there.
     */
    private static void assertNoSwitchThreads(final long pid) throws IOException
    {
        final Path tasks = Path.of("/proc", Long.toString(pid), "task");
        if (!Files.isDirectory(tasks))
        {
            return; // Not Linux: the log line above is the check.
        }
        final List<String> names = new ArrayList<>();
        try (Stream<Path> each = Files.list(tasks))
        {
            for (final Path task : (Iterable<Path>)each::iterator)
            {
                try
                {
                    names.add(Files.readString(task.resolve("comm")).trim());
                }
                catch (final IOException ex)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        assertTrue(names.stream().anyMatch((name) -> name.startsWith("junction-networ")), names::toString);
        assertFalse(names.stream().anyMatch((name) -> name.startsWith("junction-shard") ||
            name.startsWith("junction-deliv")), names::toString);
    }

    private static void publishNumbered(final ProtocolClient publisher, final String topic, final int from,
        final int count, final int length) throws IOException
    {
        final byte[] payload = new byte[length];
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        for (int i = from; i < from + count; i++)
        {
            buffer.putLong(0, i);
            publisher.publish(topic, Priority.NORMAL, payload, 0, payload.length);
        }
        publisher.flush();
    }
}
