package io.junction.perf.cluster;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ConnectionState;
import io.junction.client.JunctionClient;
import io.junction.cluster.ClusterNodeMain;
import io.junction.cluster.FreePortRange;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Crash failover and spurious elections against the leader heartbeat timeout, on a loaded machine: for each
 * setting, three members as child JVMs ({@link ClusterNodeMain}, loopback, as an operator runs them) and a client
 * in this JVM (publishing guaranteed 64 B messages at a low rate to a topic it subscribes to, over a
 * {@code ClusterTransport}), while {@link BusyLoad} processes keep the machine loaded (topped up to a load average
 * of about {@link Settings#targetLoad});
 * <ul>
 *   <li>spurious elections: elections started (a member logging CANDIDATE) per minute during a quiet window with
 *   nothing killed;</li>
 *   <li>crash failover: the leader is SIGKILLed; the time from the kill to the first delivery to the subscriber after
 *   the client's new-leader event;</li>
 *   <li>planned stop: the same with SIGTERM (the member closes its consensus module first).</li>
 * </ul>
 * The election timeout is a fifth of the heartbeat timeout (the defaults' ratio) and the heartbeat interval a tenth.
 * Usage: {@code java $FLAGS -cp perf/target/benchmarks.jar io.junction.perf.cluster.FailoverCurve [quietSeconds]
 * [kills] [targetLoad] [timeoutsMs...]} (defaults: 60, 5, 10, 200 250 300 500; three SIGTERMs a setting after the
 * kills). Prints a line per setting. Each setting's members take a free range of ports ({@link FreePortRange}). The
 * perf suite's cluster section runs it through {@link #measure}.
 */
public final class FailoverCurve
{
    private static final Pattern ROLE_LINE =
        Pattern.compile("junction cluster member (\\d+): role (\\w+), term (-?\\d+), leader (\\w+)");
    private static final int RATE = 200;
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(60);

    /**
     * What one curve measures.
     *
     * @param timeoutsMs   leader heartbeat timeouts, one point each.
     * @param quietSeconds the window, per setting, in which spurious elections are counted.
     * @param kills        leader SIGKILLs per setting.
     * @param stops        leader SIGTERMs per setting.
     * @param targetLoad   {@link BusyLoad} processes top the load average up to this for the whole curve (0: none).
     */
    public record Settings(List<Long> timeoutsMs, int quietSeconds, int kills, int stops, double targetLoad)
    {
        /** Roughly how long {@link #measure} takes, in seconds, on a loaded 2-core machine. */
        public double estimateSeconds()
        {
            // Members start and elect in ~8 s under load; a failover round (restart, agreement) ~6 s.
            return timeoutsMs.size() * (8.0 + quietSeconds + (kills + stops) * 6.0);
        }
    }

    /**
     * One setting's figures; load averages read from /proc/loadavg at the end of the quiet window. detectedMs,
     * electedMs and newLeaderEventMs, for each kill then each stop (ms after it): when a survivor logged why it
     * started an election (Aeron's ClusterEvent: the leader heartbeat timeout after a crash, the end of the log after
     * a stop), when a survivor logged LEADER (its role is read every 50 ms), and when the client heard of the new
     * leader; failoverMs and plannedMs end at the first delivery after that.
     */
    public record Point(long heartbeatTimeoutMs, long electionTimeoutMs, int elections, int quietSeconds,
        List<Double> failoverMs, List<Double> plannedMs, List<Double> detectedMs, List<Double> electedMs,
        List<Double> newLeaderEventMs, List<String> causes, String loadAverage, String failure)
    {
        /** A setting that could not be measured to its end: why (its rounds up to then are kept). */
        static Point failed(final long heartbeatTimeoutMs, final long electionTimeoutMs, final String failure)
        {
            return new Point(heartbeatTimeoutMs, electionTimeoutMs, 0, 1, List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), FailoverCurve.loadAverage(), failure);
        }

        public double electionsPerMinute()
        {
            return elections * 60.0 / quietSeconds;
        }

        public double medianFailoverMs()
        {
            return ClusterBenchmark.median(failoverMs);
        }

        public double p90FailoverMs()
        {
            return percentile(failoverMs, 90);
        }

        public double medianPlannedMs()
        {
            return ClusterBenchmark.median(plannedMs);
        }

        public double p90PlannedMs()
        {
            return percentile(plannedMs, 90);
        }

        /** The median of a phase's times over the crashes (the first failoverMs.size() rounds). */
        public double crashMedianMs(final List<Double> phase)
        {
            return ClusterBenchmark.median(phase.subList(0, Math.min(phase.size(), failoverMs.size())));
        }

        /** The median of a phase's times over the planned stops (the rounds after the crashes). */
        public double plannedMedianMs(final List<Double> phase)
        {
            return ClusterBenchmark.median(phase.subList(Math.min(phase.size(), failoverMs.size()), phase.size()));
        }
    }

    /**
     * The nearest-rank percentile (NaN for none): with 5 values p90 is the largest, with 10 the ninth.
     */
    public static double percentile(final List<Double> values, final double percentile)
    {
        if (values.isEmpty())
        {
            return Double.NaN;
        }
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final int rank = (int)Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    private FailoverCurve()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int quietSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        final int kills = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final double targetLoad = args.length > 2 ? Double.parseDouble(args[2]) : 10;
        final List<Long> timeouts = new ArrayList<>();
        for (int i = 3; i < args.length; i++)
        {
            timeouts.add(Long.parseLong(args[i]));
        }
        if (timeouts.isEmpty())
        {
            timeouts.addAll(List.of(200L, 250L, 300L, 500L));
        }
        final File baseDir = Files.createTempDirectory("failover-curve").toFile();
        try
        {
            measure(baseDir, 26_000, new Settings(timeouts, quietSeconds, kills, 3, targetLoad),
                (point) -> System.out.println(describe(point)));
        }
        finally
        {
            IoUtil.delete(baseDir, true);
        }
    }

    /** One line for a point. */
    public static String describe(final Point point)
    {
        if (null != point.failure())
        {
            return String.format("heartbeat timeout %d ms (election timeout %d ms): FAILED, load average %s: %s",
                point.heartbeatTimeoutMs(), point.electionTimeoutMs(), point.loadAverage(), point.failure());
        }
        return String.format("heartbeat timeout %d ms (election timeout %d ms): %.1f spurious elections/min (%d in " +
            "%d s under %d msg/s), crash failover median %.0f ms p90 %.0f ms %s (phases, medians: election started " +
            "%.0f, new leader logged %.0f, client's new-leader event %.0f), planned stop (SIGTERM) median %.0f ms " +
            "p90 %.0f ms %s (election started %.0f, new leader logged %.0f, client's new-leader event %.0f), " +
            "load average %s; per round: election started %s ms, new leader logged %s ms, client's new-leader " +
            "event %s ms, causes %s",
            point.heartbeatTimeoutMs(), point.electionTimeoutMs(), point.electionsPerMinute(),
            point.elections(), point.quietSeconds(), RATE, point.medianFailoverMs(), point.p90FailoverMs(),
            point.failoverMs(), point.crashMedianMs(point.detectedMs()), point.crashMedianMs(point.electedMs()),
            point.crashMedianMs(point.newLeaderEventMs()), point.medianPlannedMs(), point.p90PlannedMs(),
            point.plannedMs(), point.plannedMedianMs(point.detectedMs()), point.plannedMedianMs(point.electedMs()),
            point.plannedMedianMs(point.newLeaderEventMs()), point.loadAverage(), point.detectedMs(),
            point.electedMs(), point.newLeaderEventMs(), point.causes());
    }

    /**
     * Every setting in turn, under the busy load.
     *
     * @param progress told of each point as it is measured.
     */
    public static List<Point> measure(
        final File baseDir, final int basePort, final Settings settings, final Consumer<Point> progress)
    {
        final List<Point> points = new ArrayList<>();
        try (BusyLoad ignored = settings.targetLoad() > 0 ? BusyLoad.topUpTo(settings.targetLoad()) : new BusyLoad(0))
        {
            int port = basePort;
            for (final long timeoutMs : settings.timeoutsMs())
            {
                final long electionTimeoutMs = Math.max(20, timeoutMs / 5);
                Point point;
                try
                {
                    point = measure(new File(baseDir, "hb" + timeoutMs), port, timeoutMs, electionTimeoutMs, settings);
                }
                catch (final IllegalStateException ex)
                {
                    // A setting too short for the machine (members that never agree again) is a result too.
                    point = Point.failed(timeoutMs, electionTimeoutMs, ex.getMessage());
                }
                port += 100;
                points.add(point);
                progress.accept(point);
            }
        }
        return points;
    }

    private static Point measure(
        final File dir, final int portHint, final long heartbeatTimeoutMs, final long electionTimeoutMs,
        final Settings settings)
    {
        final int basePort = FreePortRange.startingAt(portHint, 3);
        final int quietSeconds = settings.quietSeconds();
        final String members = "0=localhost:" + basePort + "|1=localhost:" + (basePort + 10) + "|2=localhost:" +
            (basePort + 20);
        final String endpoints = "0=localhost:" + basePort + ",1=localhost:" + (basePort + 10) + ",2=localhost:" +
            (basePort + 20);
        final Member[] nodes = new Member[3];
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "client-aeron").getAbsolutePath())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000))
            .termBufferSparseFile(true)
            .publicationTermBufferLength(128 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final long[] connectedNs = { 0 };
        final long[] firstDeliveryAfterConnectNs = { 0 };
        JunctionClient connected = null;
        try
        {
            for (int i = 0; i < 3; i++)
            {
                nodes[i] = new Member(i, dir, members, heartbeatTimeoutMs, electionTimeoutMs);
            }
            awaitLeader(nodes, -1);
            connected = ClusterClients.connect(new ClientContext()
                .instance("failover-curve")
                .connectTimeoutNs(TimeUnit.SECONDS.toNanos(30))
                .connectionListener((state, reason, detail) ->
                {
                    if (ConnectionState.LEADER_CHANGED == state || ConnectionState.CONNECTED == state)
                    {
                        connectedNs[0] = System.nanoTime();
                        firstDeliveryAfterConnectNs[0] = 0;
                    }
                }), driver.aeronDirectoryName(), endpoints, TimeUnit.MILLISECONDS.toNanos(heartbeatTimeoutMs));
            final JunctionClient client = connected;
            final ClientSubscription subscription = client.subscribe("bench.>", (message) ->
            {
                if (0 == firstDeliveryAfterConnectNs[0])
                {
                    firstDeliveryAfterConnectNs[0] = System.nanoTime();
                }
            });
            final Load load = new Load(client);
            load.runUntil("the subscription in effect and the client connected",
                () -> subscription.isInEffect() && client.isConnected());

            final int electionsBefore = candidacies(nodes);
            final long quietEndNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(quietSeconds);
            load.runUntil("the quiet window's end", () -> System.nanoTime() >= quietEndNs,
                WAIT_NS + TimeUnit.SECONDS.toNanos(quietSeconds));
            final int elections = candidacies(nodes) - electionsBefore;
            final String loadAverage = loadAverage();

            final List<Double> failovers = new ArrayList<>();
            final List<Double> planned = new ArrayList<>();
            final List<Double> detected = new ArrayList<>();
            final List<Double> elected = new ArrayList<>();
            final List<Double> newLeaderEvent = new ArrayList<>();
            final List<String> causes = new ArrayList<>();
            for (int k = 0; k < settings.kills() + settings.stops(); k++)
            {
                final int leader = awaitLeader(nodes, -1);
                final long killNs = System.nanoTime();
                final boolean crash = k < settings.kills();
                for (final Member node : nodes)
                {
                    node.awaitClusterEvent();
                }
                if (crash)
                {
                    nodes[leader].kill();
                }
                else
                {
                    nodes[leader].stop();
                }
                connectedNs[0] = 0;
                load.runUntil((crash ? "after a SIGKILL" : "after a SIGTERM") + " of leader " + leader +
                    ", the client's new-leader event and a delivery after it",
                    () -> connectedNs[0] > killNs && firstDeliveryAfterConnectNs[0] > connectedNs[0]);
                (crash ? failovers : planned).add((firstDeliveryAfterConnectNs[0] - killNs) / 1e6);
                long electedNs = Long.MAX_VALUE;
                for (final Member node : nodes)
                {
                    final long since = node.leaderSinceNs.get();
                    if (node.id != leader && since > killNs)
                    {
                        electedNs = Math.min(electedNs, since);
                    }
                }
                elected.add(Long.MAX_VALUE == electedNs ? Double.NaN : (electedNs - killNs) / 1e6);
                long detectedNs = Long.MAX_VALUE;
                String cause = "none logged";
                for (final Member node : nodes)
                {
                    final long eventNs = node.clusterEventNs.get();
                    if (node.id != leader && eventNs > killNs && eventNs < detectedNs)
                    {
                        detectedNs = eventNs;
                        cause = node.clusterEvent.get();
                    }
                }
                detected.add(Long.MAX_VALUE == detectedNs ? Double.NaN : (detectedNs - killNs) / 1e6);
                causes.add((crash ? "kill: " : "stop: ") + cause);
                newLeaderEvent.add((connectedNs[0] - killNs) / 1e6);
                nodes[leader].awaitExit();
                nodes[leader] = new Member(leader, dir, members, heartbeatTimeoutMs, electionTimeoutMs);
                // Every member names one leader again (more elections may run first) before the next round.
                load.runUntil("every member naming one leader after member " + leader + " restarted",
                    () -> agreed(nodes));
            }
            return new Point(heartbeatTimeoutMs, electionTimeoutMs, elections, quietSeconds, failovers, planned,
                detected, elected, newLeaderEvent, causes, loadAverage, null);
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException("heartbeat timeout " + heartbeatTimeoutMs + " ms: " + ex.getMessage() +
                membersState(nodes), ex);
        }
        finally
        {
            CloseHelper.close(connected);
            for (final Member node : nodes)
            {
                if (null != node)
                {
                    node.kill();
                }
            }
            CloseHelper.close(driver);
        }
    }

    private static boolean agreed(final Member[] nodes)
    {
        final String leader = nodes[0].leader();
        if (!nodes[0].isAlive() || leader.isEmpty() || "none".equals(leader))
        {
            return false;
        }
        for (final Member node : nodes)
        {
            if (!node.isAlive() || !leader.equals(node.leader()))
            {
                return false;
            }
        }
        return "LEADER".equals(nodes[Integer.parseInt(leader)].role());
    }

    private static int candidacies(final Member[] nodes)
    {
        int total = 0;
        for (final Member node : nodes)
        {
            total += node.candidacies.get();
        }
        return total;
    }

    /**
     * @return a member (other than except) that says it leads and whom a majority names.
     */
    private static int awaitLeader(final Member[] nodes, final int except)
    {
        final long deadlineNs = System.nanoTime() + WAIT_NS;
        while (System.nanoTime() < deadlineNs)
        {
            for (int i = 0; i < nodes.length; i++)
            {
                if (i != except && nodes[i].isAlive() && "LEADER".equals(nodes[i].role()))
                {
                    int votes = 0;
                    for (final Member node : nodes)
                    {
                        votes += node.isAlive() && node.leader().equals(Integer.toString(i)) ? 1 : 0;
                    }
                    if (votes >= 2)
                    {
                        return i;
                    }
                }
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new IllegalStateException("no leader within 60 s");
    }

    /** Each member's role, leader and last log lines: what a timed-out round leaves to read. */
    private static String membersState(final Member[] nodes)
    {
        final StringBuilder sb = new StringBuilder();
        for (final Member node : nodes)
        {
            if (null != node)
            {
                sb.append("\n member ").append(node.id).append(node.isAlive() ? "" : " (exited)").append(", role ")
                    .append(node.role()).append(", leader ").append(node.leader()).append(":\n  ")
                    .append(String.join("\n  ", node.lastLines()));
            }
        }
        return sb.toString();
    }

    private static String loadAverage()
    {
        try
        {
            return Files.readString(new File("/proc/loadavg").toPath()).trim();
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }

    /** The client's paced publishing, driven while the caller waits for a condition. */
    private static final class Load
    {
        private final JunctionClient client;
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        private final long intervalNs = TimeUnit.SECONDS.toNanos(1) / RATE;
        private long nextNs = System.nanoTime();

        Load(final JunctionClient client)
        {
            this.client = client;
        }

        void runUntil(final String what, final java.util.function.BooleanSupplier condition)
        {
            runUntil(what, condition, WAIT_NS);
        }

        /** Names the condition when it times out: a curve that stops says where. */
        void runUntil(final String what, final java.util.function.BooleanSupplier condition, final long timeoutNs)
        {
            final long deadlineNs = System.nanoTime() + timeoutNs;
            final BackoffIdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 100_000);
            while (!condition.getAsBoolean())
            {
                final long nowNs = System.nanoTime();
                if (nowNs > deadlineNs)
                {
                    throw new IllegalStateException(what + ": not within " +
                        TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s (client connected: " + client.isConnected() + ")");
                }
                int work = client.poll();
                if (nowNs >= nextNs)
                {
                    payload.putLong(0, nowNs);
                    client.offer("bench.x", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, payload.capacity());
                    nextNs = Math.max(nextNs + intervalNs, nowNs - TimeUnit.MILLISECONDS.toNanos(100));
                    work++;
                }
                idle.idle(work);
            }
        }
    }

    /** One member as a child JVM, its role read from its log lines. */
    private static final class Member
    {
        private final int id;
        private final Process process;
        private final AtomicReferenceArray<String> state = new AtomicReferenceArray<>(new String[]{ "", "" });
        private final AtomicInteger candidacies = new AtomicInteger();
        private final java.util.concurrent.atomic.AtomicLong leaderSinceNs = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.ArrayDeque<String> lastLines = new java.util.ArrayDeque<>();
        /** When the first ClusterEvent line (why an election started) came after {@link #awaitClusterEvent}. */
        private final java.util.concurrent.atomic.AtomicLong clusterEventNs = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicReference<String> clusterEvent =
            new java.util.concurrent.atomic.AtomicReference<>("");

        Member(final int id, final File dir, final String members, final long heartbeatTimeoutMs,
            final long electionTimeoutMs)
        {
            this.id = id;
            final List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
            {
                if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Dagrona"))
                {
                    command.add(arg);
                }
            }
            command.addAll(List.of("-Xmx192m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                ClusterNodeMain.class.getName(), "--member-id", Integer.toString(id), "--members", members,
                "--dir", dir.getAbsolutePath(), "--heartbeat-timeout-ms", Long.toString(heartbeatTimeoutMs),
                "--election-timeout-ms", Long.toString(electionTimeoutMs),
                "--heartbeat-interval-ms", Long.toString(Math.max(10, heartbeatTimeoutMs / 10)),
                // Without it a member SIGKILLed mid-write may not restart (its archive refuses a torn-looking
                // last fragment), which ends the point for a reason that is not the heartbeat's.
                "--record-checksum"));
            try
            {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            // A member must not outlive the benchmark, however it ends.
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "stop-member-" + id));
            final Thread reader = new Thread(this::read, "member-" + id);
            reader.setDaemon(true);
            reader.start();
        }

        private void read()
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    synchronized (lastLines)
                    {
                        if (lastLines.size() == 20)
                        {
                            lastLines.removeFirst();
                        }
                        lastLines.addLast(line);
                    }
                    final int event = line.indexOf("ClusterEvent: ");
                    if (event >= 0 && clusterEventNs.compareAndSet(0, System.nanoTime()))
                    {
                        clusterEvent.set(line.substring(event + "ClusterEvent: ".length()).trim());
                    }
                    final Matcher matcher = ROLE_LINE.matcher(line);
                    if (matcher.find() && Integer.parseInt(matcher.group(1)) == id)
                    {
                        if ("CANDIDATE".equals(matcher.group(2)) && !"CANDIDATE".equals(state.get(0)))
                        {
                            candidacies.incrementAndGet();
                        }
                        if ("LEADER".equals(matcher.group(2)) && !"LEADER".equals(state.get(0)))
                        {
                            leaderSinceNs.set(System.nanoTime());
                        }
                        state.set(0, matcher.group(2));
                        state.set(1, matcher.group(4));
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the member is gone
            }
        }

        /** Note the next ClusterEvent line's time (and forget the last). */
        void awaitClusterEvent()
        {
            clusterEventNs.set(0);
            clusterEvent.set("");
        }

        boolean isAlive()
        {
            return process.isAlive();
        }

        List<String> lastLines()
        {
            synchronized (lastLines)
            {
                return new ArrayList<>(lastLines);
            }
        }

        String role()
        {
            return state.get(0);
        }

        String leader()
        {
            return state.get(1);
        }

        /** SIGTERM: the member closes its consensus module first. The caller does not wait for it to exit. */
        void stop()
        {
            process.destroy();
        }

        /** After a SIGTERM: the member ends by itself (bounded; then it is killed). */
        void awaitExit()
        {
            try
            {
                if (!process.waitFor(30, TimeUnit.SECONDS))
                {
                    kill();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        void kill()
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
