package io.junction.tools;

import io.aeron.cluster.ClusterBackup;
import io.junction.cluster.ClusterNode;
import io.junction.cluster.MemberSeed;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code junction cluster seed}: rebuild a cluster member whose disk was lost, once the others have purged their
 * log behind a snapshot (with the log whole, starting the member on its empty directory is enough). It reads the
 * member's daemon config, copies the latest snapshot and the log after it from the running cluster into the
 * member's empty directory ({@link MemberSeed}, Aeron's ClusterBackup), and exits once the copy follows the live
 * log; {@code junction run} with the same config then starts the member from it.
 * Exit codes: 0 seeded, 1 not live within {@code --timeout}, 2 bad input (config, no cluster, a directory that is
 * not empty or is in use).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Operate a cluster member: seed a lost member's empty directory from the running cluster.",
    subcommands = { ClusterCommand.SeedCommand.class })
public final class ClusterCommand implements Callable<Integer>
{
    static final int SEEDED = 0;
    static final int NOT_LIVE = 1;
    static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        spec.commandLine().usage(System.err);
        return BAD_INPUT;
    }

    @Command(name = "seed", mixinStandardHelpOptions = true,
        description = "Copy the latest snapshot and the log after it from the running cluster into this member's " +
            "empty directory (the member must not run), then exit; start the member with 'junction run'.")
    static final class SeedCommand implements Callable<Integer>
    {
        private static final long POLL_MS = 50;

        @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "The member's daemon config (its cluster section names the member and the others).")
        File config;

        @Option(names = "--dir", paramLabel = "DIR", description = "Data directory (as for 'junction run').")
        File dir;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "Give up when the copy does not follow the live log within this (default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() throws InterruptedException
        {
            final ClusterConfig cluster;
            final File dataDir;
            try
            {
                final DaemonConfig daemonConfig = DaemonConfig.load(config);
                cluster = daemonConfig.cluster();
                dataDir = null != dir ? dir.getAbsoluteFile() : dataDir(daemonConfig);
            }
            catch (final ConfigException ex)
            {
                System.err.println("junction: config error: " + ex.getMessage());
                return BAD_INPUT;
            }
            if (!cluster.enabled())
            {
                System.err.println("junction cluster seed: " + config + " runs no cluster member " +
                    "(cluster.enabled = false)");
                return BAD_INPUT;
            }
            if (null == dataDir)
            {
                System.err.println("junction cluster seed: " + config + " sets no data directory ('dir'): give --dir");
                return BAD_INPUT;
            }

            final ClusterNode.Context ctx = new ClusterNode.Context()
                .memberId(cluster.memberId())
                .memberCount(cluster.memberCount())
                .hostname(cluster.hostname())
                .basePort(cluster.basePort())
                .members(cluster.members().isEmpty() ? null : cluster.members())
                .baseDir(DaemonCluster.dir(dataDir, cluster))
                .cleanStart(false)
                .errorHandler((ex) -> System.err.println("junction cluster seed: " + ex.getMessage()));
            final MemberSeed seed;
            try
            {
                seed = MemberSeed.launch(ctx);
            }
            catch (final IllegalStateException ex)
            {
                System.err.println("junction cluster seed: " + ex.getMessage());
                return BAD_INPUT;
            }
            try (seed)
            {
                return awaitLive(seed, cluster.memberId());
            }
        }

        private int awaitLive(final MemberSeed seed, final int memberId) throws InterruptedException
        {
            final long deadlineNs = System.nanoTime() + timeout.toNanos();
            ClusterBackup.State reported = null;
            while (!seed.isLive())
            {
                final ClusterBackup.State state = seed.state();
                if (state != reported)
                {
                    System.out.println("seeding member " + memberId + ": " + state);
                    reported = state;
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    System.err.println("junction cluster seed: member " + memberId + "'s copy does not follow the " +
                        "live log after " + timeout.toSeconds() + " s (" + state + "): are the other members up " +
                        "and reachable?");
                    return NOT_LIVE;
                }
                TimeUnit.MILLISECONDS.sleep(POLL_MS);
            }
            System.out.println("member " + memberId + " seeded: the snapshot and the log to position " +
                seed.liveLogPosition() + "; start it with 'junction run' and the same config");
            return SEEDED;
        }

        private static File dataDir(final DaemonConfig daemonConfig)
        {
            final String nodeDir = daemonConfig.node().dir();
            return nodeDir.isEmpty() ? null : new File(nodeDir).getAbsoluteFile();
        }
    }
}
