package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM of the crash tests: started on this test's class path, waited for until it prints {@code READY},
 * left to run for a given time and then SIGKILLed at whatever moment that is; what it printed is kept, to the end.
 */
final class CrashingChild
{
    private static final long READY_TIMEOUT_MS = 60_000;

    /**
     * What one child printed before it died.
     */
    static final class Run
    {
        final List<String> lines = new CopyOnWriteArrayList<>();
        volatile boolean ready;
    }

    private CrashingChild()
    {
    }

    /**
     * @param dir         where the child's standard error is kept ({@code child-<round>.err}).
     * @param killAfterMs how long after READY the child is killed.
     * @param main        the child's main class.
     * @param arguments   its arguments.
     * @return what it printed.
     */
    static Run runAndKill(
        final Path dir, final int round, final long killAfterMs, final Class<?> main, final String... arguments)
        throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-agentlib") && !argument.startsWith("-javaagent"))
            {
                command.add(argument);
            }
        }
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(arguments));

        final Path stderr = dir.resolve("child-" + round + ".err");
        final Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        final Run run = new Run();
        final Thread reader = new Thread(() -> read(process, run), "crash-child-reader");
        reader.setDaemon(true);
        reader.start();
        try
        {
            final long readyDeadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
            while (!run.ready)
            {
                if (!process.isAlive() || System.currentTimeMillis() > readyDeadline)
                {
                    fail("child " + round + " did not start: " + run.lines + "\n" + Files.readString(stderr));
                }
                process.waitFor(1, TimeUnit.MILLISECONDS);
            }
            // Run for the given time, then die at whatever moment that is.
            assertTrue(!process.waitFor(killAfterMs, TimeUnit.MILLISECONDS),
                "child " + round + " died by itself: " + Files.readString(stderr));
        }
        finally
        {
            // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the child's stdout
            // at once, dropping the last lines it printed that the reader had not yet taken (an acknowledgement
            // lost from the record, seen as a gap after the restart). Read them to the end, then close.
            process.toHandle().destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(30));
            process.destroyForcibly();
        }
        final String errors = Files.readString(stderr);
        assertTrue(errors.isBlank() || !errors.contains("Exception"), "child " + round + " reported: " + errors);
        return run;
    }

    private static void read(final Process process, final Run run)
    {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                if (line.startsWith("READY"))
                {
                    run.ready = true;
                }
                run.lines.add(line);
            }
        }
        catch (final IOException ignore)
        {
            // The child was killed.
        }
    }
}
