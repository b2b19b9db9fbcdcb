package io.junction;

import static io.junction.TestSupport.offer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.junction.TestSupport.Collector;

@ExtendWith(TestSupport.NoLeakedThreads.class)
class RoutingTest
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

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    void routesExactSingleAndFullWildcardsAndOverlaps(final ThreadingMode mode)
    {
        junction = Junction.launch(TestSupport.context().threadingMode(mode).shards(2));
        final Collector exact = new Collector();
        final Collector star = new Collector();
        final Collector tail = new Collector();
        final Collector all = new Collector();
        junction.subscribe("prices.eur.usd", exact);
        junction.subscribe("prices.*.usd", star);
        junction.subscribe("prices.>", tail);
        junction.subscribe(">", all);
        if (mode == ThreadingMode.INVOKER)
        {
            junction.doWork();
        }

        final String[] topics = { "prices.eur.usd", "prices.gbp.usd", "prices.gbp.jpy", "prices", "orders.new" };
        for (int i = 0; i < topics.length; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(junction, topics[i], i)));
        }

        if (mode == ThreadingMode.INVOKER)
        {
            await().pollInSameThread().atMost(TestSupport.TIMEOUT).until(() -> junction.doWork() >= 0 && all.count() == topics.length);
        }
        all.awaitCount(topics.length);
        tail.awaitCount(3);
        star.awaitCount(2);
        exact.awaitCount(1);

        assertEquals(List.of(0L), exact.values());
        // Different topics may sit on different shards: order is per topic, so compare as sorted.
        assertEquals(List.of(0L, 1L), star.values().stream().sorted().toList());
        assertEquals(List.of(0L, 1L, 2L), tail.values().stream().sorted().toList());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), all.values().stream().sorted().toList());
        assertTrue(star.received().stream().anyMatch(r -> r.topic().equals("prices.gbp.usd")));
    }

    @Test
    void deliversSequencesThatIdentifyEachMessage()
    {
        junction = Junction.launch(TestSupport.context().shards(2));
        final Collector all = new Collector();
        junction.subscribe(">", all);

        final List<Long> sequences = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            sequences.add(offer(junction, "topic." + (i % 7), i));
        }
        all.awaitCount(100);

        final List<Long> delivered = all.received().stream().map(TestSupport.Received::sequence).sorted().toList();
        assertEquals(sequences.stream().sorted().toList(), delivered);
        assertEquals(100, sequences.stream().distinct().count(), "sequences are unique");
    }

    @Test
    void subscribeAndUnsubscribeWhileTrafficFlows() throws Exception
    {
        junction = Junction.launch(TestSupport.context().shards(2));
        final Collector permanent = new Collector();
        junction.subscribe("live.*", permanent, SubscriptionOptions.defaults()
            .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE));

        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong published = new AtomicLong();
        final Thread publisher = new Thread(() ->
        {
            long value = 0;
            while (running.get())
            {
                offer(junction, "live.a", value++);
                published.set(value);
            }
        }, "test-publisher");
        publisher.start();

        try
        {
            for (int round = 0; round < 20; round++)
            {
                final Collector transient_ = new Collector();
                final Subscription subscription = junction.subscribe(
                    round % 2 == 0 ? "live.a" : "live.>", transient_, SubscriptionOptions.defaults()
                        .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE)
                        .deliveryThread(DeliveryThread.values()[round % 3]));
                final long publishedAtSubscribe = published.get();
                transient_.awaitCount(10);
                subscription.close();
                assertFalse(subscription.isActive());
                assertEquals(TerminationReason.CLOSED, subscription.terminationReason());

                final List<Long> values = transient_.values();
                assertContiguous(values);
                assertTrue(values.get(0) <= publishedAtSubscribe + 1,
                    "receives from the moment it is subscribed: first " + values.get(0) +
                    ", published at subscribe " + publishedAtSubscribe);
            }
        }
        finally
        {
            running.set(false);
            publisher.join();
        }

        final long total = published.get();
        await().atMost(TestSupport.TIMEOUT).until(() -> permanent.count() >= total);
        assertContiguous(permanent.values());
        assertEquals(0L, permanent.values().get(0));
    }

    private static void assertContiguous(final List<Long> values)
    {
        for (int i = 1; i < values.size(); i++)
        {
            assertEquals(values.get(i - 1) + 1, values.get(i), "gap or reorder at index " + i);
        }
    }
}
