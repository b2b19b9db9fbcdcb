package io.junction.perf.suite;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report's summary: "Junction vs peers" on the shared workload, in Markdown that can be pasted into the
 * README's Performance section as it is. One row per workload: throughput and p99 (at the first fixed rate,
 * the same for every target) of Junction remote, Junction embedded, NATS and RabbitMQ, and which is ahead;
 * then p99 at every fixed rate.
 */
public final class PeerSummary
{
    /** The columns, in order; Junction remote is the like-for-like one (loopback TCP, as the peers). */
    public static final List<String> COLUMNS = List.of("Junction remote", "Junction embedded", "NATS", "RabbitMQ");
    private static final String REMOTE = "Junction remote";
    private static final List<String> PEERS = List.of("NATS", "RabbitMQ");

    private PeerSummary()
    {
    }

    public static String markdown(final SuiteOptions options, final SuiteResults results, final String runLink)
    {
        final StringBuilder md = new StringBuilder();
        if (options.rates.length == 0 || options.workloads.isEmpty())
        {
            return md.toString();
        }
        final long rate = options.rates[0];
        md.append(String.format(Locale.ROOT, "Junction vs peers on the shared workload (one publisher, loopback; " +
            "%s mode, %s): throughput in messages/s delivered to every subscriber, and p99 latency in µs at " +
            "%,d msg/s, open loop, from the intended send time. *Junction remote* is the daemon over its TCP " +
            "protocol, as NATS and RabbitMQ are brokers over TCP; *Junction embedded* is in-process (no network).%n%n",
            options.mode, runLink, rate));
        md.append("| workload |");
        COLUMNS.forEach(c -> md.append(' ').append(c).append(" msg/s | ").append(c).append(" p99 µs |"));
        md.append(" ahead (Junction remote vs best peer) |\n| --- |");
        COLUMNS.forEach(c -> md.append(" ---: | ---: |"));
        md.append(" --- |\n");
        for (final Workload workload : options.workloads)
        {
            md.append("| ").append(workload.label()).append(" |");
            for (final String target : COLUMNS)
            {
                final ThroughputResult throughput = throughput(results, target, workload);
                final LatencyResult latency = latency(results, target, workload, rate);
                md.append(' ').append(null == throughput ? "–" : String.format(Locale.ROOT, "%,.0f%s",
                    throughput.msgsPerSec(), throughput.lossFraction() > 0 ? String.format(Locale.ROOT,
                    " (%.1f%% lost)", 100 * throughput.lossFraction()) : "")).append(" |");
                md.append(' ').append(p99(latency)).append(" |");
            }
            md.append(' ').append(ahead(results, workload, rate)).append(" |\n");
        }
        if (options.rates.length > 1)
        {
            md.append("\np99 latency (µs) at every fixed rate:\n\n| workload | rate msg/s |");
            COLUMNS.forEach(c -> md.append(' ').append(c).append(" |"));
            md.append("\n| --- | ---: |");
            COLUMNS.forEach(c -> md.append(" ---: |"));
            md.append('\n');
            for (final Workload workload : options.workloads)
            {
                for (final long r : options.rates)
                {
                    md.append("| ").append(workload.label()).append(String.format(Locale.ROOT, " | %,d |", r));
                    for (final String target : COLUMNS)
                    {
                        md.append(' ').append(p99(latency(results, target, workload, r))).append(" |");
                    }
                    md.append('\n');
                }
            }
        }
        md.append("\nThroughput: higher is better; p99: lower is better (ratios are Junction remote's figure over " +
            "the best peer's). ");
        md.append("*sat.*: the target could not carry that rate (the publisher fell behind, messages were lost, " +
            "or a backlog built up): its p99 is queueing. –: not measured (skipped or saturated at a lower rate; " +
            "the report's Skipped list says which).\n");
        return md.toString();
    }

    /**
     * Who is ahead on one workload: Junction remote against the best peer, on throughput and on p99.
     */
    static String ahead(final SuiteResults results, final Workload workload, final long rate)
    {
        final List<String> parts = new ArrayList<>();
        final ThroughputResult remote = throughput(results, REMOTE, workload);
        ThroughputResult bestPeer = null;
        for (final String peer : PEERS)
        {
            final ThroughputResult candidate = throughput(results, peer, workload);
            if (null != candidate && (null == bestPeer || candidate.msgsPerSec() > bestPeer.msgsPerSec()))
            {
                bestPeer = candidate;
            }
        }
        if (null != remote && null != bestPeer && bestPeer.msgsPerSec() > 0)
        {
            final double ratio = remote.msgsPerSec() / bestPeer.msgsPerSec();
            parts.add(ratio >= 1 ?
                String.format(Locale.ROOT, "throughput: **Junction** (%.2f× %s)", ratio, bestPeer.target()) :
                String.format(Locale.ROOT, "throughput: %s (Junction %.2f× %s)", bestPeer.target(), ratio,
                bestPeer.target()));
        }
        final LatencyResult remoteLatency = latency(results, REMOTE, workload, rate);
        LatencyResult bestPeerLatency = null;
        for (final String peer : PEERS)
        {
            final LatencyResult candidate = latency(results, peer, workload, rate);
            if (null != candidate && !candidate.saturated() && (null == bestPeerLatency ||
                candidate.latency().p99Ns() < bestPeerLatency.latency().p99Ns()))
            {
                bestPeerLatency = candidate;
            }
        }
        if (null != remoteLatency && null != bestPeerLatency)
        {
            final boolean junctionAhead = !remoteLatency.saturated() &&
                remoteLatency.latency().p99Ns() <= bestPeerLatency.latency().p99Ns();
            final double ratio =
                (double)remoteLatency.latency().p99Ns() / Math.max(1, bestPeerLatency.latency().p99Ns());
            parts.add(junctionAhead ?
                String.format(Locale.ROOT, "p99: **Junction** (%.2f× %s's)", ratio, bestPeerLatency.target()) :
                String.format(Locale.ROOT, "p99: %s (Junction %.2f× %s's%s)", bestPeerLatency.target(), ratio,
                bestPeerLatency.target(), remoteLatency.saturated() ? ", saturated" : ""));
        }
        return parts.isEmpty() ? "–" : String.join("; ", parts);
    }

    private static String p99(final LatencyResult latency)
    {
        if (null == latency)
        {
            return "–";
        }
        return String.format(Locale.ROOT, "%,.1f%s", latency.latency().p99Ns() / 1e3, latency.saturated() ? " (sat.)" : "");
    }

    static ThroughputResult throughput(final SuiteResults results, final String target, final Workload workload)
    {
        return results.throughput.stream()
            .filter(r -> r.target().equals(target) && r.workload().equals(workload)).findFirst().orElse(null);
    }

    static LatencyResult latency(
        final SuiteResults results, final String target, final Workload workload, final long rate)
    {
        return results.latency.stream()
            .filter(r -> r.target().equals(target) && r.workload().equals(workload) && r.offeredRate() == rate)
            .findFirst().orElse(null);
    }
}
