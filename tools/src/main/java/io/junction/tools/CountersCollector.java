package io.junction.tools;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

import io.junction.observe.SwitchObserver;

/**
 * The counters file as Prometheus families, at each scrape: one family per {@link MetricCatalogue} entry, its
 * labels parsed from the counters' labels. Per-subscription families have a series for each named subscription,
 * up to {@code maxNamedSeries} per family; unnamed subscriptions and those over the cap add up in one
 * {@value MetricCatalogue#OTHER} series, so 100,000 subscriptions make one series, not 100,000.
 */
final class CountersCollector implements MultiCollector
{
    private final CountersReader reader;
    private final int maxNamedSeries;
    private final AtomicCounter capped;
    private final AtomicCounter folded;

    /**
     * @param capped scrapes that folded named series because of the cap; folded: how many at the last scrape.
     */
    CountersCollector(
        final CountersReader reader, final int maxNamedSeries, final AtomicCounter capped, final AtomicCounter folded)
    {
        this.reader = reader;
        this.maxNamedSeries = maxNamedSeries;
        this.capped = capped;
        this.folded = folded;
    }

    @Override
    public MetricSnapshots collect()
    {
        final Scrape scrape = new Scrape();
        reader.forEach((value, id, label) ->
        {
            if (id != capped.id() && id != folded.id()) // written below, with this scrape's values
            {
                scrape.add(reader.getCounterTypeId(id), label, value);
            }
        });
        if (scrape.foldedByCap > 0)
        {
            capped.increment();
        }
        folded.setRelease(scrape.foldedByCap);
        scrape.add(MetricCatalogue.SERIES_CAPPED_TYPE_ID, "", capped.get());
        scrape.add(MetricCatalogue.SERIES_FOLDED_TYPE_ID, "", folded.get());
        return scrape.snapshots();
    }

    /** One scrape's series, summed by family and labels. */
    private final class Scrape
    {
        final Map<MetricCatalogue.Family, Map<List<String>, double[]>> series = new LinkedHashMap<>();
        final Map<MetricCatalogue.Family, Set<String>> named = new HashMap<>();
        final Map<String, Map<String, Double>> quantiles = new LinkedHashMap<>();
        final Map<String, Long> counts = new HashMap<>();
        final Map<String, Long> maxima = new LinkedHashMap<>();
        final Map<List<String>, double[]> others = new LinkedHashMap<>();
        int foldedByCap;

        void add(final int typeId, final String label, final long value)
        {
            if (typeId == SwitchObserver.LATENCY_TYPE_ID && latency(label, value))
            {
                return;
            }
            final MetricCatalogue.Family family = MetricCatalogue.family(typeId);
            final String[] values = null == family ? null : family.labelValues(label);
            if (null == values)
            {
                if (others.size() < maxNamedSeries)
                {
                    others.computeIfAbsent(List.of(Integer.toString(typeId), label), (k) -> new double[1])[0] += value;
                }
                else
                {
                    foldedByCap++;
                }
                return;
            }
            if (null != family.named())
            {
                values[0] = seriesName(family, values[0]);
            }
            final double[] sum = series.computeIfAbsent(family, (f) -> new LinkedHashMap<>())
                .computeIfAbsent(List.of(values), (k) -> new double[]{ Double.NaN });
            final boolean max = family.type() == MetricCatalogue.Type.GAUGE &&
                family.aggregate() == MetricCatalogue.Aggregate.MAX;
            sum[0] = Double.isNaN(sum[0]) ? value : max ? Math.max(sum[0], value) : sum[0] + value;
        }

        private String seriesName(final MetricCatalogue.Family family, final String name)
        {
            if (name.isEmpty())
            {
                return MetricCatalogue.OTHER;
            }
            final Set<String> seen = named.computeIfAbsent(family, (f) -> new HashSet<>());
            if (seen.contains(name))
            {
                return name;
            }
            if (seen.size() < maxNamedSeries)
            {
                seen.add(name);
                return name;
            }
            foldedByCap++;
            return MetricCatalogue.OTHER;
        }

        /**
         * "latency STAGE pNN ns", "latency STAGE max ns" and "latency STAGE count".
         */
        private boolean latency(final String label, final long value)
        {
            final String[] parts = label.split(" ");
            if (parts.length < 3 || !parts[0].equals("latency"))
            {
                return false;
            }
            final String stage = parts[1];
            if (parts[2].equals("count"))
            {
                counts.put(stage, value);
                return true;
            }
            if (parts[2].equals("max"))
            {
                maxima.put(stage, value);
                return true;
            }
            if (parts[2].startsWith("p"))
            {
                try
                {
                    // 99.9 as a decimal, so the quantile label reads 0.999 rather than 0.9990000000000001.
                    final double quantile = new BigDecimal(parts[2].substring(1)).movePointLeft(2).doubleValue();
                    quantiles.computeIfAbsent(stage, (s) -> new LinkedHashMap<>()).put(Double.toString(quantile),
                        value * MetricCatalogue.NANOS);
                    return true;
                }
                catch (final NumberFormatException ex)
                {
                    return false;
                }
            }
            return false;
        }

        MetricSnapshots snapshots()
        {
            final List<MetricSnapshot> snapshots = new ArrayList<>();
            for (final Map.Entry<MetricCatalogue.Family, Map<List<String>, double[]>> entry : series.entrySet())
            {
                final MetricCatalogue.Family family = entry.getKey();
                final String[] names = family.labelNames().toArray(new String[0]);
                if (family.type() == MetricCatalogue.Type.COUNTER)
                {
                    final CounterSnapshot.Builder builder = CounterSnapshot.builder()
                        .name(family.baseName()).help(family.help());
                    entry.getValue().forEach((values, sum) -> builder.dataPoint(
                        CounterSnapshot.CounterDataPointSnapshot.builder()
                            .labels(Labels.of(names, values.toArray(new String[0])))
                            .value(Math.max(0, sum[0]) * family.scale()).build()));
                    snapshots.add(builder.build());
                }
                else
                {
                    final GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(family.name()).help(family.help());
                    entry.getValue().forEach((values, sum) -> builder.dataPoint(
                        GaugeSnapshot.GaugeDataPointSnapshot.builder()
                            .labels(Labels.of(names, values.toArray(new String[0])))
                            .value(sum[0] * family.scale()).build()));
                    snapshots.add(builder.build());
                }
            }
            if (!quantiles.isEmpty())
            {
                final SummarySnapshot.Builder latency = SummarySnapshot.builder().name(MetricCatalogue.LATENCY)
                    .help("Latency per stage over the last observation interval, seconds; _count: latencies recorded.");
                final GaugeSnapshot.Builder max = GaugeSnapshot.builder().name(MetricCatalogue.LATENCY_MAX)
                    .help("Largest latency per stage over the last observation interval, seconds.");
                quantiles.forEach((stage, byQuantile) ->
                {
                    final Quantiles.Builder qs = Quantiles.builder();
                    byQuantile.forEach((q, v) -> qs.quantile(new Quantile(Double.parseDouble(q), v)));
                    latency.dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder()
                        .labels(Labels.of("stage", stage)).quantiles(qs.build())
                        .count(counts.getOrDefault(stage, 0L)).build());
                    max.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of("stage", stage)).value(maxima.getOrDefault(stage, 0L) * MetricCatalogue.NANOS).build());
                });
                snapshots.add(latency.build());
                snapshots.add(max.build());
            }
            if (!others.isEmpty())
            {
                final GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(MetricCatalogue.OTHER_COUNTERS)
                    .help("Counters of types the catalogue does not know (an embedding application's), by type id.");
                others.forEach((key, sum) -> builder.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("type_id", key.get(0), "counter", key.get(1))).value(sum[0]).build()));
                snapshots.add(builder.build());
            }
            return new MetricSnapshots(snapshots);
        }
    }
}
