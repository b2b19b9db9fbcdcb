package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.security.Authenticator;

/**
 * What connections cost the server, bounded: 1,000 connections each with one subscription (real sockets, a switch
 * and the server in this process), one publish reaches every one, and the server's direct memory stays within
 * what its buffer pools can hold (an idle connection holds no receive or staging buffer, and its send buffer is a
 * mapping committed page by page as it is written), where before each subscribed connection took over 276 KiB.
 * The figures at 1,000 and 10,000 connections are in perf/results/edge-connections-2026-12-02.md.
 */
class ManyConnectionsTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int CONNECTIONS = 1000;
    /** Two agents' full pools of spare buffers, and room for what the JDK's own buffers do meanwhile. */
    private static final long DIRECT_BOUND = 2L * BufferPool.MAX_FREE *
        (BufferPool.RECEIVE_CAPACITY + BufferPool.STAGING_CAPACITY) +
        2L * BufferPool.MAX_FREE_LARGE * BufferPool.LARGE_RECEIVE_CAPACITY + (2 << 20);

    /** The server's objects of a connection and its subscription, and this test's client side of it. */
    private static final long HEAP_BOUND_EACH = 16 * 1024;

    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(8 * 1024 * CountersReader.METADATA_LENGTH)),
        new UnsafeBuffer(ByteBuffer.allocateDirect(8 * 1024 * CountersReader.COUNTER_LENGTH)));
    private Junction junction;
    private ProtocolServer server;
    private ConnectionFlood flood;

    @AfterEach
    void cleanUp()
    {
        if (null != flood)
        {
            flood.close();
        }
        if (null != server)
        {
            server.close();
        }
        if (null != junction)
        {
            junction.close();
        }
    }

    @Test
    void aThousandSubscribedConnectionsCostFewKilobytesEachAndOnePublishReachesAll() throws Exception
    {
        junction = Junction.launch(new Junction.Context().countersManager(counters));
        server = new ProtocolServer(junction, counters, DaemonConfig.parse("network { io-agents = 2, " +
            "max-connections = 2000, max-subscriptions = 2000, heartbeat-interval = 10m, hello-timeout = 60s }")
            .network(), "127.0.0.1", 0, SlowSubscriberPolicy.DROP_NEWEST, 1_000_000_000L, 5_000_000_000L, null,
            Authenticator.OPEN, Throwable::printStackTrace, System.out::println);
        assertTrue(server.sendBuffersMapped(), "send buffers are mapped where a temporary file can be made");
        flood = new ConnectionFlood();
        flood.open("127.0.0.1", server.port(), 10, "warm-", "fanout.>");
        await().atMost(TIMEOUT).until(() -> poll() && flood.subscribed() == 10);

        settle();
        final long heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        final long directBefore = used("direct");
        final long mappedBefore = count("mapped");
        final long rssBefore = rssBytes();
        flood.open("127.0.0.1", server.port(), CONNECTIONS, "c", "fanout.>");
        await().atMost(TIMEOUT).until(() -> poll() && flood.subscribed() == CONNECTIONS + 10);
        settle();
        final long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() - heapBefore;
        final long direct = used("direct") - directBefore;
        final long mapped = count("mapped") - mappedBefore;
        final long rss = rssBytes() - rssBefore;
        System.out.println("ManyConnectionsTest: " + CONNECTIONS + " subscribed connections: direct +" + direct +
            " B, heap +" + heap + " B, " + mapped + " send buffers mapped, RSS +" + rss + " B (" + rss / CONNECTIONS + " B each, heap included)");
        assertEquals(CONNECTIONS, mapped, "one mapped send buffer per subscribed connection");
        assertTrue(direct < DIRECT_BOUND, () -> "direct memory grew " + direct + " B, over " + DIRECT_BOUND);
        assertTrue(heap < CONNECTIONS * HEAP_BOUND_EACH, () -> "heap grew " + heap + " B, over " + HEAP_BOUND_EACH +
            " B a connection");

        // One publish reaches every one of them; the buffers it needed went back to the pools.
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        assertTrue(OfferResult.isAccepted(junction.offer("fanout.all", Priority.NORMAL, payload, 0, 64)));
        await().atMost(TIMEOUT).until(() -> poll() && flood.messages() == CONNECTIONS + 10);
        final long directAfter = used("direct") - directBefore;
        assertTrue(directAfter < DIRECT_BOUND, () -> "direct memory grew " + directAfter + " B, over " + DIRECT_BOUND);
        assertTrue(server.isHealthy());
    }

    /**
     * Let the connections go quiet (their buffers back to the pools) and the collector free what was dropped.
     */
    private void settle() throws Exception
    {
        final long until = System.nanoTime() + 500_000_000L;
        while (System.nanoTime() < until)
        {
            flood.poll(10);
        }
        System.gc();
        System.gc();
    }

    private boolean poll() throws Exception
    {
        flood.poll(10);
        return true;
    }

    private static long used(final String pool)
    {
        for (final BufferPoolMXBean bean : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if (bean.getName().equals(pool))
            {
                return bean.getMemoryUsed();
            }
        }
        throw new AssertionError("no buffer pool " + pool);
    }

    private static long count(final String pool)
    {
        for (final BufferPoolMXBean bean : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if (bean.getName().equals(pool))
            {
                return bean.getCount();
            }
        }
        throw new AssertionError("no buffer pool " + pool);
    }

    private static long rssBytes() throws Exception
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
