package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.junction.TestSupport.Collector;

/**
 * Order is kept per publisher per topic, for every subscriber, whatever the number of publishers and
 * shards.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class OrderingTest
{
    private static final int PUBLISHERS = 4;
    private static final int TOPICS_PER_PUBLISHER = 3;
    private static final int MESSAGES_PER_PUBLISHER = 30_000;

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
    @CsvSource({ "1, DEDICATED", "2, DEDICATED", "3, SHARED" })
    void keepsOrderPerPublisherPerTopicUnderConcurrentPublishers(final int shards, final ThreadingMode mode)
        throws Exception
    {
        junction = Junction.launch(TestSupport.context().shards(shards).threadingMode(mode).ringSize(1024));
        final SubscriptionOptions lossless = SubscriptionOptions.defaults()
            .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE);
        final Collector all = new Collector();
        final Collector firstPublisher = new Collector();
        final Collector sharedThread = new Collector();
        junction.subscribe("orders.>", all, lossless);
        junction.subscribe("orders.p0.*", firstPublisher, lossless);
        junction.subscribe("orders.*.t1", sharedThread, lossless.copy().deliveryThread(DeliveryThread.SHARED));
        final Collector onPipeline = new Collector();
        junction.subscribe("orders.*.t2", onPipeline, lossless.copy().deliveryThread(DeliveryThread.PIPELINE));

        final List<Thread> publishers = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++)
        {
            final int publisher = p;
            final Thread thread = new Thread(() -> publish(publisher), "test-publisher-" + p);
            publishers.add(thread);
            thread.start();
        }
        for (final Thread thread : publishers)
        {
            thread.join();
        }

        final int total = PUBLISHERS * MESSAGES_PER_PUBLISHER;
        await().atMost(TestSupport.TIMEOUT).until(() -> all.count() == total);
        await().atMost(TestSupport.TIMEOUT).until(() -> firstPublisher.count() == MESSAGES_PER_PUBLISHER);

        assertOrderedAndComplete(all, PUBLISHERS * TOPICS_PER_PUBLISHER);
        assertOrderedAndComplete(firstPublisher, TOPICS_PER_PUBLISHER);
        await().atMost(TestSupport.TIMEOUT).until(() -> sharedThread.count() >= PUBLISHERS * MESSAGES_PER_PUBLISHER /
            TOPICS_PER_PUBLISHER);
        assertOrderedAndComplete(sharedThread, PUBLISHERS);
        await().atMost(TestSupport.TIMEOUT).until(() -> onPipeline.count() >= PUBLISHERS * MESSAGES_PER_PUBLISHER /
            TOPICS_PER_PUBLISHER);
        assertOrderedAndComplete(onPipeline, PUBLISHERS);
    }

    private void publish(final int publisher)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        final String[] topics = new String[TOPICS_PER_PUBLISHER];
        for (int t = 0; t < topics.length; t++)
        {
            topics[t] = "orders.p" + publisher + ".t" + t;
        }
        for (int i = 0; i < MESSAGES_PER_PUBLISHER; i++)
        {
            buffer.putLong(0, i);
            final String topic = topics[i % TOPICS_PER_PUBLISHER];
            long result;
            while ((result = junction.offer(topic, Priority.NORMAL, buffer, 0, 8)) == OfferResult.BACK_PRESSURED)
            {
                Thread.onSpinWait();
            }
            assertEquals(true, OfferResult.isAccepted(result), OfferResult.describe(result));
        }
    }

    /**
     * Each topic's values arrive strictly increasing, every one of them (stepping by the topic count).
     */
    private static void assertOrderedAndComplete(final Collector collector, final int expectedTopics)
    {
        final Map<String, Long> last = new HashMap<>();
        for (final TestSupport.Received received : collector.received())
        {
            final Long previous = last.put(received.topic(), received.value());
            final long topicIndex = Long.parseLong(received.topic().substring(received.topic().lastIndexOf('t') + 1));
            final long expected = null == previous ? topicIndex : previous + TOPICS_PER_PUBLISHER;
            assertEquals(expected, received.value(), "out of order or missing on " + received.topic());
        }
        assertEquals(expectedTopics, last.size());
    }
}
