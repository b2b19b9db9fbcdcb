package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import com.sun.management.ThreadMXBean;
import com.typesafe.config.ConfigFactory;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.JunctionClient;

/**
 * Publish and deliver through the protocol server allocate nothing per message: a publisher and a subscriber over
 * loopback, and the bytes the daemon's I/O agent and shard threads allocated while 200,000 messages went through,
 * after as many to warm up (HotSpot's per-thread allocation counter, exact, not sampled). The figure is printed.
 */
class ProtocolAllocationTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int WARM_UP = 200_000;
    private static final int MEASURED = 200_000;
    private static final int WINDOW = 10_000;
    private static final String[] TOPICS = { "alloc.a", "alloc.b", "alloc.c", "alloc.d" };

    @TempDir
    Path tmp;

    @Test
    void publishAndDeliverAllocateNothingPerMessage() throws Exception
    {
        final String config = String.join("\n",
            "dir = \"" + tmp.resolve("node").toString().replace("\\", "\\\\") + "\"",
            "histogram-log = false",
            "listen { port = 0, publish-timeout = 10s }",
            "http.enabled = false",
            "journal.enabled = false",
            "alarms.rules = []",
            "subscriber.policy = back-pressure",
            "");
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        try (Daemon daemon = new Daemon(DaemonConfig.from(ConfigFactory.parseString(config)
            .withFallback(DaemonConfig.defaults()).resolve()), null,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            FrameRecorder subscriber = new FrameRecorder(new ProtocolClient("127.0.0.1", daemon.protocolPort(), "sub"));
            FrameRecorder publisher = new FrameRecorder(new ProtocolClient("127.0.0.1", daemon.protocolPort(), "pub")))
        {
            subscriber.client.subscribe("alloc.>");
            subscriber.awaitSubscribed();
            final String[] topics = { "alloc.a", "alloc.b", "alloc.c", "alloc.d" };
            send(publisher, subscriber, topics, WARM_UP, daemon);

            final List<Thread> daemonThreads = daemonThreads();
            final Map<String, Long> before = allocated(threads, daemonThreads);
            send(publisher, subscriber, topics, MEASURED, daemon);
            final Map<String, Long> after = allocated(threads, daemonThreads);

            assertEquals(0, publisher.refused.get());
            assertAllocatesNothingPerMessage("protocol publish -> deliver, over loopback", before, after);
        }
    }

    /**
     * The same through the daemon's Aeron edge: a publisher and a subscriber {@code io.junction.client} over Aeron IPC
     * on the daemon's embedded media driver, polled by the test's thread; the daemon's I/O agent (which also runs
     * its Aeron client's conductor, and with {@code threading-mode = invoker} the driver too) and shard threads
     * allocate nothing per message once warm.
     */
    @ParameterizedTest
    @ValueSource(strings = { "shared", "invoker" })
    void publishAndDeliverOverAeronAllocateNothingPerMessage(final String threadingMode) throws Exception
    {
        final String driverDir = tmp.resolve("daemon-aeron").toString().replace("\\", "\\\\");
        final String config = String.join("\n",
            "dir = \"" + tmp.resolve("node").toString().replace("\\", "\\\\") + "\"",
            "histogram-log = false",
            "listen { port = 0, publish-timeout = 10s }",
            "http.enabled = false",
            "journal.enabled = false",
            "alarms.rules = []",
            "subscriber.policy = back-pressure",
            "aeron { enabled = true, dir = \"" + driverDir + "\", ingress-endpoint = \"127.0.0.1:" +
                AeronClientTest.freeUdpPort() + "\", term-length = 256K, threading-mode = " + threadingMode + " }",
            "");
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        final long[] received = { 0 };
        try (Daemon daemon = new Daemon(DaemonConfig.from(ConfigFactory.parseString(config)
            .withFallback(DaemonConfig.defaults()).resolve()), null,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            JunctionClient publisher = JunctionClient.connect(new ClientContext().url("aeron:ipc")
                .aeronDirectory(tmp.resolve("daemon-aeron").toString()));
            JunctionClient subscriber = JunctionClient.connect(new ClientContext().url("aeron:ipc")
                .aeronDirectory(tmp.resolve("daemon-aeron").toString())))
        {
            final ClientSubscription subscription = subscriber.subscribe("alloc.>", (message) -> received[0]++);
            ClientTestSupport.pollUntil(() -> publisher.isConnected() && subscription.isInEffect(), () -> "connected",
                publisher, subscriber);
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
            final long warmUntilNs = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
            do
            {
                sendOverClient(publisher, subscriber, payload, received, WARM_UP);
            }
            while (System.nanoTime() - warmUntilNs < 0);

            final List<Thread> daemonThreads = daemonThreads();
            final Map<String, Long> before = allocated(threads, daemonThreads);
            sendOverClient(publisher, subscriber, payload, received, MEASURED);
            final Map<String, Long> after = allocated(threads, daemonThreads);

            assertEquals(1, publisher.statistics().connects());
            assertAllocatesNothingPerMessage("protocol publish -> deliver over Aeron IPC, driver " + threadingMode,
                before, after);
        }
    }

    /**
     * Print each daemon thread's bytes allocated over the measured messages, and check the total per message.
     */
    private static void assertAllocatesNothingPerMessage(
        final String what, final Map<String, Long> before, final Map<String, Long> after)
    {
        long total = 0;
        final StringBuilder report = new StringBuilder();
        for (final Map.Entry<String, Long> entry : after.entrySet())
        {
            final long bytes = entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
            total += bytes;
            report.append(String.format("  %s: %,d bytes (%.4f B/message)%n", entry.getKey(), bytes,
                (double)bytes / MEASURED));
        }
        System.out.printf("%s, %,d messages of 64 bytes:%n%s  total: %.4f B/message%n", what, MEASURED, report,
            (double)total / MEASURED);
        assertTrue((double)total / MEASURED < 0.1, "allocation per message: " + report);
    }

    /**
     * Publish {@code count} best-effort messages and poll both clients until the subscriber has them all.
     */
    private static void sendOverClient(final JunctionClient publisher, final JunctionClient subscriber,
        final UnsafeBuffer payload, final long[] received, final int count)
    {
        final long target = received[0] + count;
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int sent = 0;
        while (received[0] < target)
        {
            if (sent < count)
            {
                payload.putLong(0, sent);
                final long result = publisher.offer(TOPICS[sent & 3], Priority.NORMAL, QualityOfService.BEST_EFFORT,
                    payload, 0, 64);
                if (result > 0)
                {
                    sent++;
                }
                else if (result != ClientResult.BACK_PRESSURED)
                {
                    throw new AssertionError(ClientResult.describe(result));
                }
            }
            if (0 == publisher.poll() + subscriber.poll() && sent >= count)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not delivered in time: " + (target - received[0]) + " missing");
            }
        }
    }

    private static String counters(final Daemon daemon)
    {
        final StringBuilder text = new StringBuilder();
        daemon.counters().forEach((id, typeId, key, label) ->
        {
            if (label.startsWith("protocol") || label.startsWith("shard"))
            {
                text.append(label).append('=').append(daemon.counters().getCounterValue(id)).append("; ");
            }
        });
        return text.toString();
    }

    /**
     * Publish in windows of 10,000 (never more in flight than the subscriber's buffers take, so nothing waits on
     * back pressure), each delivered before the next.
     */
    private static void send(final FrameRecorder publisher, final FrameRecorder subscriber, final String[] topics,
        final int count, final Daemon daemon) throws Exception
    {
        final byte[] payload = new byte[64];
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        final long target = subscriber.received.get() + count;
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(0, i);
            publisher.client.publish(topics[i & 3], Priority.NORMAL, payload, 0, payload.length);
            if (i % WINDOW == WINDOW - 1 || i == count - 1)
            {
                publisher.client.flush();
                final long expected = target - count + i + 1;
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(2)).untilAsserted(() -> assertEquals(expected, subscriber.received.get(),
                    () -> counters(daemon) + " refused " + publisher.refusals + " errors " + subscriber.errors));
            }
        }
    }

    /**
     * @return the threads that carry a message through the daemon: the I/O agents and the shards.
     */
    private static List<Thread> daemonThreads()
    {
        final List<Thread> found = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            names.add(thread.getName());
            if (thread.getName().startsWith("junction-network-io") || thread.getName().startsWith("junction-shard"))
            {
                found.add(thread);
            }
        }
        assertFalse(found.isEmpty(), names::toString);
        assertTrue(found.stream().anyMatch((t) -> t.getName().startsWith("junction-network-io")), names::toString);
        return found;
    }

    private static Map<String, Long> allocated(final ThreadMXBean threads, final List<Thread> list)
    {
        final Map<String, Long> bytes = new TreeMap<>();
        for (final Thread thread : list)
        {
            bytes.put(thread.getName(), threads.getThreadAllocatedBytes(thread.getId()));
        }
        return bytes;
    }
}
