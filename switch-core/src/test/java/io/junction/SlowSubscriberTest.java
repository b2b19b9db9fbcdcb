package io.junction;

import static io.junction.TestSupport.offer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.junction.TestSupport.Collector;

/**
 * Each slow-subscriber policy, with a handler that blocks until released, beside a fast subscriber that
 * must lose nothing.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class SlowSubscriberTest
{
    private static final int OUTBOX = 8;
    private static final int MESSAGES = 2_000;

    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blocked = new CountDownLatch(1);
    private final Collector slowCollector = new Collector();
    private final Collector fast = new Collector();
    private Junction junction;

    /** Blocks on its first message until the test releases it. */
    private final MessageHandler slow = message ->
    {
        slowCollector.onMessage(message);
        blocked.countDown();
        release.await(30, TimeUnit.SECONDS);
    };

    @AfterEach
    void close()
    {
        release.countDown();
        if (null != junction)
        {
            junction.close();
        }
    }

    private Subscription start(final SlowSubscriberPolicy policy, final int ringSize) throws InterruptedException
    {
        junction = Junction.launch(TestSupport.context().ringSize(ringSize));
        junction.subscribe("ticks.*", fast, SubscriptionOptions.defaults().outboxCapacity(MESSAGES * 2));
        final Subscription subscription = junction.subscribe("ticks.*", slow, SubscriptionOptions.defaults()
            .slowSubscriberPolicy(policy)
            .outboxCapacity(OUTBOX));
        offer(junction, "ticks.a", 0);
        assertTrue(blocked.await(30, TimeUnit.SECONDS));
        return subscription;
    }

    @Test
    void dropNewestKeepsAPrefixAndCountsTheRest() throws Exception
    {
        final Subscription subscription = start(SlowSubscriberPolicy.DROP_NEWEST, 4096);
        for (int i = 1; i < MESSAGES; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(junction, "ticks.a", i)));
        }
        fast.awaitCount(MESSAGES);
        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.dropped() >= MESSAGES - OUTBOX - 1);
        release.countDown();

        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.delivered() + subscription.dropped() == MESSAGES);
        final List<Long> values = slowCollector.values();
        assertEquals(LongStream.range(0, values.size()).boxed().toList(), values, "a prefix, in order");
        assertTrue(values.size() <= OUTBOX + 1, "at most the outbox and the one in hand: " + values.size());
        assertEquals(LongStream.range(0, MESSAGES).boxed().toList(), fast.values());
        assertTrue(subscription.isActive());
    }

    @Test
    void dropOldestKeepsTheLatestAndCountsTheRest() throws Exception
    {
        final Subscription subscription = start(SlowSubscriberPolicy.DROP_OLDEST, 4096);
        for (int i = 1; i < MESSAGES; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(junction, "ticks.a", i)));
        }
        fast.awaitCount(MESSAGES);
        release.countDown();

        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.delivered() + subscription.dropped() == MESSAGES);
        final List<Long> values = slowCollector.values();
        assertEquals(MESSAGES - 1L, values.get(values.size() - 1), "the newest message is delivered");
        for (int i = 1; i < values.size(); i++)
        {
            assertTrue(values.get(i) > values.get(i - 1), "in order");
        }
        assertTrue(values.size() <= OUTBOX + 1, "at most the outbox and the one in hand: " + values.size());
        assertTrue(subscription.dropped() >= MESSAGES - OUTBOX - 1);
        assertEquals(LongStream.range(0, MESSAGES).boxed().toList(), fast.values());
    }

    @Test
    void disconnectTerminatesTheSlowSubscriberAndTellsTheApplication() throws Exception
    {
        final AtomicReference<TerminationReason> told = new AtomicReference<>();
        junction = Junction.launch(TestSupport.context());
        junction.subscribe("ticks.*", fast, SubscriptionOptions.defaults().outboxCapacity(MESSAGES * 2));
        final Subscription subscription = junction.subscribe("ticks.*", slow, SubscriptionOptions.defaults()
            .slowSubscriberPolicy(SlowSubscriberPolicy.DISCONNECT)
            .outboxCapacity(OUTBOX)
            .listener(new SubscriptionListener()
            {
                @Override
                public void onTerminated(final Subscription s, final TerminationReason reason, final Throwable cause)
                {
                    told.set(reason);
                }
            }));
        offer(junction, "ticks.a", 0);
        assertTrue(blocked.await(30, TimeUnit.SECONDS));

        for (int i = 1; i < MESSAGES; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(junction, "ticks.a", i)));
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> !subscription.isActive());
        assertEquals(TerminationReason.SLOW_CONSUMER, subscription.terminationReason());
        release.countDown();
        await().atMost(TestSupport.TIMEOUT).until(() -> told.get() == TerminationReason.SLOW_CONSUMER);

        fast.awaitCount(MESSAGES);
        assertEquals(LongStream.range(0, MESSAGES).boxed().toList(), fast.values());
        final List<Long> values = slowCollector.values();
        assertEquals(LongStream.range(0, values.size()).boxed().toList(), values, "no gaps before the disconnect");
        assertEquals(1L, TestSupport.countOf(junction, SwitchCounters.SUBSCRIPTIONS_TERMINATED_TYPE_ID));
    }

    @Test
    void backPressureHoldsPublishersAndLosesNothing() throws Exception
    {
        final Subscription subscription = start(SlowSubscriberPolicy.BACK_PRESSURE, 64);

        long accepted = 1;
        boolean sawBackPressure = false;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!sawBackPressure && System.nanoTime() < deadline)
        {
            final long result = junction.offer("ticks.a", Priority.NORMAL, TestSupport.payload(accepted), 0, 8);
            if (OfferResult.isBackPressured(result))
            {
                sawBackPressure = true;
            }
            else
            {
                assertTrue(OfferResult.isAccepted(result), OfferResult.describe(result));
                accepted++;
            }
        }
        assertTrue(sawBackPressure, "publishers are told to back off while the slow subscriber holds the ring");
        assertFalse(accepted > 64 + OUTBOX + 2, "the ring and the outbox bound what is accepted: " + accepted);

        release.countDown();
        for (long i = accepted; i < MESSAGES; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(junction, "ticks.a", i)));
        }

        fast.awaitCount(MESSAGES);
        slowCollector.awaitCount(MESSAGES);
        assertEquals(LongStream.range(0, MESSAGES).boxed().toList(), slowCollector.values());
        assertEquals(LongStream.range(0, MESSAGES).boxed().toList(), fast.values());
        assertEquals(0, subscription.dropped());
    }
}
