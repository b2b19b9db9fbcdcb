package io.junction.tools;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built distribution's {@code bin/junction} as a child process, output to a file. Only the build's
 * {@code launcher-tests} execution (after the package phase) names it, in the system property
 * {@value #PROPERTY}; elsewhere the tests that need it are skipped.
 */
final class Launcher implements AutoCloseable
{
    static final String PROPERTY = "junction.launcher";

    private final Process process;
    private final File output;

    private Launcher(final Process process, final File output)
    {
        this.process = process;
        this.output = output;
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
            if (!launcher.process.waitFor(90, TimeUnit.SECONDS))
            {
                throw new AssertionError("junction " + String.join(" ", args) + " did not finish: " + launcher.output());
            }
            return new Result(launcher.process.exitValue(), launcher.output());
        }
    }

    record Result(int exitCode, String output)
    {
    }

    Process process()
    {
        return process;
    }

    String output()
    {
        try
        {
            return Files.readString(output.toPath(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "(no output: " + ex + ")";
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
