package io.junction.perf.suite;

import java.util.ArrayList;
import java.util.Collection;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import io.junction.perf.JvmFlags;
import io.junction.perf.journal.JournalBenchmark;
import io.junction.perf.journal.JournalBenchmarks;

/**
 * The guaranteed (journaled) path beside its limit, raw Chronicle Queue appends of the same payload, in one JMH
 * run of {@link JournalBenchmark}: throughput ({@code guaranteedPublish} vs {@code rawChronicleAppend}) and
 * latency ({@code guaranteedPublishUntilJournaled}, an offer until the journal has it, vs
 * {@code rawChronicleAppendLatency}), with the ratio. One fork per benchmark (none in the smoke test's tiny mode:
 * the benchmarks then run in the suite's JVM), short iterations in quick mode.
 */
public final class JournalSection implements Section
{
    static final String KEY = "journal";
    static final String SUMMARY_KEY = "journal-summary";
    private static final List<String> QUICK = List.of("guaranteedPublish", "rawChronicleAppend",
        "guaranteedPublishUntilJournaled", "rawChronicleAppendLatency");

    @Override
    public String title()
    {
        return "Guaranteed (journaled) path vs raw Chronicle Queue appends";
    }

    @Override
    public long estimateSeconds(final SuiteOptions options)
    {
        final Plan plan = plan(options);
        // A fork starts in about 2 s on a loaded 2-core machine; every iteration opens fresh queues.
        return Math.round(plan.benchmarks.size() * ((plan.forks > 0 ? 2.5 : 0.5) +
            (plan.warmups + plan.measurements) * (plan.iterationMs / 1000.0 + 0.3)));
    }

    private record Plan(List<String> benchmarks, int forks, int warmups, int measurements, long iterationMs)
    {
    }

    private static Plan plan(final SuiteOptions options)
    {
        return switch (options.mode)
        {
            case "tiny" -> new Plan(QUICK, 0, 1, 1, 200);
            case "quick" -> new Plan(QUICK, 1, 1, 1, 500);
            default -> new Plan(List.of("guaranteedPublish", "rawChronicleAppend", "journalWriterAppend",
                "guaranteedPublishUntilJournaled", "rawChronicleAppendLatency"), 1, 2, 3, 1000);
        };
    }

    @Override
    public void run(final SuiteOptions options, final SuiteResults results) throws Exception
    {
        final Plan plan = plan(options);
        final ChainedOptionsBuilder jmh = new OptionsBuilder()
            .include(JournalBenchmark.class.getName() + "\\.(" + String.join("|", plan.benchmarks) + ")$")
            .forks(plan.forks)
            .warmupIterations(plan.warmups)
            .warmupTime(TimeValue.milliseconds(plan.iterationMs))
            .measurementIterations(plan.measurements)
            .measurementTime(TimeValue.milliseconds(plan.iterationMs))
            .addProfiler(GCProfiler.class)
            .resultFormat(ResultFormatType.JSON)
            .result(options.outputDir.resolve(KEY + "-jmh.json").toString());
        if (plan.forks > 0)
        {
            jmh.jvmArgsPrepend(JvmFlags.flags());
        }
        final Collection<RunResult> runs = new Runner(jmh.build()).run();

        final Map<String, RunResult> byName = new HashMap<>();
        final List<List<String>> rows = new ArrayList<>();
        for (final RunResult run : runs)
        {
            final String name = run.getParams().getBenchmark().replaceFirst(".*\\.", "");
            byName.put(name, run);
            final Result<?> primary = run.getPrimaryResult();
            final boolean sampled = "ns/op".equals(primary.getScoreUnit());
            final Result<?> alloc = run.getSecondaryResults().get("gc.alloc.rate.norm");
            rows.add(List.of(name, name.startsWith("raw") ? "limit" : "junction",
                run.getParams().getParam("payloadLength"), num(primary.getScore()), num(primary.getScoreError()),
                primary.getScoreUnit(), sampled ? num(percentile(run, 50)) : "", sampled ? num(percentile(run, 99)) : "",
                sampled ? num(percentile(run, 99.99)) : "", sampled ? num(percentile(run, 100)) : "",
                null == alloc ? "" : num(alloc.getScore())));
        }
        results.tables.add(new SuiteResults.Table(KEY, title(), List.of("benchmark", "side", "payload_bytes", "score",
            "score_error", "unit", "p50_ns", "p99_ns", "p9999_ns", "max_ns", "alloc_bytes_per_op"), rows));

        final List<List<String>> summary = new ArrayList<>();
        final RunResult guaranteed = byName.get("guaranteedPublish");
        final RunResult raw = byName.get("rawChronicleAppend");
        if (null != guaranteed && null != raw)
        {
            summary.add(ratioRow("throughput msg/s", score(guaranteed), score(raw)));
        }
        final RunResult untilJournaled = byName.get("guaranteedPublishUntilJournaled");
        final RunResult rawLatency = byName.get("rawChronicleAppendLatency");
        if (null != untilJournaled && null != rawLatency)
        {
            for (final double p : new double[]{ 50, 99, 99.99, 100 })
            {
                summary.add(ratioRow((p == 100 ? "latency max" : "latency p" + trim(p)) + " µs",
                    percentile(untilJournaled, p) / 1e3, percentile(rawLatency, p) / 1e3));
            }
        }
        results.tables.add(new SuiteResults.Table(SUMMARY_KEY, title() + ": side by side",
            List.of("measure", "guaranteed_publish", "raw_chronicle_append", "ratio"), summary));
        if (null != guaranteed && null != raw)
        {
            results.note(String.format(Locale.ROOT, "journal: guaranteed %,.0f msg/s, raw appends %,.0f/s (%.0f%%)",
                score(guaranteed), score(raw), 100 * score(guaranteed) / score(raw)));
        }

        final StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "JMH (%s), payload 64 B, flush policy OS, files on /dev/shm (tmpfs: this " +
            "compares software paths, not disks; set `-Djunction.bench.dir` for a disk), every iteration on empty " +
            "files; %d fork(s), %d × %d ms warm-up, %d × %d ms measured per benchmark. *Throughput*: " +
            "`offer(GUARANTEED)` retried while back-pressured (steady state: the journal stage's rate) vs raw " +
            "appends of the payload on one thread. *Latency*: one offer, then wait until the journal has it " +
            "(JOURNALED) vs one raw append.%n%n", plan.forks == 0 ? "in-process, no fork" : "forked",
            plan.forks, plan.warmups, plan.iterationMs, plan.measurements, plan.iterationMs));
        md.append("| measure | guaranteed publish (journaled) | raw Chronicle Queue append (limit) | " +
            "Junction ÷ limit |\n| --- | ---: | ---: | ---: |\n");
        for (final List<String> row : summary)
        {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        if (null != untilJournaled && null != rawLatency)
        {
            final double[] quantiles = { 50, 90, 99, 99.9, 99.99, 100 };
            final Map<String, double[]> series = new LinkedHashMap<>();
            series.put("guaranteed publish until journaled (Junction)", microsAt(untilJournaled, quantiles));
            series.put("raw Chronicle Queue append (limit)", microsAt(rawLatency, quantiles));
            final Path chart = Charts.percentileCurves("Journaled path latency vs a raw Chronicle Queue append " +
                "(JMH sample time, µs, log scale)", List.of(Percentiles.LABELS), series,
                options.outputDir.resolve(KEY + "-latency.png"));
            md.append("\n![journal latency](").append(chart.getFileName()).append(")\n");
        }
        md.append("\nAll benchmarks (and the journal writer alone, in the full run):\n\n");
        final String report = JournalBenchmarks.report(runs, "");
        final int table = report.indexOf("| benchmark");
        md.append((table >= 0 ? report.substring(table) : report).replace("\n## ", "\n#### "));
        results.fragments.add(new SuiteResults.Fragment(title(), md.toString()));
    }

    private static List<String> ratioRow(final String measure, final double junction, final double limit)
    {
        return List.of(measure, String.format(Locale.ROOT, "%.1f", junction), String.format(Locale.ROOT, "%.1f", limit),
            limit > 0 ? String.format(Locale.ROOT, "%.2f", junction / limit) : "");
    }

    private static double[] microsAt(final RunResult run, final double[] quantiles)
    {
        final double[] values = new double[quantiles.length];
        for (int i = 0; i < quantiles.length; i++)
        {
            values[i] = percentile(run, quantiles[i]) / 1e3;
        }
        return values;
    }

    private static double score(final RunResult run)
    {
        return run.getPrimaryResult().getScore();
    }

    private static double percentile(final RunResult run, final double percentile)
    {
        return run.getPrimaryResult().getStatistics().getPercentile(percentile);
    }

    private static String trim(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : Double.toString(value);
    }

    private static String num(final double value)
    {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.1f", value);
    }
}
