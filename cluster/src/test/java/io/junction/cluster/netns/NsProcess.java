package io.junction.cluster.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A child JVM on one of the {@link NetnsHosts} (started with {@code ip netns exec}, which becomes the JVM), its
 * output lines collected as they come.
 */
public final class NsProcess implements AutoCloseable
{
    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Writer stdin;
    private final Thread reader;

    private NsProcess(final String name, final Process process, final Consumer<String> onLine)
    {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    synchronized (lines)
                    {
                        lines.add(line);
                    }
                    onLine.accept(line);
                }
            }
            catch (final IOException ignore)
            {
                // the process is gone
            }
        }, "out-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Start a Java main class on the host with this JVM's class path and module flags.
     */
    public static NsProcess startJava(
        final NetnsHosts hosts, final int host, final String name, final Consumer<String> onLine,
        final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>(hosts.exec(host));
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Dagrona"))
            {
                command.add(arg);
            }
        }
        command.addAll(List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
            "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            return new NsProcess(name, process, onLine);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + name, ex);
        }
    }

    public String name()
    {
        return name;
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return a copy of the lines so far.
     */
    public List<String> lines()
    {
        synchronized (lines)
        {
            return new ArrayList<>(lines);
        }
    }

    public String output()
    {
        return name + ":\n  " + String.join("\n  ", lines());
    }

    public void send(final String command)
    {
        try
        {
            stdin.write(command + "\n");
            stdin.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot send to " + name, ex);
        }
    }

    public void sigkill()
    {
        process.destroyForcibly();
        awaitExit();
    }

    public void sigterm()
    {
        process.destroy();
    }

    public boolean awaitExit()
    {
        try
        {
            final boolean exited = process.waitFor(60, TimeUnit.SECONDS);
            reader.join(5_000);
            return exited;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int exitValue()
    {
        return process.exitValue();
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            awaitExit();
        }
    }
}
