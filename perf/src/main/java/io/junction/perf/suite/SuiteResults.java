package io.junction.perf.suite;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything one run of the suite measured, skipped and noted, for the report and the raw files.
 * Sections add to it; the report reads it.
 */
public final class SuiteResults
{
    public record TargetInfo(String name, Target.Kind kind, String transport, String version, String semantics)
    {
    }

    public record RoundTripResult(String name, String transport, int payloadBytes, Percentiles roundTrip)
    {
    }

    public record Skipped(String what, String why)
    {
    }

    /** A section's own part of the report, in Markdown (may link files it wrote into the output directory). */
    public record Fragment(String title, String markdown)
    {
    }

    /**
     * A section's own figures (overload sweep, journaled path, cluster): written as {@code key.csv} and into
     * results.json under "sections".
     */
    public record Table(String key, String title, List<String> columns, List<List<String>> rows)
    {
    }

    public record Timing(String section, long estimatedSeconds, long seconds)
    {
    }

    public final List<Timing> timings = new ArrayList<>();
    public final List<TargetInfo> targets = new ArrayList<>();
    public final List<ThroughputResult> throughput = new ArrayList<>();
    public final List<LatencyResult> latency = new ArrayList<>();
    public final List<RoundTripResult> roundTrips = new ArrayList<>();
    public final List<Skipped> skipped = new ArrayList<>();
    public final List<Fragment> fragments = new ArrayList<>();
    public final List<Table> tables = new ArrayList<>();
    public final List<String> log = new ArrayList<>();

    public synchronized void note(final String line)
    {
        log.add(line);
        System.out.println("[suite] " + line);
    }

    public void skip(final String what, final String why)
    {
        skipped.add(new Skipped(what, why));
        note("SKIPPED " + what + ": " + why);
    }
}
