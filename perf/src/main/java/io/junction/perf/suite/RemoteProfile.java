package io.junction.perf.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The load-robust measures of one remote workload, for profiling the daemon beside NATS on a shared machine:
 * CPU time (user and system) of the server and of the load generator per message, and, where {@code perf} can
 * count the server's system calls, reads, writes, selects and futex calls per message; optionally the latency
 * at a fixed rate with the server's CPU per second. Wall-clock rates are printed but are noise on a loaded
 * machine.
 * <p>
 * {@code java -cp perf/target/benchmarks.jar io.junction.perf.suite.RemoteProfile
 * [junction|aeron|aeron-invoker|aeron-ll|nats] [1x64] [seconds] [rate]}; per thread of the server and of the load
 * generator (by name), CPU, run-queue wait and time slices per message; the daemon's JVM takes extra flags from {@value JunctionRemoteTarget#DAEMON_JVM_PROPERTY}
 * (a flight recording).
 */
public final class RemoteProfile
{
    private static final String[] SYSCALLS = { "read", "write", "writev", "epoll_wait", "epoll_ctl", "futex", "sched_yield",
        "sendto", "recvfrom", "sendmsg", "recvmsg" };

    private RemoteProfile()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String which = args.length > 0 ? args[0] : "junction";
        final String[] shape = (args.length > 1 ? args[1] : "1x64").split("x");
        final Workload workload = new Workload(Integer.parseInt(shape[0]), Integer.parseInt(shape[1]));
        final long seconds = args.length > 2 ? Long.parseLong(args[2]) : 5;
        final long rate = args.length > 3 ? Long.parseLong(args[3]) : 0;
        // Daemon config lines for the Aeron targets, e.g. -Djunction.profile.daemon-config="aeron.active-poll = 100us".
        final String config = System.getProperty("junction.profile.daemon-config", "").trim();
        final Target target = !config.isEmpty() && which.startsWith("aeron") && !"aeron-ll".equals(which) ?
            JunctionRemoteTarget.aeronUdp("aeron-invoker".equals(which), config) :
            "nats".equals(which) ? new NatsTarget() :
            "aeron".equals(which) ? JunctionRemoteTarget.aeronUdp() :
            "aeron-invoker".equals(which) ? JunctionRemoteTarget.aeronUdpInvoker() :
            "aeron-ll".equals(which) ? JunctionRemoteTarget.aeronUdpLowLatency() : new JunctionRemoteTarget();
        final Path workDir = Files.createTempDirectory("junction-profile-");
        try
        {
            final String whyNot = target.prepare(workDir);
            if (null != whyNot)
            {
                System.out.println("skipped: " + whyNot);
                return;
            }
            final Receivers receivers = new Receivers(workload.subscribers());
            try (WorkloadRunner runner = new WorkloadRunner(target, workload, receivers, TimeUnit.SECONDS.toNanos(5)))
            {
                if (!runner.awaitReady(TimeUnit.SECONDS.toNanos(15)))
                {
                    System.out.println("no subscriber received a probe");
                    return;
                }
                runner.throughput(TimeUnit.SECONDS.toNanos(2)); // warm-up: the JIT compiles both sides
                final long pid = target.serverProcess().pid();
                final long self = ProcessHandle.current().pid();
                final Process perf = startPerf(pid, workDir, "perf");
                final Process selfPerf = startPerf(self, workDir, "perf-self");
                final ThreadSchedStats serverThreads0 = ThreadSchedStats.of(pid);
                final ThreadSchedStats clientThreads0 = ThreadSchedStats.of(self);
                final long[] server0 = ProcCpu.userSystemNs(pid);
                final long client0 = ServerCpu.selfCpuNs();
                final long start = System.nanoTime();
                final long messages;
                final String what;
                if (rate > 0)
                {
                    final LatencyResult latency = runner.latency(rate, 0, TimeUnit.SECONDS.toNanos(seconds));
                    messages = latency.sent();
                    final Percentiles p = latency.latency();
                    what = String.format(Locale.ROOT, "@ %,d msg/s: p50 %.1f us, p90 %.1f us, p99 %.1f us, " +
                        "p99.9 %.1f us, max %.1f us; send lag p99 %.1f us%s", rate, p.p50Ns() / 1e3, p.p90Ns() / 1e3,
                        p.p99Ns() / 1e3, p.p999Ns() / 1e3, p.maxNs() / 1e3, latency.sendLag().p99Ns() / 1e3,
                        latency.saturated() ? " SATURATED" : "");
                }
                else
                {
                    final ThroughputResult result = runner.throughput(TimeUnit.SECONDS.toNanos(seconds));
                    messages = result.sent();
                    what = String.format(Locale.ROOT, "throughput %,.0f msg/s (%,d sent, %,d delivered)",
                        result.msgsPerSec(), result.sent(), result.delivered());
                }
                final long wallNs = System.nanoTime() - start;
                final long[] server1 = ProcCpu.userSystemNs(pid);
                final long clientNs = ServerCpu.selfCpuNs() - client0;
                final ThreadSchedStats serverThreads1 = ThreadSchedStats.of(pid);
                final ThreadSchedStats clientThreads1 = ThreadSchedStats.of(self);
                final String syscalls = stopPerf(perf, workDir, "perf", messages);
                final String selfSyscalls = stopPerf(selfPerf, workDir, "perf-self", messages);
                final double perMsg = 1.0 / messages;
                System.out.printf(Locale.ROOT, "%s %s: %s%n", target.name(), workload.label(), what);
                System.out.printf(Locale.ROOT, "  server CPU/msg %.3f us (user %.3f, sys %.3f), %.1f%% of a core; " +
                    "load generator CPU/msg %.3f us%n", (server1[0] - server0[0] + server1[1] - server0[1]) * perMsg / 1e3,
                    (server1[0] - server0[0]) * perMsg / 1e3, (server1[1] - server0[1]) * perMsg / 1e3,
                    100.0 * (server1[0] - server0[0] + server1[1] - server0[1]) / wallNs, clientNs * perMsg / 1e3);
                System.out.println("  server " + syscalls);
                System.out.print(serverThreads1.since(serverThreads0, messages, "    "));
                System.out.println("  load generator " + selfSyscalls);
                System.out.print(clientThreads1.since(clientThreads0, messages, "    "));
            }
        }
        finally
        {
            target.close();
            SharedWorkloadSection.deleteRecursively(workDir);
            System.exit(0);
        }
    }

    private static Process startPerf(final long pid, final Path workDir, final String name)
    {
        final List<String> command = new ArrayList<>(List.of("perf", "stat", "-x", ",", "-o",
            workDir.resolve(name + ".csv").toString(), "-p", Long.toString(pid)));
        for (final String call : SYSCALLS)
        {
            command.add("-e");
            command.add("syscalls:sys_enter_" + call);
        }
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(workDir.resolve(name + ".out").toFile()).start();
            Thread.sleep(300); // perf attaches
            return process;
        }
        catch (final IOException | InterruptedException ex)
        {
            return null;
        }
    }

    private static String stopPerf(final Process perf, final Path workDir, final String name, final long messages)
        throws Exception
    {
        if (null == perf)
        {
            return "system calls: perf is not available";
        }
        // SIGINT: perf stat writes its counts (on SIGTERM it writes nothing).
        new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor(10, TimeUnit.SECONDS);
        if (!perf.waitFor(10, TimeUnit.SECONDS))
        {
            perf.destroyForcibly();
        }
        final StringBuilder text = new StringBuilder("system calls per message:");
        for (final String line : Files.readAllLines(workDir.resolve(name + ".csv")))
        {
            final String[] fields = line.split(",");
            if (fields.length > 2 && fields[2].startsWith("syscalls:sys_enter_"))
            {
                try
                {
                    text.append(String.format(Locale.ROOT, " %s %.4f", fields[2].substring(19),
                        Long.parseLong(fields[0].trim()) / (double)messages));
                }
                catch (final NumberFormatException ex)
                {
                    text.append(' ').append(fields[2].substring(19)).append(" ?");
                }
            }
        }
        return text.toString();
    }
}
