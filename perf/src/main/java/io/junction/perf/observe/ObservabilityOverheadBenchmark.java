package io.junction.perf.observe;

import java.io.File;
import java.nio.file.Files;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import org.openjdk.jmh.annotations.AuxCounters;
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

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.Subscription;
import io.junction.ThreadingMode;
import io.junction.observe.AlarmEvaluator;
import io.junction.observe.AlarmRule;
import io.junction.observe.CounterMetrics;
import io.junction.observe.CountersFile;
import io.junction.observe.Severity;
import io.junction.observe.SwitchLatency;
import io.junction.observe.SwitchObserver;
import io.junction.SwitchCounters;

/**
 * Throughput of the switch with all observability off (in-memory counters, no latency recording) and
 * on (counters in a memory-mapped file, offer-to-route and offer-to-deliver latency recorded for every
 * message, an observer thread publishing percentiles, gauges and alarms every 100 ms: ten times the
 * daemon's default rate), side by side in one run.
 * <p>
 * The switch runs in INVOKER mode on the benchmark thread: each operation offers a batch and runs the
 * pipeline until it is delivered, so the figure is the CPU cost per message, not thread scheduling on
 * a shared 2-core machine. Because such a machine is noisy, the benchmark thread's own CPU time is
 * reported too ({@code cpuNs} and {@code messages}, per iteration): CPU time does not advance while
 * the thread waits for a core, so {@code cpuNs / messages} is the steadier figure.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 3, jvmArgsAppend = { "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx512m" })
public class ObservabilityOverheadBenchmark
{
    static final int BATCH = 64;

    @Param({ "off", "on" })
    String observability;

    /**
     * Where the counters file lives: "shm" (/dev/shm, tmpfs, as Aeron puts its CnC file) or "disk"
     * (the temp dir). On a disk file system, the kernel's periodic writeback write-protects the mapped
     * pages and the next counter write can wait for it.
     */
    @Param({ "shm" })
    String countersOn;

    private Junction junction;
    private Subscription subscription;
    private CountersFile countersFile;
    private SwitchObserver observer;
    private ScheduledExecutorService observerThread;
    private File dir;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
    private long delivered;

    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final Junction.Context ctx = new Junction.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .singleProducer(true)
            .ringSize(1024);
        if ("on".equals(observability))
        {
            final File shm = new File("/dev/shm");
            dir = "shm".equals(countersOn) && shm.isDirectory() ?
                Files.createTempDirectory(shm.toPath(), "junction-observe-bench").toFile() :
                Files.createTempDirectory("junction-observe-bench").toFile();
            countersFile = CountersFile.create(dir, 1024, SystemEpochClock.INSTANCE);
            final SwitchLatency latency = new SwitchLatency();
            ctx.countersManager(countersFile.countersManager()).latency(latency);
            junction = Junction.launch(ctx);
            final AlarmEvaluator alarms = new AlarmEvaluator(SystemEpochClock.INSTANCE, countersFile.countersManager());
            alarms.rules(java.util.List.of(new AlarmRule("back-pressure", Severity.MAJOR,
                CounterMetrics.sumOfType(countersFile.countersManager(), SwitchCounters.SHARD_BACK_PRESSURED_TYPE_ID)
                    .perSecond(), true, 1000, TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1), "")));
            observer = new SwitchObserver(new SwitchObserver.Context()
                .countersFile(countersFile)
                .latency(latency)
                .alarms(alarms)
                .histogramLogFile(new File(dir, "latency.hlog"))
                .intervalNs(TimeUnit.MILLISECONDS.toNanos(100)));
            observer.addGauge("ring occupancy", junction::ringOccupancy);
            observerThread = Executors.newSingleThreadScheduledExecutor();
            observerThread.scheduleAtFixedRate(() -> observer.onInterval(System.nanoTime()), 100, 100,
                TimeUnit.MILLISECONDS);
        }
        else
        {
            junction = Junction.launch(ctx);
        }
        subscription = junction.subscribe("bench.>", (message) -> delivered++);
        junction.doWork(); // apply the subscription
    }

    /**
     * The benchmark thread's CPU time and the messages it moved, per iteration.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime
    {
        static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        public long cpuNs;
        public long messages;

        @Setup(Level.Iteration)
        public void reset()
        {
            cpuNs = 0;
            messages = 0;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long offerAndDeliver(final CpuTime cpu)
    {
        final long startCpuNs = CpuTime.THREADS.getCurrentThreadCpuTime();
        final long result = offerAndDeliverBatch();
        cpu.cpuNs += CpuTime.THREADS.getCurrentThreadCpuTime() - startCpuNs;
        cpu.messages += BATCH;
        return result;
    }

    private long offerAndDeliverBatch()
    {
        final long target = delivered + BATCH;
        for (int i = 0; i < BATCH; i++)
        {
            while (!OfferResult.isAccepted(junction.offer("bench.prices", Priority.NORMAL, payload, 0, 64)))
            {
                junction.doWork();
            }
        }
        while (delivered < target)
        {
            junction.doWork();
        }
        return delivered;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception
    {
        if (null != observerThread)
        {
            observerThread.shutdown();
            observerThread.awaitTermination(5, TimeUnit.SECONDS);
        }
        CloseHelper.quietCloseAll(subscription, junction, observer, countersFile);
        if (null != dir)
        {
            IoUtil.delete(dir, true);
        }
    }
}
