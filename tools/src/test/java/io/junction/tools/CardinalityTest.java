package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import io.junction.Subscription;
import io.junction.SwitchCounters;
import io.junction.observe.SwitchObserver;

/**
 * 100,000 named subscriptions (counters labelled as the switch and the observer label them) make at most
 * {@code http.metrics.max-named-series} + 1 series per family, and the family still adds up to the total.
 */
class CardinalityTest
{
    @Test
    void oneHundredThousandNamedSubscriptionsStayABoundedNumberOfSeries()
    {
        final int subscriptions = 100_000;
        final int cap = 100;
        final int values = subscriptions * 2 * CountersManager.COUNTER_LENGTH + (64 << 10);
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(new byte[values * (CountersManager.METADATA_LENGTH / CountersManager.COUNTER_LENGTH)]),
            new UnsafeBuffer(new byte[values]));
        for (int i = 1; i <= subscriptions; i++)
        {
            final String label = Subscription.counterLabel(i, "orders.>", "client-" + i);
            counters.newCounter(label + "delivered", SwitchCounters.SUBSCRIPTION_DELIVERED_TYPE_ID).set(2);
            counters.newCounter(label + "queue depth", SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID).set(i % 7);
        }
        try (MetricsExposition exposition = new MetricsExposition(counters, cap))
        {
            final String text = new String(exposition.text(), StandardCharsets.UTF_8);
            final long delivered = text.lines().filter((l) -> l.startsWith("junction_subscription_delivered_total{")).count();
            final long depth = text.lines().filter((l) -> l.startsWith("junction_subscription_queue_depth{")).count();
            assertEquals(cap + 1, delivered, "cap named series and _other");
            assertEquals(cap + 1, depth);
            final double sum = text.lines().filter((l) -> l.startsWith("junction_subscription_delivered_total{"))
                .mapToDouble((l) -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertEquals(2.0 * subscriptions, sum, "sum() over the family is still the total");
            assertTrue(text.contains("junction_metrics_series_folded " + (double)(2 * (subscriptions - cap))), () ->
                text.lines().filter((l) -> l.startsWith("junction_metrics_series")).toList().toString());
            assertTrue(text.length() < 200_000, "a scrape stays small: " + text.length() + " chars");
        }
    }
}
