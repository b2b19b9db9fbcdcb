package io.junction.perf;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What a result was measured on: CPU, cores, memory, JVM, flags and date, for the header of every report.
 */
public final class Machine
{
    private Machine()
    {
    }

    public static String describe()
    {
        final Runtime runtime = Runtime.getRuntime();
        return String.join("\n",
            "- date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            "- cpu: " + cpuModel(),
            "- cores: " + runtime.availableProcessors(),
            "- memory: " + totalMemory(),
            "- os: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
                System.getProperty("os.arch"),
            "- jvm: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
            "- jvm flags: " + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()),
            "- load average at start: " + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static String cpuModel()
    {
        return firstMatching(Path.of("/proc/cpuinfo"), "model name", "unknown");
    }

    private static String totalMemory()
    {
        return firstMatching(Path.of("/proc/meminfo"), "MemTotal", "unknown");
    }

    private static String firstMatching(final Path file, final String key, final String otherwise)
    {
        try
        {
            final List<String> lines = Files.readAllLines(file);
            return lines.stream()
                .filter(line -> line.startsWith(key))
                .map(line -> line.substring(line.indexOf(':') + 1).trim())
                .findFirst()
                .orElse(otherwise);
        }
        catch (final IOException ex)
        {
            return otherwise;
        }
    }
}
