package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code junction run}: the standalone daemon, until SIGTERM or SIGINT.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
        "Run the switch as a daemon, on the embedded defaults or a HOCON config file.",
        "SIGTERM/SIGINT: stop admitting, drain, exit 0 (a second signal forces).",
        "SIGHUP (or 'junction admin reload'): re-read the config file and apply the alarm rules, the webhook, the",
        "regulation rules and journal.durable-timeout; a change to a journal, cluster, idle-strategy or",
        "regulation.express-critical key refuses the reload (the running config is kept), and any other changed key",
        "is reported as needing a restart.",
        "Exit codes: 0 stopped, 1 could not start, 2 bad configuration or usage, 130 forced by a second signal." })
public final class RunCommand implements Callable<Integer>
{
    /** Exit code for a configuration that cannot be used. */
    public static final int EXIT_CONFIG = 2;
    /** Exit code when a second signal forced the stop. */
    public static final int EXIT_FORCED = 130;

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON configuration (see --print-defaults).")
    File config;

    @Option(names = "--dir", paramLabel = "DIR", description = "Data directory (overrides the config's 'dir'; the " +
        "config's relative paths, journal.dir, counters-dir and cluster.dir, are under it).")
    File dir;

    @Option(names = "--demo-load", paramLabel = "RATE", converter = CliValues.RateConverter.class,
        description = "Run a built-in load at RATE msg/s with a live line (overrides demo-load.rate).")
    Integer demoRate;

    @Option(names = "--print-defaults", description = "Print the embedded default configuration and exit.")
    boolean printDefaults;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicInteger signals = new AtomicInteger();

    @Override
    public Integer call() throws Exception
    {
        if (printDefaults)
        {
            try (InputStream in = DaemonConfig.class.getResourceAsStream("daemon-defaults.conf"))
            {
                System.out.print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            return 0;
        }

        DaemonConfig daemonConfig;
        try
        {
            daemonConfig = DaemonConfig.load(config);
        }
        catch (final ConfigException ex)
        {
            System.err.println("junction: config error: " + ex.getMessage());
            return EXIT_CONFIG;
        }
        daemonConfig = override(daemonConfig);

        final Daemon daemon;
        try
        {
            daemon = new Daemon(daemonConfig, config, System.out, this::override);
        }
        catch (final IOException | RuntimeException | LinkageError ex)
        {
            System.err.println("junction: cannot start: " + (ex instanceof IOException || ex instanceof ConfigException ?
                ex.getMessage() : JunctionCli.describe(ex)));
            return 1;
        }

        final Thread fallbackHook = new Thread(daemon::close, "junction-shutdown");
        if (!installSignalHandlers(daemon))
        {
            Runtime.getRuntime().addShutdownHook(fallbackHook);
        }
        stopRequested.await();
        daemon.close();
        System.out.flush();
        return 0;
    }

    private DaemonConfig override(final DaemonConfig c)
    {
        if (null == dir && null == demoRate)
        {
            return c;
        }
        DaemonConfig changed = c;
        if (null != dir)
        {
            changed = changed.withNode(changed.node().withDir(dir.getPath()));
        }
        if (null != demoRate)
        {
            changed = changed.withDemo(changed.demo().withRate(demoRate));
        }
        return changed;
    }

    /**
     * TERM and INT ask for a graceful stop, a second one forces it; HUP reloads.
     *
     * @return false if the JVM would not let us handle signals (then a shutdown hook stops gracefully).
     */
    private boolean installSignalHandlers(final Daemon daemon)
    {
        try
        {
            final java.util.function.Consumer<String> stop = (signal) ->
            {
                if (signals.incrementAndGet() > 1)
                {
                    System.err.println("junction: second signal, forcing exit");
                    Runtime.getRuntime().halt(EXIT_FORCED);
                }
                System.out.println("junction: SIG" + signal + " received");
                stopRequested.countDown();
            };
            Signals.handle("TERM", stop);
            Signals.handle("INT", stop);
            if (!Signals.handle("HUP", (signal) -> daemon.reload()))
            {
                System.err.println("junction: SIGHUP is ignored by this process (it was started with SIGHUP ignored, " +
                    "as nohup does): reload with 'junction admin reload' over HTTP instead");
            }
            return true;
        }
        catch (final IllegalStateException ex)
        {
            System.err.println("junction: cannot handle signals (" + ex.getMessage() + "), using a shutdown hook");
            return false;
        }
    }
}
