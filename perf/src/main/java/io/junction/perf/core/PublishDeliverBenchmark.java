package io.junction.perf.core;

import java.util.concurrent.TimeUnit;

import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.junction.DeliveryThread;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.SubscriptionOptions;

/**
 * Publish to deliver, 1 publisher to 1 subscriber, 64-byte payloads: Junction's whole path (validate,
 * ring, route, outbox, delivery agent, handler). Compare with {@link RawDisruptorBenchmark}, the
 * limit, in the same run.
 * <p>
 * The publisher retries while back-pressured, so in steady state the rate is what the slowest stage
 * sustains, and nothing offered is dropped (the subscriber is lossless, BACK_PRESSURE).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class PublishDeliverBenchmark
{
    static final int PAYLOAD = 64;

    /**
     * SHARED (the default): through an outbox to a shared delivery agent; OWN: to the subscriber's own
     * thread; PIPELINE: on the shard's thread.
     */
    @Param({ "SHARED", "OWN", "PIPELINE" })
    public DeliveryThread delivery;

    /**
     * default: the switch's 2-core-friendly backoff (spin, yield, park up to 1 ms); yielding: spin then
     * yield, never park, as the baseline's YieldingWaitStrategy does; tuned: what a latency-critical
     * deployment configures (a busy-spinning pipeline, and an application clock: a {@link CachedNanoClock}
     * the publisher advances once per {@link #CLOCK_BATCH} messages, as an application that stamps each
     * inbound packet would, instead of one {@code System.nanoTime()} per message).
     */
    @Param({ "default", "yielding", "tuned" })
    public String idle;

    static final int CLOCK_BATCH = 64;

    private Junction junction;
    private UnsafeBuffer payload;
    private CachedNanoClock clock;
    private long sent;
    private long sum; // The subscriber's work, as the baseline's: read a byte of each message.

    @Setup(Level.Trial)
    public void setup()
    {
        final Junction.Context ctx = new Junction.Context().singleProducer(true);
        if ("yielding".equals(idle))
        {
            ctx.pipelineIdleStrategySupplier(YieldingIdleStrategy::new)
                .deliveryIdleStrategySupplier(YieldingIdleStrategy::new);
        }
        else if ("tuned".equals(idle))
        {
            clock = new CachedNanoClock();
            clock.update(System.nanoTime());
            ctx.nanoClock(clock)
                .pipelineIdleStrategySupplier(BusySpinIdleStrategy::new)
                .deliveryIdleStrategySupplier(YieldingIdleStrategy::new);
        }
        junction = Junction.launch(ctx);
        junction.subscribe("bench.>", message -> sum += message.buffer().getByte(message.offset()),
            SubscriptionOptions.defaults()
                .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE)
                .deliveryThread(delivery));
        payload = new UnsafeBuffer(new byte[PAYLOAD]);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        junction.close();
    }

    @Benchmark
    public long publishDeliver()
    {
        if (null != clock && 0 == (++sent & (CLOCK_BATCH - 1)))
        {
            clock.update(System.nanoTime());
        }
        long result;
        while ((result = junction.offer("bench.eur.usd", Priority.NORMAL, payload, 0, PAYLOAD)) ==
            OfferResult.BACK_PRESSURED)
        {
            // Back off as the baseline's RingBuffer.next() does when full: give the core to the consumers.
            LockSupport.parkNanos(1);
        }
        return result;
    }
}
