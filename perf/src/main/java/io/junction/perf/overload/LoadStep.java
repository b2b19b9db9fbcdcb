package io.junction.perf.overload;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Recorder;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.Publisher;
import io.junction.SlowSubscriberPolicy;
import io.junction.SubscriptionOptions;
import io.junction.ThreadingMode;
import io.junction.regulate.RegulationConfig;

/**
 * One step of the sweep: a fresh switch, an open-loop generator on this thread at a fixed rate, the
 * switch's pipeline driven by one busy thread (INVOKER mode), and a subscriber that spends a fixed
 * service time per message. Latency runs from each message's intended send time to the start of its
 * delivery, so a generator that falls behind is charged for it (no coordinated omission).
 */
final class LoadStep
{
    static final String TOPIC = "load.orders";
    private static final int PAYLOAD_LENGTH = 16;
    private static final long HIGHEST_LATENCY_NS = TimeUnit.SECONDS.toNanos(60);

    private final OverloadBenchmark.Settings settings;

    LoadStep(final OverloadBenchmark.Settings settings)
    {
        this.settings = settings;
    }

    /**
     * 5% CRITICAL, 20% HIGH, 75% BULK, interleaved evenly.
     */
    static Priority classOf(final long i)
    {
        final int slot = (int)(i % 20);
        return 0 == slot ? Priority.CRITICAL : slot <= 4 ? Priority.HIGH : Priority.BULK;
    }

    StepResult run(final String mode, final RegulationConfig regulation, final double multiplier, final long rate)
    {
        if (rate < 1)
        {
            // 1e9 / 0 would schedule every message at once, forever.
            throw new IllegalArgumentException("offered rate must be >= 1 msg/s: " + rate);
        }
        final StepResult result = new StepResult(mode, multiplier, rate, settings.windowSeconds);
        final Recorder[] recorders = new Recorder[StepResult.CLASSES];
        for (int c = 0; c < recorders.length; c++)
        {
            recorders[c] = new Recorder(HIGHEST_LATENCY_NS, 3);
        }
        final long[] delivered = new long[StepResult.CLASSES];
        final long[] window = new long[2];
        final long serviceNs = settings.serviceNs;

        final Junction junction = Junction.launch(new Junction.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .ringSize(settings.ringSize)
            .regulation(regulation)
            // Regulated steps also give CRITICAL its express lane past the queued lower classes.
            .expressCritical(regulation != RegulationConfig.none() && settings.expressCritical));
        final AtomicLong deliveredTotal = new AtomicLong();
        junction.subscribe(LoadStep.TOPIC, (message) ->
        {
            final long startNs = System.nanoTime();
            final int c = message.priority().ordinal();
            if (1 == message.buffer().getByte(8))
            {
                recorders[c].recordValue(Math.min(startNs - message.buffer().getLong(0), HIGHEST_LATENCY_NS));
            }
            if (startNs >= window[0] && startNs < window[1])
            {
                delivered[c]++;
            }
            deliveredTotal.lazySet(deliveredTotal.get() + 1);
            while (System.nanoTime() - startNs < serviceNs)
            {
                Thread.onSpinWait();
            }
        }, SubscriptionOptions.defaults()
            .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE)
            .outboxCapacity(settings.outboxCapacity));

        final PipelineThread pipeline = new PipelineThread(junction);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        pipeline.start();

        result.heapUsedBeforeBytes = heapUsed();
        final long gcBefore = gcCount();

        final Publisher publisher = junction.publisher("loadgen");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
        final double periodNs = 1e9 / rate;
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        final long windowStartNs = startNs + (long)(settings.warmupSeconds * 1e9);
        final long endNs = windowStartNs + (long)(settings.windowSeconds * 1e9);
        window[0] = windowStartNs;
        window[1] = endNs;
        final long threadId = Thread.currentThread().getId();
        long generatorAllocated = 0;
        long pipelineAllocated = 0;
        boolean inWindow = false;
        long accepted = 0;

        for (long i = 0; ; i++)
        {
            final long intendedNs = startNs + (long)(i * periodNs);
            if (intendedNs >= endNs)
            {
                break;
            }
            while (System.nanoTime() < intendedNs)
            {
                Thread.onSpinWait();
            }
            final boolean measured = intendedNs >= windowStartNs;
            if (measured && !inWindow)
            {
                inWindow = true;
                for (final Recorder recorder : recorders)
                {
                    recorder.reset();
                }
                generatorAllocated = threads.getThreadAllocatedBytes(threadId);
                pipelineAllocated = threads.getThreadAllocatedBytes(pipeline.getId());
            }

            final Priority priority = classOf(i);
            final int c = priority.ordinal();
            buffer.putLong(0, intendedNs);
            buffer.putByte(8, (byte)(measured ? 1 : 0));
            long offer;
            while (OfferResult.isBackPressured(offer = publisher.offer(TOPIC, priority, buffer, 0, PAYLOAD_LENGTH)))
            {
                if (System.nanoTime() >= endNs)
                {
                    break;
                }
                Thread.onSpinWait();
            }
            if (measured)
            {
                result.scheduled[c]++;
                if (OfferResult.isAccepted(offer))
                {
                    result.accepted[c]++;
                }
                else if (OfferResult.isShed(offer))
                {
                    result.shed[c]++;
                }
                else
                {
                    result.unsent[c]++;
                }
            }
            if (OfferResult.isAccepted(offer))
            {
                accepted++;
            }
        }
        // What the generator never reached before the end: offered but not sent.
        final long scheduledInWindow = (long)Math.ceil((endNs - windowStartNs) / periodNs);
        final long reached = result.total(result.scheduled);
        for (long i = reached; i < scheduledInWindow; i++)
        {
            final int c = classOf(i).ordinal();
            result.scheduled[c]++;
            result.unsent[c]++;
        }

        result.allocatedBytesGenerator = threads.getThreadAllocatedBytes(threadId) - generatorAllocated;
        result.allocatedBytesPipeline = threads.getThreadAllocatedBytes(pipeline.getId()) - pipelineAllocated;

        // Let every accepted message be delivered, then stop.
        final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (deliveredTotal.get() < accepted && System.nanoTime() < drainDeadline)
        {
            Thread.onSpinWait();
        }
        pipeline.halt();
        result.heapUsedAfterBytes = heapUsed();
        result.gcCount = gcCount() - gcBefore;
        junction.close();

        for (int c = 0; c < StepResult.CLASSES; c++)
        {
            result.deliveredInWindow[c] = delivered[c];
            result.latency[c] = recorders[c].getIntervalHistogram();
        }
        return result;
    }

    static long heapUsed()
    {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    /**
     * Drives the switch's agents: the only consumer of the core the generator does not use.
     */
    static final class PipelineThread extends Thread
    {
        private final Junction junction;
        private volatile boolean running = true;

        PipelineThread(final Junction junction)
        {
            super("overload-pipeline");
            this.junction = junction;
            setDaemon(true);
        }

        @Override
        public void run()
        {
            while (running)
            {
                if (0 == junction.doWork())
                {
                    Thread.onSpinWait();
                }
            }
        }

        void halt()
        {
            running = false;
            try
            {
                join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
