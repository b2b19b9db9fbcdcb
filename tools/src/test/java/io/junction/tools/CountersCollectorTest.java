package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import io.junction.Junction;
import io.junction.Priority;
import io.junction.Subscription;
import io.junction.SubscriptionOptions;

/**
 * A real switch's counters as Prometheus families: labels parsed from the counters' labels (no free text), one
 * series per named subscription up to the cap, and every other subscription added up in {@code _other}.
 */
class CountersCollectorTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void namedSubscriptionsHaveSeriesUpToTheCapAndTheRestAddUpInOther() throws Exception
    {
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(new byte[4 << 20]), new UnsafeBuffer(new byte[1 << 20]));
        final List<Subscription> subscriptions = new ArrayList<>();
        try (Junction junction = Junction.launch(new Junction.Context().shards(2).countersManager(counters));
            MetricsExposition exposition = new MetricsExposition(counters, 2))
        {
            for (final String name : new String[]{ "billing", "audit", "ledger" })
            {
                subscriptions.add(junction.subscribe("orders.>", (m) -> { }, SubscriptionOptions.defaults().name(name)));
            }
            final int unnamed = 200;
            for (int i = 0; i < unnamed; i++)
            {
                subscriptions.add(junction.subscribe("orders.>", (m) -> { }));
            }
            final int messages = 10;
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < messages; i++)
            {
                assertTrue(junction.offer("orders.new", Priority.NORMAL, payload, 0, 8) >= 0);
            }
            junction.offer("orders..bad", Priority.NORMAL, payload, 0, 8);
            final long expected = (long)messages * subscriptions.size();
            await().atMost(TIMEOUT).until(() -> subscriptions.stream().mapToLong(Subscription::delivered).sum() == expected);

            final String text = new String(exposition.text(), StandardCharsets.UTF_8);
            assertTrue(text.contains("junction_subscription_delivered_total{subscription=\"billing\"} 10.0"), text);
            assertTrue(text.contains("junction_subscription_delivered_total{subscription=\"audit\"} 10.0"), text);
            assertFalse(text.contains("subscription=\"ledger\""), "over the cap of 2: " + text);
            // Unnamed (shared-delivery) subscriptions keep no counters of their own; ledger, over the cap, is _other.
            assertTrue(text.contains("junction_subscription_delivered_total{subscription=\"_other\"} " +
                (double)messages), text);
            assertEquals(3, count(text, "junction_subscription_delivered_total\\{"), "two named and _other");
            assertTrue(text.contains("junction_offer_rejected_total{reason=\"EMPTY_TOKEN\"} 1.0"), text);
            assertTrue(text.contains("junction_offer_shed_total{class=\"CRITICAL\",reason=\"RATE_LIMITED\"} 0.0"), text);
            assertTrue(text.contains("junction_shard_dispatched_total{shard=\"1\"}"), text);
            assertTrue(text.contains("junction_metrics_series_capped_total 1.0"), text);
            assertTrue(text.contains("junction_metrics_series_folded 4.0"), "ledger in four families: " + text);
            assertFalse(text.contains("counter=\""), "every counter of the switch is catalogued: " + text);
            assertFalse(text.contains(MetricCatalogue.OTHER_COUNTERS + "{"), text);
            assertTrue(text.contains("junction_build_info{commit=\""), text);
            assertTrue(text.contains("jvm_memory_used_bytes{area=\"heap\"}"), text);
            assertTrue(text.contains("process_cpu_seconds_total"), text);
            assertTrue(
                new String(exposition.text(), StandardCharsets.UTF_8).contains("junction_metrics_series_capped_total 2.0"),
                "each capped scrape is counted");
        }
        finally
        {
            subscriptions.forEach(Subscription::close);
        }
    }

    private static int count(final String text, final String regex)
    {
        final Matcher matcher = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (matcher.find())
        {
            n++;
        }
        return n;
    }
}
