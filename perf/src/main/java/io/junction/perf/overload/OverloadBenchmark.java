package io.junction.perf.overload;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
    static final class Settings
    {
        final long serviceNs = Long.getLong("overload.serviceNs", 5000);
        final double warmupSeconds = Double.parseDouble(System.getProperty("overload.warmupSeconds", "0.5"));
        final double windowSeconds = Double.parseDouble(System.getProperty("overload.windowSeconds", "2"));
        final String multipliers = System.getProperty("overload.multipliers", "0.5,1,1.5,2,3,4");
        final long codelTargetNs = TimeUnit.MICROSECONDS.toNanos(Long.getLong("overload.codelTargetUs", 500));
        final long codelIntervalNs = TimeUnit.MICROSECONDS.toNanos(Long.getLong("overload.codelIntervalUs", 10_000));
        final int ringSize = Integer.getInteger("overload.ringSize", 8192);
        final int outboxCapacity = Integer.getInteger("overload.outboxCapacity", 16);
        final boolean expressCritical = Boolean.parseBoolean(System.getProperty("overload.expressCritical", "true"));
        final Path out = Path.of(System.getProperty("overload.out", "perf/results"));
    }

    private OverloadBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Settings settings = new Settings();
        final Instant started = Instant.now();
        final String loadAtStart = OverloadReport.loadAverage();
        final double capacity = measureCapacity(settings);
        System.out.printf(Locale.ROOT, "capacity: %.0f msg/s (service time %d ns)%n", capacity, settings.serviceNs);

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
                System.out.println(OverloadReport.summary(result, capacity));
            }
        }
        // The same measurement again: on a shared machine the capacity drifts, and this shows by how much.
        final double capacityAfter = measureCapacity(settings);
        System.out.printf(Locale.ROOT, "capacity after the sweep: %.0f msg/s%n", capacityAfter);
        new OverloadReport(settings, capacity, capacityAfter, started, results, loadAtStart).write();
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
        final long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        final long windowNs = TimeUnit.SECONDS.toNanos(3);
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
