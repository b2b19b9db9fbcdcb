package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.junction.TestSupport.Collector;

/**
 * The drop grace ({@link Junction.Context#dropGraceNs(long)}): a full outbox of a dropping or DISCONNECT
 * subscriber holds its shard for a while before its policy applies, so a consumer that catches up within it
 * loses nothing; one that does not drops as before (counted, lowest class first), and then at once.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class DropGraceTest
{
    private static final int OUTBOX = 8;
    private static final long LONG_GRACE_NS = TimeUnit.SECONDS.toNanos(60);

    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blocked = new CountDownLatch(1);
    private final Collector slowCollector = new Collector();
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

    private Subscription start(final long graceNs, final SlowSubscriberPolicy policy) throws InterruptedException
    {
        junction = Junction.launch(TestSupport.context().dropGraceNs(graceNs));
        final Subscription subscription = junction.subscribe("ticks.*", slow,
            SubscriptionOptions.defaults().slowSubscriberPolicy(policy).outboxCapacity(OUTBOX));
        offer(Priority.NORMAL, 0);
        assertTrue(blocked.await(30, TimeUnit.SECONDS));
        return subscription;
    }

    @Test
    void aConsumerThatCatchesUpWithinItsGraceLosesNothing() throws Exception
    {
        final Subscription subscription = start(LONG_GRACE_NS, SlowSubscriberPolicy.DROP_NEWEST);
        final int messages = 200;
        for (int i = 1; i < messages; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(Priority.NORMAL, i)));
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> TestSupport.countOf(junction, SwitchCounters.SHARD_DROP_GRACE_WAITS_TYPE_ID) == 1);
        assertEquals(OUTBOX, subscription.queueDepth(), "the outbox is full and the shard holds the rest");
        assertEquals(0, subscription.dropped());

        release.countDown();
        slowCollector.awaitCount(messages);
        assertEquals(LongStream.range(0, messages).boxed().toList(), slowCollector.values(), "all, in order");
        assertEquals(0, subscription.dropped());
        assertEquals(0, TestSupport.countOf(junction, SwitchCounters.SHARD_DROP_GRACE_EXPIRED_TYPE_ID));
    }

    @Test
    void aConsumerThatMakesNoProgressDropsAfterItsGraceAndThenAtOnce() throws Exception
    {
        final Collector fast = new Collector();
        junction = Junction.launch(TestSupport.context().dropGraceNs(TimeUnit.MILLISECONDS.toNanos(1)));
        junction.subscribe("ticks.*", fast, SubscriptionOptions.defaults().outboxCapacity(4096));
        final Subscription subscription = junction.subscribe("ticks.*", slow,
            SubscriptionOptions.defaults().outboxCapacity(OUTBOX));
        offer(Priority.NORMAL, 0);
        assertTrue(blocked.await(30, TimeUnit.SECONDS));

        final int messages = 2_000;
        for (int i = 1; i < messages; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(Priority.NORMAL, i)));
        }
        fast.awaitCount(messages);
        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.dropped() == messages - OUTBOX - 1);
        assertEquals(messages - OUTBOX - 1, subscription.dropped(Priority.NORMAL));
        assertEquals(1, TestSupport.countOf(junction, SwitchCounters.SHARD_DROP_GRACE_WAITS_TYPE_ID), "one grace");
        assertEquals(1, TestSupport.countOf(junction, SwitchCounters.SHARD_DROP_GRACE_EXPIRED_TYPE_ID), "then drops at once");
        assertEquals(LongStream.range(0, messages).boxed().toList(), fast.values());

        release.countDown();
        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.delivered() == OUTBOX + 1);
        assertEquals(LongStream.rangeClosed(0, OUTBOX).boxed().toList(), slowCollector.values(), "a prefix");
    }

    @Test
    void aConsumerThatMakesALittleRoomNowAndThenCannotPaceItsShard()
    {
        // 1 ms a message, a 50 ms grace: it always makes room within the grace, but does not drain to half
        // within it, so the spell's one grace runs out and the rest is dropped rather than paced.
        junction = Junction.launch(TestSupport.context().dropGraceNs(TimeUnit.MILLISECONDS.toNanos(50)));
        final Subscription subscription = junction.subscribe("ticks.*",
            message -> java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)),
            SubscriptionOptions.defaults().outboxCapacity(OUTBOX));
        final int messages = 500;
        for (int i = 0; i < messages; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(Priority.NORMAL, i)));
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.delivered() + subscription.dropped() == messages);
        assertTrue(subscription.dropped() > 0, "dropped: " + subscription.dropped());
        assertTrue(TestSupport.countOf(junction, SwitchCounters.SHARD_DROP_GRACE_EXPIRED_TYPE_ID) >= 1);
    }

    @Test
    void makingRoomByDroppingALowerClassDoesNotWait() throws Exception
    {
        final Subscription subscription = start(LONG_GRACE_NS, SlowSubscriberPolicy.DROP_NEWEST);
        for (int i = 1; i <= OUTBOX; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(Priority.BULK, i)));
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.queueDepth() == OUTBOX);
        assertTrue(OfferResult.isAccepted(offer(Priority.CRITICAL, 100)));
        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.dropped(Priority.BULK) == 1);
        assertEquals(0, TestSupport.countOf(junction, SwitchCounters.SHARD_DROP_GRACE_WAITS_TYPE_ID), "nothing of its class was at stake");
        assertEquals(0, subscription.dropped(Priority.CRITICAL));

        release.countDown();
        await().atMost(TestSupport.TIMEOUT).until(() -> slowCollector.values().contains(100L));
    }

    @Test
    void disconnectWaitsForItsGraceToo() throws Exception
    {
        final Subscription subscription = start(LONG_GRACE_NS, SlowSubscriberPolicy.DISCONNECT);
        final int messages = 100;
        for (int i = 1; i < messages; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(Priority.NORMAL, i)));
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> TestSupport.countOf(junction, SwitchCounters.SHARD_DROP_GRACE_WAITS_TYPE_ID) == 1);
        release.countDown();
        slowCollector.awaitCount(messages);
        assertTrue(subscription.isActive(), "caught up within its grace, so not a slow consumer");
        assertEquals(0, subscription.dropped());
    }

    @Test
    void withNoGraceAFullOutboxDropsAtOnce() throws Exception
    {
        final Subscription subscription = start(0, SlowSubscriberPolicy.DROP_NEWEST);
        final int messages = 100;
        for (int i = 1; i < messages; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(Priority.NORMAL, i)));
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> subscription.dropped() == messages - OUTBOX - 1);
        assertEquals(0, TestSupport.countOf(junction, SwitchCounters.SHARD_DROP_GRACE_WAITS_TYPE_ID));
    }

    @Test
    void aNegativeGraceIsRefused()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> new Junction.Context().dropGraceNs(-1).conclude());
        assertTrue(refused.getMessage().contains("dropGraceNs"), refused.getMessage());
    }

    private long offer(final Priority priority, final long value)
    {
        final UnsafeBuffer buffer = TestSupport.payload(value);
        final long deadline = System.nanoTime() + TestSupport.TIMEOUT.toNanos();
        long result;
        while ((result = junction.offer("ticks.a", priority, buffer, 0, 8)) == OfferResult.BACK_PRESSURED)
        {
            assertTrue(System.nanoTime() - deadline < 0, "still back-pressured");
            Thread.onSpinWait();
        }
        return result;
    }
}
