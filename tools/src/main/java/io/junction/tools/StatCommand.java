package io.junction.tools;

import java.io.File;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.junction.observe.AlarmEvaluator;
import io.junction.observe.CountersFileReader;
import io.junction.observe.CountersFileReader.CounterValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code junction stat}: the counters of a running daemon, read from its counters file by another
 * process, each second (like AeronStat or vmstat).
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Show a daemon's counters, latency percentiles and active alarms from its counters file.")
public final class StatCommand implements Callable<Integer>
{
    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The daemon's data directory.")
    File dir;

    @Option(names = "--json", description = "One JSON object per line, for scripts.")
    boolean json;

    @Option(names = "--count", paramLabel = "N",
        description = "Samples to show (default: 1, or until interrupted with --watch).")
    Integer count;

    @Option(names = "--watch", description = "A sample each interval until interrupted, refreshing the screen in " +
        "place on a terminal (plain successive samples when the output is not a terminal).")
    boolean watch;

    @Option(names = "--interval", defaultValue = "1s", description = "Between samples, >= 10ms (default ${DEFAULT-VALUE}).")
    Duration interval;

    @Spec
    CommandSpec spec;

    @Option(names = "--errors", description = "Print the daemon's distinct errors (DIR/errors.dat: count, first " +
        "and last time, the error and its stack) instead of its counters.")
    boolean errors;

    @Option(names = "--filter", paramLabel = "TEXT", description = "Only counters whose label contains TEXT.")
    String filter;

    @Override
    public Integer call()
    {
        final int samples = null != count ? (int)CliValues.check(spec, "--count", count, 1, Integer.MAX_VALUE) :
            watch ? 0 : 1;
        CliValues.check(spec, "--interval", interval, Duration.ofMillis(10));
        // Home and clear: a terminal shows the latest sample in place, like top or watch(1).
        final boolean refreshInPlace = watch && !json && null != System.console();
        if (errors)
        {
            return printErrors();
        }
        final CountersFileReader reader;
        try
        {
            reader = CountersFileReader.open(Daemon.countersDir(dir));
        }
        catch (final RuntimeException | java.io.IOException ex)
        {
            System.err.println("junction stat: " + ex.getMessage());
            return 1;
        }
        final long intervalNs = interval.toNanos();
        try (reader)
        {
            for (int i = 0; samples == 0 || i < samples; i++)
            {
                if (i > 0)
                {
                    LockSupport.parkNanos(intervalNs);
                    if (Thread.interrupted())
                    {
                        break;
                    }
                }
                final List<CounterValue> values = reader.snapshot().stream()
                    .filter((v) -> null == filter || v.label().contains(filter)).toList();
                if (json)
                {
                    System.out.println(toJson(reader, values));
                }
                else
                {
                    if (refreshInPlace)
                    {
                        System.out.print(CLEAR_SCREEN);
                    }
                    print(System.out, reader, values);
                }
                System.out.flush();
            }
        }
        return 0;
    }

    private int printErrors()
    {
        try
        {
            final int distinct = ErrorLog.read(dir, (count, firstMs, lastMs, encoded) ->
                System.out.printf("%,d observation(s), first %s, last %s%n%s%n", count, Instant.ofEpochMilli(firstMs),
                    Instant.ofEpochMilli(lastMs), encoded.stripTrailing()));
            System.out.println(distinct + " distinct error(s)");
            return 0;
        }
        catch (final java.io.IOException ex)
        {
            System.err.println("junction stat: " + ex.getMessage());
            return 1;
        }
    }

    static String toJson(final CountersFileReader reader, final List<CounterValue> values)
    {
        return JsonOutput.stat(reader, values);
    }

    private static void print(final PrintStream out, final CountersFileReader reader, final List<CounterValue> values)
    {
        final long nowMs = System.currentTimeMillis();
        if (reader.isStopped())
        {
            out.printf("%s - junction pid %d, stopped at %s (the counters as they were at the stop)%n",
                Instant.ofEpochMilli(nowMs), reader.pid(), Instant.ofEpochMilli(reader.stopTimeMs()));
        }
        else
        {
            out.printf("%s - junction pid %d, %s, heartbeat %d ms ago%n", Instant.ofEpochMilli(nowMs), reader.pid(),
                JsonOutput.status(reader, nowMs).equals("running") ? "alive" : "NOT RUNNING (it did not stop cleanly)",
                nowMs - reader.heartbeatMs());
        }
        out.println("=".repeat(80));
        final StringBuilder alarms = new StringBuilder();
        for (final CounterValue v : values)
        {
            out.printf("%3d: %,20d - %s%n", v.id(), v.value(), v.label());
            if (v.typeId() == AlarmEvaluator.ALARM_TYPE_ID && v.value() != 0)
            {
                alarms.append(alarms.length() > 0 ? ", " : "").append(v.label().substring("alarm ".length()));
            }
        }
        out.println("--");
        out.println("active alarms: " + (alarms.length() == 0 ? "none" : alarms));
        out.println();
    }
}
