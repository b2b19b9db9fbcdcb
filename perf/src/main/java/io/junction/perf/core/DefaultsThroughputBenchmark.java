package io.junction.perf.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
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

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.Subscription;
import io.junction.SubscriptionOptions;

/**
 * Publish to deliver on the switch's defaults: a multi-producer offer (the default), a shared delivery agent,
 * 64 B, one subscriber that reads a byte of each message, lossless (BACK_PRESSURE, so the rate is what was
 * delivered) or on the literal default policy (DROP_NEWEST, with what was delivered printed). Its baseline, in the same JMH run, is {@link RawMultiProducerBenchmark}: a raw Disruptor
 * multi-producer ring of the same size. The publisher parks 1 ns while back-pressured, as the baseline's
 * {@code next()} does when its ring is full; the perf suite's core-throughput section also runs a publisher
 * that spins.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms1g", "-Xmx1g" })
@State(Scope.Benchmark)
public class DefaultsThroughputBenchmark
{
    /**
     * BACK_PRESSURE: lossless, so the offer rate is the delivered rate. DROP_NEWEST: the literal default; the
     * offer rate is the score, and each iteration prints what share of it was delivered and dropped.
     */
    @Param({ "BACK_PRESSURE", "DROP_NEWEST" })
    public SlowSubscriberPolicy policy;

    private Junction junction;
    private Subscription subscription;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PublishDeliverBenchmark.PAYLOAD]);
    private long sum;
    private long deliveredAtStart;
    private long droppedAtStart;

    @Setup(Level.Trial)
    public void setup()
    {
        junction = Junction.launch(new Junction.Context());
        subscription = junction.subscribe("bench.eur.usd", message -> sum += message.buffer().getByte(message.offset()),
            SubscriptionOptions.defaults().slowSubscriberPolicy(policy));
    }

    @Setup(Level.Iteration)
    public void beginIteration()
    {
        deliveredAtStart = subscription.delivered();
        droppedAtStart = subscription.dropped();
    }

    @TearDown(Level.Iteration)
    public void endIteration()
    {
        System.out.printf("%n  [%s] delivered %,d, dropped %,d in this iteration%n", policy,
            subscription.delivered() - deliveredAtStart, subscription.dropped() - droppedAtStart);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        junction.close();
    }

    @Benchmark
    public long publishDeliver()
    {
        long result;
        while ((result = junction.offer("bench.eur.usd", Priority.NORMAL, payload, 0,
            PublishDeliverBenchmark.PAYLOAD)) == OfferResult.BACK_PRESSURED)
        {
            LockSupport.parkNanos(1);
        }
        return result;
    }
}
