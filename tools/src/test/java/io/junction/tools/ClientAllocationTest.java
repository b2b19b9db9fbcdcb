package io.junction.tools;

import static io.junction.tools.ClientTestSupport.pollUntil;
import static io.junction.tools.ClientTestSupport.port;
import static io.junction.tools.ClientTestSupport.startDaemon;
import static io.junction.tools.ClientTestSupport.writeConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Message;
import io.junction.MessageHandler;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.client.PublishOutcomeListener;

/**
 * Publish and receive through {@code io.junction.client} allocate nothing per message once warm, over TCP and over
 * Aeron (IPC and UDP): the bytes the one thread that polls both a publisher and a subscriber client allocates (the
 * JVM's per-thread allocation counter) while best-effort and guaranteed messages go through a real daemon child
 * process and back. The {@code -express} variants have an {@link ClientSubscriptionOptions#expressCritical}
 * subscription and every eighth message CRITICAL: the kept messages below CRITICAL and the CRITICAL ones overtaking
 * them allocate nothing either once the store has grown.
 */
class ClientAllocationTest
{
    private static final int WARM_UP = 20_000;
    private static final long WARM_UP_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
    private static final int MEASURED = 200_000;
    private static final int GUARANTEED_EVERY = 10;

    @TempDir
    Path tmp;

    private long received;
    private long durable;
    private long refused;
    /** The -express variants: every eighth message CRITICAL. */
    private boolean mixClasses;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "tcp", "tcp-express", "aeron-ipc", "aeron-ipc-express", "aeron-udp" })
    void publishAndReceiveAllocateNothingPerMessageOnceWarm(final String variant) throws Exception
    {
        final String transport = variant.replace("-express", "");
        final File node = tmp.resolve("node").toFile();
        final File driverDir = tmp.resolve("daemon-aeron").toFile();
        final int udpPort = AeronClientTest.freeUdpPort();
        try (JunctionProcess daemon = startDaemon(tmp, writeConfig(tmp, node, 0,
            "subscriber { policy = back-pressure }",
            "aeron {",
            "  enabled = " + !transport.startsWith("tcp"),
            "  dir = \"" + driverDir.getPath() + "\"",
            "  ingress-endpoint = \"127.0.0.1:" + udpPort + "\"",
            "  term-length = 256K",
            "}"), node, "daemon.log"))
        {
            final int port = port(node);
            final PublishOutcomeListener outcomes = (publisherSequence, outcome, sequence, reasonCode) ->
            {
                if (PublishOutcome.DURABLE == outcome)
                {
                    durable++;
                }
                else
                {
                    refused++;
                }
            };
            final MessageHandler handler = (Message message) -> received += message.buffer().getLong(0) >= 0 ? 1 : 0;
            try (JunctionClient publisher = JunctionClient.connect(
                    context(transport, port, udpPort, driverDir, "pub").outcomeListener(outcomes));
                JunctionClient subscriber = JunctionClient.connect(context(transport, port, udpPort, driverDir, "sub")))
            {
                mixClasses = variant.endsWith("-express");
                final ClientSubscription subscription = mixClasses ? subscriber.subscribe("alloc.>", handler,
                    ClientSubscriptionOptions.defaults().criticalCredit(4096).expressCritical(true)) :
                    subscriber.subscribe("alloc.>", handler);
                pollUntil(() -> publisher.isConnected() && subscription.isInEffect(), () -> "connected", publisher,
                    subscriber);
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);

                // Warm for a few seconds too, not only a count: an Aeron client's conductor does one-off work a
                // while after it connects (about 118 KB once over IPC), which is no cost per message.
                final long warmUntilNs = System.nanoTime() + WARM_UP_NS;
                int warmed = 0;
                do
                {
                    run(publisher, subscriber, payload, warmed, WARM_UP);
                    warmed += WARM_UP;
                }
                while (System.nanoTime() - warmUntilNs < 0);
                final com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
                final long thread = Thread.currentThread().getId();
                final long before = threads.getThreadAllocatedBytes(thread);
                run(publisher, subscriber, payload, warmed, MEASURED);
                final long allocated = threads.getThreadAllocatedBytes(thread) - before;

                assertEquals(warmed + MEASURED, received);
                assertEquals((warmed + MEASURED) / GUARANTEED_EVERY, durable + refused);
                assertEquals(0, refused);
                final double perMessage = (double)allocated / MEASURED;
                System.out.printf(variant + " client allocation: %d bytes for %d messages published and received " +
                    "(%d guaranteed, with outcomes): %.4f B/message%n", allocated, MEASURED,
                    MEASURED / GUARANTEED_EVERY, perMessage);
                assertTrue(perMessage < 0.5, () -> allocated + " bytes allocated for " + MEASURED + " messages");
            }
        }
    }

    /**
     * Over TCP; over Aeron IPC on the daemon's media driver; or over Aeron UDP with a media driver of the client's own
     * (in this process: its threads are not the polling thread measured).
     */
    private ClientContext context(final String transport, final int port, final int udpPort, final File driverDir,
        final String name)
    {
        switch (transport)
        {
            case "aeron-ipc":
                return new ClientContext().url("aeron:ipc").aeronDirectory(driverDir.getPath());
            case "aeron-udp":
                return new ClientContext().url("aeron:udp?endpoint=127.0.0.1:" + udpPort)
                    .aeronEmbeddedDriver(true)
                    .aeronTermLength(256 << 10)
                    .aeronDirectory(tmp.resolve("client-" + name + "-aeron").toString());
            default:
                return new ClientContext().url("tcp://127.0.0.1:" + port);
        }
    }

    /**
     * Publish messages numbered from {@code first}, every tenth guaranteed, and poll both clients until every one
     * was received and every guaranteed one answered. No lambda, no boxing: the loop itself allocates nothing.
     */
    private void run(final JunctionClient publisher, final JunctionClient subscriber, final UnsafeBuffer payload,
        final int first, final int count)
    {
        final long deadline = System.nanoTime() + ClientTestSupport.TIMEOUT.toNanos();
        int next = first;
        final int end = first + count;
        while (received < end || durable + refused < end / GUARANTEED_EVERY)
        {
            if (next < end)
            {
                payload.putLong(0, next);
                final QualityOfService qos = next % GUARANTEED_EVERY == 0 ?
                    QualityOfService.GUARANTEED : QualityOfService.BEST_EFFORT;
                final Priority priority = mixClasses && 0 == next % 8 ? Priority.CRITICAL : Priority.NORMAL;
                final long result = publisher.offer("alloc.topic", priority, qos, payload, 0, 64);
                if (result > 0)
                {
                    next++;
                }
                else if (result != ClientResult.BACK_PRESSURED && result != ClientResult.IN_FLIGHT_FULL)
                {
                    throw new AssertionError(ClientResult.describe(result));
                }
            }
            final int work = publisher.poll() + subscriber.poll();
            if (0 == work && next >= end)
            {
                LockSupport.parkNanos(20_000);
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not done in time: received " + received + ", durable " + durable);
            }
        }
    }
}
