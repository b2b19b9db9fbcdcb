package io.junction.perf.suite;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.junction.perf.overload.OverloadBenchmark;

/**
 * The overload sweep ({@link OverloadBenchmark}): the switch's capacity with a subscriber of fixed service time,
 * then open-loop offered load from below to far above it, regulated (CoDel shedding at the edge, a ring reserve
 * for CRITICAL) and unregulated (the baseline: plain back pressure) back to back at each step; goodput and
 * per-class p99 against offered load, with a plot. Shorter windows and fewer steps in quick mode.
 */
public final class OverloadSection implements Section
{
    static final String KEY = "overload";

    @Override
    public String title()
    {
        return "Overload sweep: goodput and per-class latency vs offered load, regulated vs unregulated";
    }

    @Override
    public long estimateSeconds(final SuiteOptions options)
    {
        return Math.round(settings(options).estimateSeconds());
    }

    static OverloadBenchmark.Settings settings(final SuiteOptions options)
    {
        return switch (options.mode)
        {
            case "tiny" -> new OverloadBenchmark.Settings(0.05, 0.2, "1,3", 0.2, 0.5, options.outputDir);
            case "quick" -> new OverloadBenchmark.Settings(0.3, 0.7, "0.5,1,2,4", 1.0, 1.0, options.outputDir);
            default -> new OverloadBenchmark.Settings(0.5, 2, "0.5,1,1.5,2,3,4", 2, 3, options.outputDir);
        };
    }

    @Override
    public void run(final SuiteOptions options, final SuiteResults results) throws Exception
    {
        final OverloadBenchmark.Settings settings = settings(options);
        final OverloadBenchmark.Sweep sweep = OverloadBenchmark.sweep(settings, line ->
            results.note("overload: " + line.lines().findFirst().orElse("")));
        final Path png = sweep.write(options.outputDir, KEY + "-sweep");
        final List<List<String>> rows = sweep.rows();
        results.tables.add(new SuiteResults.Table(KEY, title(), OverloadBenchmark.Sweep.ROW_COLUMNS, rows));

        final StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Junction embedded, one shard driven by one thread, one subscriber " +
            "that spends %,d ns per message (so the capacity is known and small enough to overload on 2 cores), " +
            "mix 5%% CRITICAL, 20%% HIGH, 75%% BULK. Capacity (closed loop, no regulation): **%,.0f msg/s** " +
            "(%,.0f msg/s measured again after the sweep). Each step offers a multiple of it, open loop, and " +
            "runs *regulated* (CoDel target %d µs, interval %d µs, ring/8 reserved for CRITICAL, CRITICAL express " +
            "lane) and the " +
            "*baseline* (no regulation: back pressure, the generator retries) back to back. Steps: %s × capacity.%n%n",
            settings.serviceNs(), sweep.capacity(), sweep.capacityAfter(), settings.codelTargetNs() / 1000,
            settings.codelIntervalNs() / 1000, settings.multipliers()));
        md.append("![overload](").append(png.getFileName()).append(")\n\n");
        md.append("| offered × capacity | goodput % of capacity: regulated | baseline | CRITICAL p99 µs: regulated | " +
            "baseline | HIGH p99 µs: regulated | baseline | BULK p99 µs: regulated | baseline | BULK shed (regulated) |\n");
        md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (final List<String> regulated : rows)
        {
            if (!"regulated".equals(regulated.get(0)))
            {
                continue;
            }
            final List<String> baseline = rows.stream()
                .filter(r -> "baseline".equals(r.get(0)) && r.get(1).equals(regulated.get(1)))
                .findFirst().orElse(List.of());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                regulated.get(1), regulated.get(4), cell(baseline, 4), dash(regulated.get(8)), cell(baseline, 8),
                dash(regulated.get(12)), cell(baseline, 12), dash(regulated.get(16)), cell(baseline, 16),
                regulated.get(13)));
        }
        md.append("\nWhat to look for: past 1× capacity the baseline sheds nothing and holds the publisher back, " +
            "so its latency grows with the queue for every class; regulation is meant to shed BULK first and keep " +
            "CRITICAL's p99 near its unloaded value while goodput stays near capacity. Full figures: [")
            .append(KEY).append(".csv](").append(KEY).append(".csv), and the sweep's own files [")
            .append(KEY).append("-sweep.csv](").append(KEY).append("-sweep.csv), [").append(KEY)
            .append("-sweep.json](").append(KEY).append("-sweep.json).\n");
        results.fragments.add(new SuiteResults.Fragment(title(), md.toString()));
    }

    private static String cell(final List<String> row, final int index)
    {
        return row.size() > index ? dash(row.get(index)) : "–";
    }

    private static String dash(final String value)
    {
        return null == value || value.isEmpty() ? "–" : value;
    }
}
