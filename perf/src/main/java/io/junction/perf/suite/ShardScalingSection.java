package io.junction.perf.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Shard scaling: 1, 2, 4 … shards (up to the machine's cores, and always 2), each fed by a publisher thread of
 * its own on a topic that falls on that shard, beside as many raw Disruptor rings fed the same way, run
 * alternately in one process. The report gives the aggregate rate per count, the efficiency against a
 * perfect line from one shard, a plot of both curves, and a model of what a bigger machine should show, fitted
 * from this run's figures.
 * <p>
 * On 2 cores the curve is expected flat: one shard already takes both cores (its publisher and its shard thread),
 * so a second only shares them. The model says where the line bends on 16 and 64 cores.
 */
public final class ShardScalingSection implements Section
{
    static final String KEY = "shard-scaling";
    /** A shard costs two busy threads under saturation: its publisher and its shard thread (handlers on it). */
    static final int THREADS_PER_SHARD = 2;

    private record Plan(long warmupNs, long windowNs, int trials)
    {
    }

    private static Plan plan(final SuiteOptions options)
    {
        return switch (options.mode)
        {
            case "tiny" -> new Plan(TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.MILLISECONDS.toNanos(200), 1);
            case "quick" -> new Plan(TimeUnit.MILLISECONDS.toNanos(300), TimeUnit.MILLISECONDS.toNanos(700), 1);
            default -> new Plan(TimeUnit.MILLISECONDS.toNanos(700), TimeUnit.SECONDS.toNanos(2), 3);
        };
    }

    /** 1, 2, 4 … up to the cores, always with 2 so that a 2-core machine shows a step. */
    static int[] counts(final int cores)
    {
        final List<Integer> counts = new ArrayList<>();
        for (int n = 1; n <= Math.max(2, cores); n <<= 1)
        {
            counts.add(n);
        }
        return counts.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String title()
    {
        return "Shard scaling: 1, 2, 4 … shards with as many publishers, beside raw Disruptor rings";
    }

    @Override
    public long estimateSeconds(final SuiteOptions options)
    {
        final Plan plan = plan(options);
        final int runs = counts(Runtime.getRuntime().availableProcessors()).length * 2 * plan.trials;
        return Math.round(runs * (plan.warmupNs + plan.windowNs) / 1e9 + runs * 0.3);
    }

    @Override
    public void run(final SuiteOptions options, final SuiteResults results) throws Exception
    {
        final Plan plan = plan(options);
        final int cores = Runtime.getRuntime().availableProcessors();
        final int[] counts = counts(cores);
        final double[] junction = new double[counts.length];
        final double[] raw = new double[counts.length];
        for (int i = 0; i < counts.length; i++)
        {
            final double[] junctionTrials = new double[plan.trials];
            final double[] rawTrials = new double[plan.trials];
            for (int t = 0; t < plan.trials; t++)
            {
                // Alternate the two within each trial, so drift in the machine's load hits both alike.
                junctionTrials[t] = ShardScalingRun.junction(counts[i], plan.warmupNs, plan.windowNs);
                rawTrials[t] = ShardScalingRun.rawRings(counts[i], plan.warmupNs, plan.windowNs);
            }
            junction[i] = median(junctionTrials);
            raw[i] = median(rawTrials);
            results.note(String.format(Locale.ROOT, "shard scaling: %d shard(s) %,.0f msg/s, %d raw ring(s) %,.0f msg/s",
                counts[i], junction[i], counts[i], raw[i]));
        }

        final List<List<String>> rows = new ArrayList<>();
        final List<List<String>> printed = new ArrayList<>();
        for (int i = 0; i < counts.length; i++)
        {
            final String over = ratio(junction[i], raw[i]);
            final String efficiency = ratio(junction[i], counts[i] * junction[0]);
            final String rawEfficiency = ratio(raw[i], counts[i] * raw[0]);
            rows.add(List.of(Integer.toString(counts[i]), String.format(Locale.ROOT, "%.0f", junction[i]),
                String.format(Locale.ROOT, "%.0f", raw[i]), over, efficiency, rawEfficiency));
            printed.add(List.of(Integer.toString(counts[i]), num(junction[i]), num(raw[i]), over, efficiency,
                rawEfficiency));
        }
        results.tables.add(new SuiteResults.Table(KEY, title(), List.of("shards", "junction_msgs_per_s",
            "raw_rings_msgs_per_s", "junction_over_raw", "junction_efficiency", "raw_efficiency"), rows));

        final Map<String, double[]> series = new LinkedHashMap<>();
        series.put("Junction, N shards, N publishers", junction);
        series.put("raw Disruptor, N rings, N publishers (limit)", raw);
        final Path chart = Charts.scaling("Shard scaling: aggregate messages/s against shards (and publishers)",
            counts, series, options.outputDir.resolve(KEY + ".png"));

        final StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%d core(s). Each shard has one publisher thread offering 64 B on a " +
            "topic hashed to that shard and one subscription on it (BACK_PRESSURE, handler on the shard's thread, " +
            "so a shard is one thread); the switch is otherwise on its defaults (multi-producer offer). The limit is " +
            "the same number of raw multi-producer Disruptor rings of %,d slots, the publisher copying the payload into " +
            "the slot, one consumer thread each, YieldingWaitStrategy. A publisher that finds its ring full yields. Median of %d " +
            "window(s) of %d ms after %d ms of warm-up, Junction and the limit alternating.%n%n", cores,
            ShardScalingRun.RING_SIZE, plan.trials, TimeUnit.NANOSECONDS.toMillis(plan.windowNs),
            TimeUnit.NANOSECONDS.toMillis(plan.warmupNs)));
        md.append("| shards (= publishers) | Junction msg/s | raw rings msg/s | Junction ÷ raw | Junction efficiency " +
            "| raw efficiency |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (final List<String> row : printed)
        {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        md.append("\nEfficiency is the rate at N over N times the rate at 1: 1.00 is a straight line.\n\n![shard scaling](")
            .append(chart.getFileName()).append(")\n\n");
        md.append(model(cores, junction[0], raw[0]));
        results.fragments.add(new SuiteResults.Fragment(title(), md.toString()));
        results.note(String.format(Locale.ROOT, "shard scaling: efficiency at %d shards %.2f (raw %.2f)",
            counts[counts.length - 1], junction[counts.length - 1] / (counts[counts.length - 1] * junction[0]),
            raw[counts.length - 1] / (counts[counts.length - 1] * raw[0])));
    }

    /**
     * What bigger machines should show, fitted from one shard's rate here: shards are independent (no shared
     * write path between them, each its own ring, sequence and subscriptions), so the aggregate grows with N
     * until the busy threads, {@link #THREADS_PER_SHARD} per shard, fill the cores, then stays flat.
     */
    static String model(final int cores, final double oneShard, final double oneRing)
    {
        final StringBuilder md = new StringBuilder("#### Model for bigger machines\n\n");
        md.append(String.format(Locale.ROOT, "A shard under saturation keeps %d threads busy (its publisher and its " +
            "shard thread), and shards share no write path, so the aggregate should grow in a line from one shard's " +
            "rate until %d × N reaches the cores, then stay flat (a shard beyond that only takes time from the " +
            "others). Fitted from this run's one-shard rate (%s msg/s; one raw ring %s msg/s), on cores of this " +
            "speed with one NUMA node:%n%n", THREADS_PER_SHARD, THREADS_PER_SHARD, num(oneShard), num(oneRing)));
        final int[] machines = { cores, 16, 64 };
        md.append("| shards |");
        for (final int machine : machines)
        {
            md.append(' ').append(machine).append(" cores: Junction | raw |");
        }
        md.append("\n| ---: |").append(" ---: | ---: |".repeat(machines.length)).append('\n');
        for (final int n : counts(64))
        {
            md.append("| ").append(n).append(" |");
            for (final int machine : machines)
            {
                md.append(' ').append(num(predicted(n, machine, oneShard))).append(" | ")
                    .append(num(predicted(n, machine, oneRing))).append(" |");
            }
            md.append('\n');
        }
        md.append("\nWhat bends the real curve below this line: a memory bus shared by every shard (64 B payloads use " +
            "little of it), cross-socket traffic once shards and their publishers land on different NUMA nodes (pin " +
            "them with `cpuAffinity`), the journal's disk for guaranteed messages, and publishers that share one " +
            "shard (a multi-producer ring's claim is a contended CAS). On this machine the measured efficiency above " +
            "is the check: where it is far below the model's at N ≤ cores / " + THREADS_PER_SHARD +
            ", something shared is in the way. On 2 cores one shard often leaves part of a core idle (its shard " +
            "thread parks when it catches up), so a second shard can still add a little.\n");
        return md.toString();
    }

    static double predicted(final int shards, final int cores, final double oneShard)
    {
        final int busy = Math.max(1, cores / THREADS_PER_SHARD);
        return Math.min(shards, busy) * oneShard;
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static String ratio(final double a, final double b)
    {
        return b > 0 ? String.format(Locale.ROOT, "%.2f", a / b) : "";
    }

    private static String num(final double value)
    {
        return String.format(Locale.ROOT, "%,.0f", value);
    }
}
