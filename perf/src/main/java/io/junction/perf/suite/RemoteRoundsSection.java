package io.junction.perf.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Junction remote and NATS run alternately, round after round ({@code --rounds N}), each round with a fresh
 * server: throughput (the median of the trials) and the latency at 10,000 msg/s per workload, with the CPU time
 * the server and the load generator spent per message. The report gives, per workload, the median over the rounds
 * and the ratios of the medians, so that drift on the machine (other load, thermal state) falls on both sides.
 * CPU per message is the load-robust figure: on 2 cores it decides the throughput once the machine is quiet.
 */
public final class RemoteRoundsSection implements Section
{
    static final long LATENCY_RATE = 10_000;
    private static final long READY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(15);

    private final List<Supplier<Target>> targets;

    public RemoteRoundsSection()
    {
        this(List.of(JunctionRemoteTarget::new, NatsTarget::new));
    }

    RemoteRoundsSection(final List<Supplier<Target>> targets)
    {
        this.targets = targets;
    }

    /**
     * @return the rounds of Junction remote and NATS, with a second Junction remote on {@code --daemon-config} beside
     * the first when it is given.
     */
    static RemoteRoundsSection of(final SuiteOptions options)
    {
        if (options.daemonConfig.isEmpty())
        {
            return new RemoteRoundsSection();
        }
        final String config = options.daemonConfig;
        return new RemoteRoundsSection(List.of(JunctionRemoteTarget::new,
            () -> JunctionRemoteTarget.configured(config), NatsTarget::new));
    }

    /** One workload of one round on one target. */
    record Round(
        ThroughputResult throughput, LatencyResult latency, double serverCpuNsPerMsg, double clientCpuNsPerMsg,
        double serverCoresAtRate)
    {
    }

    @Override
    public String title()
    {
        return "Junction remote vs NATS, " + "alternating rounds";
    }

    @Override
    public long estimateSeconds(final SuiteOptions options)
    {
        double perRound = 0;
        for (final Supplier<Target> supplier : targets)
        {
            final Target target = supplier.get();
            if (options.includes(target))
            {
                perRound += target.startSeconds() + options.workloads.size() * (2.0 + perWorkloadSeconds(options));
            }
        }
        return Math.round(perRound * options.rounds);
    }

    private static double perWorkloadSeconds(final SuiteOptions options)
    {
        return (1 + options.throughputTrials) * options.throughputNs / 1e9 +
            (options.warmupNs + options.latencyNs) / 1e9;
    }

    @Override
    public void run(final SuiteOptions options, final SuiteResults results) throws Exception
    {
        final Map<String, List<Round>> rounds = new LinkedHashMap<>(); // by target name + workload key
        final List<String> names = new ArrayList<>();
        for (int round = 1; round <= options.rounds; round++)
        {
            final List<Supplier<Target>> order = new ArrayList<>(targets);
            if (0 == round % 2)
            {
                java.util.Collections.reverse(order); // alternate which goes first
            }
            for (final Supplier<Target> supplier : order)
            {
                final Target target = supplier.get();
                if (!options.includes(target))
                {
                    continue;
                }
                if (!names.contains(target.name()))
                {
                    names.add(target.name());
                }
                results.note("round " + round + " of " + options.rounds + ": " + target.name());
                runTarget(options, results, target, round, rounds);
            }
        }
        summarise(options, results, names, rounds);
    }

    private static void runTarget(
        final SuiteOptions options, final SuiteResults results, final Target target, final int round,
        final Map<String, List<Round>> rounds) throws Exception
    {
        final Path workDir = Files.createTempDirectory("junction-rounds-");
        try
        {
            final String whyNot = target.prepare(workDir);
            if (null != whyNot)
            {
                results.skip(target.name() + " round " + round, whyNot);
                return;
            }
            if (results.targets.stream().noneMatch(t -> t.name().equals(target.name())))
            {
                results.targets.add(new SuiteResults.TargetInfo(
                    target.name(), target.kind(), target.transport(), target.version(), target.semantics()));
            }
            for (final Workload workload : options.workloads)
            {
                final String what = target.name() + " " + workload.label() + " round " + round;
                try
                {
                    final Round result = runWorkload(options, target, workload);
                    if (null == result)
                    {
                        results.skip(what, "no subscriber received a probe within " +
                            TimeUnit.NANOSECONDS.toSeconds(READY_TIMEOUT_NS) + " s");
                        continue;
                    }
                    rounds.computeIfAbsent(key(target.name(), workload), k -> new ArrayList<>()).add(result);
                    final Percentiles p = result.latency().latency();
                    results.note(String.format(Locale.ROOT, "%s: %,.0f msg/s, server %.2f us/msg, load generator " +
                        "%.2f us/msg; @ %,d msg/s p50 %.1f us, p99 %.1f us%s, server %.1f%% of a core", what,
                        result.throughput().msgsPerSec(), result.serverCpuNsPerMsg() / 1e3,
                        result.clientCpuNsPerMsg() / 1e3, LATENCY_RATE, p.p50Ns() / 1e3, p.p99Ns() / 1e3,
                        result.latency().saturated() ? " (SATURATED)" : "", 100 * result.serverCoresAtRate()));
                }
                catch (final Exception ex)
                {
                    results.skip(what, "failed: " + ex);
                }
            }
        }
        catch (final Exception ex)
        {
            results.skip(target.name() + " round " + round, "could not start: " + ex.getMessage());
        }
        finally
        {
            try
            {
                target.close();
            }
            catch (final Exception ex)
            {
                results.note("closing " + target.name() + " failed: " + ex);
            }
            SharedWorkloadSection.deleteRecursively(workDir);
        }
    }

    private static Round runWorkload(final SuiteOptions options, final Target target, final Workload workload)
        throws Exception
    {
        final Receivers receivers = new Receivers(workload.subscribers());
        try (WorkloadRunner runner = new WorkloadRunner(target, workload, receivers, options.drainTimeoutNs))
        {
            if (!runner.awaitReady(READY_TIMEOUT_NS))
            {
                return null;
            }
            final ThroughputResult warmup = runner.throughput(options.throughputNs); // the JIT compiles the path
            if (warmup.delivered() < warmup.sent())
            {
                runner.reconnect();
                runner.awaitReady(READY_TIMEOUT_NS);
            }
            final List<ThroughputResult> trials = new ArrayList<>();
            long serverCpuNs = 0;
            long clientCpuNs = 0;
            long messages = 0;
            for (int i = 0; i < options.throughputTrials; i++)
            {
                final long server0 = ServerCpu.cpuNs(target.serverProcess());
                final long client0 = ServerCpu.selfCpuNs();
                final ThroughputResult trial = runner.throughput(options.throughputNs);
                serverCpuNs += ServerCpu.cpuNs(target.serverProcess()) - server0;
                clientCpuNs += ServerCpu.selfCpuNs() - client0;
                messages += trial.sent();
                trials.add(trial);
                if (trial.delivered() < trial.sent())
                {
                    runner.reconnect(); // a backlog left behind would spoil the next trial
                    runner.awaitReady(READY_TIMEOUT_NS);
                }
            }
            trials.sort(Comparator.comparingDouble(ThroughputResult::msgsPerSec));
            final long server0 = ServerCpu.cpuNs(target.serverProcess());
            final long start = System.nanoTime();
            final LatencyResult latency = runner.latency(LATENCY_RATE, options.warmupNs, options.latencyNs);
            final double cores = (double)(ServerCpu.cpuNs(target.serverProcess()) - server0) /
                (System.nanoTime() - start);
            return new Round(trials.get(trials.size() / 2), latency,
                messages == 0 ? Double.NaN : (double)serverCpuNs / messages,
                messages == 0 ? Double.NaN : (double)clientCpuNs / messages, cores);
        }
    }

    private static String key(final String target, final Workload workload)
    {
        return target + "|" + workload.key();
    }

    private static void summarise(
        final SuiteOptions options, final SuiteResults results, final List<String> names,
        final Map<String, List<Round>> rounds)
    {
        final StringBuilder md = new StringBuilder();
        md.append("Each round starts each server afresh and runs every workload on it: the throughput (median of ")
            .append(options.throughputTrials).append(" runs of ").append(options.throughputNs / 1_000_000)
            .append(" ms) and the latency at ").append(String.format(Locale.ROOT, "%,d", LATENCY_RATE))
            .append(" msg/s (").append(options.latencyNs / 1_000_000).append(" ms measured). The servers ")
            .append("alternate, and which goes first alternates by round. Figures: the median over the ")
            .append(options.rounds).append(" rounds; ratios are of the medians. CPU is user + system time of ")
            .append("the server process (and of the suite's JVM, the load generator) over the throughput runs, ")
            .append("per message published.\n\n");
        // Every Junction remote target against the peer (the last one named, NATS).
        final String peer = names.size() > 1 ? names.get(names.size() - 1) : "";
        final List<List<String>> rows = new ArrayList<>();
        boolean peerMedians = true;
        for (final String junction : names.size() > 1 ? names.subList(0, names.size() - 1) : names)
        {
            table(md, rounds, options, results, junction, peer, peerMedians);
            peerMedians = false;
        }
        for (final Workload workload : options.workloads)
        {
            for (final String name : names)
            {
                int round = 1;
                for (final Round r : rounds.getOrDefault(key(name, workload), List.of()))
                {
                    rows.add(List.of(name, workload.key(), Integer.toString(round++),
                        String.format(Locale.ROOT, "%.0f", r.throughput().msgsPerSec()),
                        Long.toString(r.latency().latency().p50Ns()), Long.toString(r.latency().latency().p99Ns()),
                        Boolean.toString(r.latency().saturated()),
                        String.format(Locale.ROOT, "%.1f", r.serverCpuNsPerMsg()),
                        String.format(Locale.ROOT, "%.1f", r.clientCpuNsPerMsg()),
                        String.format(Locale.ROOT, "%.4f", r.serverCoresAtRate())));
                }
            }
        }
        md.append("\nEvery round's figures: [remote-rounds.csv](remote-rounds.csv).\n");
        results.fragments.add(new SuiteResults.Fragment(title(options), md.toString()));
        results.tables.add(new SuiteResults.Table("remote-rounds", title(options), List.of("target", "workload",
            "round", "msgs_per_sec", "p50_ns_at_10k", "p99_ns_at_10k", "saturated_at_10k", "server_cpu_ns_per_msg",
            "load_generator_cpu_ns_per_msg", "server_cores_at_10k"), rows));
        results.note(md.toString());
    }

    /**
     * One table: a Junction remote target against the peer, per workload, the medians and their ratios.
     */
    private static void table(
        final StringBuilder md, final Map<String, List<Round>> rounds, final SuiteOptions options,
        final SuiteResults results, final String junction, final String peer, final boolean peerMedians)
    {
        md.append("| workload | ").append(junction).append(" msg/s | ").append(peer).append(" msg/s | ratio | ")
            .append("p99 @ 10k ").append(junction).append(" | ").append(peer).append(" | ratio | server CPU/msg ")
            .append(junction).append(" | ").append(peer).append(" | ratio | load generator CPU/msg ")
            .append(junction).append(" | ").append(peer).append(" |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final Workload workload : options.workloads)
        {
            final List<Round> j = rounds.getOrDefault(key(junction, workload), List.of());
            final List<Round> n = rounds.getOrDefault(key(peer, workload), List.of());
            addMedians(results, j);
            if (peerMedians)
            {
                addMedians(results, n);
            }
            final double jRate = median(j, r -> r.throughput().msgsPerSec());
            final double nRate = median(n, r -> r.throughput().msgsPerSec());
            final double jP99 = median(j, r -> r.latency().latency().p99Ns());
            final double nP99 = median(n, r -> r.latency().latency().p99Ns());
            final double jCpu = median(j, Round::serverCpuNsPerMsg);
            final double nCpu = median(n, Round::serverCpuNsPerMsg);
            md.append(String.format(Locale.ROOT,
                "| %s | %,.0f | %,.0f | %.2f× | %.1f us | %.1f us | %.2f× | %.2f us | %.2f us | %.2f× | %.2f us | " +
                "%.2f us |%n", workload.label(), jRate, nRate, jRate / nRate, jP99 / 1e3, nP99 / 1e3, jP99 / nP99,
                jCpu / 1e3, nCpu / 1e3, jCpu / nCpu, median(j, Round::clientCpuNsPerMsg) / 1e3,
                median(n, Round::clientCpuNsPerMsg) / 1e3));
        }
        md.append("\n");
    }

    private static String title(final SuiteOptions options)
    {
        return "Junction remote vs NATS: medians of " + options.rounds + " alternating rounds";
    }

    /** The round with the median rate, and the one with the median p99, stand for the target in the report. */
    private static void addMedians(final SuiteResults results, final List<Round> rounds)
    {
        if (rounds.isEmpty())
        {
            return;
        }
        final List<Round> byRate = new ArrayList<>(rounds);
        byRate.sort(Comparator.comparingDouble(r -> r.throughput().msgsPerSec()));
        results.throughput.add(byRate.get(byRate.size() / 2).throughput());
        final List<Round> byP99 = new ArrayList<>(rounds);
        byP99.sort(Comparator.comparingLong(r -> r.latency().latency().p99Ns()));
        results.latency.add(byP99.get(byP99.size() / 2).latency());
    }

    private static double median(final List<Round> rounds, final java.util.function.ToDoubleFunction<Round> value)
    {
        if (rounds.isEmpty())
        {
            return Double.NaN;
        }
        final double[] values = rounds.stream().mapToDouble(value).sorted().toArray();
        final int n = values.length;
        return 0 == n % 2 ? (values[n / 2 - 1] + values[n / 2]) / 2 : values[n / 2];
    }
}
