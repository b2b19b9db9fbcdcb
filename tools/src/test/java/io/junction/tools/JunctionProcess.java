package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code junction ...} as a real child JVM: the test classpath and the test JVM's flags, output to a file.
 */
final class JunctionProcess extends ChildProcess
{
    private JunctionProcess(final Process process, final File output)
    {
        super(process, output);
    }

    static JunctionProcess start(final File output, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
        for (final String flag : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!flag.startsWith("-Xmx") && !flag.startsWith("-agentlib") && !flag.startsWith("-javaagent"))
            {
                command.add(flag);
            }
        }
        command.add("-Xmx256m");
        command.add("-XX:+ExitOnOutOfMemoryError"); // as bin/junction runs it
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1"); // starts faster on a busy 2-core machine
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(JunctionCli.class.getName());
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output)
            .start();
        return new JunctionProcess(process, output);
    }

    /**
     * Run to completion (bounded) and return the exit code.
     */
    static int run(final File output, final String... args) throws Exception
    {
        try (JunctionProcess process = start(output, args))
        {
            return process.awaitExit(60, args);
        }
    }
}
