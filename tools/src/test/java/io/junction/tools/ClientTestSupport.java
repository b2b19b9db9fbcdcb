package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.junction.client.JunctionClient;

/**
 * What the tests of {@code io.junction.client} and of {@code junction pub}/{@code sub} share: a daemon child process
 * on a data directory (restartable on the same directory and port), and a bounded poll loop.
 */
final class ClientTestSupport
{
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private ClientTestSupport()
    {
    }

    /**
     * @return a port free now (for a daemon that must come back on the same port after a restart).
     */
    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /**
     * Write a daemon config on {@code node} listening on {@code port} (0: any) with the extra lines.
     */
    static File writeConfig(final Path tmp, final File node, final int port, final String... extra) throws IOException
    {
        final File config = tmp.resolve(node.getName() + ".conf").toFile();
        final List<String> lines = new ArrayList<>();
        lines.add("dir = \"" + node.getPath().replace("\\", "\\\\") + "\"");
        lines.addAll(DaemonChild.CLIENT_TEST_LINES);
        lines.add("listen.port = " + port);
        lines.addAll(List.of(extra));
        lines.add("");
        Files.writeString(config.toPath(), String.join("\n", lines));
        return config;
    }

    /**
     * Start {@code junction run} and wait for its own daemon.properties (after a SIGKILL the last run's is still
     * there).
     */
    static JunctionProcess startDaemon(final Path tmp, final File config, final File node, final String log)
        throws Exception
    {
        final JunctionProcess daemon = JunctionProcess.start(tmp.resolve(log).toFile(), "run", "--config",
            config.getPath());
        try
        {
            DaemonChild.awaitReady(daemon, node);
        }
        catch (final RuntimeException | AssertionError ex)
        {
            daemon.close(); // Not yet in the caller's resources: a daemon that never became ready must not outlive the test.
            throw ex;
        }
        return daemon;
    }

    static int port(final File node) throws IOException
    {
        return Integer.parseInt(Daemon.readProperties(node).getProperty("listen.port"));
    }

    /**
     * @return the sum of a daemon's counters with that label, read from its counters file (0 if none has it yet).
     */
    static long counter(final File node, final String label)
    {
        try (io.junction.observe.CountersFileReader reader =
            io.junction.observe.CountersFileReader.open(Daemon.countersDir(node)))
        {
            return reader.snapshot().stream().filter((v) -> v.label().equals(label)).mapToLong(
                io.junction.observe.CountersFileReader.CounterValue::value).sum();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("counters of " + node + ": " + ex, ex);
        }
    }

    /**
     * Send a signal ({@code STOP}, {@code CONT}, ...) to a child process.
     */
    static void signal(final String name, final JunctionProcess process) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.process().pid())).start();
        assertTrue(kill.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name);
    }

    /**
     * Poll the clients until the condition holds, within {@link #TIMEOUT}.
     */
    static void pollUntil(final BooleanSupplier condition, final Supplier<String> message,
        final JunctionClient... clients)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            int work = 0;
            for (final JunctionClient client : clients)
            {
                work += client.poll();
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not within " + TIMEOUT + ": " + message.get());
            }
            if (0 == work)
            {
                LockSupport.parkNanos(50_000);
            }
        }
    }
}
