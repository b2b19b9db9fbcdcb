package io.junction.observe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import io.junction.Junction;
import io.junction.Priority;
import io.junction.Subscription;
import io.junction.SubscriptionOptions;

/**
 * The observer's queue-depth counters: two for all subscriptions together, and one of its own only for a
 * subscription that asks (a named one, or all with the option), so that many subscriptions do not fill
 * the counters file.
 */
class SubscriptionQueueDepthCountersTest
{
    private static final int MANY = 20_000;

    @Test
    void manyAnonymousSubscriptionsShareTwoCountersAndOnlyNamedOnesGetTheirOwn() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        // Room for far fewer counters than subscriptions: one each would fail to allocate.
        try (Junction junction = Junction.launch(new Junction.Context()
                .countersCapacity(512).deliveryStallTimeoutNs(TimeUnit.MINUTES.toNanos(5)));
            SwitchObserver observer = new SwitchObserver(new SwitchObserver.Context()
                .countersManager(junction.context().countersManager()).subscriptions(junction::subscriptions)))
        {
            final List<Subscription> anonymous = new ArrayList<>();
            for (int i = 0; i < MANY; i++)
            {
                anonymous.add(
                    junction.subscribeAsync("users." + i + ".inbox", (m) -> { }, SubscriptionOptions.defaults()));
            }
            junction.subscribe("slow.topic", (m) -> awaitQuietly(release), SubscriptionOptions.defaults().name("slow"));
            junction.subscribe("audit.>", (m) -> { }, SubscriptionOptions.defaults().name("audit"));
            await().atMost(Duration.ofSeconds(60)).until(() -> anonymous.stream().allMatch(Subscription::isInEffect));

            final CountersReader counters = junction.countersReader();
            final int before = countersInUse(counters);
            observer.onInterval(System.nanoTime());
            assertEquals(2, countOfType(counters, SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID), "the named ones");
            assertEquals(before + 2, countersInUse(counters), "and nothing else per subscription");
            assertTrue(labelsOfType(counters, SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID)
                .contains("subscription " + (MANY + 1) + " 'slow.topic' name=slow queue depth"));

            final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
            for (int i = 0; i < 6; i++)
            {
                assertTrue(junction.offer("slow.topic", Priority.NORMAL, payload, 0, 16) >= 0);
            }
            // The first is in the blocked handler: five wait.
            await().atMost(Duration.ofSeconds(30)).until(() ->
            {
                observer.onInterval(System.nanoTime());
                return valueOfType(counters, SwitchObserver.SUBSCRIPTIONS_QUEUE_DEPTH_MAX_TYPE_ID) == 5;
            });
            assertEquals(5, valueOfType(counters, SwitchObserver.SUBSCRIPTIONS_QUEUE_DEPTH_TOTAL_TYPE_ID));

            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() ->
            {
                observer.onInterval(System.nanoTime());
                return valueOfType(counters, SwitchObserver.SUBSCRIPTIONS_QUEUE_DEPTH_TOTAL_TYPE_ID) == 0;
            });
            assertEquals(0, valueOfType(counters, SwitchObserver.SUBSCRIPTIONS_QUEUE_DEPTH_MAX_TYPE_ID));
            assertEquals(2, countOfType(counters, SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID));
        }
        finally
        {
            release.countDown();
        }
    }

    @Test
    void everySubscriptionGetsItsOwnWhenAskedAndEndedOnesGiveItBack()
    {
        try (Junction junction = Junction.launch(new Junction.Context());
            SwitchObserver observer = new SwitchObserver(new SwitchObserver.Context()
                .countersManager(junction.context().countersManager()).subscriptions(junction::subscriptions)
                .queueDepthOfEverySubscription(true)))
        {
            final List<Subscription> subscriptions = new ArrayList<>();
            for (int i = 0; i < 50; i++)
            {
                subscriptions.add(junction.subscribe("t." + i, (m) -> { }));
            }
            final CountersReader counters = junction.countersReader();
            observer.onInterval(System.nanoTime());
            assertEquals(50, countOfType(counters, SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID));

            for (int i = 0; i < 20; i++)
            {
                subscriptions.get(i).close();
            }
            observer.onInterval(System.nanoTime());
            assertEquals(30, countOfType(counters, SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID));
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await(60, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static int countersInUse(final CountersReader counters)
    {
        final int[] count = { 0 };
        counters.forEach((id, typeId, key, label) -> count[0]++);
        return count[0];
    }

    private static int countOfType(final CountersReader counters, final int type)
    {
        return labelsOfType(counters, type).size();
    }

    private static List<String> labelsOfType(final CountersReader counters, final int type)
    {
        final List<String> labels = new ArrayList<>();
        counters.forEach((id, typeId, key, label) ->
        {
            if (typeId == type)
            {
                labels.add(label);
            }
        });
        return labels;
    }

    private static long valueOfType(final CountersReader counters, final int type)
    {
        final long[] value = { -1 };
        counters.forEach((id, typeId, key, label) ->
        {
            if (typeId == type)
            {
                value[0] = counters.getCounterValue(id);
            }
        });
        return value[0];
    }
}
