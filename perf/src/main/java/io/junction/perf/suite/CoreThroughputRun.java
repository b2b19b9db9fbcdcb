package io.junction.perf.suite;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.UnsafeBuffer;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;

import io.junction.DeliveryThread;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.SubscriptionOptions;

/**
 * One measurement of {@link CoreThroughputSection}: one publisher offering 64 B as fast as it can to one
 * subscriber, through a switch on its defaults or a raw multi-producer Disruptor ring of the same size, for a
 * window; the rate delivered and the process's CPU time per message delivered.
 */
final class CoreThroughputRun
{
    static final int RING_SIZE = Junction.Context.DEFAULT_RING_SIZE;
    static final int PAYLOAD_BYTES = 64;
    static final String TOPIC = "core.throughput";

    /** What the publisher does when the ring (or the switch) is full. */
    enum Backoff
    {
        /** Spin ({@code Thread.onSpinWait()}) and retry at once: the publisher keeps its core. */
        SPIN,
        /** Park 1 ns, as JMH's publisher and the Disruptor's {@code next()} do: the core goes to the consumers. */
        PARK;

        void idle()
        {
            if (this == SPIN)
            {
                Thread.onSpinWait();
            }
            else
            {
                LockSupport.parkNanos(1);
            }
        }
    }

    /** The Junction configurations measured, each a switch on its defaults but for what the name says. */
    enum Config
    {
        /** Every option on its default: shared delivery agents, DROP_NEWEST (the rate is what was delivered). */
        DEFAULTS("defaults (shared delivery agent, DROP_NEWEST)"),
        /** The defaults but with no drop grace: a full outbox drops at once (the behaviour before the grace). */
        DEFAULTS_NO_GRACE("defaults with dropGraceNs 0 (drops at once)"),
        /** The defaults with a lossless subscriber: the publisher is held back to what the delivery agent takes. */
        DEFAULTS_BACK_PRESSURE("defaults, BACK_PRESSURE subscriber"),
        /** The handler on the shard's thread, lossless: one hop, as the raw ring has. */
        PIPELINE_BACK_PRESSURE("PIPELINE delivery, BACK_PRESSURE subscriber");

        final String label;

        Config(final String label)
        {
            this.label = label;
        }

        SubscriptionOptions options()
        {
            return switch (this)
            {
                case DEFAULTS, DEFAULTS_NO_GRACE -> SubscriptionOptions.defaults();
                case DEFAULTS_BACK_PRESSURE ->
                    SubscriptionOptions.defaults().slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE);
                case PIPELINE_BACK_PRESSURE -> SubscriptionOptions.defaults()
                    .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE).deliveryThread(DeliveryThread.PIPELINE);
            };
        }
    }

    /** A rate delivered and what it cost. */
    record Figure(double messagesPerSecond, double cpuNsPerMessage)
    {
    }

    private CoreThroughputRun()
    {
    }

    /** Single-writer count, read by the harness. */
    private static final class Count
    {
        private final AtomicLong value = new AtomicLong();

        void increment()
        {
            value.lazySet(value.get() + 1);
        }

        long get()
        {
            return value.get();
        }
    }

    private static final class Slot
    {
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[PAYLOAD_BYTES]);
        long sum;
    }

    static Figure junction(final Config config, final Backoff backoff, final long warmupNs, final long windowNs)
        throws InterruptedException
    {
        final Count count = new Count();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_BYTES]);
        final long[] sum = new long[1];
        final Junction.Context context = new Junction.Context();
        if (config == Config.DEFAULTS_NO_GRACE)
        {
            context.dropGraceNs(0);
        }
        try (Junction junction = Junction.launch(context))
        {
            junction.subscribe(TOPIC, message ->
            {
                sum[0] += message.buffer().getByte(message.offset()); // read the message, as the raw consumer does
                count.increment();
            }, config.options());
            return measure(count, warmupNs, windowNs, () ->
            {
                final long result = junction.offer(TOPIC, Priority.NORMAL, payload, 0, PAYLOAD_BYTES);
                if (OfferResult.isAccepted(result))
                {
                    return true;
                }
                if (OfferResult.isBackPressured(result))
                {
                    backoff.idle();
                    return false;
                }
                throw new IllegalStateException("offer failed: " + OfferResult.describe(result));
            });
        }
    }

    /**
     * The limit: a multi-producer ring of the switch's ring size, the publisher copying 64 B into the slot, one
     * consumer (YieldingWaitStrategy) reading a byte of each.
     */
    static Figure rawMultiProducer(final Backoff backoff, final long warmupNs, final long windowNs)
        throws InterruptedException
    {
        final Count count = new Count();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_BYTES]);
        final RingBuffer<Slot> ring = RingBuffer.createMultiProducer(Slot::new, RING_SIZE, new YieldingWaitStrategy());
        final BatchEventProcessor<Slot> processor = new BatchEventProcessorBuilder()
            .build(ring, ring.newBarrier(), (slot, sequence, endOfBatch) ->
            {
                slot.sum += slot.bytes.getByte(0);
                count.increment();
            });
        ring.addGatingSequences(processor.getSequence());
        final Thread consumer = new Thread(processor, "raw-mp-consumer");
        consumer.setDaemon(true);
        consumer.start();
        try
        {
            return measure(count, warmupNs, windowNs, () ->
            {
                final long sequence;
                try
                {
                    sequence = ring.tryNext();
                }
                catch (final InsufficientCapacityException ex)
                {
                    backoff.idle();
                    return false;
                }
                ring.get(sequence).bytes.putBytes(0, payload, 0, PAYLOAD_BYTES);
                ring.publish(sequence);
                return true;
            });
        }
        finally
        {
            processor.halt();
            consumer.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    private static Figure measure(
        final Count count, final long warmupNs, final long windowNs, final BooleanSupplier offer)
        throws InterruptedException
    {
        final AtomicLong running = new AtomicLong(1);
        final Thread publisher = new Thread(() ->
        {
            while (running.get() == 1)
            {
                offer.getAsBoolean();
            }
        }, "core-throughput-publisher");
        publisher.setDaemon(true);
        publisher.start();
        try
        {
            TimeUnit.NANOSECONDS.sleep(warmupNs);
            final long startCount = count.get();
            final long startCpuNs = processCpuNs();
            final long startNs = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(windowNs);
            final long endCount = count.get();
            final long endCpuNs = processCpuNs();
            final long endNs = System.nanoTime();
            final long delivered = endCount - startCount;
            return new Figure(delivered * 1e9 / (endNs - startNs),
                delivered > 0 ? (double)(endCpuNs - startCpuNs) / delivered : Double.NaN);
        }
        finally
        {
            running.set(0);
            publisher.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    /** CPU time of the whole process (all its threads, the JIT and GC too): less sensitive to load than wall time. */
    static long processCpuNs()
    {
        final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }
}
