package io.junction.perf.regulate;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.junction.Priority;
import io.junction.ShedReason;
import io.junction.regulate.Admission;
import io.junction.regulate.CodelShedder;
import io.junction.regulate.RegulationCache;
import io.junction.regulate.RegulationConfig;
import io.junction.regulate.Regulator;
import io.junction.regulate.Rule;

/**
 * The cost of the admission decision at the edge (resolve the rule for topic, publisher and class, then
 * decide), per configuration, beside the unregulated baseline. Run with {@code -prof gc}: every case
 * must show 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Dagrona.disable.bounds.checks=false" })
public class AdmissionBenchmark
{
    private static final String[] TOPICS = { "orders.eur.usd", "orders.gbp.usd", "prices.eur.usd", "audit.trail" };
    private static final Priority[] CLASSES = { Priority.CRITICAL, Priority.HIGH, Priority.BULK, Priority.BULK };

    /**
     * none: no rules, no CoDel (the baseline). rules: four rules, rate limits and in-flight limits (never
     * exhausted). codel: CoDel on with BULK being shed in part. all: both, and a ring reserve for CRITICAL.
     */
    @Param({ "none", "rules", "codel", "all" })
    public String config;

    private Regulator regulator;
    private RegulationCache cache;
    private long nowNs;
    private int i;

    @Setup
    public void setUp()
    {
        final int capacity = 256;
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.COUNTER_LENGTH)),
            StandardCharsets.US_ASCII);

        RegulationConfig regulation = RegulationConfig.none();
        if (config.equals("rules") || config.equals("all"))
        {
            regulation = regulation
                .withRule(Rule.forTopics("audit.>").withPublisher("other").withRateLimit(10, 1))
                .withRule(Rule.forTopics("orders.*.usd").withClasses(Priority.CRITICAL).withMaxInFlight(1L << 40))
                .withRule(Rule.forTopics("orders.>").withRateLimit(1_000_000_000L, 1 << 30))
                .withRule(Rule.forTopics(">").withRateLimit(1_000_000_000L, 1 << 30));
        }
        if (config.equals("codel") || config.equals("all"))
        {
            regulation = regulation.withCodel(100_000, 1_000_000);
        }
        if (config.equals("all"))
        {
            regulation = regulation.withCriticalReserve(1024);
        }
        regulator = new Regulator(1, 8192, regulation, counters);
        regulator.forShard(0, SystemNanoClock.INSTANCE, () -> 100);
        cache = regulator.newCache("gateway");
        if (regulation.codelEnabled())
        {
            // Drive the shedder into dropping until half of BULK is shed.
            final CodelShedder shedder = regulator.shedder(0);
            long now = 0;
            while (shedder.shedLevel() < CodelShedder.CLASS_UNITS / 2)
            {
                shedder.onDequeue(1_000_000, now, 100_000, 1_000_000);
                now += 100_000;
            }
        }
    }

    @Benchmark
    public ShedReason admit()
    {
        final int index = i++ & 3;
        final Priority priority = CLASSES[index];
        nowNs += 100;
        final Admission admission = regulator.resolve(cache, TOPICS[index], priority);
        final ShedReason reason = regulator.admit(admission, 0, priority, Regulator.NO_TTL, nowNs);
        if (null == reason)
        {
            admission.onDequeued(); // As the dispatcher would, so in-flight limits never fill.
        }
        return reason;
    }
}
