package io.junction.perf.overload;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.ThreadingMode;
import io.junction.regulate.RegulationConfig;

/**
 * The overload benchmark: measure the switch's capacity, then sweep an open-loop offered load from 0.5x
 * to 4x of it, with load regulation (CoDel sojourn shedding at the edge, a ring reserve for CRITICAL) and
 * without it (the baseline: plain back pressure, the generator retrying), both sides of each step back to
 * back in the same run. Writes CSV, JSON and a PNG
 * plot to {@code perf/results/} (or {@code -Doverload.out=DIR}).
 * <p>
 * Run: {@code java <junction jvm flags> -cp perf/target/benchmarks.jar io.junction.perf.overload.OverloadBenchmark}
 * <p>
 * Settings (system properties): {@code overload.serviceNs} subscriber work per message (default 5000),
 * {@code overload.warmupSeconds} (0.5) and {@code overload.windowSeconds} (2) per step,
 * {@code overload.multipliers} ("0.5,1,1.5,2,3,4"), {@code overload.codelTargetUs} (500),
 * {@code overload.codelIntervalUs} (10000), {@code overload.ringSize} (8192), {@code overload.outboxCapacity} (16),
 * {@code overload.expressCritical} (true: regulated steps give CRITICAL the express lane).
 */
public final class OverloadBenchmark
{
    /**
     * The sweep's settings: from system properties ({@link #Settings()}), or given by the perf suite.
     */
    public static final class Settings
    {
        final long serviceNs;
        final double warmupSeconds;
        final double windowSeconds;
        final String multipliers;
        final long codelTargetNs;
        final long codelIntervalNs;
        final int ringSize;
        final int outboxCapacity;
        final boolean expressCritical;
        final Path out;
        final double capacityWarmupSeconds;
        final double capacityWindowSeconds;

        /** From the system properties of the class comment, with their defaults. */
        public Settings()
        {
            this(Double.parseDouble(System.getProperty("overload.warmupSeconds", "0.5")),
                Double.parseDouble(System.getProperty("overload.windowSeconds", "2")),
                System.getProperty("overload.multipliers", "0.5,1,1.5,2,3,4"),
                2, 3, Path.of(System.getProperty("overload.out", "perf/results")));
        }

        /**
         * The system properties' service time, CoDel and sizes, with the durations and steps given (the perf
         * suite's quick and full modes).
         */
        public Settings(
            final double warmupSeconds,
            final double windowSeconds,
            final String multipliers,
            final double capacityWarmupSeconds,
            final double capacityWindowSeconds,
            final Path out)
        {
            this.serviceNs = Long.getLong("overload.serviceNs", 5000);
            this.warmupSeconds = warmupSeconds;
            this.windowSeconds = windowSeconds;
            this.multipliers = multipliers;
            this.codelTargetNs = TimeUnit.MICROSECONDS.toNanos(Long.getLong("overload.codelTargetUs", 500));
            this.codelIntervalNs = TimeUnit.MICROSECONDS.toNanos(Long.getLong("overload.codelIntervalUs", 10_000));
            this.ringSize = Integer.getInteger("overload.ringSize", 8192);
            this.outboxCapacity = Integer.getInteger("overload.outboxCapacity", 16);
            this.expressCritical = Boolean.parseBoolean(System.getProperty("overload.expressCritical", "true"));
            this.out = out;
            this.capacityWarmupSeconds = capacityWarmupSeconds;
            this.capacityWindowSeconds = capacityWindowSeconds;
        }

        public long serviceNs()
        {
            return serviceNs;
        }

        public long codelTargetNs()
        {
            return codelTargetNs;
        }

        public long codelIntervalNs()
        {
            return codelIntervalNs;
        }

        public String multipliers()
        {
            return multipliers;
        }

        /** Roughly how long {@link #sweep} takes with these settings, in seconds. */
        public double estimateSeconds()
        {
            final int steps = multipliers.split(",").length;
            return 2 * (capacityWarmupSeconds + capacityWindowSeconds) +
                (2 + 2 * steps) * (warmupSeconds + windowSeconds + 0.2);
        }
    }

    /**
     * What one sweep measured: the capacity before and after, and each step (regulated and baseline).
     */
    public static final class Sweep
    {
        private final Settings settings;
        private final double capacity;
        private final double capacityAfter;
        private final Instant started;
        private final List<StepResult> steps;
        private final String loadAtStart;

        Sweep(
            final Settings settings,
            final double capacity,
            final double capacityAfter,
            final Instant started,
            final List<StepResult> steps,
            final String loadAtStart)
        {
            this.settings = settings;
            this.capacity = capacity;
            this.capacityAfter = capacityAfter;
            this.started = started;
            this.steps = steps;
            this.loadAtStart = loadAtStart;
        }

        public double capacity()
        {
            return capacity;
        }

        public double capacityAfter()
        {
            return capacityAfter;
        }

        /**
         * One row per step: {@link #ROW_COLUMNS}.
         */
        public List<List<String>> rows()
        {
            final List<List<String>> rows = new ArrayList<>();
            for (final StepResult r : steps)
            {
                final List<String> row = new ArrayList<>(List.of(r.mode,
                    String.format(Locale.ROOT, "%.1f", r.multiplier), Long.toString(r.offeredRate),
                    String.format(Locale.ROOT, "%.0f", r.goodput()),
                    String.format(Locale.ROOT, "%.1f", 100 * r.goodput() / capacity)));
                for (final Priority p : new Priority[]{ Priority.CRITICAL, Priority.HIGH, Priority.BULK })
                {
                    final int c = p.ordinal();
                    row.add(Long.toString(r.shed[c]));
                    row.add(Long.toString(r.unsent[c]));
                    row.add(num(r.micros(p, 50)));
                    row.add(num(r.micros(p, 99)));
                }
                rows.add(row);
            }
            return rows;
        }

        public static final List<String> ROW_COLUMNS = List.of("mode", "multiplier", "offered_per_s",
            "goodput_per_s", "goodput_pct_capacity",
            "critical_shed", "critical_unsent", "critical_p50_us", "critical_p99_us",
            "high_shed", "high_unsent", "high_p50_us", "high_p99_us",
            "bulk_shed", "bulk_unsent", "bulk_p50_us", "bulk_p99_us");

        private static String num(final double value)
        {
            return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.1f", value);
        }

        /**
         * Writes {@code dir/base.{csv,json,png}} (the plot: goodput and per-class p99 against offered load).
         *
         * @return the PNG.
         */
        public Path write(final Path dir, final String base) throws java.io.IOException
        {
            return new OverloadReport(settings, capacity, capacityAfter, started, steps, loadAtStart).write(dir, base);
        }
    }

    /** Below this measured capacity (msg/s) the sweep is refused. */
    static final int MIN_CAPACITY = 100;

    private OverloadBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Settings settings = new Settings();
        final Sweep sweep = sweep(settings, System.out::println);
        final String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(java.time.ZoneOffset.UTC).format(sweep.started);
        final Path png = sweep.write(settings.out, "overload-" + stamp);
        System.out.println("wrote " + png.toString().replaceFirst("\\.png$", "") + ".{csv,json,png}");
    }

    /**
     * Measures the capacity, sweeps the offered load (both sides of each step back to back), and measures the
     * capacity again.
     *
     * @param progress a line per step.
     */
    public static Sweep sweep(final Settings settings, final Consumer<String> progress)
    {
        final Instant started = Instant.now();
        final String loadAtStart = OverloadReport.loadAverage();
        final double capacity = measureCapacity(settings);
        if (capacity < MIN_CAPACITY)
        {
            // The pipeline thread hardly ran in the window: the machine is too busy for the sweep to mean anything.
            throw new IllegalStateException(String.format(Locale.ROOT, "capacity measured as %.0f msg/s in %.1f s " +
                "(below %d): the machine is too busy to sweep", capacity, settings.capacityWindowSeconds,
                MIN_CAPACITY));
        }
        progress.accept(String.format(Locale.ROOT, "capacity: %.0f msg/s (service time %d ns)",
            capacity, settings.serviceNs));

        final RegulationConfig regulated = RegulationConfig.none()
            .withCodel(settings.codelTargetNs, settings.codelIntervalNs)
            .withCriticalReserve(settings.ringSize / 8);
        final LoadStep step = new LoadStep(settings);
        // Compile the regulated path before measuring it: on 2 cores the JIT's threads would otherwise
        // stall the first regulated step, and CoDel would shed for them.
        for (final double multiplier : new double[]{ 1.0, 2.0 })
        {
            step.run("warm-up", regulated, multiplier, Math.round(capacity * multiplier));
        }
        final List<StepResult> results = new ArrayList<>();
        // Each step runs both sides back to back, so that both see the same machine (it is shared).
        for (final String m : settings.multipliers.split(","))
        {
            final double multiplier = Double.parseDouble(m.trim());
            for (final String mode : new String[]{ "regulated", "baseline" })
            {
                final long rate = Math.round(capacity * multiplier);
                final StepResult result = step.run(
                    mode, "regulated".equals(mode) ? regulated : RegulationConfig.none(), multiplier, rate);
                results.add(result);
                progress.accept(OverloadReport.summary(result, capacity));
            }
        }
        // The same measurement again: on a shared machine the capacity drifts, and this shows by how much.
        final double capacityAfter = measureCapacity(settings);
        progress.accept(String.format(Locale.ROOT, "capacity after the sweep: %.0f msg/s", capacityAfter));
        return new Sweep(settings, capacity, capacityAfter, started, results, loadAtStart);
    }

    /**
     * Closed loop, regulation off: offer as fast as the switch takes them, for a warm-up and a window;
     * capacity is what the subscriber received per second in the window.
     */
    static double measureCapacity(final Settings settings)
    {
        final AtomicLong delivered = new AtomicLong();
        final long serviceNs = settings.serviceNs;
        final Junction junction = Junction.launch(new Junction.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .ringSize(settings.ringSize));
        junction.subscribe(LoadStep.TOPIC, (message) ->
        {
            final long startNs = System.nanoTime();
            delivered.lazySet(delivered.get() + 1);
            while (System.nanoTime() - startNs < serviceNs)
            {
                Thread.onSpinWait();
            }
        }, io.junction.SubscriptionOptions.defaults()
            .slowSubscriberPolicy(io.junction.SlowSubscriberPolicy.BACK_PRESSURE)
            .outboxCapacity(settings.outboxCapacity));
        final LoadStep.PipelineThread pipeline = new LoadStep.PipelineThread(junction);
        pipeline.start();

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        final long warmEnd = System.nanoTime() + (long)(settings.capacityWarmupSeconds * 1e9);
        final long windowNs = (long)(settings.capacityWindowSeconds * 1e9);
        long windowStart = 0;
        long deliveredAtStart = 0;
        long i = 0;
        while (true)
        {
            final long now = System.nanoTime();
            if (0 == windowStart && now >= warmEnd)
            {
                windowStart = now;
                deliveredAtStart = delivered.get();
            }
            if (0 != windowStart && now - windowStart >= windowNs)
            {
                break;
            }
            buffer.putLong(0, now);
            if (OfferResult.isAccepted(junction.offer(LoadStep.TOPIC, LoadStep.classOf(i), buffer, 0, 16)))
            {
                i++;
            }
            else
            {
                Thread.onSpinWait();
            }
        }
        final double rate = (delivered.get() - deliveredAtStart) / (windowNs / 1e9);
        pipeline.halt();
        junction.close();
        return rate;
    }
}
