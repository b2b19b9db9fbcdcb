package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.junction.TestSupport.Collector;
import io.junction.TestSupport.Received;

/**
 * A subscriber's outbox drops the lowest class first, and counts each drop, per class, when it happens:
 * the handler is blocked on a latch throughout, so nothing is drained while the drops are checked.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class ClassAwareDropTest
{
    private static final int OUTBOX = 8;

    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blocked = new CountDownLatch(1);
    private final Collector collector = new Collector();
    private Junction junction;
    private Subscription subscription;
    private long nextValue;

    /** Blocks on its first message until the test releases it. */
    private final MessageHandler stuck = message ->
    {
        collector.onMessage(message);
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

    private void start(final SlowSubscriberPolicy policy) throws InterruptedException
    {
        junction = Junction.launch(TestSupport.context());
        subscription = junction.subscribe("ticks.>", stuck,
            SubscriptionOptions.defaults().slowSubscriberPolicy(policy).outboxCapacity(OUTBOX));
        offer(Priority.NORMAL, 1); // the one in hand
        assertTrue(blocked.await(30, TimeUnit.SECONDS));
    }

    private void offer(final Priority priority, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final long result = junction.offer("ticks.a", priority, TestSupport.payload(nextValue++), 0, 8);
            assertTrue(OfferResult.isAccepted(result), OfferResult.describe(result));
        }
    }

    private void awaitDispatched()
    {
        await().atMost(TestSupport.TIMEOUT).until(() -> junction.ringOccupancy() == 0);
    }

    private void awaitDropped(final Priority priority, final long count)
    {
        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.dropped(priority) == count);
    }

    private List<Received> releaseAndCollect(final int expected)
    {
        release.countDown();
        collector.awaitCount(expected);
        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.queueDepth() == 0);
        return collector.received();
    }

    @ParameterizedTest
    @EnumSource(value = SlowSubscriberPolicy.class, names = { "DROP_OLDEST", "DROP_NEWEST" })
    void criticalDisplacesQueuedBulkAndEachDropIsCountedWhileTheConsumerIsStuck(final SlowSubscriberPolicy policy)
        throws Exception
    {
        start(policy);
        offer(Priority.BULK, OUTBOX);
        awaitDispatched();
        assertEquals(OUTBOX, subscription.queueDepth());
        assertEquals(0, subscription.dropped());

        offer(Priority.CRITICAL, 3);
        awaitDropped(Priority.BULK, 3);
        assertEquals(0, subscription.dropped(Priority.CRITICAL));
        assertEquals(3, subscription.dropped(), "counted now, with the consumer still stuck");
        assertEquals(3, junction.counters().subscriberDropped(Priority.BULK));
        assertEquals(OUTBOX, subscription.queueDepth());

        final List<Received> received = releaseAndCollect(1 + OUTBOX);
        assertEquals(1 + OUTBOX, received.size());
        // The oldest BULK went first: what remains is the newer BULK, then the CRITICAL, in order.
        assertEquals(List.of(0L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), values(received));
        assertEquals(3, count(received, Priority.CRITICAL));
    }

    @Test
    void dropNewestDropsTheNewCriticalOnlyWhenNothingLowerIsQueued() throws Exception
    {
        start(SlowSubscriberPolicy.DROP_NEWEST);
        offer(Priority.BULK, 2);
        offer(Priority.CRITICAL, OUTBOX - 2);
        offer(Priority.CRITICAL, 4); // two displace the BULK, then two find only CRITICAL queued
        awaitDispatched();
        awaitDropped(Priority.BULK, 2);
        awaitDropped(Priority.CRITICAL, 2);

        final List<Received> received = releaseAndCollect(1 + OUTBOX);
        assertEquals(List.of(0L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), values(received), "a prefix of the CRITICAL");
        assertEquals(4, subscription.dropped());
    }

    @Test
    void dropOldestDropsTheOldestCriticalOnlyWhenNothingLowerIsQueued() throws Exception
    {
        start(SlowSubscriberPolicy.DROP_OLDEST);
        offer(Priority.BULK, 2);
        offer(Priority.CRITICAL, OUTBOX - 2);
        offer(Priority.CRITICAL, 4);
        awaitDispatched();
        awaitDropped(Priority.BULK, 2);
        awaitDropped(Priority.CRITICAL, 2);

        final List<Received> received = releaseAndCollect(1 + OUTBOX);
        assertEquals(List.of(0L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L), values(received), "the latest CRITICAL");
    }

    @ParameterizedTest
    @EnumSource(value = SlowSubscriberPolicy.class, names = { "DROP_OLDEST", "DROP_NEWEST" })
    void aLowerClassMessageIsDroppedWhenOnlyHigherClassesAreQueued(final SlowSubscriberPolicy policy)
        throws Exception
    {
        start(policy);
        offer(Priority.HIGH, OUTBOX);
        offer(Priority.NORMAL, 5);
        offer(Priority.BULK, 5);
        awaitDispatched();
        awaitDropped(Priority.NORMAL, 5);
        awaitDropped(Priority.BULK, 5);
        assertEquals(0, subscription.dropped(Priority.HIGH));

        final List<Received> received = releaseAndCollect(1 + OUTBOX);
        assertEquals(OUTBOX, count(received, Priority.HIGH));
    }

    @ParameterizedTest
    @EnumSource(value = SlowSubscriberPolicy.class, names = { "DROP_OLDEST", "DROP_NEWEST" })
    void noCriticalIsLostInAFloodOfLowerClasses(final SlowSubscriberPolicy policy) throws Exception
    {
        start(policy);
        final Priority[] lower = { Priority.HIGH, Priority.NORMAL, Priority.BULK };
        int critical = 0;
        for (int i = 0; i < 600; i++)
        {
            if (i % 100 == 50)
            {
                offer(Priority.CRITICAL, 1);
                critical++;
            }
            else
            {
                offer(lower[i % 3], 1);
            }
        }
        awaitDispatched();
        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.dropped() == 600 - OUTBOX);
        assertEquals(0, subscription.dropped(Priority.CRITICAL));
        // Each class had 198 offered; what stays queued is the best 8: the 6 CRITICAL and 2 HIGH.
        assertEquals(198, subscription.dropped(Priority.BULK));
        assertEquals(198, subscription.dropped(Priority.NORMAL));
        assertEquals(196, subscription.dropped(Priority.HIGH));
        for (final Priority priority : Priority.values())
        {
            assertEquals(subscription.dropped(priority), junction.counters().subscriberDropped(priority));
        }

        final List<Received> received = releaseAndCollect(1 + OUTBOX);
        assertEquals(critical, count(received, Priority.CRITICAL), "every CRITICAL delivered");
        final List<Long> values = values(received);
        for (int i = 1; i < values.size(); i++)
        {
            assertTrue(values.get(i) > values.get(i - 1), "in the order offered: " + values);
        }
        assertEquals(600 - OUTBOX, subscription.dropped(), "counted once each, not again on draining");
    }

    private static List<Long> values(final List<Received> received)
    {
        final List<Long> values = new ArrayList<>();
        for (final Received message : received)
        {
            values.add(message.value());
        }
        return values;
    }

    private static long count(final List<Received> received, final Priority priority)
    {
        return received.stream().filter(message -> message.priority() == priority).count();
    }
}
