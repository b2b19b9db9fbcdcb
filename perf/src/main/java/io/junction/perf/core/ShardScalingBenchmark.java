package io.junction.perf.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import io.junction.DeliveryThread;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.SubscriptionOptions;

/**
 * Aggregate throughput of two publishers on two topics, with 1 and with 2 shards: does the switch
 * scale with the pipelines it is given? The topics are chosen to fall on different shards. Handlers
 * run on the pipeline threads, so each shard costs exactly one thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms1g", "-Xmx1g" })
@Threads(2)
public class ShardScalingBenchmark
{
    @State(Scope.Benchmark)
    public static class Switch
    {
        @Param({ "1", "2" })
        public int shards;

        Junction junction;
        final String[] topics = new String[2];
        final AtomicInteger nextPublisher = new AtomicInteger();
        volatile long received;

        @Setup(Level.Trial)
        public void setup()
        {
            // Two topics whose hashes fall on different shards when there are two.
            int found = 0;
            for (int i = 0; found < 2; i++)
            {
                final String topic = "bench.t" + i;
                if (((topic.hashCode() & Integer.MAX_VALUE) % 2) == found)
                {
                    topics[found++] = topic;
                }
            }
            junction = Junction.launch(new Junction.Context().shards(shards));
            junction.subscribe("bench.*", message -> received++, SubscriptionOptions.defaults()
                .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE)
                .deliveryThread(DeliveryThread.PIPELINE));
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            junction.close();
        }
    }

    @State(Scope.Thread)
    public static class Publisher
    {
        String topic;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PublishDeliverBenchmark.PAYLOAD]);

        @Setup(Level.Trial)
        public void setup(final Switch sw)
        {
            topic = sw.topics[sw.nextPublisher.getAndIncrement() % 2];
        }
    }

    @Benchmark
    public long publish(final Switch sw, final Publisher publisher)
    {
        long result;
        while ((result = sw.junction.offer(
            publisher.topic, Priority.NORMAL, publisher.payload, 0, PublishDeliverBenchmark.PAYLOAD)) ==
            OfferResult.BACK_PRESSURED)
        {
            LockSupport.parkNanos(1);
        }
        return result;
    }
}
