package io.junction.perf.suite;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A broker started by the suite as a child process: its own working directory, environment and log file,
 * waited for until its port accepts connections, and stopped (with all its descendants) on close.
 */
public final class ServerProcess implements AutoCloseable
{
    private final String name;
    private final Process process;
    private final Path log;

    private ServerProcess(final String name, final Process process, final Path log)
    {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static ServerProcess start(
        final String name, final List<String> command, final Map<String, String> environment, final Path workDir)
        throws IOException
    {
        final Path log = workDir.resolve(name + ".out");
        final ProcessBuilder builder = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        final ServerProcess server = new ServerProcess(name, builder.start(), log);
        // A suite stopped by a signal (Ctrl-C, SIGTERM) runs no close(): without this its servers outlived it and
        // loaded the machine for the next run.
        Runtime.getRuntime().addShutdownHook(new Thread(server::killOnExit, name + "-kill-on-exit"));
        return server;
    }

    private void killOnExit()
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** A port free on loopback at the time of the call. */
    public static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    public Process process()
    {
        return process;
    }

    public Path log()
    {
        return log;
    }

    /**
     * Waits until a TCP connection to 127.0.0.1:port succeeds.
     *
     * @throws IOException if the process exits first or the timeout passes.
     */
    public void awaitPort(final int port, final long timeoutNs) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (true)
        {
            if (!process.isAlive())
            {
                throw new IOException(name + " exited with " + process.exitValue() +
                    " before accepting connections; see " + log);
            }
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            }
            catch (final IOException ex)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IOException(
                        name + " did not accept connections on port " + port + " in time; see " + log, ex);
                }
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Stops the process: SIGTERM, then SIGKILL after the grace period, descendants included.
     */
    @Override
    public void close() throws InterruptedException
    {
        final List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        for (final ProcessHandle descendant : descendants)
        {
            if (descendant.isAlive())
            {
                descendant.destroy();
                descendant.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(ex -> null).join();
                if (descendant.isAlive())
                {
                    descendant.destroyForcibly();
                }
            }
        }
    }
}
