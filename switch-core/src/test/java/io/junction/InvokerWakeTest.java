package io.junction;

import static io.junction.TestSupport.offer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * INVOKER mode with a wake ({@link Junction.Context#invokerWake}): a caller that idles in a wait of its own is
 * woken once by the first hand-off from another thread while it is armed, and told of work already there.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class InvokerWakeTest
{
    @Test
    void anOfferFromAnotherThreadWakesTheArmedCallerOnce() throws Exception
    {
        final AtomicInteger wakes = new AtomicInteger();
        final AtomicInteger delivered = new AtomicInteger();
        try (Junction junction = Junction.launch(TestSupport.context().shards(2).threadingMode(ThreadingMode.INVOKER)
            .invokerWake(wakes::incrementAndGet)))
        {
            junction.subscribeAsync(">", message -> delivered.incrementAndGet(), SubscriptionOptions.defaults());
            assertTrue(junction.armWake(), "the route additions are work for the next cycle");
            junction.disarmWake();
            while (junction.doWork() > 0)
            {
                // Apply the subscription.
            }

            assertFalse(junction.armWake(), "idle");
            CompletableFuture.runAsync(() ->
            {
                offer(junction, "a.1", 1);
                offer(junction, "b.2", 2);
            }).get(10, TimeUnit.SECONDS);
            assertEquals(1, wakes.get(), "only the first hand-off wakes the caller");
            assertTrue(junction.armWake(), "and the messages are there for it");
            junction.disarmWake();
            await().atMost(TestSupport.TIMEOUT).until(() ->
            {
                junction.doWork();
                return 2 == delivered.get();
            });

            // Not armed (the caller is running): an offer does not wake it.
            offer(junction, "a.3", 3);
            assertEquals(1, wakes.get());
        }
    }

    @Test
    void withoutAWakeTheCallerIsOnlyToldOfWork()
    {
        try (Junction junction = Junction.launch(TestSupport.context().threadingMode(ThreadingMode.INVOKER)))
        {
            junction.subscribeAsync(">", message -> { }, SubscriptionOptions.defaults());
            while (junction.doWork() > 0)
            {
                // Apply the subscription.
            }
            assertFalse(junction.armWake());
            offer(junction, "a", 1);
            assertTrue(junction.armWake());
            junction.disarmWake();
            assertFalse(junction.isInvokerBusy());
        }
    }
}
