package io.junction.perf.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The shared workload over every target: per workload, the throughput, then the latency at each fixed
 * rate (on the first workload, also the extra rates of the capacity curve). Once a target saturates at
 * a rate, its higher rates are not run (they could only be worse) and the report says so.
 */
public final class SharedWorkloadSection implements Section
{
    private static final long READY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(15);

    private final List<Supplier<Target>> targets;

    public SharedWorkloadSection(final List<Supplier<Target>> targets)
    {
        this.targets = targets;
    }

    @Override
    public String title()
    {
        return "Shared workload: Junction, limits and peers";
    }

    @Override
    public long estimateSeconds(final SuiteOptions options)
    {
        double seconds = 0;
        for (final Supplier<Target> supplier : targets)
        {
            final Target target = supplier.get();
            if (options.includes(target) && (options.variants || !target.variant()))
            {
                seconds += target.startSeconds() + perTargetSeconds(options);
            }
        }
        return Math.round(seconds);
    }

    /** A target that keeps up: per workload a warm-up and the throughput trials, then each rate's latency point. */
    static double perTargetSeconds(final SuiteOptions options)
    {
        double seconds = 0;
        boolean first = true;
        for (final Workload ignored : options.workloads)
        {
            final int rates = first ? options.allRatesForFirstWorkload().size() : options.rates.length;
            first = false;
            seconds += 0.3 + (1 + options.throughputTrials) * options.throughputNs / 1e9 +
                rates * (options.warmupNs + options.latencyNs) / 1e9;
        }
        return seconds;
    }

    @Override
    public void run(final SuiteOptions options, final SuiteResults results) throws Exception
    {
        for (final Supplier<Target> supplier : targets)
        {
            final Target target = supplier.get();
            if (!options.includes(target))
            {
                results.note("not selected: " + target.name());
                continue;
            }
            if (!options.variants && target.variant())
            {
                results.skip(target.name(), "a variant of another target: run in the full suite only, not in " +
                    options.mode + " mode");
                continue;
            }
            final Path workDir = Files.createTempDirectory("junction-bench-");
            try
            {
                runTarget(options, results, target, workDir);
            }
            finally
            {
                try
                {
                    target.close();
                }
                catch (final Exception ex)
                {
                    results.note("closing " + target.name() + " failed: " + ex);
                }
                deleteRecursively(workDir);
            }
        }
    }

    private static void runTarget(
        final SuiteOptions options, final SuiteResults results, final Target target, final Path workDir)
    {
        final long startNs = System.nanoTime();
        try
        {
            final String whyNot = target.prepare(workDir);
            if (null != whyNot)
            {
                results.skip(target.name(), whyNot);
                return;
            }
        }
        catch (final Exception ex)
        {
            results.skip(target.name(), "could not start: " + ex.getMessage());
            return;
        }
        results.targets.add(new SuiteResults.TargetInfo(
            target.name(), target.kind(), target.transport(), target.version(), target.semantics()));
        results.note(target.name() + " ready (" + target.version() + ") in " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms");

        boolean first = true;
        for (final Workload workload : options.workloads)
        {
            final List<Long> rates = first ? options.allRatesForFirstWorkload() :
                java.util.Arrays.stream(options.rates).boxed().toList();
            first = false;
            runWorkload(options, results, target, workload, rates);
        }
        results.note(target.name() + " done in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms");
    }

    private static void runWorkload(
        final SuiteOptions options,
        final SuiteResults results,
        final Target target,
        final Workload workload,
        final List<Long> rates)
    {
        final String what = target.name() + " " + workload.label();
        final Receivers receivers = new Receivers(workload.subscribers());
        try (WorkloadRunner runner = new WorkloadRunner(target, workload, receivers, options.drainTimeoutNs))
        {
            if (!runner.awaitReady(READY_TIMEOUT_NS))
            {
                results.skip(what, "no subscriber received a probe within " +
                    TimeUnit.NANOSECONDS.toSeconds(READY_TIMEOUT_NS) + " s");
                return;
            }
            // A run first that is not counted: the JIT compiles the path (the harness's and the target's).
            final ThroughputResult warmup = runner.throughput(options.throughputNs);
            if (warmup.delivered() < warmup.sent() && !reconnect(runner, results, what))
            {
                return;
            }
            final ThroughputResult throughput = runner.throughput(options.throughputNs, options.throughputTrials);
            results.throughput.add(throughput);
            results.note(String.format(Locale.ROOT, "%s: %,.0f msg/s (median of %d; %,d sent, %,d delivered " +
                "to the slowest)", what, throughput.msgsPerSec(), options.throughputTrials, throughput.sent(),
                throughput.delivered()));
            if (throughput.delivered() < throughput.sent() && !reconnect(runner, results, what))
            {
                return;
            }
            for (final long rate : rates)
            {
                final LatencyResult latency = runner.latency(rate, options.warmupNs, options.latencyNs);
                results.latency.add(latency);
                final Percentiles p = latency.latency();
                results.note(String.format(Locale.ROOT, "%s @ %,d msg/s: p50 %.1f us, p99 %.1f us, " +
                    "p99.99 %.1f us, max %.1f us, send lag p99 %.1f us%s", what, rate, p.p50Ns() / 1e3,
                    p.p99Ns() / 1e3, p.p9999Ns() / 1e3, p.maxNs() / 1e3, latency.sendLag().p99Ns() / 1e3,
                    latency.saturated() ? " (SATURATED)" : ""));
                if (latency.saturated())
                {
                    final List<Long> higher = rates.stream().filter(r -> r > rate).toList();
                    if (!higher.isEmpty())
                    {
                        results.skip(what + " at " + higher + " msg/s", "saturated at " + rate + " msg/s");
                    }
                    break;
                }
            }
        }
        catch (final Exception ex)
        {
            results.skip(what, "failed: " + ex);
        }
    }

    /**
     * A backlog the target did not drain would leak into the next runs: start afresh.
     */
    private static boolean reconnect(final WorkloadRunner runner, final SuiteResults results, final String what)
        throws Exception
    {
        runner.reconnect();
        if (!runner.awaitReady(READY_TIMEOUT_NS))
        {
            results.skip(what, "no subscriber received a probe after reconnecting");
            return false;
        }
        return true;
    }

    static void deleteRecursively(final Path dir)
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final Exception ignore)
        {
            // A temp directory left behind is not worth failing a run for.
        }
    }
}
