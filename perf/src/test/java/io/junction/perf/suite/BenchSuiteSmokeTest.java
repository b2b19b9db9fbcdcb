package io.junction.perf.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the suite's harness end to end on a tiny workload, so that it cannot rot: Junction embedded and a
 * limit always, Junction remote (the daemon as a child JVM), and each section in its tiny form (overload sweep,
 * journaled path, clustered path and failover); NATS only where nats-server is installed (the test never installs
 * it; the suite does).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a spinning harness fails
class BenchSuiteSmokeTest
{
    @TempDir
    Path out;

    @Test
    void junctionEmbeddedAndALimitRunEndToEndAndWriteTheReport() throws Exception
    {
        final SuiteOptions options = SuiteOptions.tiny();
        options.outputDir = out;
        final Path report = BenchSuite.run(options, List.of(
            new SharedWorkloadSection(List.of(JunctionEmbeddedTarget::new, RawDisruptorTarget::new))));

        final String md = Files.readString(report);
        assertTrue(md.contains("## Throughput"), md);
        assertTrue(md.contains("Junction embedded"), md);
        assertTrue(md.contains("## Capacity planning"), md);
        assertTrue(md.contains("in-process"), md);
        assertTrue(Files.size(out.resolve("throughput.png")) > 1000);
        assertTrue(Files.exists(out.resolve("capacity-1to1-64B.png")));

        final List<String> throughput = Files.readAllLines(out.resolve("throughput.csv"));
        // header + 2 targets × 2 workloads
        assertEquals(5, throughput.size(), String.join("\n", throughput));
        for (final String row : throughput.subList(1, throughput.size()))
        {
            final String[] fields = row.split(",");
            assertEquals(fields[5], fields[6], "lossless targets deliver all they accepted: " + row);
            assertTrue(Double.parseDouble(fields[8]) > 0, row);
        }
        final List<String> latency = Files.readAllLines(out.resolve("latency.csv"));
        // first workload at 2k and 5k msg/s, the second at 2k only, per target (unless a rate saturated)
        assertTrue(latency.size() >= 1 + 2 * 2, String.join("\n", latency));
        assertTrue(latency.stream().skip(1)
            .anyMatch(line -> line.startsWith("Junction embedded,JUNCTION,in-process,1,64,2000,")),
            String.join("\n", latency));
        final String json = Files.readString(out.resolve("results.json"));
        assertTrue(json.contains("\"capacity\": ["), json);
        assertTrue(json.contains("\"target\": \"Junction embedded\""), json);
    }

    @Test
    void junctionRemoteRunsTheDaemonAsAChildProcessOverLoopback() throws Exception
    {
        final SuiteOptions options = SuiteOptions.tiny();
        options.outputDir = out;
        options.workloads = List.of(new Workload(2, 64));
        options.capacityRates = new long[0];
        final long startNs = System.nanoTime();
        BenchSuite.run(options, List.of(new SharedWorkloadSection(List.of(JunctionRemoteTarget::new))));

        final String md = Files.readString(out.resolve("report.md"));
        assertFalse(md.contains("**Junction remote"), "Junction remote was skipped:\n" + md);
        final List<String> throughput = Files.readAllLines(out.resolve("throughput.csv"));
        assertEquals(2, throughput.size(), String.join("\n", throughput));
        final String[] fields = throughput.get(1).split(",");
        assertEquals("Junction remote", fields[0], throughput.get(1));
        assertEquals("loopback TCP", fields[2], throughput.get(1));
        assertEquals(fields[5], fields[6], "back-pressure subscribers deliver all that was published: " + throughput);
        assertTrue(Files.readString(out.resolve("latency.csv")).contains("Junction remote,JUNCTION,loopback TCP,2,64,2000,"));
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs) < 90);
    }

    @Test
    void remoteRoundsRunTheDaemonRoundAfterRoundWithItsCpuPerMessage() throws Exception
    {
        final SuiteOptions options = SuiteOptions.parse("--rounds", "2", "--out", out.toString());
        final SuiteOptions tiny = SuiteOptions.tiny();
        options.workloads = List.of(new Workload(1, 64));
        options.throughputNs = tiny.throughputNs;
        options.throughputTrials = 1;
        options.warmupNs = tiny.warmupNs;
        options.latencyNs = tiny.latencyNs;
        options.drainTimeoutNs = tiny.drainTimeoutNs;
        assertEquals(2, options.rounds);
        BenchSuite.run(options, List.of(new RemoteRoundsSection(List.of(JunctionRemoteTarget::new))));

        final String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("medians of 2 alternating rounds"), md);
        final List<String> rounds = Files.readAllLines(out.resolve("remote-rounds.csv"));
        assertEquals(3, rounds.size(), String.join("\n", rounds)); // header + 2 rounds
        for (final String row : rounds.subList(1, rounds.size()))
        {
            final String[] fields = row.split(",");
            assertEquals("Junction remote", fields[0], row);
            assertTrue(Double.parseDouble(fields[3]) > 0, "a rate: " + row);
            assertTrue(Double.parseDouble(fields[7]) > 0, "the daemon's CPU per message: " + row);
        }
        // the median round stands for the target in the usual tables
        assertEquals(2, Files.readAllLines(out.resolve("throughput.csv")).size());
    }

    @Test
    void roundsOptionIsCheckedAndSelectsOnlyTheRemoteSection()
    {
        assertEquals(List.of(RemoteRoundsSection.class),
            BenchSuite.sections(SuiteOptions.parse("--rounds", "3")).stream().map(Object::getClass).toList());
        assertEquals(3, SuiteOptions.parse("--rounds", "3").throughputTrials);
        assertTrue(BenchSuite.sections(SuiteOptions.parse()).size() > 1);
        final IllegalArgumentException bad = assertThrows(
            IllegalArgumentException.class, () -> SuiteOptions.parse("--rounds", "zero"));
        assertTrue(bad.getMessage().contains("--rounds needs a number of rounds from 1 to 99: zero"), bad.getMessage());
        assertEquals(List.of(new Workload(1, 64), new Workload(4, 1024)),
            SuiteOptions.parse("--workloads", "1x64,4X1024").workloads);
        assertThrows(IllegalArgumentException.class, () -> SuiteOptions.parse("--workloads", "1x2"));
        // --daemon-config: a second Junction remote target, named by its config, beside the defaults and NATS.
        assertEquals("network.inline-shard = true",
            SuiteOptions.parse("--rounds", "3", "--daemon-config", " network.inline-shard = true ").daemonConfig);
        assertEquals("Junction remote (network.inline-shard = true)",
            JunctionRemoteTarget.configured("network.inline-shard = true").name());
    }

    @Test
    void natsPeerRunsWhenItsServerIsInstalled() throws Exception
    {
        final boolean installed = ServerInstaller.find("nats-server", List.of()).isPresent();
        if (!installed)
        {
            System.out.println("SKIPPED the NATS peer: nats-server is not installed here " +
                "(perf/bench.sh installs it with apt-get when run as root)");
        }
        assumeTrue(installed, "nats-server is not installed: the NATS peer is not exercised " +
            "(perf/bench.sh installs it with apt-get when run as root)");

        final SuiteOptions options = SuiteOptions.tiny();
        options.outputDir = out;
        options.workloads = List.of(new Workload(2, 64));
        options.capacityRates = new long[0];
        final long startNs = System.nanoTime();
        BenchSuite.run(options, List.of(new SharedWorkloadSection(List.of(NatsTarget::new))));

        final String md = Files.readString(out.resolve("report.md"));
        assertFalse(md.contains("**NATS**"), "NATS was skipped:\n" + md);
        final List<String> throughput = Files.readAllLines(out.resolve("throughput.csv"));
        assertEquals(2, throughput.size(), String.join("\n", throughput));
        assertTrue(throughput.get(1).startsWith("NATS,PEER,loopback TCP,2,64,"), throughput.get(1));
        assertTrue(Files.readString(out.resolve("latency.csv")).contains("NATS,PEER,loopback TCP,2,64,2000,"));
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs) < 60);
    }

    @Test
    void overloadSweepRunsRegulatedBesideTheBaselineWithAPlot() throws Exception
    {
        final SuiteOptions options = tinyWithoutWorkloads();
        final long startNs = System.nanoTime();
        final Path report = BenchSuite.run(options, List.of(new OverloadSection()));

        final String md = Files.readString(report);
        assertTrue(md.contains("## " + new OverloadSection().title()), md);
        assertFalse(md.contains("**" + new OverloadSection().title()), "the section was skipped or failed:\n" + md);
        assertTrue(md.contains("![overload](overload-sweep.png)"), md);
        assertTrue(Files.size(out.resolve("overload-sweep.png")) > 1000);
        final List<String> csv = Files.readAllLines(out.resolve("overload.csv"));
        // header + 2 steps (1x, 3x) × regulated and baseline
        assertEquals(5, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(0).startsWith("mode,multiplier,offered_per_s,goodput_per_s"), csv.get(0));
        assertEquals(2, csv.stream().filter(line -> line.startsWith("regulated,")).count(), String.join("\n", csv));
        assertEquals(2, csv.stream().filter(line -> line.startsWith("baseline,")).count(), String.join("\n", csv));
        assertTrue(Files.readString(out.resolve("results.json")).contains("\"overload\": ["));
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs) < 60);
    }

    @Test
    void journaledPathRunsBesideRawChronicleAppends() throws Exception
    {
        final SuiteOptions options = tinyWithoutWorkloads();
        final long startNs = System.nanoTime();
        // JMH refuses to run beside another JMH run on the machine (its /tmp lock); this run measures nothing
        // that matters and the machine is shared, so it runs anyway. The suite itself honours the lock.
        final String ignoreLock = System.getProperty("jmh.ignoreLock");
        System.setProperty("jmh.ignoreLock", "true");
        final Path report;
        try
        {
            report = BenchSuite.run(options, List.of(new JournalSection()));
        }
        finally
        {
            if (null == ignoreLock)
            {
                System.clearProperty("jmh.ignoreLock");
            }
            else
            {
                System.setProperty("jmh.ignoreLock", ignoreLock);
            }
        }

        final String md = Files.readString(report);
        assertFalse(md.contains("**" + new JournalSection().title()), "the section was skipped or failed:\n" + md);
        assertTrue(md.contains("| throughput msg/s |"), md);
        final List<String> summary = Files.readAllLines(out.resolve("journal-summary.csv"));
        assertEquals("measure,guaranteed_publish,raw_chronicle_append,ratio", summary.get(0));
        // throughput, then latency p50, p99, p99.99 and max
        assertEquals(6, summary.size(), String.join("\n", summary));
        final String[] throughput = summary.get(1).split(",");
        assertTrue(Double.parseDouble(throughput[1]) > 0 && Double.parseDouble(throughput[2]) > 0, summary.get(1));
        final String journal = Files.readString(out.resolve("journal.csv"));
        assertTrue(journal.contains("guaranteedPublishUntilJournaled,junction,64,"), journal);
        assertTrue(journal.contains("rawChronicleAppendLatency,limit,64,"), journal);
        assertTrue(Files.readString(out.resolve("results.json")).contains("\"journal-summary\": ["));
        assertTrue(md.contains("![journal latency](journal-latency.png)"), md);
        assertTrue(Files.size(out.resolve("journal-latency.png")) > 1000);
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs) < 90);
    }

    @Test
    void clusteredPathRunsBesideTheEchoServiceAndFailsOver() throws Exception
    {
        final SuiteOptions options = tinyWithoutWorkloads();
        final long startNs = System.nanoTime();
        final Path report = BenchSuite.run(options, List.of(new ClusterSection(26_000)));

        final String md = Files.readString(report);
        assertFalse(md.contains("**" + new ClusterSection().title()), "the section was skipped or failed:\n" + md);
        assertTrue(md.contains("Clustered switch throughput ÷ echo limit"), md);
        assertTrue(Files.size(out.resolve("cluster-latency.png")) > 1000);
        final List<String> cluster = Files.readAllLines(out.resolve("cluster.csv"));
        assertEquals(3, cluster.size(), String.join("\n", cluster));
        assertTrue(cluster.get(1).startsWith("switch,junction,"), cluster.get(1));
        assertTrue(cluster.get(2).startsWith("echo,limit,"), cluster.get(2));
        final List<String> failover = Files.readAllLines(out.resolve("cluster-failover.csv"));
        assertEquals(2, failover.size(), String.join("\n", failover));
        final String[] times = failover.get(1).split(",");
        // round, election starts, nominate, leader ready, client's new-leader event, first delivery (ms)
        assertTrue(Double.parseDouble(times[5]) >= Double.parseDouble(times[4]) && Double.parseDouble(times[4]) > 0,
            failover.get(1));
        assertTrue(Double.parseDouble(times[1]) > 0, failover.get(1));
        // The curve: one heartbeat setting in tiny mode, members as child JVMs, one SIGKILL.
        final List<String> curve = Files.readAllLines(out.resolve("cluster-curve.csv"));
        assertEquals(2, curve.size(), String.join("\n", curve));
        final String[] point = curve.get(1).split(",");
        assertEquals("500", point[0], curve.get(1));
        assertTrue(Double.parseDouble(point[5]) > 0, curve.get(1));
        assertTrue(md.contains("Failover and spurious elections against the leader heartbeat timeout"), md);
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs) < 180);
    }

    @Test
    void peerSummaryComparesJunctionRemoteWithTheBestPeerOnEveryWorkload()
    {
        final SuiteOptions options = SuiteOptions.tiny();
        options.workloads = List.of(new Workload(1, 64));
        options.rates = new long[] { 2_000 };
        final SuiteResults results = new SuiteResults();
        final Workload workload = options.workloads.get(0);
        results.throughput.add(throughput("Junction remote", workload, 300_000));
        results.throughput.add(throughput("Junction embedded", workload, 3_000_000));
        results.throughput.add(throughput("NATS", workload, 200_000));
        results.throughput.add(throughput("RabbitMQ", workload, 20_000));
        results.latency.add(latency("Junction remote", workload, 2_000, 80_000, false));
        results.latency.add(latency("NATS", workload, 2_000, 40_000, false));
        results.latency.add(latency("RabbitMQ", workload, 2_000, 30_000, true));

        final String md = PeerSummary.markdown(options, results, "this");
        assertTrue(md.contains("| workload | Junction remote msg/s | Junction remote p99 µs | Junction embedded msg/s |"),
            md);
        assertTrue(md.contains("| 1→1 64 B | 300,000 | 80.0 | 3,000,000 | – | 200,000 | 40.0 | 20,000 | 30.0 (sat.) |"),
            md);
        // Junction remote is ahead on throughput (1.5× NATS) and behind NATS on p99 (RabbitMQ saturated there)
        assertTrue(md.contains("throughput: **Junction** (1.50× NATS); p99: NATS (Junction 2.00× NATS's)"), md);
    }

    private SuiteOptions tinyWithoutWorkloads()
    {
        final SuiteOptions options = SuiteOptions.tiny();
        options.outputDir = out;
        return options;
    }

    private static ThroughputResult throughput(final String target, final Workload workload, final double rate)
    {
        return new ThroughputResult(target, Target.Kind.PEER, "loopback TCP", workload, 1000, 1000, 1000 / rate, rate);
    }

    private static LatencyResult latency(
        final String target, final Workload workload, final long rate, final long p99Ns, final boolean saturated)
    {
        final Percentiles p = new Percentiles(100, p99Ns / 2, p99Ns / 2, p99Ns, p99Ns, p99Ns, p99Ns);
        return new LatencyResult(target, Target.Kind.PEER, "loopback TCP", workload, rate, 100, 100, 100, p, p,
            saturated);
    }

    @Test
    void capacityPlanReadsTheCurveAndLeavesHeadroom()
    {
        final Workload workload = new Workload(1, 64);
        final long target = TimeUnit.MICROSECONDS.toNanos(50);
        final List<LatencyResult> points = List.of(
            point(workload, 1_000, 10_000, false),
            point(workload, 10_000, 40_000, false),
            point(workload, 50_000, 60_000, false),
            point(workload, 100_000, 30_000, true));
        final CapacityPlan plan = CapacityPlan.of("t", workload, points, 1_000_000, target, 0.8);

        assertEquals(10_000, plan.sustainedRate());
        assertFalse(plan.atHighestTested());
        assertEquals(50_000, plan.nextRate());
        assertEquals(8_000, plan.suggestedRate());
        assertEquals(25, plan.suggestedBurst()); // 1M msg/s drains 25 messages in 25 µs
        assertTrue(plan.sentence().contains("sustains 10,000 msg/s"), plan.sentence());

        final CapacityPlan none = CapacityPlan.of("t", workload, List.of(point(workload, 1_000, 90_000, false)),
            1_000_000, target, 0.8);
        assertEquals(0, none.sustainedRate());
        assertTrue(none.sentence().contains("misses"), none.sentence());
    }

    @Test
    void parsesDurationsAndOptions()
    {
        assertEquals(50_000, SuiteOptions.parseDurationNs("50us"));
        assertEquals(50_000, SuiteOptions.parseDurationNs("50µs"));
        assertEquals(1_500_000, SuiteOptions.parseDurationNs("1.5ms"));
        assertEquals(200, SuiteOptions.parseDurationNs("200ns"));
        final SuiteOptions quick = SuiteOptions.parse("--quick", "--p99-target", "100us", "--out", "x");
        assertEquals("quick", quick.mode);
        assertEquals(100_000, quick.p99TargetNs);
        assertEquals(Path.of("x"), quick.outputDir);
    }

    private static LatencyResult point(
        final Workload workload, final long rate, final long p99Ns, final boolean saturated)
    {
        final Percentiles p = new Percentiles(100, p99Ns / 2, p99Ns / 2, p99Ns, p99Ns, p99Ns, p99Ns);
        return new LatencyResult("t", Target.Kind.JUNCTION, "in-process", workload, rate, 100, 100,
            saturated ? 50 : 100, p, p, saturated);
    }

    @Test
    void shardScalingRunsOneAndTwoShardsBesideRawRingsAndWritesTheModel() throws Exception
    {
        final SuiteOptions options = SuiteOptions.tiny();
        options.outputDir = out;
        BenchSuite.run(options, List.of(new ShardScalingSection()));

        final List<String> rows = Files.readAllLines(out.resolve(ShardScalingSection.KEY + ".csv"));
        assertTrue(rows.size() >= 3, String.join("\n", rows)); // header, 1 shard, 2 shards
        for (final String row : rows.subList(1, rows.size()))
        {
            final String[] fields = row.split(",");
            assertTrue(Double.parseDouble(fields[1]) > 0, "Junction delivered nothing: " + row);
            assertTrue(Double.parseDouble(fields[2]) > 0, "the raw rings delivered nothing: " + row);
        }
        assertTrue(Files.size(out.resolve(ShardScalingSection.KEY + ".png")) > 1000);
        final String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("Model for bigger machines"), md);
        assertTrue(md.contains("64 cores"), md);
    }

    @Test
    void coreThroughputRunsBothPublishersBesideARawMultiProducerRing() throws Exception
    {
        final SuiteOptions options = SuiteOptions.tiny();
        options.outputDir = out;
        BenchSuite.run(options, List.of(new CoreThroughputSection()));

        final List<String> rows = Files.readAllLines(out.resolve(CoreThroughputSection.KEY + ".csv"));
        // header, then each configuration under each publisher
        assertTrue(rows.size() == 1 + 2 * CoreThroughputRun.Config.values().length, String.join("\n", rows));
        for (final String row : rows.subList(1, rows.size()))
        {
            final String[] fields = row.split(",");
            assertTrue(Double.parseDouble(fields[2]) > 0, "Junction delivered nothing: " + row);
            assertTrue(Double.parseDouble(fields[4]) > 0, "the raw ring delivered nothing: " + row);
        }
        assertTrue(rows.stream().anyMatch(row -> row.startsWith("spin,")), String.join("\n", rows));
        assertTrue(rows.stream().anyMatch(row -> row.startsWith("park,")), String.join("\n", rows));
        assertTrue(Files.readString(out.resolve("report.md")).contains("raw multi-producer"));
    }
}
