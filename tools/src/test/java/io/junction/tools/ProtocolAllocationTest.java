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
import org.junit.jupiter.api.io.TempDir;

import com.sun.management.ThreadMXBean;
import com.typesafe.config.ConfigFactory;

import io.junction.Priority;

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

            long total = 0;
            final StringBuilder report = new StringBuilder();
            for (final Map.Entry<String, Long> entry : after.entrySet())
            {
                final long bytes = entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
                total += bytes;
                report.append(String.format("  %s: %,d bytes (%.4f B/message)%n", entry.getKey(), bytes,
                    (double)bytes / MEASURED));
            }
            System.out.printf("protocol publish -> deliver, %,d messages of 64 bytes over loopback:%n%s" +
                "  total: %.4f B/message%n", MEASURED, report, (double)total / MEASURED);
            assertEquals(0, publisher.refused.get());
            assertTrue((double)total / MEASURED < 1.0, "allocation per message: " + report);
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
