package io.junction.perf;

import java.io.IOException;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Runs the switch-core benchmarks in one JMH run, each beside its baseline, with the GC profiler, and
 * writes perf/results/core-DATE.{json,md}: publish→deliver vs the raw Disruptor hand-off (and their
 * ratio), publish→deliver on the defaults vs a raw multi-producer ring, shard scaling, and the router's match cost.
 * <p>
 * Usage: {@code java -jar perf/target/benchmarks.jar} is plain JMH; this is
 * {@code java -cp perf/target/benchmarks.jar io.junction.perf.CoreBenchmarks [resultsDir] [--quick]}.
 */
public final class CoreBenchmarks
{
    private CoreBenchmarks() {
    }

    public static void main(final String[] args) throws RunnerException, IOException
    {
        JmhRun.run(
            "core",
            "io.junction.perf.core.(PublishDeliverBenchmark|RawDisruptorBenchmark|DefaultsThroughputBenchmark|" +
            "RawMultiProducerBenchmark|ShardScalingBenchmark|RouterMatchBenchmark|PipelineCostBenchmark)",
            args,
            CoreBenchmarks::report);
    }

    static String report(final Collection<RunResult> results, final String machine)
    {
        final StringBuilder out = new StringBuilder();
        out.append("# Switch-core benchmarks\n\n").append(machine).append("\n\n");
        out.append("| benchmark | params | score | ± error (99.9%) | unit | alloc B/op |\n");
        out.append("| --- | --- | ---: | ---: | --- | ---: |\n");

        final Map<String, Double> throughput = new TreeMap<>();
        for (final RunResult run : results)
        {
            final Result<?> primary = run.getPrimaryResult();
            final String name = run.getParams().getBenchmark().replaceFirst(".*\\.perf\\.core\\.", "");
            final String params = run.getParams().getParamsKeys().stream()
                .map(key -> key + "=" + run.getParams().getParam(key))
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
            final Result<?> alloc = run.getSecondaryResults().get("gc.alloc.rate.norm");
            out.append(String.format(Locale.ROOT, "| %s | %s | %,.1f | %,.1f | %s | %s |%n",
                name, params, primary.getScore(), primary.getScoreError(), primary.getScoreUnit(),
                null == alloc ? "n/a" : String.format(Locale.ROOT, "%.3f", alloc.getScore())));
            throughput.put(name + (params.isEmpty() ? "" : " (" + params + ")"), primary.getScore());
        }

        final Double raw = throughput.get("RawDisruptorBenchmark.handOff");
        if (null != raw)
        {
            out.append("\n## Junction publish→deliver as a share of the raw Disruptor 1P1C hand-off (same run)\n\n");
            out.append("| configuration | Junction msg/s | raw msg/s | ratio |\n| --- | ---: | ---: | ---: |\n");
            throughput.forEach((name, score) ->
            {
                if (name.startsWith("PublishDeliverBenchmark"))
                {
                    out.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.0f%% |%n",
                        name, score, raw, 100.0 * score / raw));
                }
            });
        }
        final Double rawMulti = throughput.get("RawMultiProducerBenchmark.handOff");
        if (null != rawMulti)
        {
            final StringBuilder rows = new StringBuilder();
            throughput.forEach((name, score) ->
            {
                if (name.startsWith("DefaultsThroughputBenchmark"))
                {
                    rows.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f |%n",
                        name, score, rawMulti, score / rawMulti));
                }
            });
            if (rows.length() > 0)
            {
                // DROP_NEWEST scores offers; its forked output says how many of them were delivered.
                out.append(String.format(Locale.ROOT, "%n## Junction on its defaults as a share of a raw " +
                    "multi-producer ring (same run)%n%n| configuration | Junction msg/s | raw multi-producer msg/s | " +
                    "ratio (goal ≥ 0.70) |%n| --- | ---: | ---: | ---: |%n")).append(rows);
            }
        }
        return out.toString();
    }
}
