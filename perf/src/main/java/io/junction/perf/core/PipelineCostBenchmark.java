package io.junction.perf.core;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.junction.DeliveryThread;
import io.junction.Junction;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.SubscriptionOptions;
import io.junction.ThreadingMode;

/**
 * The CPU cost of one message through the whole switch on one thread (INVOKER mode: offer, then the
 * caller runs the shard and delivery agents): what each message costs, free of thread scheduling.
 * A batch of 256 offers, then the pipeline is driven until idle; the score is per message.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = { "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED" })
@State(Scope.Thread)
public class PipelineCostBenchmark
{
    private static final int BATCH = 256;

    @Param({ "OWN", "PIPELINE" })
    public DeliveryThread delivery;

    private Junction junction;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PublishDeliverBenchmark.PAYLOAD]);
    private long received;

    @Setup(Level.Trial)
    public void setup()
    {
        junction = Junction.launch(new Junction.Context().threadingMode(ThreadingMode.INVOKER).singleProducer(true));
        junction.subscribe("bench.>", message -> received++, SubscriptionOptions.defaults()
            .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE)
            .deliveryThread(delivery));
        junction.doWork();
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        junction.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long offerRouteDeliver()
    {
        for (int i = 0; i < BATCH; i++)
        {
            junction.offer("bench.eur.usd", Priority.NORMAL, payload, 0, PublishDeliverBenchmark.PAYLOAD);
        }
        while (junction.doWork() > 0)
        {
            // Drive until idle.
        }
        return received;
    }
}
