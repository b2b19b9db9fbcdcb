package io.junction.perf.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the suite's harness end to end on a tiny workload, so that it cannot rot: Junction embedded and a
 * limit always; NATS only where nats-server is installed (the test never installs it; the suite does).
 */
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
}
