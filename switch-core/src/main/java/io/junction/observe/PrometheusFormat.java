package io.junction.observe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.status.CountersReader;

import io.junction.SwitchCounters;

/**
 * Writes counters in the Prometheus text exposition format (version 0.0.4). Each counter type is one
 * metric family; the counter's label becomes the {@code counter} label, so series stay stable as
 * subscriptions come and go. Latency percentiles come out as the {@code junction_latency_ns} gauge.
 */
public final class PrometheusFormat
{
    private static final Map<Integer, String[]> FAMILIES = new LinkedHashMap<>();

    static
    {
        family(SwitchCounters.SHARD_DISPATCHED_TYPE_ID, "junction_shard_dispatched_total", "counter",
            "Messages dispatched from a shard's ring.");
        family(SwitchCounters.SHARD_BACK_PRESSURED_TYPE_ID, "junction_shard_back_pressured_total", "counter",
            "Offers refused because a shard's ring was full.");
        family(SwitchCounters.SHARD_STALLS_TYPE_ID, "junction_shard_stalls_total", "counter",
            "Times a shard waited on a back-pressuring subscriber.");
        family(SwitchCounters.OFFER_REJECTED_TYPE_ID, "junction_offer_rejected_total", "counter",
            "Offers rejected as invalid, by reason.");
        family(SwitchCounters.SUBSCRIBE_REJECTED_TYPE_ID, "junction_subscribe_rejected_total", "counter",
            "Subscriptions rejected as invalid.");
        family(SwitchCounters.SUBSCRIPTIONS_ACTIVE_TYPE_ID, "junction_subscriptions_active", "gauge",
            "Subscriptions active.");
        family(SwitchCounters.SUBSCRIPTION_DELIVERED_TYPE_ID, "junction_subscription_delivered_total", "counter",
            "Messages delivered to a subscription.");
        family(SwitchCounters.SUBSCRIPTION_DROPPED_TYPE_ID, "junction_subscription_dropped_total", "counter",
            "Messages dropped by a subscription's slow-subscriber policy.");
        family(SwitchCounters.SUBSCRIBER_DROPPED_TYPE_ID, "junction_subscriber_dropped_total", "counter",
            "Messages dropped at subscribers' outboxes, by class (the lowest class queued is dropped first).");
        family(SwitchCounters.SUBSCRIPTION_FAULTS_TYPE_ID, "junction_subscription_faults_total", "counter",
            "Times a subscription's handler threw.");
        family(SwitchCounters.SUBSCRIPTION_RESTARTS_TYPE_ID, "junction_subscription_restarts_total", "counter",
            "Times a subscription was restarted after a fault.");
        family(SwitchCounters.SUBSCRIPTIONS_TERMINATED_TYPE_ID, "junction_subscriptions_terminated_total", "counter",
            "Subscriptions ended by the switch (slow consumer, restart intensity).");
        family(SwitchCounters.ERRORS_TYPE_ID, "junction_errors_total", "counter", "Errors in the switch's agents.");
        family(SwitchObserver.GAUGE_TYPE_ID, "junction_gauge", "gauge",
            "Sampled values: ring occupancy, queue depths, disk free.");
        family(SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID, "junction_subscription_queue_depth", "gauge",
            "Messages waiting in a subscription's outboxes (its lag), sampled each interval.");
        family(SwitchObserver.OBSERVER_TYPE_ID, "junction_observer_intervals_total", "counter",
            "Observation intervals completed.");
        family(AlarmEvaluator.ALARM_TYPE_ID, "junction_alarm_active", "gauge", "1 while the alarm is raised.");
    }

    private PrometheusFormat()
    {
    }

    private static void family(final int typeId, final String name, final String type, final String help)
    {
        FAMILIES.put(typeId, new String[]{ name, type, help });
    }

    /**
     * @param extraTypes further families the embedding application allocates: type id to {name, type, help}.
     */
    public static String format(final CountersReader reader, final Map<Integer, String[]> extraTypes)
    {
        final Map<Integer, String[]> families = new LinkedHashMap<>(FAMILIES);
        families.putAll(extraTypes);
        final Map<Integer, StringBuilder> series = new LinkedHashMap<>();
        final StringBuilder other = new StringBuilder();
        final StringBuilder quantiles = new StringBuilder();
        final StringBuilder maxima = new StringBuilder();
        final StringBuilder samples = new StringBuilder();
        reader.forEach((value, id, label) ->
        {
            final int typeId = reader.getCounterTypeId(id);
            if (typeId == SwitchObserver.LATENCY_TYPE_ID && latency(label, value, quantiles, maxima, samples))
            {
                return;
            }
            if (families.containsKey(typeId))
            {
                final String name = families.get(typeId)[0];
                series.computeIfAbsent(typeId, (t) -> new StringBuilder())
                    .append(name).append("{counter=\"").append(escape(label)).append("\"} ").append(value).append('\n');
            }
            else
            {
                other.append("junction_counter{counter=\"").append(escape(label)).append("\",type_id=\"")
                    .append(typeId).append("\"} ").append(value).append('\n');
            }
        });

        final StringBuilder out = new StringBuilder(4096);
        for (final Map.Entry<Integer, StringBuilder> entry : series.entrySet())
        {
            final String[] family = families.get(entry.getKey());
            out.append("# HELP ").append(family[0]).append(' ').append(family[2]).append('\n');
            out.append("# TYPE ").append(family[0]).append(' ').append(family[1]).append('\n');
            out.append(entry.getValue());
        }
        if (quantiles.length() > 0)
        {
            out.append("# HELP junction_latency_ns Latency per stage over the last observation interval, ns.\n")
                .append("# TYPE junction_latency_ns gauge\n").append(quantiles)
                .append("# HELP junction_latency_max_ns Largest latency per stage over the last interval, ns.\n")
                .append("# TYPE junction_latency_max_ns gauge\n").append(maxima)
                .append("# HELP junction_latency_samples_total Latencies recorded per stage.\n")
                .append("# TYPE junction_latency_samples_total counter\n").append(samples);
        }
        if (other.length() > 0)
        {
            out.append("# HELP junction_counter Other counters, by label and type id.\n");
            out.append("# TYPE junction_counter untyped\n").append(other);
        }
        return out.toString();
    }

    public static String format(final CountersReader reader)
    {
        return format(reader, Map.of());
    }

    /**
     * @return the names of the metric families known here, for documentation and tests.
     */
    public static List<String> familyNames()
    {
        return FAMILIES.values().stream().map((f) -> f[0]).toList();
    }

    /**
     * "latency STAGE pNN ns", "latency STAGE max ns" and "latency STAGE count" as labelled series.
     */
    private static boolean latency(
        final String label,
        final long value,
        final StringBuilder quantiles,
        final StringBuilder maxima,
        final StringBuilder samples)
    {
        final String[] parts = label.split(" ");
        if (parts.length < 3 || !parts[0].equals("latency"))
        {
            return false;
        }
        final String stage = escape(parts[1]);
        if (parts[2].equals("count"))
        {
            samples.append("junction_latency_samples_total{stage=\"").append(stage).append("\"} ").append(value)
                .append('\n');
            return true;
        }
        if (parts[2].equals("max"))
        {
            maxima.append("junction_latency_max_ns{stage=\"").append(stage).append("\"} ").append(value).append('\n');
            return true;
        }
        for (int i = 0; i < SwitchObserver.PERCENTILE_NAMES.length; i++)
        {
            if (parts[2].equals(SwitchObserver.PERCENTILE_NAMES[i]))
            {
                quantiles.append("junction_latency_ns{stage=\"").append(stage).append("\",quantile=\"")
                    .append(SwitchObserver.PERCENTILES[i] / 100.0).append("\"} ").append(value).append('\n');
                return true;
            }
        }
        return false;
    }

    static String escape(final String label)
    {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
