package io.junction.perf.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

import io.junction.perf.CoreBenchmarks;

/**
 * The JMH micro-benchmarks of switch-core (publish→deliver beside the raw Disruptor, shard scaling,
 * router match, pipeline cost), run by {@link CoreBenchmarks} in its short mode into the suite's output
 * directory, with the GC profiler (allocation per operation). Off in --quick.
 */
public final class JmhSection implements Section
{
    @Override
    public String title()
    {
        return "JMH micro-benchmarks (switch-core)";
    }

    /** 17 benchmark runs (with their parameters), a fork of ~5.5 s each in CoreBenchmarks' short mode. */
    @Override
    public long estimateSeconds(final SuiteOptions options)
    {
        return options.jmh ? 95 : 0;
    }

    @Override
    public void run(final SuiteOptions options, final SuiteResults results) throws Exception
    {
        if (!options.jmh)
        {
            results.skip(title(), "not run in " + options.mode + " mode (use --jmh)");
            return;
        }
        CoreBenchmarks.main(new String[] { options.outputDir.toString(), "--quick" });
        final Path md = options.outputDir.resolve("core-" + LocalDate.now() + ".md");
        if (Files.exists(md))
        {
            final String text = Files.readString(md);
            final int table = text.indexOf("| benchmark");
            results.fragments.add(new SuiteResults.Fragment(title(),
                "Full output: [" + md.getFileName() + "](" + md.getFileName() + ")\n\n" +
                (table >= 0 ? text.substring(table) : text)));
        }
    }
}
