package io.junction.perf.suite;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

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
 * One measurement of {@link ShardScalingSection}: N publishers for a window, each into its own shard (or raw
 * ring), and the aggregate rate delivered. The harness sleeps between its marks; only the publishers and the
 * consumers run during the window.
 */
final class ShardScalingRun
{
    static final int RING_SIZE = Junction.Context.DEFAULT_RING_SIZE;
    static final int PAYLOAD_BYTES = 64;

    private ShardScalingRun()
    {
    }

    /** Single-writer count, read from the harness thread. */
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
    }

    /**
     * @return messages/s delivered by a switch of {@code shards} shards, one publisher and one subscription each.
     */
    static double junction(final int shards, final long warmupNs, final long windowNs) throws InterruptedException
    {
        final String[] topics = topicsOnShards(shards);
        final Count[] counts = newCounts(shards);
        final UnsafeBuffer[] payload = payloads(shards);
        try (Junction junction = Junction.launch(new Junction.Context().shards(shards)))
        {
            for (int i = 0; i < shards; i++)
            {
                final Count count = counts[i];
                junction.subscribe(topics[i], message -> count.increment(), SubscriptionOptions.defaults()
                    .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE)
                    .deliveryThread(DeliveryThread.PIPELINE));
            }
            return measure(shards, counts, warmupNs, windowNs, index ->
            {
                final long result = junction.offer(topics[index], Priority.NORMAL, payload[index], 0, PAYLOAD_BYTES);
                if (OfferResult.isAccepted(result))
                {
                    return true;
                }
                if (OfferResult.isBackPressured(result))
                {
                    return false;
                }
                throw new IllegalStateException("offer failed: " + OfferResult.describe(result));
            });
        }
    }

    /**
     * @return messages/s through {@code rings} raw multi-producer rings, one publisher and one consumer each.
     */
    static double rawRings(final int rings, final long warmupNs, final long windowNs) throws InterruptedException
    {
        final Count[] counts = newCounts(rings);
        final UnsafeBuffer[] payload = payloads(rings);
        final List<RingBuffer<Slot>> buffers = new ArrayList<>();
        final List<BatchEventProcessor<Slot>> processors = new ArrayList<>();
        final List<Thread> consumers = new ArrayList<>();
        for (int i = 0; i < rings; i++)
        {
            final Count count = counts[i];
            final RingBuffer<Slot> ring = RingBuffer.createMultiProducer(Slot::new, RING_SIZE, new YieldingWaitStrategy());
            final BatchEventProcessor<Slot> processor = new BatchEventProcessorBuilder()
                .build(ring, ring.newBarrier(), (slot, sequence, endOfBatch) -> count.increment());
            ring.addGatingSequences(processor.getSequence());
            buffers.add(ring);
            processors.add(processor);
            final Thread consumer = new Thread(processor, "raw-ring-consumer-" + i);
            consumer.setDaemon(true);
            consumer.start();
            consumers.add(consumer);
        }
        try
        {
            return measure(rings, counts, warmupNs, windowNs, index ->
            {
                final RingBuffer<Slot> ring = buffers.get(index);
                final long sequence;
                try
                {
                    sequence = ring.tryNext();
                }
                catch (final InsufficientCapacityException ex)
                {
                    return false;
                }
                ring.get(sequence).bytes.putBytes(0, payload[index], 0, PAYLOAD_BYTES);
                ring.publish(sequence);
                return true;
            });
        }
        finally
        {
            processors.forEach(BatchEventProcessor::halt);
            for (final Thread consumer : consumers)
            {
                consumer.join(TimeUnit.SECONDS.toMillis(5));
            }
        }
    }

    private static UnsafeBuffer[] payloads(final int n)
    {
        final UnsafeBuffer[] payloads = new UnsafeBuffer[n];
        for (int i = 0; i < n; i++)
        {
            payloads[i] = new UnsafeBuffer(new byte[PAYLOAD_BYTES]);
        }
        return payloads;
    }

    private static double measure(
        final int publishers, final Count[] counts, final long warmupNs, final long windowNs, final IntPredicate offer)
        throws InterruptedException
    {
        final AtomicLong running = new AtomicLong(1);
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < publishers; i++)
        {
            final int index = i;
            final Thread publisher = new Thread(() ->
            {
                while (running.get() == 1)
                {
                    if (!offer.test(index))
                    {
                        Thread.yield();
                    }
                }
            }, "shard-scaling-publisher-" + i);
            publisher.setDaemon(true);
            publisher.start();
            threads.add(publisher);
        }
        try
        {
            TimeUnit.NANOSECONDS.sleep(warmupNs);
            final long startCount = sum(counts);
            final long startNs = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(windowNs);
            final long endCount = sum(counts);
            final long endNs = System.nanoTime();
            return (endCount - startCount) * 1e9 / (endNs - startNs);
        }
        finally
        {
            running.set(0);
            for (final Thread publisher : threads)
            {
                publisher.join(TimeUnit.SECONDS.toMillis(5));
            }
        }
    }

    private static Count[] newCounts(final int n)
    {
        final Count[] counts = new Count[n];
        for (int i = 0; i < n; i++)
        {
            counts[i] = new Count();
        }
        return counts;
    }

    private static long sum(final Count[] counts)
    {
        long sum = 0;
        for (final Count count : counts)
        {
            sum += count.get();
        }
        return sum;
    }

    /** One topic per shard, each hashing to its own shard as the switch's ingress places topics. */
    static String[] topicsOnShards(final int shards)
    {
        final String[] topics = new String[shards];
        int found = 0;
        for (int i = 0; found < shards; i++)
        {
            final String topic = "scaling.t" + i;
            final int shard = (topic.hashCode() & Integer.MAX_VALUE) % shards;
            if (null == topics[shard])
            {
                topics[shard] = topic;
                found++;
            }
        }
        return topics;
    }
}
