package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 100,000 subscriptions on the default options in one switch: each costs at most 1 KiB of heap and no
 * thread, subscribing and unsubscribing go at a rate that is logged, and messages still reach exactly
 * the subscriptions that match.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class ManySubscriptionsTest
{
    private static final int SUBSCRIPTIONS = 100_000;

    private Junction junction;

    @AfterEach
    void close()
    {
        if (null != junction)
        {
            junction.close();
        }
    }

    @Test
    void aHundredThousandIdleSubscriptionsCostUnderOneKibEachAndNoThread()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        junction = Junction.launch(TestSupport.context());
        junction.subscribe("warm.up", message -> { }).close(); // load the classes before measuring

        final AtomicIntegerArray hits = new AtomicIntegerArray(SUBSCRIPTIONS);
        final String[] patterns = new String[SUBSCRIPTIONS];
        final MessageHandler[] handlers = new MessageHandler[SUBSCRIPTIONS];
        for (int i = 0; i < SUBSCRIPTIONS; i++)
        {
            final int index = i;
            patterns[i] = "users." + i + ".inbox";
            handlers[i] = message -> hits.incrementAndGet(index);
        }
        final Subscription[] subscriptions = new Subscription[SUBSCRIPTIONS];
        final long heapBefore = usedHeapAfterGc(memory);
        final int threadsBefore = threads.getThreadCount();

        final long subscribeStartNs = System.nanoTime();
        for (int i = 0; i < SUBSCRIPTIONS; i++)
        {
            subscriptions[i] = junction.subscribeAsync(patterns[i], handlers[i], SubscriptionOptions.defaults());
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> subscriptions[SUBSCRIPTIONS - 1].isInEffect());
        final long subscribeNs = System.nanoTime() - subscribeStartNs;
        for (final Subscription subscription : subscriptions)
        {
            assertTrue(subscription.isInEffect());
        }

        final long heapAfter = usedHeapAfterGc(memory);
        final long bytesEach = (heapAfter - heapBefore) / SUBSCRIPTIONS;
        System.out.printf("%,d subscriptions: %,d B of heap each; subscribed at %,.0f/s; threads %d -> %d%n",
            SUBSCRIPTIONS, bytesEach, SUBSCRIPTIONS * 1e9 / subscribeNs, threadsBefore, threads.getThreadCount());
        assertTrue(bytesEach <= 1024, "heap per idle subscription: " + bytesEach + " B");
        assertEquals(threadsBefore, threads.getThreadCount(), "no thread per subscription");

        final int[] targets = { 0, 7, 54_321, SUBSCRIPTIONS - 1 };
        for (final int target : targets)
        {
            TestSupport.offer(junction, "users." + target + ".inbox", target);
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> hits.get(SUBSCRIPTIONS - 1) == 1);
        await().atMost(TestSupport.TIMEOUT).until(() -> junction.ringOccupancy() == 0 &&
            subscriptions[0].delivered() + subscriptions[7].delivered() + subscriptions[54_321].delivered() == 3);
        int total = 0;
        for (int i = 0; i < SUBSCRIPTIONS; i++)
        {
            total += hits.get(i);
        }
        assertEquals(targets.length, total, "each message reached its one subscription, and no other");
        for (final int target : targets)
        {
            assertEquals(1, hits.get(target));
        }

        final long unsubscribeStartNs = System.nanoTime();
        for (final Subscription subscription : subscriptions)
        {
            subscription.close();
        }
        final long unsubscribeNs = System.nanoTime() - unsubscribeStartNs;
        System.out.printf("%,d subscriptions closed at %,.0f/s%n", SUBSCRIPTIONS, SUBSCRIPTIONS * 1e9 / unsubscribeNs);
        assertEquals(0, junction.subscriptions().size());
        await().atMost(TestSupport.TIMEOUT).until(() -> junction.ringOccupancy() == 0);
    }

    private static long usedHeapAfterGc(final MemoryMXBean memory)
    {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++)
        {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
