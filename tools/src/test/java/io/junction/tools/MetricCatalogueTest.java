package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import io.junction.SwitchCounters;
import io.junction.observe.AlarmEvaluator;
import io.junction.observe.SwitchObserver;

/**
 * The one list of metrics: unique valid names, labels taken from the counters' labels, and the alarm metrics
 * bound to the counters they aggregate.
 */
class MetricCatalogueTest
{
    private static final Pattern NAME = Pattern.compile("junction_[a-z0-9_]+");

    @Test
    void namesAreUniqueValidAndCountersEndInTotal()
    {
        final Set<String> names = new HashSet<>();
        for (final MetricCatalogue.Family family : MetricCatalogue.families())
        {
            assertTrue(NAME.matcher(family.name()).matches(), family::toString);
            assertTrue(names.add(family.name()), () -> "twice: " + family.name());
            assertEquals(family.type() == MetricCatalogue.Type.COUNTER, family.name().endsWith("_total"),
                family::toString);
            assertTrue(family.typeId() >= 1000, family::toString);
        }
    }

    @Test
    void everyFamilyIsDocumentedInTheToolsReadme() throws Exception
    {
        final String readme = java.nio.file.Files.readString(java.nio.file.Path.of("README.md"));
        for (final String name : MetricCatalogue.familyNames())
        {
            if (!name.endsWith("_count"))
            {
                assertTrue(readme.contains("`" + name + "`"), () -> name + " is not in tools/README.md");
            }
        }
        assertTrue(readme.contains("http.metrics.max-named-series"));
    }

    @Test
    void labelsComeFromTheCounterLabelNotAsFreeText()
    {
        final MetricCatalogue.Family shed = MetricCatalogue.family(SwitchCounters.OFFER_SHED_TYPE_ID);
        assertEquals(List.of("class", "reason"), shed.labelNames());
        assertArrayEquals(new String[]{ "CRITICAL", "RATE_LIMITED" }, shed.labelValues("offer shed: CRITICAL RATE_LIMITED"));
        assertNull(shed.labelValues("something else"), "a label of another shape is not this family's");

        final MetricCatalogue.Family delay = MetricCatalogue.family(SwitchCounters.SHARD_QUEUE_DELAY_TYPE_ID);
        assertArrayEquals(new String[]{ "3" }, delay.labelValues("shard 3 queue delay ns"));

        final MetricCatalogue.Family alarm = MetricCatalogue.family(AlarmEvaluator.ALARM_TYPE_ID);
        assertArrayEquals(new String[]{ "has-subscribers", "MAJOR" }, alarm.labelValues("alarm has-subscribers [MAJOR]"));

        final MetricCatalogue.Family delivered = MetricCatalogue.family(SwitchCounters.SUBSCRIPTION_DELIVERED_TYPE_ID);
        assertEquals("subscription", delivered.named());
        assertArrayEquals(new String[]{ "billing" }, delivered.labelValues("subscription 7 'orders.>' (billing) delivered"));
        assertArrayEquals(new String[]{ "billing" }, delivered.labelValues("subscription 7 'orders.>' name=billing delivered"));
        assertArrayEquals(new String[]{ "" }, delivered.labelValues("subscription 7 'orders.>' delivered"),
            "an unnamed subscription has no name to be a series of its own");
        final MetricCatalogue.Family depth = MetricCatalogue.family(SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID);
        assertArrayEquals(new String[]{ "" }, depth.labelValues("subscription 1 'orders.>' queue depth"));
    }

    @Test
    void alarmMetricsAreTheOnesRulesMayNameAndAggregateTheirCounters()
    {
        assertEquals(Set.of("back-pressured", "rejected", "dropped", "delivered", "faults", "terminated", "errors",
            "subscriptions", "ring-occupancy", "queue-depth", "connections", "disk-free-mb", "shed", "journal-faults",
            "journal-disk-full", "journal-failed", "journal-unavailable", "journal-disk-free-mb", "journal-position",
            "journal-size-mb", "journal-cycles", "cluster-no-leader", "cluster-elections", "cluster-role"),
            MetricCatalogue.alarmMetrics());

        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
        counters.newCounter("subscription 1 'a' queue depth", SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID).set(4);
        counters.newCounter("subscription 2 'b' queue depth", SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID).set(9);
        counters.newCounter("subscriptions queue depth max", SwitchObserver.SUBSCRIPTIONS_QUEUE_DEPTH_MAX_TYPE_ID)
            .set(12);
        counters.newCounter("offer shed: LOW CODEL", SwitchCounters.OFFER_SHED_TYPE_ID).set(5);
        counters.newCounter("offer shed: NORMAL CODEL", SwitchCounters.OFFER_SHED_TYPE_ID).set(6);
        assertEquals(12, MetricCatalogue.alarmMetric("queue-depth", counters).sample(0),
            "the deepest queue over every subscription, named or not");
        assertEquals(11, MetricCatalogue.alarmMetric("shed", counters).sample(0), "all classes and reasons");
        assertNull(MetricCatalogue.alarmMetric("ring-occupancy", counters), "derived by the daemon");
        assertNotNull(MetricCatalogue.DERIVED_ALARM_METRICS.get("ring-occupancy"));
    }
}
