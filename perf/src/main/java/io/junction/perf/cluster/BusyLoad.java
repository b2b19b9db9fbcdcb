package io.junction.perf.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Load on the machine for the failover curve: child processes that are always runnable (a shell loop that does
 * nothing, no I/O, a few hundred kB each), each adding about one to the load average, so the members compete for
 * the cores as on a loaded host. Processes, not threads of the benchmark's JVM, so they do not share its
 * safepoints or its scheduling with the client being measured. Closing kills them (a shutdown hook too, should the
 * benchmark end otherwise).
 */
public final class BusyLoad implements AutoCloseable
{
    private static final List<String> COMMAND = List.of("sh", "-c", "while :; do :; done");

    private final List<Process> processes = new ArrayList<>();
    private final Thread killer = new Thread(this::kill, "busy-load-kill");

    /**
     * @param processCount busy processes to start; 0 for none.
     */
    public BusyLoad(final int processCount)
    {
        try
        {
            for (int i = 0; i < processCount; i++)
            {
                processes.add(new ProcessBuilder(COMMAND)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start());
            }
        }
        catch (final IOException ex)
        {
            kill();
            throw new UncheckedIOException("could not start a busy process", ex);
        }
        if (processCount > 0)
        {
            Runtime.getRuntime().addShutdownHook(killer);
        }
    }

    /**
     * @return as many busy processes as bring the 1-minute load average up to about targetLoad (none when the
     * machine is already there).
     */
    public static BusyLoad topUpTo(final double targetLoad)
    {
        final double load = loadAverage();
        return new BusyLoad(Double.isNaN(load) ? 0 : (int)Math.max(0, Math.round(targetLoad - load)));
    }

    /** The 1-minute load average (NaN where /proc/loadavg is missing). */
    public static double loadAverage()
    {
        try
        {
            return Double.parseDouble(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                .trim().split("\\s+")[0]);
        }
        catch (final IOException | RuntimeException ex)
        {
            return Double.NaN;
        }
    }

    public int processCount()
    {
        return processes.size();
    }

    private void kill()
    {
        for (final Process process : processes)
        {
            process.destroyForcibly();
        }
        for (final Process process : processes)
        {
            try
            {
                process.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close()
    {
        kill();
        if (!processes.isEmpty())
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(killer);
            }
            catch (final IllegalStateException ignore)
            {
                // Already shutting down: the hook runs anyway.
            }
        }
    }
}
