package io.junction.perf.suite;

import java.time.Duration;

/**
 * CPU time (user + system) a process has used so far, for CPU per message: on a shared machine the wall-clock
 * rate is noise, but the CPU a server spends per message decides what it can carry on the cores it gets.
 */
public final class ServerCpu
{
    private ServerCpu()
    {
    }

    /**
     * @return the process's CPU time so far in nanoseconds, or -1 when the platform does not say (or no process).
     */
    public static long cpuNs(final ProcessHandle process)
    {
        if (null == process)
        {
            return -1;
        }
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** This JVM's CPU time so far (the load generator: publisher and subscriber clients), or -1. */
    public static long selfCpuNs()
    {
        return cpuNs(ProcessHandle.current());
    }
}
