package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The switch's list of active subscriptions (its {@link SubscriptionRegistry}) through the public API: oldest
 * first, ended ones leave it wherever they stood, ending one twice is harmless, and subscriptions made and closed from
 * several threads at once leave exactly the ones still open, each still routed to.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class SubscriptionRegistryTest
{
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
    void endedSubscriptionsLeaveTheListFromAnyPlace()
    {
        junction = Junction.launch(TestSupport.context());
        final List<Subscription> made = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            made.add(junction.subscribe("t." + i, message -> { }));
        }
        assertEquals(made, junction.subscriptions(), "oldest first");

        made.get(4).close(); // the newest
        made.get(2).close(); // one in the middle
        made.get(0).close(); // the oldest
        made.get(2).close(); // again: harmless
        assertEquals(List.of(made.get(1), made.get(3)), junction.subscriptions());
        assertFalse(made.get(2).isActive());
        final Subscription newest = junction.subscribe("t.5", message -> { }); // after a removed last one
        assertEquals(List.of(made.get(1), made.get(3), newest), junction.subscriptions());
        newest.close();

        made.get(1).close();
        made.get(3).close();
        assertEquals(List.of(), junction.subscriptions());

        final Subscription later = junction.subscribe("t.later", message -> { });
        assertEquals(List.of(later), junction.subscriptions(), "an emptied list takes new ones");
    }

    @Test
    void subscribingAndClosingFromSeveralThreadsLeavesExactlyTheOpenOnes() throws Exception
    {
        junction = Junction.launch(TestSupport.context());
        final int threads = 4;
        final int each = 2_000;
        final AtomicInteger delivered = new AtomicInteger();
        final List<List<Subscription>> kept = new ArrayList<>();
        final List<Thread> workers = new ArrayList<>();
        final CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++)
        {
            final int thread = t;
            final List<Subscription> mine = new ArrayList<>();
            kept.add(mine);
            final Thread worker = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++)
                {
                    final Subscription subscription = junction.subscribeAsync(
                        "w." + thread + "." + i, message -> delivered.incrementAndGet(), SubscriptionOptions.defaults());
                    if (i % 2 == 0)
                    {
                        subscription.close();
                    }
                    else
                    {
                        mine.add(subscription);
                    }
                }
            }, "registry-worker-" + t);
            workers.add(worker);
            worker.start();
        }
        start.countDown();
        for (final Thread worker : workers)
        {
            worker.join(TestSupport.TIMEOUT.toMillis());
            assertFalse(worker.isAlive(), worker.getName());
        }

        final Set<Subscription> open = new HashSet<>();
        kept.forEach(open::addAll);
        assertEquals(threads * each / 2, open.size());
        assertEquals(open, Set.copyOf(junction.subscriptions()));
        await().atMost(TestSupport.TIMEOUT).until(() -> open.stream().allMatch(Subscription::isInEffect));

        TestSupport.offer(junction, "w.0.1", 1);  // open
        TestSupport.offer(junction, "w.3.3", 3);  // open
        TestSupport.offer(junction, "w.2.4", 4);  // closed
        await().atMost(TestSupport.TIMEOUT).until(() -> delivered.get() == 2 && junction.ringOccupancy() == 0);
        assertEquals(2, delivered.get());
        assertTrue(open.stream().allMatch(Subscription::isActive));
    }
}
