package io.junction.perf.core;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

import io.junction.Junction;
import io.junction.MessageHandler;
import io.junction.Subscription;
import io.junction.SubscriptionOptions;

/**
 * Subscribe and unsubscribe rates with many subscriptions present (issue 14's goal: at least 100,000 a
 * second each with 100,000 present): 100,000 subscriptions are made first, then rounds of a batch of new
 * ones ({@code subscribeAsync}, timed until the last is in effect on every shard) and of closing that batch
 * (timed until every shard has removed their routes), each round's rate printed with the process's CPU time per
 * operation (less sensitive to a loaded machine than the wall-clock rate) and the collections that fell into it;
 * then p10, median and p90 of the rounds' rates (after the warm-up rounds, which are printed but not counted).
 * <p>
 * {@code java -cp perf/target/benchmarks.jar io.junction.perf.core.SubscribeRateRun [present] [batch] [rounds]
 * [warm-up rounds]}
 */
public final class SubscribeRateRun
{
    private SubscribeRateRun()
    {
    }

    public static void main(final String[] args)
    {
        final int present = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        final int batch = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        final int warmUp = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        final MessageHandler handler = message -> { };
        try (Junction junction = Junction.launch(new Junction.Context()))
        {
            Subscription last = null;
            for (int i = 0; i < present; i++)
            {
                last = junction.subscribeAsync("users." + i + ".inbox", handler, SubscriptionOptions.defaults());
            }
            awaitInEffect(last);
            final String[] patterns = new String[batch];
            final Subscription[] made = new Subscription[batch];
            final double[] subscribeRates = new double[rounds];
            final double[] closeRates = new double[rounds];
            long gcCount = 0;
            long gcMs = 0;
            for (int round = -warmUp; round < rounds; round++)
            {
                for (int i = 0; i < batch; i++)
                {
                    patterns[i] = "sessions." + round + "." + i + ".events";
                }
                final long gcCount0 = gcCount();
                final long gcMs0 = gcMs();
                final long cpu0 = processCpuNs();
                final long start = System.nanoTime();
                for (int i = 0; i < batch; i++)
                {
                    made[i] = junction.subscribeAsync(patterns[i], handler, SubscriptionOptions.defaults());
                }
                awaitInEffect(made[batch - 1]);
                final long subscribeNs = System.nanoTime() - start;
                final long cpu1 = processCpuNs();
                for (int i = 0; i < batch; i++)
                {
                    made[i].close();
                }
                // A shard applies its commands in order: once a subscription made after the closes is in effect,
                // every shard has removed the closed ones' routes too.
                final Subscription sentinel = junction.subscribeAsync("sentinel." + round, handler,
                    SubscriptionOptions.defaults());
                awaitInEffect(sentinel);
                final long closeNs = System.nanoTime() - start - subscribeNs;
                final long cpu2 = processCpuNs();
                sentinel.close();
                final long roundGcs = gcCount() - gcCount0;
                final long roundGcMs = gcMs() - gcMs0;
                final double subscribeRate = batch * 1e9 / subscribeNs;
                final double closeRate = batch * 1e9 / closeNs;
                if (round >= 0)
                {
                    subscribeRates[round] = subscribeRate;
                    closeRates[round] = closeRate;
                    gcCount += roundGcs;
                    gcMs += roundGcMs;
                }
                System.out.printf(Locale.ROOT, "%s %d, %,d present: subscribe %,.0f/s (%,.0f CPU ns each), " +
                    "close %,.0f/s (%,.0f CPU ns each); %d GCs, %d ms of GC%n", round < 0 ? "warm-up" : "round",
                    round, present, subscribeRate, (cpu1 - cpu0) / (double)batch, closeRate,
                    (cpu2 - cpu1) / (double)batch, roundGcs, roundGcMs);
            }
            Arrays.sort(subscribeRates);
            Arrays.sort(closeRates);
            System.out.printf(Locale.ROOT, "%d rounds of %,d: subscribe p10 %,.0f median %,.0f p90 %,.0f /s; " +
                "close p10 %,.0f median %,.0f p90 %,.0f /s; %d GCs, %d ms of GC (goal >= 100,000/s)%n",
                rounds, batch, percentile(subscribeRates, 10), percentile(subscribeRates, 50),
                percentile(subscribeRates, 90), percentile(closeRates, 10), percentile(closeRates, 50),
                percentile(closeRates, 90), gcCount, gcMs);
        }
    }

    /**
     * @return the nearest-rank percentile of sorted values.
     */
    private static double percentile(final double[] sorted, final int percent)
    {
        final int rank = (int)Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    private static long gcMs()
    {
        long ms = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }

    private static void awaitInEffect(final Subscription subscription)
    {
        // Parks rather than spins: on a loaded 2-core machine a spinning caller takes the core the shard needs.
        while (!subscription.isInEffect())
        {
            LockSupport.parkNanos(20_000);
        }
    }

    private static long processCpuNs()
    {
        final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }
}
