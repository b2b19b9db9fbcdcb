package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * A child process of a test with its output in a file: what {@link JunctionProcess} (a JVM on the test
 * classpath) and {@link Launcher} (the built {@code bin/junction}) share. Closing kills it if it is still alive.
 */
abstract class ChildProcess implements AutoCloseable
{
    private final Process process;
    private final File output;

    ChildProcess(final Process process, final File output)
    {
        this.process = process;
        this.output = output;
    }

    Process process()
    {
        return process;
    }

    /**
     * Wait for the exit, bounded.
     *
     * @return the exit code.
     * @throws AssertionError naming the command and its output if it did not finish in time.
     */
    int awaitExit(final long timeoutSeconds, final String... args) throws InterruptedException
    {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            throw new AssertionError("junction " + String.join(" ", args) + " did not finish: " + output());
        }
        return process.exitValue();
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
