package io.junction.cluster;

import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one member of a Junction cluster until SIGINT/SIGTERM, logging each change of its role or leader.
 * <pre>
 * java $JVM_FLAGS -cp ... io.junction.cluster.ClusterNodeMain --member-id N --members LIST [--dir DIR]
 *     [--heartbeat-timeout-ms MS] [--heartbeat-interval-ms MS] [--election-timeout-ms MS]
 *     [--snapshot-interval-s S] [--snapshots-kept N] [--purge-follower-timeout-s S] [--min-free-disk-mb MB]
 *     [--queue-group-window N]
 *     [--clean-start] [--record-checksum]
 * java $JVM_FLAGS -cp ... io.junction.cluster.ClusterNodeMain &lt;memberId&gt; [memberCount=3] [basePort=20000]
 *     [baseDir=./junction-cluster] [hostname=localhost]
 * </pre>
 * LIST places each member on its host (see {@link ClusterMembers}): {@code "0=10.0.0.1:20000|1=10.0.0.2:20000|..."}
 * (five ports from the one given: ingress, consensus, log, catchup, archive) or Aeron's cluster-members string.
 * The second form is the one-host shorthand: member i listens on basePort + 10 * i + 0..4. A member keeps its
 * state under DIR/member-N and recovers from it on restart.
 */
public final class ClusterNodeMain
{
    private static final long ROLE_POLL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final String USAGE =
        "usage: ClusterNodeMain --member-id N --members LIST [--dir DIR] [--heartbeat-timeout-ms MS]\n" +
        "           [--heartbeat-interval-ms MS] [--election-timeout-ms MS] [--snapshot-interval-s S]\n" +
        "           [--snapshots-kept N] [--purge-follower-timeout-s S] [--min-free-disk-mb MB]\n" +
        "           [--queue-group-window N] [--clean-start] [--record-checksum]\n" +
        "       (defaults: heartbeat timeout 250, interval 25, election timeout 50, snapshot interval 3600\n" +
        "       (0: none), snapshots kept 0 (no purge), min free disk 256, queue group window 1024)\n" +
        "       ClusterNodeMain <memberId> [memberCount] [basePort] [baseDir] [hostname]\n" +
        "LIST: \"0=host0:port|1=host1:port|2=host2:port\" (five UDP ports from port) or\n" +
        "      \"id,ingress,consensus,log,catchup,archive|...\" (host:port each)";

    private ClusterNodeMain()
    {
    }

    /** Logback's configuration for a member run alone: the libraries' warnings and errors, one line each. */
    static final String LOG_CONFIG = "io/junction/cluster/logback-member.xml";

    public static void main(final String[] args)
    {
        if (null == System.getProperty("logback.configurationFile"))
        {
            System.setProperty("logback.configurationFile", LOG_CONFIG); // before anything logs
        }
        final ClusterNode.Context ctx;
        try
        {
            ctx = parse(args);
            ctx.conclude();
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            System.err.println("junction cluster member: " + ex.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }

        // A member that stops by itself (its journal's disk is full) ends the process with status 1.
        final ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
        final AtomicReference<String> stopReason = new AtomicReference<>();
        ctx.stopHandler((reason) ->
        {
            stopReason.set(reason);
            barrier.signal();
        });
        final ClusterNode node;
        try
        {
            MemberPorts.refuseInUse(ctx.members().member(ctx.memberId()));
            node = ClusterNode.launch(ctx);
        }
        catch (final RuntimeException ex)
        {
            // The member's directory in use, its archive's port taken or directory not writable: the operator's to
            // fix, so one line and no stack trace; exit at once, since a part that did start may hold threads.
            System.err.println("junction cluster member: cannot start: " + describe(ex));
            System.err.flush();
            barrier.close(); // Agrona's shutdown hook waits for it
            System.exit(1);
            return;
        }

        // The barrier is closed last (after the node): Agrona's shutdown hook waits for that before the JVM exits.
        try (barrier; node)
        {
            System.out.println("junction cluster member " + node.memberId() + " of " + ctx.members().size() +
                " started; members " + ctx.clusterMembers() + "; clients use ingress endpoints " +
                ctx.ingressEndpoints());
            System.out.flush();
            final Thread watcher = watchRoles(node);
            barrier.await();
            stop(watcher);
            node.closeGracefully(); // A leader's followers elect at once rather than after the heartbeat timeout.
            System.out.println("junction cluster member " + node.memberId() + " stopping");
            System.out.flush();
        }
        if (null != stopReason.get())
        {
            System.err.println("junction cluster member: " + stopReason.get());
            System.exit(1);
        }
    }

    /**
     * @return the messages of a failure and its causes on one line (Aeron's archive and driver put the reason in a
     * cause: "channel error - Address already in use", "failed to create archive dir").
     */
    static String describe(final Throwable error)
    {
        final StringBuilder sb = new StringBuilder();
        for (Throwable t = error; null != t; t = t.getCause() == t ? null : t.getCause())
        {
            final String message = null == t.getMessage() ? t.getClass().getSimpleName() : t.getMessage().strip();
            if (sb.indexOf(message) < 0)
            {
                sb.append(sb.length() > 0 ? ": " : "").append(message);
            }
        }
        return sb.toString().replace('\n', ' ');
    }

    /**
     * @throws IllegalArgumentException naming the bad argument.
     */
    static ClusterNode.Context parse(final String[] args)
    {
        if (args.length < 1)
        {
            throw new IllegalArgumentException("no member id");
        }
        if (!args[0].startsWith("--"))
        {
            return positional(args);
        }
        final ClusterNode.Context ctx = new ClusterNode.Context().cleanStart(false);
        File dir = new File("junction-cluster");
        boolean hasMemberId = false;
        boolean hasMembers = false;
        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            if ("--clean-start".equals(option))
            {
                ctx.cleanStart(true);
                continue;
            }
            if ("--record-checksum".equals(option))
            {
                // A member SIGKILLed mid-write restarts even when its last fragment crosses a page boundary.
                ctx.recordChecksum(true);
                continue;
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            final String value = args[++i];
            switch (option)
            {
                case "--member-id" ->
                {
                    ctx.memberId(number(option, value));
                    hasMemberId = true;
                }
                case "--members" ->
                {
                    ClusterMembers.parse(value);
                    ctx.members(value);
                    hasMembers = true;
                }
                case "--dir" -> dir = new File(value);
                case "--heartbeat-timeout-ms" ->
                {
                    // Aeron wants the startup canvass to span at least two heartbeat timeouts.
                    final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(number(option, value));
                    ctx.leaderHeartbeatTimeoutNs(timeoutNs)
                        .startupCanvassTimeoutNs(Math.max(TimeUnit.SECONDS.toNanos(2), 2 * timeoutNs));
                }
                case "--heartbeat-interval-ms" ->
                    ctx.leaderHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(number(option, value)));
                case "--election-timeout-ms" ->
                    ctx.electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(number(option, value)));
                case "--snapshot-interval-s" ->
                    ctx.snapshotIntervalNs(TimeUnit.SECONDS.toNanos(nonNegative(option, value)));
                case "--snapshots-kept" -> ctx.snapshotsKept(nonNegative(option, value));
                case "--purge-follower-timeout-s" ->
                    ctx.purgeFollowerTimeoutNs(TimeUnit.SECONDS.toNanos(nonNegative(option, value)));
                case "--min-free-disk-mb" -> ctx.journalMinFreeDiskBytes((long)nonNegative(option, value) << 20);
                case "--queue-group-window" ->
                {
                    final int window = number(option, value);
                    if (window < 1)
                    {
                        throw new IllegalArgumentException(option + ": '" + value + "' must be at least 1");
                    }
                    ctx.queueGroupWindow(window);
                }
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (!hasMemberId || !hasMembers)
        {
            throw new IllegalArgumentException(hasMemberId ? "--members is missing" : "--member-id is missing");
        }
        return ctx.baseDir(dir.getAbsoluteFile());
    }

    private static ClusterNode.Context positional(final String[] args)
    {
        final int memberId = number("memberId", args[0]);
        final int memberCount = args.length > 1 ? number("memberCount", args[1]) : 3;
        final int basePort = args.length > 2 ? number("basePort", args[2]) : 20_000;
        final File baseDir = new File(args.length > 3 ? args[3] : "junction-cluster");
        final String hostname = args.length > 4 ? args[4] : "localhost";
        return new ClusterNode.Context()
            .memberId(memberId)
            .memberCount(memberCount)
            .basePort(basePort)
            .baseDir(baseDir)
            .hostname(hostname)
            .cleanStart(false);
    }

    private static int nonNegative(final String name, final String value)
    {
        final int number = number(name, value);
        if (number < 0)
        {
            throw new IllegalArgumentException(name + ": '" + value + "' must not be negative");
        }
        return number;
    }

    private static int number(final String name, final String value)
    {
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + ": '" + value + "' is not a number");
        }
    }

    /**
     * A daemon thread that logs role and leader changes, 20 times a second (the consensus module's counters are
     * cheap to read).
     */
    static Thread watchRoles(final ClusterNode node)
    {
        final RoleLog roleLog = new RoleLog(node);
        final Thread watcher = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                roleLog.poll();
                LockSupport.parkNanos(ROLE_POLL_NS);
            }
        }, "junction-cluster-roles");
        watcher.setDaemon(true);
        watcher.start();
        return watcher;
    }

    private static void stop(final Thread watcher)
    {
        watcher.interrupt();
        try
        {
            watcher.join(1000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
