package io.junction.perf.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes a run's report.md (with its PNG plots) and the raw figures (throughput.csv, latency.csv,
 * roundtrip.csv, results.json) into the output directory.
 */
public final class ReportWriter
{
    private ReportWriter()
    {
    }

    public static Path write(
        final SuiteOptions options, final SuiteResults results, final String machine, final double loadAtEnd,
        final long elapsedSeconds) throws IOException
    {
        final Path dir = options.outputDir;
        Files.createDirectories(dir);
        writeCsv(results, dir);
        final List<CapacityPlan> plans = plans(options, results);
        Files.writeString(dir.resolve("results.json"), Json.of(options, results, machine, plans));

        final StringBuilder md = new StringBuilder();
        md.append("# Junction perf suite: ").append(options.mode).append(" run\n\n");
        final String load = loadAverage(machine);
        final String loadText = load.matches("[0-9.]+") ?
            String.format(Locale.ROOT, "%.2f", Double.parseDouble(load)) : load;
        md.append(String.format(Locale.ROOT, "> **Read with care.** Measured on a shared machine with %d cores: " +
            "load average %s at the start and %.2f at the end of the run (other builds and tests were running). " +
            "Figures, the tails above all, are worse and noisier than on a quiet machine; compare targets within " +
            "this run, not with other runs. The run took %d s.%n%n",
            Runtime.getRuntime().availableProcessors(), loadText, loadAtEnd, elapsedSeconds));
        final String summary = PeerSummary.markdown(options, results, "this run");
        if (!summary.isEmpty())
        {
            md.append("## Summary: Junction vs peers\n\n").append(summary)
                .append("\nThe same table, with links that work from the repository's root, to paste into the ")
                .append("README's Performance section: [summary.md](summary.md).\n\n");
            final String fromRoot = "perf/results/" + dir.getFileName() + "/report.md";
            Files.writeString(dir.resolve("summary.md"),
                PeerSummary.markdown(options, results, "report: [" + fromRoot + "](" + fromRoot + ")"));
        }
        md.append("## Machine\n\n").append(machine).append("\n\n");
        md.append(String.format(Locale.ROOT, "Command: `perf/bench.sh%s --p99-target %s`%n%n",
            "quick".equals(options.mode) ? " --quick" : "",
            CapacityPlan.us(options.p99TargetNs).replace(" µs", "us")));

        md.append("## What was measured\n\n");
        md.append("One publisher thread, open loop: message *i* is due at start + *i*/rate and carries that ")
            .append("intended send time; latency is receipt minus intended send time at every subscriber ")
            .append("(HdrHistogram, 3 significant digits, all subscribers merged), so a stall counts against every ")
            .append("message it delays (no coordinated omission). Throughput: the publisher sends as fast as the ")
            .append("target accepts (retrying when back-pressured) for ")
            .append(options.throughputNs / 1_000_000).append(" ms; the rate is what the slowest subscriber ")
            .append("received, over the time to the last receipt; the median of ").append(options.throughputTrials)
            .append(" such runs (fewer if one left a backlog undelivered). Each latency point: ")
            .append(options.warmupNs / 1_000_000).append(" ms warm-up, then ")
            .append(options.latencyNs / 1_000_000).append(" ms measured. A point is *saturated* when the publisher ")
            .append("could not send the whole schedule within twice the window plus 1 s, messages were lost, ")
            .append("or the last message arrived more than a quarter of the window after the last send (a ")
            .append("backlog: the target queues what it cannot carry); higher rates are then not run. ")
            .append("*Send lag* is how late the publisher actually sent after the intended time (OS scheduling of the ")
            .append("publisher thread, plus the target's back pressure): it is inside the latency, and on a loaded ")
            .append("machine it is often most of it.\n\n");
        md.append("**Like for like:** *Junction remote* is the daemon (`junction run`) started as a child JVM and ")
            .append("driven over loopback TCP by its own client, as NATS and RabbitMQ are brokers in their own ")
            .append("processes driven over loopback TCP: that is the row to compare with the peers. *Junction embedded* ")
            .append("runs in the benchmark's process (no network, no serialisation): what an application that embeds ")
            .append("the switch gets. The limits are the libraries under Junction, used raw: Junction cannot beat ")
            .append("them. On 2 cores, the broker, the publisher and every subscriber thread share the same two cores ")
            .append("for every target alike.\n\n");
        md.append("| target | kind | transport | version | semantics |\n| --- | --- | --- | --- | --- |\n");
        for (final SuiteResults.TargetInfo target : results.targets)
        {
            md.append("| ").append(target.name()).append(" | ").append(target.kind().name().toLowerCase(Locale.ROOT))
                .append(" | ").append(target.transport()).append(" | ").append(target.version()).append(" | ")
                .append(target.semantics()).append(" |\n");
        }

        throughputSection(options, results, md);
        latencySection(options, results, md);
        capacitySection(options, results, plans, md);
        roundTripSection(results, md);
        for (final SuiteResults.Fragment fragment : results.fragments)
        {
            md.append("\n## ").append(fragment.title()).append("\n\n").append(fragment.markdown()).append('\n');
        }

        md.append("\n## Time\n\n| section | estimated s | took s |\n| --- | ---: | ---: |\n");
        for (final SuiteResults.Timing timing : results.timings)
        {
            md.append("| ").append(timing.section()).append(" | ").append(timing.estimatedSeconds()).append(" | ")
                .append(timing.seconds()).append(" |\n");
        }
        md.append("\n## Skipped\n\n");
        if (results.skipped.isEmpty())
        {
            md.append("Nothing.\n");
        }
        for (final SuiteResults.Skipped skipped : results.skipped)
        {
            md.append("- **").append(skipped.what()).append("**: ").append(skipped.why()).append('\n');
        }
        md.append("\n## Raw figures\n\n[throughput.csv](throughput.csv), [latency.csv](latency.csv), ")
            .append("[roundtrip.csv](roundtrip.csv), ");
        for (final SuiteResults.Table table : results.tables)
        {
            md.append('[').append(table.key()).append(".csv](").append(table.key()).append(".csv), ");
        }
        md.append("[results.json](results.json) (shared workload latencies in ns; the sections' units are in ")
            .append("their column names).\n");
        md.append("\n## Run log\n\n```\n").append(String.join("\n", results.log)).append("\n```\n");
        final Path report = dir.resolve("report.md");
        Files.writeString(report, md.toString());
        return report;
    }

    static List<CapacityPlan> plans(final SuiteOptions options, final SuiteResults results)
    {
        final List<CapacityPlan> plans = new ArrayList<>();
        if (options.workloads.isEmpty())
        {
            return plans;
        }
        final Workload workload = options.workloads.get(0);
        for (final SuiteResults.TargetInfo target : results.targets)
        {
            final double max = results.throughput.stream()
                .filter(r -> r.target().equals(target.name()) && r.workload().equals(workload))
                .mapToDouble(ThroughputResult::msgsPerSec).findFirst().orElse(0);
            plans.add(CapacityPlan.of(
                target.name(), workload, results.latency, max, options.p99TargetNs, options.headroom));
        }
        return plans;
    }

    private static void throughputSection(
        final SuiteOptions options, final SuiteResults results, final StringBuilder md)
        throws IOException
    {
        md.append("\n## Throughput\n\nMessages per second from the publisher, delivered to every subscriber ")
            .append("(deliveries per second = that × subscribers). *Undelivered*: accepted by the target but not ")
            .append("received by the slowest subscriber within the drain timeout (dropped, or still queued).\n\n");
        if (!results.throughput.isEmpty())
        {
            Charts.throughput(results, options.workloads, options.outputDir);
            md.append("![throughput](throughput.png)\n\n");
        }
        md.append("| workload |");
        results.targets.forEach(t -> md.append(' ').append(t.name()).append(" |"));
        md.append(" Junction remote ÷ best peer |\n| --- |");
        results.targets.forEach(t -> md.append(" ---: |"));
        md.append(" ---: |\n");
        for (final Workload workload : options.workloads)
        {
            md.append("| ").append(workload.label()).append(" |");
            double junction = 0;
            double bestPeer = 0;
            for (final SuiteResults.TargetInfo target : results.targets)
            {
                final ThroughputResult result = results.throughput.stream()
                    .filter(r -> r.target().equals(target.name()) && r.workload().equals(workload))
                    .findFirst().orElse(null);
                if (null == result)
                {
                    md.append(" – |");
                    continue;
                }
                md.append(String.format(Locale.ROOT, " %,.0f%s |", result.msgsPerSec(),
                    result.lossFraction() > 0 ?
                    String.format(Locale.ROOT, " (%.1f%% undelivered)", 100 * result.lossFraction()) : ""));
                if ("Junction remote".equals(target.name()))
                {
                    junction = result.msgsPerSec();
                }
                if (target.kind() == Target.Kind.PEER)
                {
                    bestPeer = Math.max(bestPeer, result.msgsPerSec());
                }
            }
            md.append(junction > 0 && bestPeer > 0 ?
                String.format(Locale.ROOT, " %.1f× |", junction / bestPeer) : " – |");
            md.append('\n');
        }
    }

    private static void latencySection(final SuiteOptions options, final SuiteResults results, final StringBuilder md)
        throws IOException
    {
        md.append("\n## Latency at fixed rates\n\nMicroseconds from the intended send time to receipt, all ")
            .append("subscribers. *sent/delivered* count the measured window only.\n");
        for (final Workload workload : options.workloads)
        {
            final List<Long> rates = results.latency.stream().filter(r -> r.workload().equals(workload))
                .map(LatencyResult::offeredRate).distinct().sorted().toList();
            for (final long rate : rates)
            {
                if (!contains(options.rates, rate))
                {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "%n### %s at %,d msg/s%n%n", workload.label(), rate));
                final Path chart = Charts.latencyPercentiles(results, workload, rate, options.outputDir);
                if (null != chart)
                {
                    md.append("![latency](").append(chart.getFileName()).append(")\n\n");
                }
                latencyTable(results.latency.stream()
                    .filter(r -> r.workload().equals(workload) && r.offeredRate() == rate).toList(), md);
            }
        }
    }

    private static void latencyTable(final List<LatencyResult> rows, final StringBuilder md)
    {
        md.append("| target | rate msg/s | p50 | p90 | p99 | p99.9 | p99.99 | max | send lag p99 | sent | delivered | ")
            .append("saturated |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (final LatencyResult row : rows)
        {
            final Percentiles p = row.latency();
            md.append(String.format(Locale.ROOT,
                "| %s | %,d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %,d | %,d | %s |%n",
                row.target(), row.offeredRate(), p.p50Ns() / 1e3, p.p90Ns() / 1e3, p.p99Ns() / 1e3, p.p999Ns() / 1e3,
                p.p9999Ns() / 1e3, p.maxNs() / 1e3, row.sendLag().p99Ns() / 1e3, row.sent(), row.delivered(),
                row.saturated() ? "**yes**" : "no"));
        }
    }

    private static void capacitySection(
        final SuiteOptions options, final SuiteResults results, final List<CapacityPlan> plans, final StringBuilder md)
        throws IOException
    {
        if (options.workloads.isEmpty())
        {
            return;
        }
        final Workload workload = options.workloads.get(0);
        md.append("\n## Capacity planning: p99 ≤ ").append(CapacityPlan.us(options.p99TargetNs))
            .append(", ").append(workload.label()).append("\n\n");
        final Path chart = Charts.capacity(results, workload, options.p99TargetNs, options.outputDir);
        if (null != chart)
        {
            md.append("![capacity](").append(chart.getFileName()).append(")\n\n");
        }
        for (final CapacityPlan plan : plans)
        {
            md.append("- ").append(plan.sentence()).append('\n');
        }
        md.append(String.format(Locale.ROOT, "%nHow: the sustained rate is the highest measured rate at which that " +
            "and every lower rate met the target unsaturated (the curve is sampled at %s msg/s, so the true limit " +
            "lies between the last rate that met it and the next). The token-bucket rate is %.0f%% of it, for " +
            "headroom; the burst is what the target drains at its measured maximum throughput in half the latency " +
            "target. Put these in the regulator's rule for this traffic (token bucket rate and burst), and re-run " +
            "the suite on the production hardware, quiet, before trusting them.%n",
            options.allRatesForFirstWorkload().stream().map(r -> String.format(Locale.ROOT, "%,d", r))
                .collect(Collectors.joining(", ")), 100 * options.headroom));
        final long[] otherTargets = { options.p99TargetNs, 100_000, 1_000_000, 10_000_000 };
        md.append("\nThe same reading at other p99 targets (highest rate that met it; 0: none did; ≥: the highest ")
            .append("rate measured met it):\n\n| target |");
        final List<Long> columns = java.util.Arrays.stream(otherTargets).distinct().boxed().toList();
        columns.forEach(t -> md.append(" p99 ≤ ").append(CapacityPlan.us(t)).append(" |"));
        md.append("\n| --- |");
        columns.forEach(t -> md.append(" ---: |"));
        md.append('\n');
        for (final SuiteResults.TargetInfo target : results.targets)
        {
            md.append("| ").append(target.name()).append(" |");
            for (final long p99 : columns)
            {
                final CapacityPlan plan = CapacityPlan.of(
                    target.name(), workload, results.latency, 0, p99, options.headroom);
                md.append(String.format(Locale.ROOT, " %s%,d |", plan.atHighestTested() && plan.sustainedRate() > 0 ?
                    "≥ " : "", plan.sustainedRate()));
            }
            md.append('\n');
        }
        md.append('\n');
        latencyTable(results.latency.stream().filter(r -> r.workload().equals(workload)).toList(), md);
    }

    private static void roundTripSection(final SuiteResults results, final StringBuilder md)
    {
        if (results.roundTrips.isEmpty())
        {
            return;
        }
        md.append("\n## Round trip (limits)\n\nPing-pong, one 64-byte message in flight, µs.\n\n");
        md.append("| limit | transport | count | p50 | p90 | p99 | p99.9 | p99.99 | max |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (final SuiteResults.RoundTripResult rtt : results.roundTrips)
        {
            final Percentiles p = rtt.roundTrip();
            md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
                rtt.name(), rtt.transport(), p.count(), p.p50Ns() / 1e3, p.p90Ns() / 1e3, p.p99Ns() / 1e3,
                p.p999Ns() / 1e3, p.p9999Ns() / 1e3, p.maxNs() / 1e3));
        }
    }

    private static void writeCsv(final SuiteResults results, final Path dir) throws IOException
    {
        final StringBuilder throughput = new StringBuilder(
            "target,kind,transport,subscribers,payload_bytes,sent,delivered,seconds,msgs_per_sec,deliveries_per_sec\n");
        for (final ThroughputResult r : results.throughput)
        {
            throughput.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%d,%d,%.6f,%.1f,%.1f%n",
                csv(r.target()), r.kind(), csv(r.transport()), r.workload().subscribers(), r.workload().payloadBytes(),
                r.sent(), r.delivered(), r.seconds(), r.msgsPerSec(), r.deliveriesPerSec()));
        }
        Files.writeString(dir.resolve("throughput.csv"), throughput);

        final StringBuilder latency = new StringBuilder(
            "target,kind,transport,subscribers,payload_bytes,offered_rate," +
            "scheduled,sent,delivered,saturated,count,p50_ns,p90_ns,p99_ns,p999_ns,p9999_ns,max_ns,send_lag_p99_ns," +
            "send_lag_max_ns\n");
        for (final LatencyResult r : results.latency)
        {
            final Percentiles p = r.latency();
            latency.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%d,%d,%d,%d,%b,%d,%d,%d,%d,%d,%d,%d,%d,%d%n",
                csv(r.target()), r.kind(), csv(r.transport()), r.workload().subscribers(), r.workload().payloadBytes(),
                r.offeredRate(), r.scheduled(), r.sent(), r.delivered(), r.saturated(), p.count(), p.p50Ns(),
                p.p90Ns(), p.p99Ns(), p.p999Ns(), p.p9999Ns(), p.maxNs(), r.sendLag().p99Ns(), r.sendLag().maxNs()));
        }
        Files.writeString(dir.resolve("latency.csv"), latency);

        final StringBuilder rtt = new StringBuilder(
            "limit,transport,payload_bytes,count,p50_ns,p90_ns,p99_ns,p999_ns,p9999_ns,max_ns\n");
        for (final SuiteResults.RoundTripResult r : results.roundTrips)
        {
            final Percentiles p = r.roundTrip();
            rtt.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%d,%d,%d,%d,%d%n", csv(r.name()), csv(r.transport()),
                r.payloadBytes(), p.count(), p.p50Ns(), p.p90Ns(), p.p99Ns(), p.p999Ns(), p.p9999Ns(), p.maxNs()));
        }
        Files.writeString(dir.resolve("roundtrip.csv"), rtt);

        for (final SuiteResults.Table table : results.tables)
        {
            final StringBuilder text = new StringBuilder(
                String.join(",", table.columns().stream().map(ReportWriter::csv).toList())).append('\n');
            for (final List<String> row : table.rows())
            {
                text.append(String.join(",", row.stream().map(ReportWriter::csv).toList())).append('\n');
            }
            Files.writeString(dir.resolve(table.key() + ".csv"), text);
        }
    }

    private static String csv(final String value)
    {
        return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    private static boolean contains(final long[] values, final long value)
    {
        for (final long v : values)
        {
            if (v == value)
            {
                return true;
            }
        }
        return false;
    }

    static String loadAverage(final String machine)
    {
        for (final String line : machine.split("\n"))
        {
            if (line.contains("load average at start:"))
            {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }
}
