package io.junction.tools;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The built distribution's {@code bin/junction} as a child process, output to a file. Only the build's
 * {@code launcher-tests} execution (after the package phase) names it, in the system property
 * {@value #PROPERTY}; elsewhere the tests that need it are skipped.
 */
final class Launcher extends ChildProcess
{
    static final String PROPERTY = "junction.launcher";

    private Launcher(final Process process, final File output)
    {
        super(process, output);
    }

    static File path()
    {
        final String path = System.getProperty(PROPERTY);
        assumeTrue(null != path && new File(path).canExecute(),
            "bin/junction is built by the package phase: these tests run in the launcher-tests execution");
        return new File(path);
    }

    static Launcher start(final File output, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(path().getPath());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output);
        // Small and quick to start on a busy 2-core machine.
        builder.environment().put("JUNCTION_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        return new Launcher(builder.start(), output);
    }

    /**
     * Run to completion (bounded).
     */
    static Result run(final File output, final String... args) throws Exception
    {
        try (Launcher launcher = start(output, args))
        {
            return new Result(launcher.awaitExit(90, args), launcher.output());
        }
    }

    record Result(int exitCode, String output)
    {
    }
}
