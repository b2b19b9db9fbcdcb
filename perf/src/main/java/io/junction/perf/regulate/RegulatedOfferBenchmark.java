package io.junction.perf.regulate;

import java.util.concurrent.TimeUnit;

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
import org.openjdk.jmh.infra.Blackhole;

import io.junction.Junction;
import io.junction.Priority;
import io.junction.Publisher;
import io.junction.ThreadingMode;
import io.junction.regulate.RegulationConfig;
import io.junction.regulate.Rule;

/**
 * The whole offer path through the hook (validate, regulate, claim, copy, publish) and its dispatch and
 * delivery, in INVOKER mode on one thread: regulation off beside regulation on. With {@code -prof gc}
 * both must show 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Dagrona.disable.bounds.checks=false" })
public class RegulatedOfferBenchmark
{
    private static final String[] TOPICS = { "orders.eur.usd", "orders.gbp.usd", "prices.eur.usd", "audit.trail" };
    private static final Priority[] CLASSES = { Priority.CRITICAL, Priority.HIGH, Priority.BULK, Priority.BULK };

    @Param({ "off", "on" })
    public String regulation;

    private Junction junction;
    private Publisher publisher;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
    private int i;

    @Setup(Level.Trial)
    public void setUp()
    {
        final RegulationConfig config = "on".equals(regulation) ?
            RegulationConfig.none()
                .withRule(Rule.forTopics("orders.>").withRateLimit(1_000_000_000L, 1 << 30))
                .withRule(Rule.forTopics(">").withMaxInFlight(1 << 20))
                .withCodel()
                .withCriticalReserve(512) :
            RegulationConfig.none();
        junction = Junction.launch(new Junction.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .ringSize(4096)
            .regulation(config));
        junction.subscribe(">", (message) -> { });
        publisher = junction.publisher("bench");
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        junction.close();
    }

    @Benchmark
    public void offerAndDeliver(final Blackhole blackhole)
    {
        final int index = i++ & 3;
        blackhole.consume(publisher.offer(TOPICS[index], CLASSES[index], payload, 0, payload.capacity()));
        if (0 == (i & 63))
        {
            while (junction.doWork() > 0)
            {
                // Dispatch and deliver what was offered.
            }
        }
    }
}
