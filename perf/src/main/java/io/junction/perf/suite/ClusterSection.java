package io.junction.perf.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.HdrHistogram.Histogram;

import io.junction.cluster.ClusterNode;
import io.junction.perf.cluster.ClusterBenchmark;
import io.junction.perf.cluster.FailoverCurve;
import io.junction.perf.cluster.FailoverTimeline;

/**
 * The clustered path ({@link ClusterBenchmark}): a 3-member Aeron Cluster in this JVM on loopback, the
 * replicated switch (publisher client → cluster → subscriber client) beside a bare Aeron Cluster echo service on
 * the same node setup (the limit), rounds alternating; then failover: the leader is closed during a paced
 * stream, and the time to the client's new-leader event and to its first delivery is measured; then the curve
 * ({@link FailoverCurve}): for several leader heartbeat timeouts, members as child JVMs on a machine loaded to ~10,
 * spurious elections per minute and crash failover. Fewer, smaller rounds in quick mode.
 */
public final class ClusterSection implements Section
{
    static final String KEY = "cluster";
    static final String FAILOVER_KEY = "cluster-failover";
    static final String CURVE_KEY = "cluster-curve";

    /** The load average the curve is measured at (busy threads top the machine up to it). */
    static final double TARGET_LOAD = 10;

    private final int basePort;

    /** Clusters on ports from 24000 when free (each cluster takes a free range otherwise: FreePortRange). */
    public ClusterSection()
    {
        this(24_000);
    }

    public ClusterSection(final int basePort)
    {
        this.basePort = basePort;
    }

    @Override
    public String title()
    {
        return "Clustered path vs a bare Aeron Cluster echo service, and failover time";
    }

    @Override
    public long estimateSeconds(final SuiteOptions options)
    {
        return Math.round(settings(options).estimateSeconds() + curveSettings(options).estimateSeconds());
    }

    FailoverCurve.Settings curveSettings(final SuiteOptions options)
    {
        return switch (options.mode)
        {
            case "tiny" -> new FailoverCurve.Settings(List.of(500L), 3, 1, 0, 0);
            case "quick" -> new FailoverCurve.Settings(List.of(250L, 500L, 1000L), 10, 2, 1, TARGET_LOAD);
            default -> new FailoverCurve.Settings(List.of(200L, 250L, 300L, 500L), 60, 5, 2, TARGET_LOAD);
        };
    }

    ClusterBenchmark.Settings settings(final SuiteOptions options)
    {
        return switch (options.mode)
        {
            case "tiny" -> new ClusterBenchmark.Settings(500, 1, false, false, 1, basePort);
            case "quick" -> new ClusterBenchmark.Settings(5_000, 1, true, false, 1, basePort);
            default -> new ClusterBenchmark.Settings(50_000, 3, true, true, 3, basePort);
        };
    }

    @Override
    public void run(final SuiteOptions options, final SuiteResults results) throws Exception
    {
        final ClusterBenchmark.Settings settings = settings(options);
        final Path baseDir = Files.createTempDirectory("junction-bench-cluster-");
        final ClusterBenchmark.Result result;
        final List<FailoverCurve.Point> curve;
        try
        {
            result = ClusterBenchmark.measure(baseDir.toFile(), settings, line -> results.note("cluster: " + line));
            curve = FailoverCurve.measure(baseDir.resolve("curve").toFile(), basePort + 3_000, curveSettings(options),
                point -> results.note("cluster curve: " + FailoverCurve.describe(point)));
        }
        finally
        {
            SharedWorkloadSection.deleteRecursively(baseDir);
        }

        final List<List<String>> rows = new ArrayList<>();
        rows.add(row("switch", "junction", result.switchRates(), result.switchLatency()));
        if (settings.noJournal())
        {
            rows.add(row("switch without journal", "junction", result.noJournalRates(), result.noJournalLatency()));
        }
        rows.add(row("echo", "limit", result.echoRates(), result.echoLatency()));
        results.tables.add(new SuiteResults.Table(KEY, title(), List.of("variant", "side", "rounds_msgs_per_sec",
            "median_msgs_per_sec", "p50_us", "p90_us", "p99_us", "p9999_us", "max_us", "count"), rows));
        final List<List<String>> failovers = new ArrayList<>();
        for (int i = 0; i < result.failovers().size(); i++)
        {
            final FailoverTimeline failover = result.failovers().get(i);
            failovers.add(List.of(Integer.toString(i), num(failover.electionMs()), num(failover.nominateMs()),
                num(failover.leaderReadyMs()), num(failover.newLeaderEventMs()), num(failover.firstDeliveryMs())));
        }
        results.tables.add(new SuiteResults.Table(FAILOVER_KEY, "Cluster failover",
            List.of("round", "election_starts_ms", "nominate_ms", "leader_ready_ms", "new_leader_event_ms",
                "first_delivery_ms"), failovers));

        final double switchMedian = ClusterBenchmark.median(result.switchRates());
        final double echoMedian = ClusterBenchmark.median(result.echoRates());
        final StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "3 members in this JVM on loopback (SHARED drivers and archives, " +
            "leader heartbeat timeout %d ms), one client media driver; clients: the client library's " +
            "`JunctionClient` over a `ClusterTransport`, guaranteed publishes; payload 64 B; %,d messages per " +
            "round, an in-flight window of 256; %s%d round(s) of each variant, alternating. *Switch*: publisher client → " +
            "cluster (sequence, route, Chronicle append on every member) → a subscribing client. *Echo* (the " +
            "limit): client → a bare clustered service → the same client. Latency is publish → delivery in the same " +
            "closed-loop runs, so it includes queueing behind the window: latency under full load, not at a " +
            "fixed rate. On one 2-core machine all three members share the cores; on three machines each has its " +
            "own.%n%n", TimeUnit.NANOSECONDS.toMillis(new ClusterNode.Context().leaderHeartbeatTimeoutNs()),
            settings.messages(), settings.warmUp() ? "one untimed warm-up round of each, then " : "",
            settings.rounds()));
        md.append("| variant | throughput msg/s (median) | rounds | p50 µs | p99 µs | p99.99 µs | max µs |\n");
        md.append("| --- | ---: | --- | ---: | ---: | ---: | ---: |\n");
        for (final List<String> row : rows)
        {
            md.append(String.format(Locale.ROOT, "| %s (%s) | %s | %s | %s | %s | %s | %s |%n", row.get(0), row.get(1),
                row.get(3), row.get(2), row.get(4), row.get(6), row.get(7), row.get(8)));
        }
        final Map<String, double[]> series = new LinkedHashMap<>();
        series.put("switch (Junction)", micros(result.switchLatency()));
        if (settings.noJournal())
        {
            series.put("switch without journal", micros(result.noJournalLatency()));
        }
        series.put("echo service (limit)", micros(result.echoLatency()));
        final Path chart = Charts.percentileCurves("Clustered path: publish → delivery under full load (window 256) " +
            "vs the bare echo service (µs, log scale)", List.of(Percentiles.LABELS), series,
            options.outputDir.resolve(KEY + "-latency.png"));
        md.append("\n![cluster latency](").append(chart.getFileName()).append(")\n");
        if (echoMedian > 0)
        {
            md.append(String.format(Locale.ROOT, "%nClustered switch throughput ÷ echo limit: **%.0f%%**.%n",
                100 * switchMedian / echoMedian));
            results.note(String.format(Locale.ROOT, "cluster: switch %,.0f msg/s, echo %,.0f msg/s (%.0f%%)",
                switchMedian, echoMedian, 100 * switchMedian / echoMedian));
        }
        if (!failovers.isEmpty())
        {
            md.append(String.format(Locale.ROOT, "%nFailover (leader closed during a stream of one message per " +
                "500 µs): new leader event after **%.0f ms**, first delivery from the new leader after **%.0f ms** " +
                "(medians of %d; all: %s ms and %s ms).%n", ClusterBenchmark.median(result.newLeaderMs()),
                ClusterBenchmark.median(result.firstDeliveryMs()), failovers.size(),
                result.newLeaderMs().stream().map(ClusterSection::num).collect(Collectors.joining(", ")),
                result.firstDeliveryMs().stream().map(ClusterSection::num).collect(Collectors.joining(", "))));
            md.append("\nWhere the time goes (ms from the stop; the survivors' election states, read in this JVM):\n\n");
            md.append("| round | election starts | a candidate nominates | new leader ready | client's new-leader " +
                "event | first delivery |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (final List<String> row : failovers)
            {
                md.append("| ").append(String.join(" | ", row)).append(" |\n");
            }
        }
        curve(curve, curveSettings(options), results, md);
        results.fragments.add(new SuiteResults.Fragment(title(), md.toString()));
    }

    private static void curve(
        final List<FailoverCurve.Point> curve, final FailoverCurve.Settings settings, final SuiteResults results,
        final StringBuilder md)
    {
        final List<List<String>> rows = new ArrayList<>();
        for (final FailoverCurve.Point point : curve)
        {
            rows.add(List.of(Long.toString(point.heartbeatTimeoutMs()), Long.toString(point.electionTimeoutMs()),
                String.format(Locale.ROOT, "%.1f", point.electionsPerMinute()), Integer.toString(point.elections()),
                Integer.toString(point.quietSeconds()), num(point.medianFailoverMs()), num(point.p90FailoverMs()),
                nums(point.failoverMs()), num(point.medianPlannedMs()), num(point.p90PlannedMs()),
                nums(point.plannedMs()), nums(point.detectedMs()), nums(point.electedMs()),
                nums(point.newLeaderEventMs()), point.loadAverage().split(" ")[0],
                num(point.crashMedianMs(point.detectedMs())), num(point.crashMedianMs(point.electedMs())),
                num(point.crashMedianMs(point.newLeaderEventMs())), failure(point)));
        }
        results.tables.add(new SuiteResults.Table(CURVE_KEY, "Cluster failover against the heartbeat timeout",
            List.of("heartbeat_timeout_ms", "election_timeout_ms", "spurious_elections_per_min", "elections",
                "quiet_s", "crash_failover_median_ms", "crash_failover_p90_ms", "crash_failover_ms",
                "planned_stop_median_ms", "planned_stop_p90_ms", "planned_stop_ms", "election_started_ms",
                "new_leader_logged_ms", "client_new_leader_event_ms", "load_1min", "crash_election_started_median_ms",
                "crash_new_leader_logged_median_ms", "crash_client_new_leader_event_median_ms", "failure"), rows));
        md.append(String.format(Locale.ROOT, "%n### Failover and spurious elections against the leader heartbeat " +
            "timeout%n%nFor each heartbeat timeout (election timeout a fifth of it, heartbeat interval a tenth): " +
            "three members as child JVMs (`ClusterNodeMain`, loopback), one client in this JVM publishing guaranteed " +
            "64 B messages at 200 msg/s to a topic it subscribes to; %s. *Spurious elections*: members turning " +
            "CANDIDATE in a %d s window with nothing killed, per minute. *Crash failover*: leader SIGKILL → the " +
            "first delivery after the client's new-leader event (%d kill(s) a setting); *planned stop*: the same " +
            "with SIGTERM (%d a setting). Phases of the crashes (medians, ms after the kill): a survivor logs why " +
            "it starts an election (the heartbeat timeout), a survivor logs LEADER (read every 50 ms), the client " +
            "hears of the new leader. The load average is the 1-minute one at the end of the window: these " +
            "are loaded-machine figures.%n%n", settings.targetLoad() > 0 ? String.format(Locale.ROOT,
            "busy processes (a shell loop, always runnable) top the machine up to a load average of about " +
            "%.0f", settings.targetLoad()) : "no added load", settings.quietSeconds(), settings.kills(),
            settings.stops()));
        md.append("| heartbeat timeout ms | election timeout ms | spurious elections / min | crash failover " +
            "median / p90 ms (all) | crash phases: election started, new leader logged, client told (medians) | " +
            "planned stop median / p90 ms (all) | load |\n");
        md.append("| ---: | ---: | ---: | --- | --- | --- | ---: |\n");
        for (final List<String> row : rows)
        {
            if (!row.get(18).isEmpty())
            {
                md.append(String.format(Locale.ROOT, "| %s | %s | failed: %s | | | | %s |%n", row.get(0), row.get(1),
                    row.get(18), row.get(14)));
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %s | %s (%s in %s s) | %s / %s (%s) | %s, %s, %s | %s / %s " +
                "(%s) | %s |%n", row.get(0), row.get(1), row.get(2), row.get(3), row.get(4), row.get(5), row.get(6),
                row.get(7), row.get(15), row.get(16), row.get(17), row.get(8), row.get(9), row.get(10), row.get(14)));
        }
    }

    /** The first line of why a setting failed (no commas: it is a CSV field), empty if it did not. */
    private static String failure(final FailoverCurve.Point point)
    {
        return null == point.failure() ? "" : point.failure().lines().findFirst().orElse("").replace(',', ';')
            .replace('|', '/');
    }

    private static String nums(final List<Double> values)
    {
        return values.stream().map(ClusterSection::num).collect(Collectors.joining(" "));
    }

    private static List<String> row(
        final String variant, final String side, final List<Double> rates, final Histogram latency)
    {
        return List.of(variant, side,
            rates.stream().map(ClusterSection::num).collect(Collectors.joining(" ")),
            num(ClusterBenchmark.median(rates)),
            us(latency.getValueAtPercentile(50)), us(latency.getValueAtPercentile(90)),
            us(latency.getValueAtPercentile(99)), us(latency.getValueAtPercentile(99.99)), us(latency.getMaxValue()),
            Long.toString(latency.getTotalCount()));
    }

    private static double[] micros(final Histogram histogram)
    {
        final long[] values = Percentiles.of(histogram).values();
        final double[] micros = new double[values.length];
        for (int i = 0; i < values.length; i++)
        {
            micros[i] = values[i] / 1e3;
        }
        return micros;
    }

    private static String us(final long ns)
    {
        return String.format(Locale.ROOT, "%.0f", ns / 1e3);
    }

    private static String num(final double value)
    {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.0f", value);
    }
}
