package io.junction.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Collection;
import java.util.function.BiFunction;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One JMH run as the benchmark runners do it: forks get the POM's JVM flags, the GC profiler is on, and
 * the results go to {@code resultsDir/STEM-DATE.json} with a Markdown report beside it.
 * Arguments: {@code [resultsDir] [--quick]} (default perf/results; quick = 1 short warm-up, 2 short measurements).
 */
public final class JmhRun
{
    private JmhRun()
    {
    }

    public static void run(
        final String stem,
        final String include,
        final String[] args,
        final BiFunction<Collection<RunResult>, String, String> report) throws RunnerException, IOException
    {
        final Path resultsDir = Path.of(args.length > 0 && !args[0].startsWith("--") ? args[0] : "perf/results");
        final boolean quick = Arrays.asList(args).contains("--quick");
        Files.createDirectories(resultsDir);
        final String name = stem + "-" + LocalDate.now();
        final String machine = Machine.describe();

        final ChainedOptionsBuilder options = new OptionsBuilder()
            .include(include)
            .jvmArgsPrepend(JvmFlags.flags())
            .addProfiler(GCProfiler.class)
            .resultFormat(ResultFormatType.JSON)
            .result(resultsDir.resolve(name + ".json").toString());
        if (quick)
        {
            options.warmupIterations(1).warmupTime(TimeValue.seconds(1))
                .measurementIterations(2).measurementTime(TimeValue.seconds(1));
        }
        final Collection<RunResult> results = new Runner(options.build()).run();
        final String text = report.apply(results, machine);
        Files.writeString(resultsDir.resolve(name + ".md"), text);
        System.out.println(text);
    }
}
