package io.junction.perf.suite;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.junction.perf.suite.CoreThroughputRun.Backoff;
import io.junction.perf.suite.CoreThroughputRun.Config;
import io.junction.perf.suite.CoreThroughputRun.Figure;

/**
 * Throughput on the defaults: one publisher, one subscriber, 64 B, through the embedded switch (multi-producer
 * offer, as by default) beside its baseline, a raw multi-producer Disruptor ring of the same size with one
 * consumer, under both kinds of publisher: one that spins when the ring is full and one that parks 1 ns (as
 * JMH's does). Junction and the baseline alternate within each trial in one process; medians of the trials,
 * with the process's CPU time per message delivered, which load disturbs less than the rate.
 */
public final class CoreThroughputSection implements Section
{
    static final String KEY = "core-throughput";
    /** The goal of issue 14 item 7: Junction's defaults at this share of the baseline or better. */
    static final double GOAL = 0.7;

    private record Plan(long warmupNs, long windowNs, int trials)
    {
    }

    private static Plan plan(final SuiteOptions options)
    {
        return switch (options.mode)
        {
            case "tiny" -> new Plan(TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.MILLISECONDS.toNanos(200), 1);
            case "quick" -> new Plan(TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.MILLISECONDS.toNanos(400), 3);
            default -> new Plan(TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.SECONDS.toNanos(1), 5);
        };
    }

    @Override
    public String title()
    {
        return "Core throughput on the defaults: one publisher (spinning or parking) beside a raw multi-producer ring";
    }

    @Override
    public long estimateSeconds(final SuiteOptions options)
    {
        final Plan plan = plan(options);
        final int runs = Backoff.values().length * (Config.values().length + 1) * plan.trials;
        return Math.round(runs * ((plan.warmupNs + plan.windowNs) / 1e9 + 0.1));
    }

    @Override
    public void run(final SuiteOptions options, final SuiteResults results) throws Exception
    {
        final Plan plan = plan(options);
        final List<List<String>> rows = new ArrayList<>();
        final StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%d core(s). One publisher thread offers 64 B on one topic as fast as " +
            "it can; one subscriber reads a byte of each message. The baseline is a raw multi-producer Disruptor " +
            "ring of %,d slots (the switch's ring size; `offer` is multi-producer by default), the publisher copying " +
            "the 64 B into the slot, one consumer thread, YieldingWaitStrategy. Junction and the baseline alternate " +
            "within each trial; median of %d window(s) of %d ms after %d ms of warm-up. CPU ns/msg is the process's " +
            "CPU time over the window per message delivered (all threads). Goal: Junction's defaults ≥ %.1f× the " +
            "baseline under both publishers.%n%n", Runtime.getRuntime().availableProcessors(),
            CoreThroughputRun.RING_SIZE, plan.trials, TimeUnit.NANOSECONDS.toMillis(plan.windowNs),
            TimeUnit.NANOSECONDS.toMillis(plan.warmupNs), GOAL));
        md.append("| publisher when full | configuration | msg/s | CPU ns/msg | baseline msg/s | baseline CPU ns/msg " +
            "| ÷ baseline |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");

        for (final Backoff backoff : Backoff.values())
        {
            final Config[] configs = Config.values();
            final double[][] rate = new double[configs.length][plan.trials];
            final double[][] cpu = new double[configs.length][plan.trials];
            final double[] rawRate = new double[plan.trials];
            final double[] rawCpu = new double[plan.trials];
            for (int t = 0; t < plan.trials; t++)
            {
                // Alternate within each trial, so drift in the machine's load hits both alike.
                for (int c = 0; c < configs.length; c++)
                {
                    final Figure figure = CoreThroughputRun.junction(configs[c], backoff, plan.warmupNs, plan.windowNs);
                    rate[c][t] = figure.messagesPerSecond();
                    cpu[c][t] = figure.cpuNsPerMessage();
                }
                final Figure raw = CoreThroughputRun.rawMultiProducer(backoff, plan.warmupNs, plan.windowNs);
                rawRate[t] = raw.messagesPerSecond();
                rawCpu[t] = raw.cpuNsPerMessage();
            }
            final double baseline = median(rawRate);
            final double baselineCpu = median(rawCpu);
            for (int c = 0; c < configs.length; c++)
            {
                final double junction = median(rate[c]);
                final double junctionCpu = median(cpu[c]);
                final String over = String.format(Locale.ROOT, "%.2f", junction / baseline);
                rows.add(List.of(backoff.name().toLowerCase(Locale.ROOT), configs[c].name().toLowerCase(Locale.ROOT),
                    fixed(junction), fixed(junctionCpu), fixed(baseline), fixed(baselineCpu), over));
                md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %,.0f | %,.0f | %s |%n",
                    backoff.name().toLowerCase(Locale.ROOT), configs[c].label, junction, junctionCpu, baseline,
                    baselineCpu, over));
                results.note(String.format(Locale.ROOT, "core throughput (%s publisher): %s %,.0f msg/s (%,.0f CPU " +
                    "ns/msg), raw multi-producer ring %,.0f msg/s: %sx", backoff.name().toLowerCase(Locale.ROOT),
                    configs[c].label, junction, junctionCpu, baseline, over));
            }
        }
        results.tables.add(new SuiteResults.Table(KEY, title(), List.of("publisher_backoff", "configuration",
            "junction_msgs_per_s", "junction_cpu_ns_per_msg", "raw_mp_msgs_per_s", "raw_mp_cpu_ns_per_msg",
            "junction_over_raw"), rows));
        md.append("\nThe JMH pair of the same comparison (`DefaultsThroughputBenchmark` beside " +
            "`RawMultiProducerBenchmark`) runs in the JMH section.\n");
        results.fragments.add(new SuiteResults.Fragment(title(), md.toString()));
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static String fixed(final double value)
    {
        return String.format(Locale.ROOT, "%.0f", value);
    }
}
