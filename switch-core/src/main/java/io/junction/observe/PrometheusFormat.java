package io.junction.observe;

import java.util.LinkedHashMap;
import java.util.Map;

import org.agrona.concurrent.status.CountersReader;

/**
 * Writes counters in the Prometheus text exposition format (version 0.0.4). Each counter type is one
 * metric family; the counter's label becomes the {@code counter} label, so series stay stable as
 * subscriptions come and go. Latency percentiles come out as the {@code junction_latency_ns} gauge.
 */
public final class PrometheusFormat
{
    private PrometheusFormat()
    {
    }

    /**
     * @param families the families known, type id to {name, type, help}; other types are written as
     *                 {@code junction_counter}.
     */
    public static String format(final CountersReader reader, final Map<Integer, String[]> families)
    {
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
