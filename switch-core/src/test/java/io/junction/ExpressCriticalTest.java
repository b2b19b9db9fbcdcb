package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.junction.TestSupport.Collector;
import io.junction.TestSupport.Received;

/**
 * The CRITICAL express lane: behind a back-pressuring subscriber, CRITICAL messages overtake the lower
 * classes queued in the ring; order within a class is kept, and nothing is lost or delivered twice.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class ExpressCriticalTest
{
    private static final int CRITICAL_BASE = 1_000;

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
    void criticalOvertakesTheBulkQueuedBehindAFullOutbox()
    {
        final Collector collector = startInvoker(true, 4);
        publishBulkThenCritical(20, 3);
        runUntilDelivered(collector, 23);

        // Cycle 1 fills the outbox with bulk 0-3 and stalls on bulk 4; from then on the CRITICAL messages
        // take the free slots first.
        final List<Long> expected = new ArrayList<>(List.of(0L, 1L, 2L, 3L, 1_000L, 1_001L, 1_002L));
        LongStream.range(4, 20).forEach(expected::add);
        assertEquals(expected, collector.values());
    }

    @Test
    void withoutTheExpressLaneTheTopicKeepsItsOrderAcrossClasses()
    {
        final Collector collector = startInvoker(false, 4);
        publishBulkThenCritical(20, 3);
        runUntilDelivered(collector, 23);

        final List<Long> expected = new ArrayList<>();
        LongStream.range(0, 20).forEach(expected::add);
        LongStream.range(CRITICAL_BASE, CRITICAL_BASE + 3).forEach(expected::add);
        assertEquals(expected, collector.values());
    }

    @Test
    void aCriticalMessageThatFitsOnlyPartlyIsFinishedBeforeTheNextOne()
    {
        junction = Junction.launch(TestSupport.context().threadingMode(ThreadingMode.INVOKER).expressCritical(true));
        final Collector wide = new Collector();
        final Collector narrow = new Collector();
        junction.subscribe("ticks.>", wide, backPressure(4));
        junction.subscribe("ticks.>", narrow, backPressure(2));
        publishBulkThenCritical(10, 4);
        final long deadline = System.nanoTime() + TestSupport.TIMEOUT.toNanos();
        while ((wide.count() < 14 || narrow.count() < 14) && System.nanoTime() < deadline)
        {
            junction.doWork();
        }

        for (final Collector collector : List.of(wide, narrow))
        {
            final List<Long> values = collector.values();
            assertEquals(14, values.size());
            assertInClassOrder(values, 10, 4);
            final int lastCritical = values.indexOf((long)CRITICAL_BASE + 3);
            assertTrue(lastCritical < values.indexOf(5L), "every CRITICAL arrives before bulk 5: " + values);
        }
    }

    @Test
    void threadedSubscribersGetEveryMessageOnceInOrderPerTopicAndClass()
    {
        junction = Junction.launch(TestSupport.context().ringSize(1024).expressCritical(true));
        final Collector fast = new Collector();
        final Collector slowA = new SlowCollector(1);
        final Collector slowB = new SlowCollector(2);
        junction.subscribe("ticks.>", fast, SubscriptionOptions.defaults().outboxCapacity(1 << 16));
        junction.subscribe("ticks.>", slowA, backPressure(8));
        junction.subscribe("ticks.*", slowB, backPressure(2));

        final int messages = 20_000;
        final SplittableRandom random = new SplittableRandom(42);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        final String[] topics = { "ticks.a", "ticks.b", "ticks.c" };
        final long deadline = System.nanoTime() + TestSupport.TIMEOUT.toNanos();
        for (int i = 0; i < messages; i++)
        {
            final Priority priority = random.nextInt(10) == 0 ? Priority.CRITICAL : Priority.BULK;
            buffer.putLong(0, i);
            final String topic = topics[random.nextInt(topics.length)];
            while (!OfferResult.isAccepted(junction.offer(topic, priority, buffer, 0, 8)))
            {
                assertTrue(System.nanoTime() < deadline, "still back-pressured");
                Thread.onSpinWait();
            }
        }

        for (final Collector collector : List.of(fast, slowA, slowB))
        {
            collector.awaitCount(messages);
            final List<Received> received = collector.received();
            assertEquals(messages, received.size());
            assertEquals(messages, received.stream().mapToLong(Received::value).distinct().count(), "no duplicates");
            final Map<String, Long> last = new HashMap<>();
            for (final Received r : received)
            {
                final String stream = r.topic() + "/" + r.priority();
                final Long previous = last.put(stream, r.value());
                assertTrue(null == previous || previous < r.value(), "in order within " + stream);
            }
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> 0 == junction.ringOccupancy());
    }

    private Collector startInvoker(final boolean express, final int outbox)
    {
        junction = Junction.launch(TestSupport.context().threadingMode(ThreadingMode.INVOKER).expressCritical(express));
        final Collector collector = new Collector();
        junction.subscribe("ticks.>", collector, backPressure(outbox));
        return collector;
    }

    private void publishBulkThenCritical(final int bulk, final int critical)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < bulk; i++)
        {
            buffer.putLong(0, i);
            assertTrue(OfferResult.isAccepted(junction.offer("ticks.a", Priority.BULK, buffer, 0, 8)));
        }
        for (int i = 0; i < critical; i++)
        {
            buffer.putLong(0, CRITICAL_BASE + i);
            assertTrue(OfferResult.isAccepted(junction.offer("ticks.a", Priority.CRITICAL, buffer, 0, 8)));
        }
    }

    private void runUntilDelivered(final Collector collector, final int count)
    {
        final long deadline = System.nanoTime() + TestSupport.TIMEOUT.toNanos();
        while (collector.count() < count && System.nanoTime() < deadline)
        {
            junction.doWork();
        }
        assertEquals(count, collector.count());
    }

    private static void assertInClassOrder(final List<Long> values, final int bulk, final int critical)
    {
        assertEquals(LongStream.range(0, bulk).boxed().toList(), values.stream().filter(v -> v < CRITICAL_BASE).toList());
        assertEquals(
            LongStream.range(CRITICAL_BASE, CRITICAL_BASE + critical).boxed().toList(),
            values.stream().filter(v -> v >= CRITICAL_BASE).toList());
    }

    private static SubscriptionOptions backPressure(final int outbox)
    {
        return SubscriptionOptions.defaults().slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE).outboxCapacity(outbox);
    }

    /** Takes a few microseconds per message, so its outbox stays full and the express lane has work. */
    private static final class SlowCollector extends Collector
    {
        private final long workNs;

        SlowCollector(final long workMicros)
        {
            this.workNs = TimeUnit.MICROSECONDS.toNanos(workMicros);
        }

        @Override
        public void onMessage(final Message message)
        {
            super.onMessage(message);
            final long start = System.nanoTime();
            while (System.nanoTime() - start < workNs)
            {
                Thread.onSpinWait();
            }
        }
    }
}
