package io.junction.perf.suite;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.junction.perf.Machine;

/**
 * The perf suite: one command that measures Junction on this hardware beside the libraries under it and
 * the brokers users would otherwise pick, and writes a report with plots, raw figures and a capacity plan.
 * <p>
 * {@code perf/bench.sh [--quick] [--p99-target 50us]} runs
 * {@code java <JvmFlags> -cp perf/target/benchmarks.jar io.junction.perf.suite.BenchSuite [args]}.
 * Sections run in order ({@link #sections()}): the shared workload (Junction remote and embedded, the limits, the
 * peers), the round trips of the limits, the overload sweep, the journaled path, the clustered path and failover,
 * the JMH micro-benchmarks. The run starts by printing each section's estimated time.
 */
public final class BenchSuite
{
    private BenchSuite()
    {
    }

    /** The sections these options run: with {@code --rounds N}, only Junction remote vs NATS in rounds; else those
     * --sections names (all when empty), in the suite's order. */
    public static List<Section> sections(final SuiteOptions options)
    {
        return options.rounds > 0 ? List.of(RemoteRoundsSection.of(options)) :
            sections().stream().filter(options::includes).toList();
    }

    public static List<Section> sections()
    {
        final List<Section> sections = new ArrayList<>();
        sections.add(new SharedWorkloadSection(Targets.all()));
        sections.add(new RoundTripSection());
        sections.add(new RequestReplySection());
        sections.add(new OverloadSection());
        sections.add(new JournalSection());
        sections.add(new ClusterSection());
        sections.add(new ShardScalingSection());
        sections.add(new CoreThroughputSection());
        sections.add(new JmhSection());
        return sections;
    }

    public static void main(final String[] args) throws Exception
    {
        final SuiteOptions options;
        try
        {
            options = SuiteOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        if (options.estimateOnly)
        {
            printBudget(options, sections(options), new SuiteResults());
            System.exit(0);
            return;
        }
        final Path report = run(options, sections(options));
        System.out.println("[suite] report: " + report.toAbsolutePath());
        System.exit(0);
    }

    /**
     * Notes each section's estimated time and the total.
     *
     * @return the estimates, in seconds, in the order of the sections.
     */
    static long[] printBudget(final SuiteOptions options, final List<Section> sections, final SuiteResults results)
    {
        final long[] estimates = new long[sections.size()];
        long totalEstimate = 0;
        results.note("time budget (estimated, on a loaded 2-core machine):");
        for (int i = 0; i < sections.size(); i++)
        {
            estimates[i] = sections.get(i).estimateSeconds(options);
            totalEstimate += estimates[i];
            results.note(String.format(Locale.ROOT, "  %4d s  %s", estimates[i], sections.get(i).title()));
        }
        results.note(String.format(Locale.ROOT, "  %4d s  in all (%s mode; the goal: quick <= 180 s, full <= 1200 s)",
            totalEstimate, options.mode));
        return estimates;
    }

    /**
     * Runs the sections and writes the report.
     *
     * @return the report.md written.
     */
    public static Path run(final SuiteOptions options, final List<Section> sections) throws Exception
    {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(options.outputDir);
        final String machine = Machine.describe();
        final SuiteResults results = new SuiteResults();
        final long startNs = System.nanoTime();
        results.note("mode " + options.mode + ", output " + options.outputDir);
        final long[] estimates = printBudget(options, sections, results);
        for (int i = 0; i < sections.size(); i++)
        {
            final Section section = sections.get(i);
            final long sectionStartNs = System.nanoTime();
            results.note("section: " + section.title() + " (estimated " + estimates[i] + " s)");
            try
            {
                section.run(options, results);
            }
            catch (final Exception ex)
            {
                results.skip(section.title(), "failed: " + ex);
            }
            final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sectionStartNs);
            results.timings.add(new SuiteResults.Timing(section.title(), estimates[i], seconds));
            results.note("section done in " + seconds + " s (estimated " + estimates[i] + " s)");
        }
        final long elapsedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs);
        return ReportWriter.write(options, results, machine,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), elapsedSeconds);
    }
}
