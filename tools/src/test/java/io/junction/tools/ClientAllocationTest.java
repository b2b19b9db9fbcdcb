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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Message;
import io.junction.MessageHandler;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.client.PublishOutcomeListener;

/**
 * Publish and receive through {@code io.junction.client} allocate nothing per message once warm: the bytes the one
 * thread that polls both a publisher and a subscriber client allocates (the JVM's per-thread allocation counter)
 * while best-effort and guaranteed messages go through a real daemon child process and back.
 */
class ClientAllocationTest
{
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 100_000;
    private static final int GUARANTEED_EVERY = 10;

    @TempDir
    Path tmp;

    private long received;
    private long durable;
    private long refused;

    @Test
    void publishAndReceiveAllocateNothingPerMessageOnceWarm() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        try (JunctionProcess daemon = startDaemon(tmp, writeConfig(tmp, node, 0,
            "subscriber { policy = back-pressure }"), node, "daemon.log"))
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
            try (JunctionClient publisher = JunctionClient.connect(new ClientContext()
                    .url("tcp://127.0.0.1:" + port).outcomeListener(outcomes));
                JunctionClient subscriber = JunctionClient.connect(new ClientContext().url("tcp://127.0.0.1:" + port)))
            {
                final ClientSubscription subscription = subscriber.subscribe("alloc.>", handler);
                pollUntil(() -> publisher.isConnected() && subscription.isInEffect(), () -> "connected", publisher,
                    subscriber);
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);

                run(publisher, subscriber, payload, 0, WARM_UP);
                final com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
                final long thread = Thread.currentThread().getId();
                final long before = threads.getThreadAllocatedBytes(thread);
                run(publisher, subscriber, payload, WARM_UP, MEASURED);
                final long allocated = threads.getThreadAllocatedBytes(thread) - before;

                assertEquals(WARM_UP + MEASURED, received);
                assertEquals((WARM_UP + MEASURED) / GUARANTEED_EVERY, durable + refused);
                assertEquals(0, refused);
                final double perMessage = (double)allocated / MEASURED;
                System.out.printf("client allocation: %d bytes for %d messages published and received " +
                    "(%d guaranteed, with outcomes): %.4f B/message%n", allocated, MEASURED,
                    MEASURED / GUARANTEED_EVERY, perMessage);
                assertTrue(perMessage < 0.5, () -> allocated + " bytes allocated for " + MEASURED + " messages");
            }
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
                final long result = publisher.offer("alloc.topic", Priority.NORMAL, qos, payload, 0, 64);
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
