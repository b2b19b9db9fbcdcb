package io.junction.perf.core;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;

import io.junction.Junction;

/**
 * The baseline of {@link DefaultsThroughputBenchmark}: a raw Disruptor multi-producer ring of the switch's
 * ring size, 64 B copied into the slot, one consumer thread reading a byte of each. {@code next()} parks 1 ns
 * while the ring is full, as the Junction benchmark's publisher does. Same JMH settings.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class RawMultiProducerBenchmark
{
    private RingBuffer<RawDisruptorBenchmark.Slot> ring;
    private BatchEventProcessor<RawDisruptorBenchmark.Slot> processor;
    private Thread consumer;
    private final byte[] payload = new byte[PublishDeliverBenchmark.PAYLOAD];
    private long sum;

    @Setup(Level.Trial)
    public void setup()
    {
        ring = RingBuffer.createMultiProducer(RawDisruptorBenchmark.Slot::new, Junction.Context.DEFAULT_RING_SIZE,
            new YieldingWaitStrategy());
        final EventHandler<RawDisruptorBenchmark.Slot> handler = (slot, sequence, endOfBatch) -> sum += slot.bytes[0];
        processor = new BatchEventProcessorBuilder().build(ring, ring.newBarrier(), handler);
        ring.addGatingSequences(processor.getSequence());
        consumer = new Thread(processor, "raw-mp-consumer");
        consumer.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException
    {
        processor.halt();
        consumer.join();
    }

    @Benchmark
    public long handOff()
    {
        final long sequence = ring.next();
        System.arraycopy(payload, 0, ring.get(sequence).bytes, 0, payload.length);
        ring.publish(sequence);
        return sequence;
    }
}
