package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A shard's queue of route additions is bounded (Context.routeCommandQueueCapacity): a subscribe that finds it
 * full waits for room up to controlTimeoutNs, and a flood against a shard that is not applying them is refused
 * with a named reason and counted (after one such wait, at once while the shard stays stalled); a refused
 * subscription leaves no route or thread behind, removals are never refused, and the switch serves on once the
 * shard catches up.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class RouteCommandQueueTest
{
    private static final int CAPACITY = 64;
    private static final long CONTROL_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(300);

    private final CountDownLatch release = new CountDownLatch(1);
    private Junction junction;

    @AfterEach
    void close()
    {
        release.countDown();
        if (null != junction)
        {
            junction.close();
        }
    }

    @Test
    void aFloodOfSubscribesAgainstAStalledShardIsRefusedAndCountedAndTheSwitchServesOn()
    {
        junction = Junction.launch(TestSupport.context()
            .routeCommandQueueCapacity(CAPACITY)
            .controlTimeoutNs(CONTROL_TIMEOUT_NS));
        stallTheShard();

        final TestSupport.Collector accepted = new TestSupport.Collector();
        final TestSupport.Collector refused = new TestSupport.Collector();
        final List<Subscription> made = new ArrayList<>();
        final List<Integer> refusedIndexes = new ArrayList<>();
        final int flood = CAPACITY + 136;
        final long startNs = System.nanoTime();
        for (int i = 0; i < flood; i++)
        {
            try
            {
                made.add(junction.subscribeAsync("flood." + i, accepted, SubscriptionOptions.defaults()));
            }
            catch (final SubscribeRefusedException ex)
            {
                refusedIndexes.add(i);
                assertEquals(0, ex.shard());
                assertTrue(ex.getMessage().contains("routeCommandQueueCapacity"), ex.getMessage());
                assertTrue(ex.getMessage().contains("'flood." + i + "'"), ex.getMessage());
            }
        }
        // A refused subscription with a thread of its own gives the thread back.
        final SubscribeRefusedException ownRefused = assertThrows(SubscribeRefusedException.class,
            () -> junction.subscribeAsync("flood.own", refused,
                SubscriptionOptions.defaults().deliveryThread(DeliveryThread.OWN)));
        assertTrue(ownRefused.getMessage().contains("shard 0"), ownRefused.getMessage());

        final long floodNs = System.nanoTime() - startNs;
        assertTrue(floodNs >= CONTROL_TIMEOUT_NS, "the first refusal waited out controlTimeoutNs: " + floodNs);
        assertTrue(floodNs < 20 * CONTROL_TIMEOUT_NS, "a stalled shard refuses the rest at once: " + floodNs);
        assertEquals(CAPACITY, made.size(), "the queue holds its capacity");
        assertEquals(flood - CAPACITY, refusedIndexes.size());
        assertEquals(flood - CAPACITY + 1, TestSupport.countOf(junction, SwitchCounters.SHARD_ROUTE_ADDITIONS_REFUSED_TYPE_ID));
        assertEquals(1 + CAPACITY, junction.subscriptions().size(), "refused subscriptions are not kept");

        release.countDown();
        await().atMost(TestSupport.TIMEOUT).until(() -> made.stream().allMatch(Subscription::isInEffect));
        await().atMost(TestSupport.TIMEOUT).until(() -> TestSupport.NoLeakedThreads.junctionThreads().stream()
            .noneMatch(name -> name.startsWith("junction-sub-")));

        for (int i = 0; i < flood; i++)
        {
            TestSupport.offer(junction, "flood." + i, i);
        }
        TestSupport.offer(junction, "flood.own", -1);
        accepted.awaitCount(CAPACITY);
        final Subscription after = junction.subscribe("after", refused);
        TestSupport.offer(junction, "after", 7);
        await().atMost(TestSupport.TIMEOUT).until(() -> refused.count() == 1);
        assertEquals(List.of(7L), refused.values(), "nothing reached a refused subscription");
        assertEquals(CAPACITY, accepted.count());
        assertTrue(accepted.values().stream().noneMatch(v -> refusedIndexes.contains(v.intValue())));
        after.close();
        made.forEach(Subscription::close);
        await().atMost(TestSupport.TIMEOUT).until(() -> 1 == junction.subscriptions().size());
    }

    @Test
    void removalsAreNeverRefusedAndASubscriptionEndedBeforeItsRouteWasAddedLeavesNoRoute()
    {
        junction = Junction.launch(TestSupport.context()
            .routeCommandQueueCapacity(2)
            .controlTimeoutNs(CONTROL_TIMEOUT_NS));
        stallTheShard();
        final TestSupport.Collector ended = new TestSupport.Collector();
        final List<Subscription> made = new ArrayList<>();
        made.add(junction.subscribeAsync("gone.0", ended, SubscriptionOptions.defaults()));
        made.add(junction.subscribeAsync("gone.1", ended, SubscriptionOptions.defaults()));
        assertThrows(SubscribeRefusedException.class,
            () -> junction.subscribeAsync("gone.2", ended, SubscriptionOptions.defaults()));
        made.forEach(Subscription::close); // two removals behind a full queue of additions
        assertEquals(1, junction.subscriptions().size());

        release.countDown();
        // In effect once the shard applied it, after the additions and removals queued before it. The first
        // subscribe after a refusal that finds the queue still full is refused at once, so it is retried.
        final TestSupport.Collector live = new TestSupport.Collector();
        final Subscription[] probe = new Subscription[1];
        await().atMost(TestSupport.TIMEOUT).ignoreException(SubscribeRefusedException.class)
            .until(() -> null != (probe[0] = junction.subscribe("gone.*", live)));
        for (int i = 0; i < 3; i++)
        {
            TestSupport.offer(junction, "gone." + i, i);
        }
        live.awaitCount(3);
        assertEquals(0, ended.count(), "no route was left to an ended subscription");
        probe[0].close();
    }

    @Test
    void aBurstOfSubscribesLargerThanTheQueueWaitsForTheShardRatherThanFailing()
    {
        junction = Junction.launch(TestSupport.context().routeCommandQueueCapacity(16));
        final TestSupport.Collector collector = new TestSupport.Collector();
        final List<Subscription> made = new ArrayList<>();
        for (int i = 0; i < 20_000; i++)
        {
            made.add(junction.subscribeAsync("burst." + i, collector, SubscriptionOptions.defaults()));
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> made.stream().allMatch(Subscription::isInEffect));
        assertEquals(0, TestSupport.countOf(junction, SwitchCounters.SHARD_ROUTE_ADDITIONS_REFUSED_TYPE_ID));
        TestSupport.offer(junction, "burst.19999", 1);
        collector.awaitCount(1);
    }

    @Test
    void inInvokerModeTheQueueFillsUntilTheCallerRunsTheShard()
    {
        junction = Junction.launch(TestSupport.context()
            .threadingMode(ThreadingMode.INVOKER)
            .routeCommandQueueCapacity(4));
        final TestSupport.Collector collector = new TestSupport.Collector();
        for (int i = 0; i < 4; i++)
        {
            junction.subscribeAsync("invoker." + i, collector, SubscriptionOptions.defaults());
        }
        assertThrows(SubscribeRefusedException.class,
            () -> junction.subscribeAsync("invoker.4", collector, SubscriptionOptions.defaults()));
        junction.doWork();
        final Subscription fifth = junction.subscribeAsync("invoker.4", collector, SubscriptionOptions.defaults());
        junction.doWork();
        assertTrue(fifth.isInEffect());
        assertEquals(1, TestSupport.countOf(junction, SwitchCounters.SHARD_ROUTE_ADDITIONS_REFUSED_TYPE_ID));
    }

    /**
     * A pipeline handler runs on the shard's thread: while it is held, the shard applies no route changes.
     */
    private void stallTheShard()
    {
        final CountDownLatch entered = new CountDownLatch(1);
        junction.subscribe("stall", message ->
        {
            entered.countDown();
            try
            {
                release.await(60, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, SubscriptionOptions.defaults().deliveryThread(DeliveryThread.PIPELINE));
        TestSupport.offer(junction, "stall", 0);
        await().atMost(TestSupport.TIMEOUT).until(() -> 0 == entered.getCount());
    }
}
