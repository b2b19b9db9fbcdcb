package io.junction.perf.journal;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;

import io.junction.perf.JmhRun;


/**
 * Runs {@link JournalBenchmark} (guaranteed publish beside raw Chronicle Queue appends of the same payload) in
 * one JMH run with the GC profiler, and writes perf/results/journal-DATE.{json,md} with the ratio.
 * <p>
 * Usage: {@code java -cp perf/target/benchmarks.jar io.junction.perf.journal.JournalBenchmarks [resultsDir] [--quick]}.
 */
public final class JournalBenchmarks
{
    private JournalBenchmarks()
    {
    }

    public static void main(final String[] args) throws RunnerException, IOException
    {
        JmhRun.run("journal", JournalBenchmark.class.getName(), args, JournalBenchmarks::report);
    }

    public static String report(final Collection<RunResult> results, final String machine)
    {
        final StringBuilder out = new StringBuilder();
        out.append("# Journal benchmark: guaranteed publish vs raw Chronicle Queue appends\n\n")
            .append(machine).append("\n\n");
        out.append("| benchmark | score | ± error (99.9%) | unit | p50 | p99 | p99.99 | max | alloc B/op |\n");
        out.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
        final Map<String, Double> scores = new HashMap<>();
        for (final RunResult run : results)
        {
            final Result<?> primary = run.getPrimaryResult();
            final String name = run.getParams().getBenchmark().replaceFirst(".*\\.", "") +
                " (payload " + run.getParams().getParam("payloadLength") + " B)";
            final Result<?> alloc = run.getSecondaryResults().get("gc.alloc.rate.norm");
            final boolean sampled = "ns/op".equals(primary.getScoreUnit());
            out.append(String.format(Locale.ROOT, "| %s | %,.1f | %,.1f | %s | %s | %s | %s | %s | %s |%n",
                name, primary.getScore(), primary.getScoreError(), primary.getScoreUnit(),
                sampled ? percentile(run, 50) : "", sampled ? percentile(run, 99) : "",
                sampled ? percentile(run, 99.99) : "", sampled ? percentile(run, 100) : "",
                null == alloc ? "n/a" : String.format(Locale.ROOT, "%.2f", alloc.getScore())));
            scores.put(run.getParams().getBenchmark().replaceFirst(".*\\.", ""), primary.getScore());
        }

        final Double guaranteed = scores.get("guaranteedPublish");
        final Double raw = scores.get("rawChronicleAppend");
        final Double writer = scores.get("journalWriterAppend");
        if (null != guaranteed && null != raw)
        {
            out.append(String.format(Locale.ROOT, "%n## Guaranteed publish throughput as a share of raw appends%n%n" +
                "| guaranteed msg/s | raw appends/s | ratio (goal >= 70%%) |%n| ---: | ---: | ---: |%n" +
                "| %,.0f | %,.0f | %.0f%% |%n", guaranteed, raw, 100.0 * guaranteed / raw));
        }
        if (null != writer && null != raw)
        {
            out.append(String.format(Locale.ROOT, "%nThe journal writer alone (record format, no pipeline): " +
                "%,.0f appends/s, %.0f%% of raw.%n", writer, 100.0 * writer / raw));
        }
        final Double writerBatch = scores.get("journalWriterAppendBatch");
        if (null != writerBatch && null != raw)
        {
            out.append(String.format(Locale.ROOT, "%nThe journal writer alone, batches of 64 records per document: " +
                "%,.0f records/s, %.0f%% of raw.%n", writerBatch, 100.0 * writerBatch / raw));
        }
        final Double rawRecordSize = scores.get("rawChronicleAppendRecordSize");
        if (null != rawRecordSize && null != raw)
        {
            out.append(String.format(Locale.ROOT, "%nRaw appends of documents the size of a journal record: " +
                "%,.0f appends/s, %.0f%% of raw appends of the payload.%n",
                rawRecordSize, 100.0 * rawRecordSize / raw));
        }
        return out.toString();
    }

    private static String percentile(final RunResult run, final double percentile)
    {
        return String.format(Locale.ROOT, "%,.0f",
            run.getPrimaryResult().getStatistics().getPercentile(percentile));
    }
}
