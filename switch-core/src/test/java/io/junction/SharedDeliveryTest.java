package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.junction.TestSupport.Collector;

/**
 * Subscriptions on the default options share the switch's delivery agents: no thread each, and a handler
 * that blocks holds only its own agent's thread while the others on that agent go on being delivered to.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class SharedDeliveryTest
{
    private static final int MESSAGES = 50;

    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blocked = new CountDownLatch(1);
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
    void aBlockedHandlerDoesNotStallTheOthersOnItsAgent() throws Exception
    {
        junction = Junction.launch(TestSupport.context()
            .deliveryAgents(1)
            .deliveryStallTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200)));
        final Collector stuck = new Collector();
        final Collector others = new Collector();
        final SubscriptionOptions lossless = SubscriptionOptions.defaults().outboxCapacity(MESSAGES * 2);
        junction.subscribe("work.>", message ->
        {
            stuck.onMessage(message);
            blocked.countDown();
            release.await(30, TimeUnit.SECONDS);
        }, lossless);
        final Subscription other = junction.subscribe("work.>", others, lossless);
        assertEquals(1, deliveryThreads(), "both on the one shared agent");

        TestSupport.offer(junction, "work.a", 0);
        assertTrue(blocked.await(30, TimeUnit.SECONDS));
        for (int i = 1; i < MESSAGES; i++)
        {
            TestSupport.offer(junction, "work.a", i);
        }

        others.awaitCount(MESSAGES);
        assertEquals(LongStream.range(0, MESSAGES).boxed().toList(), others.values());
        assertEquals(1, TestSupport.countOf(junction, SwitchCounters.DELIVERY_STALLS_TYPE_ID), "the blocked agent was replaced once");
        assertEquals(1, stuck.count(), "the blocked handler is still in its first message");
        assertEquals(MESSAGES, other.delivered());

        release.countDown();
        stuck.awaitCount(MESSAGES);
        assertEquals(LongStream.range(0, MESSAGES).boxed().toList(), stuck.values(), "in order, after the block");
        await().atMost(TestSupport.TIMEOUT).until(() -> deliveryThreads() == 1);
    }

    @Test
    void aBusySubscriptionTakesTurnsWithTheOthers() throws Exception
    {
        junction = Junction.launch(TestSupport.context().deliveryAgents(1).deliveryBatchLimit(4));
        final CountDownLatch slowStarted = new CountDownLatch(1);
        final Collector slowCollector = new Collector();
        final Collector fast = new Collector();
        junction.subscribe("a", message ->
        {
            slowCollector.onMessage(message);
            slowStarted.countDown();
            LockSupportSleep.parkMillis(2);
        }, SubscriptionOptions.defaults().outboxCapacity(1024));
        junction.subscribe("b", fast);

        for (int i = 0; i < 200; i++)
        {
            TestSupport.offer(junction, "a", i);
        }
        assertTrue(slowStarted.await(30, TimeUnit.SECONDS));
        TestSupport.offer(junction, "b", 0);
        fast.awaitCount(1);
        // It got its turn after at most a budget of the busy one's messages, not after all 200.
        assertTrue(slowCollector.count() < 100, "served after " + slowCollector.count() + " of the busy one's");
    }

    private static long deliveryThreads()
    {
        final List<String> names = TestSupport.NoLeakedThreads.junctionThreads();
        return names.stream().filter(name -> name.startsWith("junction-delivery")).count();
    }

    /** The handler's stand-in for work: takes a little while. */
    static final class LockSupportSleep
    {
        static void parkMillis(final long millis)
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() - deadline < 0)
            {
                java.util.concurrent.locks.LockSupport.parkNanos(deadline - System.nanoTime());
            }
        }
    }
}
