package io.junction.perf.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Load on the machine for the failover curve: threads that are always runnable (a loop of arithmetic, no
 * allocation, no sleeping), each adding about one to the load average, so the members compete for the cores as
 * on a loaded host. Closing stops and joins them.
 */
public final class BusyLoad implements AutoCloseable
{
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param threadCount busy threads to start; 0 for none.
     */
    public BusyLoad(final int threadCount)
    {
        for (int i = 0; i < threadCount; i++)
        {
            final Thread thread = new Thread(this::spin, "busy-load-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /**
     * @return as many busy threads as bring the 1-minute load average up to about targetLoad (none when the
     * machine is already there).
     */
    public static BusyLoad topUpTo(final double targetLoad)
    {
        return new BusyLoad((int)Math.max(0, Math.round(targetLoad - loadAverage())));
    }

    /** The 1-minute load average (NaN where /proc/loadavg is missing). */
    public static double loadAverage()
    {
        try
        {
            return Double.parseDouble(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                .trim().split("\\s+")[0]);
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return Double.NaN;
        }
    }

    public int threadCount()
    {
        return threads.size();
    }

    private void spin()
    {
        long x = Thread.currentThread().getId();
        while (running.get())
        {
            for (int i = 0; i < 10_000; i++)
            {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        if (x == 42)
        {
            System.out.print(""); // Keeps the loop from being optimised away.
        }
    }

    @Override
    public void close()
    {
        running.set(false);
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
