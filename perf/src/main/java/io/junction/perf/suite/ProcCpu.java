package io.junction.perf.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's user and system CPU time from {@code /proc/<pid>/stat} (Linux), for CPU per message split by
 * where it goes: system time is mostly the socket calls.
 */
final class ProcCpu
{
    private static final long NS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

    private ProcCpu()
    {
    }

    /**
     * @return {user ns, system ns}, or {-1, -1} without /proc.
     */
    static long[] userSystemNs(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] { Long.parseLong(fields[11]) * NS_PER_TICK, Long.parseLong(fields[12]) * NS_PER_TICK };
        }
        catch (final IOException | RuntimeException ex)
        {
            return new long[] { -1, -1 };
        }
    }
}
