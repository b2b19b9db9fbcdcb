package io.junction.perf.core;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import com.lmax.disruptor.util.DaemonThreadFactory;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.SubscriptionOptions;

/**
 * Latency on the defaults at a fixed rate (10,000 msg/s, 64 B), publisher to handler, timed from the
 * intended send time, in one run: a raw Disruptor with {@code BlockingWaitStrategy} (the usual low-CPU
 * choice, one hop), Junction on its defaults (the shard and the delivery agent each park, and a producer
 * wakes the parked consumer), and Junction with the same backoff idle strategies but no wake signal (what
 * the defaults were). Then the CPU an idle switch uses, from its threads' CPU time over a quiet interval.
 * <p>
 * {@code java -cp perf/target/benchmarks.jar io.junction.perf.core.WakeLatencyBenchmark [seconds]}
 */
public final class WakeLatencyBenchmark
{
    private static final int RATE = 10_000;
    private static final int PAYLOAD = 64;

    private WakeLatencyBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        System.out.printf("# %d msg/s, %d B, %d s each after 2 s of warm-up; %d cores%n",
            RATE, PAYLOAD, seconds, Runtime.getRuntime().availableProcessors());
        System.out.println("target                          p50 us    p99 us  p99.9 us    max us");
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        for (int round = 0; round < rounds; round++) // alternate, so a burst of load elsewhere hits all alike
        {
            report("raw Disruptor, BlockingWait", rawDisruptor(seconds));
            report("Junction defaults (wake)", junction(seconds, true));
            report("Junction backoff, no wake", junction(seconds, false));
        }
        idleCpu();
    }

    private static void report(final String name, final Histogram histogram)
    {
        System.out.printf("%-30s %9.1f %9.1f %9.1f %9.1f%n", name,
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3);
    }

    /** The message carries its intended send time; the handler records now minus that. */
    private static final class Event
    {
        long intendedNs;
    }

    private static Histogram rawDisruptor(final int seconds) throws Exception
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final AtomicLong recordFrom = new AtomicLong(Long.MAX_VALUE);
        final Disruptor<Event> disruptor = new Disruptor<>(Event::new, 8192, DaemonThreadFactory.INSTANCE,
            ProducerType.MULTI, new BlockingWaitStrategy());
        disruptor.handleEventsWith((event, sequence, endOfBatch) -> record(histogram, recordFrom, event.intendedNs));
        final RingBuffer<Event> ring = disruptor.start();
        pace(seconds, recordFrom, (intendedNs) ->
        {
            final long sequence = ring.next();
            ring.get(sequence).intendedNs = intendedNs;
            ring.publish(sequence);
        });
        disruptor.shutdown();
        return histogram;
    }

    private static Histogram junction(final int seconds, final boolean wake) throws Exception
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final AtomicLong recordFrom = new AtomicLong(Long.MAX_VALUE);
        final Junction.Context ctx = new Junction.Context();
        if (!wake)
        {
            // The same backoff as the default, as a supplier of the application's: no wake signal.
            ctx.pipelineIdleStrategySupplier(WakeLatencyBenchmark::backoff)
                .deliveryIdleStrategySupplier(WakeLatencyBenchmark::backoff);
        }
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
        try (Junction junction = Junction.launch(ctx))
        {
            junction.subscribe("latency.probe",
                message -> record(histogram, recordFrom, message.buffer().getLong(message.offset())),
                SubscriptionOptions.defaults());
            pace(seconds, recordFrom, (intendedNs) ->
            {
                payload.putLong(0, intendedNs);
                while (junction.offer("latency.probe", Priority.NORMAL, payload, 0, PAYLOAD) ==
                    OfferResult.BACK_PRESSURED)
                {
                    Thread.onSpinWait();
                }
            });
        }
        return histogram;
    }

    private static BackoffIdleStrategy backoff()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
    }

    private static void record(final Histogram histogram, final AtomicLong recordFrom, final long intendedNs)
    {
        final long nowNs = System.nanoTime();
        if (intendedNs >= recordFrom.get())
        {
            histogram.recordValue(Math.min(nowNs - intendedNs, histogram.getHighestTrackableValue()));
        }
    }

    /**
     * Send at the fixed rate, each at its intended time (parking until close to it, then spinning), so a
     * slow hop shows as latency rather than as a lower rate.
     */
    private static void pace(final int seconds, final AtomicLong recordFrom, final LongConsumer send)
        throws InterruptedException
    {
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / RATE;
        final long startNs = System.nanoTime();
        recordFrom.set(startNs + TimeUnit.SECONDS.toNanos(2));
        final long endNs = startNs + TimeUnit.SECONDS.toNanos(2L + seconds);
        long intendedNs = startNs;
        while (intendedNs < endNs)
        {
            long waitNs;
            while ((waitNs = intendedNs - System.nanoTime()) > 0)
            {
                if (waitNs > 20_000)
                {
                    LockSupport.parkNanos(waitNs - 15_000);
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
            send.accept(intendedNs);
            intendedNs += intervalNs;
        }
        Thread.sleep(200); // let the last ones arrive
    }

    private static void idleCpu() throws InterruptedException
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Junction junction = Junction.launch(new Junction.Context()))
        {
            for (int i = 0; i < 1000; i++)
            {
                junction.subscribe("idle." + i, message -> { });
            }
            Thread.sleep(1000);
            final long before = junctionCpuNs(threads);
            final long startNs = System.nanoTime();
            Thread.sleep(5000);
            final long cpuNs = junctionCpuNs(threads) - before;
            System.out.printf("idle switch with 1,000 subscriptions: %.2f%% of a core%n",
                100.0 * cpuNs / (System.nanoTime() - startNs));
        }
    }

    private static long junctionCpuNs(final ThreadMXBean threads)
    {
        long total = 0;
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().startsWith("junction-"))
            {
                total += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return total;
    }
}
