package io.junction.perf.suite;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-thread CPU time, run-queue wait and time slices of a process, from {@code /proc/<pid>/task/<tid>/schedstat}
 * (Linux, nanoseconds), grouped by thread name: where a message's CPU goes on each side, and how long its threads
 * were runnable but waiting for a core (a shared 2-core machine's tail). Threads of one name (JIT compilers, GC
 * workers) are summed.
 */
final class ThreadSchedStats
{
    /** {cpu ns, run-queue wait ns, time slices} by thread name. */
    private final Map<String, long[]> byName;

    private ThreadSchedStats(final Map<String, long[]> byName)
    {
        this.byName = byName;
    }

    static ThreadSchedStats of(final long pid)
    {
        final Map<String, long[]> byName = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks)
            {
                try
                {
                    final String name = Files.readString(task.resolve("comm")).trim();
                    final String[] fields = Files.readString(task.resolve("schedstat")).trim().split(" ");
                    final long[] sum = byName.computeIfAbsent(name, (key) -> new long[3]);
                    for (int i = 0; i < 3; i++)
                    {
                        sum[i] += Long.parseLong(fields[i]);
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    // The thread ended between the listing and the read.
                }
            }
        }
        catch (final IOException ex)
        {
            // No /proc: an empty table.
        }
        return new ThreadSchedStats(byName);
    }

    /**
     * @return one line per thread name that used at least 0.5% of the CPU between {@code before} and this, per
     * message: CPU, run-queue wait, and slices (about one per wake-up).
     */
    String since(final ThreadSchedStats before, final long messages, final String indent)
    {
        long total = 0;
        final Map<String, long[]> delta = new TreeMap<>();
        for (final Map.Entry<String, long[]> entry : byName.entrySet())
        {
            final long[] then = before.byName.getOrDefault(entry.getKey(), new long[3]);
            final long[] now = entry.getValue();
            final long[] d = { now[0] - then[0], now[1] - then[1], now[2] - then[2] };
            delta.put(entry.getKey(), d);
            total += d[0];
        }
        final StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%sall threads: CPU %.3f us/msg%n", indent, total / 1e3 / messages));
        for (final Map.Entry<String, long[]> entry : delta.entrySet())
        {
            final long[] d = entry.getValue();
            if (d[0] * 200 < total)
            {
                continue;
            }
            text.append(String.format(Locale.ROOT,
                "%s%-16s CPU %.3f us/msg, run-queue wait %.3f us/msg, %.3f slices/msg (%.1f us wait per slice)%n",
                indent, entry.getKey(), d[0] / 1e3 / messages, d[1] / 1e3 / messages, d[2] / (double)messages,
                d[2] > 0 ? d[1] / 1e3 / d[2] : 0.0));
        }
        return text.toString();
    }
}
