package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped systemd unit, checked by systemd itself: {@code systemd-analyze verify} accepts it (every JVM option
 * kept, the launcher it starts exists) and {@code systemd-analyze security} rates its exposure at most 4.0. Runs
 * against the built distribution, with {@code /opt/junction} pointed at it; skipped where systemd-analyze is missing
 * ({@code .ci/run} installs it from Debian's systemd package).
 */
class SystemdUnitLauncherTest
{
    private static final double MAX_EXPOSURE = 4.0;

    @TempDir
    Path tmp;

    @Test
    void systemdAcceptsTheUnitAndRatesItHardened() throws Exception
    {
        final File distribution = Launcher.path().getParentFile().getParentFile();
        assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed (Debian: apt-get install systemd)");
        final String unit = Files.readString(new File(distribution, "systemd/junction.service").toPath());
        assertTrue(unit.contains("Environment=\"JUNCTION_JAVA_OPTS=") && unit.contains("-XX:+ExitOnOutOfMemoryError"),
            "the JVM options in one quoted assignment, with ExitOnOutOfMemoryError for Restart=on-failure");

        final File copy = tmp.resolve("junction.service").toFile();
        Files.writeString(copy.toPath(), unit.replace("/opt/junction", distribution.getAbsolutePath()));
        final Result verify = run("systemd-analyze", "verify", copy.getPath());
        assertEquals(0, verify.exitCode, verify.output);
        assertEquals("", verify.output.strip(), "no warning from systemd-analyze verify");

        final Result security = run("systemd-analyze", "security", "--offline=yes", copy.getPath());
        final Matcher exposure = Pattern.compile("Overall exposure level for junction.service: (\\d+\\.\\d+)")
            .matcher(security.output);
        assertTrue(exposure.find(), security.output);
        assertTrue(Double.parseDouble(exposure.group(1)) <= MAX_EXPOSURE, "exposure " + exposure.group(1) + ": " +
            security.output);
    }

    private record Result(int exitCode, String output)
    {
    }

    private Result run(final String... command) throws Exception
    {
        final File output = tmp.resolve("systemd-analyze.log").toFile();
        final Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(output)
            .start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " finishes");
        return new Result(process.exitValue(), Files.readString(output.toPath(), StandardCharsets.UTF_8));
    }

    private static boolean onPath(final String program)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            if (new File(dir, program).canExecute())
            {
                return true;
            }
        }
        return false;
    }
}
