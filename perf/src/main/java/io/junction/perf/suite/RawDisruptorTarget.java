package io.junction.perf.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.YieldingWaitStrategy;

/**
 * The limit under Junction's pipeline: a bare LMAX Disruptor ring, single producer, each subscriber a
 * consumer thread of its own reading every slot (broadcast), the payload copied into a pre-allocated
 * slot, as {@code io.junction.perf.core.RawDisruptorBenchmark} does under JMH. No routing, no outboxes.
 */
public final class RawDisruptorTarget implements Target
{
    private static final int RING_SIZE = 8192;

    private static final class Slot
    {
        final UnsafeBuffer bytes;

        Slot(final int capacity)
        {
            bytes = new UnsafeBuffer(new byte[capacity]);
        }
    }

    @Override
    public String name()
    {
        return "raw Disruptor";
    }

    @Override
    public Kind kind()
    {
        return Kind.LIMIT;
    }

    @Override
    public String transport()
    {
        return "in-process";
    }

    @Override
    public String semantics()
    {
        return "lossless (producer waits for the slowest consumer), YieldingWaitStrategy, ring of " + RING_SIZE;
    }

    @Override
    public String version()
    {
        final String version = RingBuffer.class.getPackage().getImplementationVersion();
        return null == version ? "4.x" : version;
    }

    @Override
    public String prepare(final Path workDir)
    {
        return null;
    }

    @Override
    public Connection open(final Workload workload, final Receivers receivers)
    {
        final int capacity = workload.payloadBytes();
        final RingBuffer<Slot> ring = RingBuffer.createSingleProducer(
            () -> new Slot(capacity), RING_SIZE, new YieldingWaitStrategy());
        final List<BatchEventProcessor<Slot>> processors = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < receivers.subscribers(); i++)
        {
            final int index = i;
            final EventHandler<Slot> handler = (slot, sequence, endOfBatch) ->
                receivers.onMessage(index, Stamp.intendedSendNs(slot.bytes, 0), Stamp.runId(slot.bytes, 0));
            final BatchEventProcessor<Slot> processor =
                new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), handler);
            processors.add(processor);
        }
        ring.addGatingSequences(processors.stream().map(BatchEventProcessor::getSequence).toArray(Sequence[]::new));
        for (final BatchEventProcessor<Slot> processor : processors)
        {
            final Thread thread = new Thread(processor, "raw-disruptor-consumer-" + threads.size());
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }

        return new Connection()
        {
            @Override
            public boolean publish(final UnsafeBuffer payload, final int length)
            {
                final long sequence;
                try
                {
                    sequence = ring.tryNext();
                }
                catch (final InsufficientCapacityException ex)
                {
                    return false;
                }
                ring.get(sequence).bytes.putBytes(0, payload, 0, length);
                ring.publish(sequence);
                return true;
            }

            @Override
            public void close() throws InterruptedException
            {
                processors.forEach(BatchEventProcessor::halt);
                for (final Thread thread : threads)
                {
                    thread.join(5_000);
                }
            }
        };
    }

    @Override
    public void close()
    {
    }
}
