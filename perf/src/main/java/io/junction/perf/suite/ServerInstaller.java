package io.junction.perf.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds a broker's executable, and installs its Debian package when it is missing and this process can
 * (root, with apt-get); otherwise says why not, so that the report can tell what was skipped.
 */
public final class ServerInstaller
{
    private static final long INSTALL_TIMEOUT_MINUTES = 10;

    /** What was found: the executable, or why there is none. */
    public record Found(Path executable, String whyNot, String installLog)
    {
        public boolean isPresent()
        {
            return null != executable;
        }
    }

    private ServerInstaller()
    {
    }

    /**
     * @param candidates places to look first, in order (e.g. /usr/lib/rabbitmq/bin/rabbitmq-server), then PATH.
     */
    public static Found find(final String command, final List<Path> candidates)
    {
        for (final Path candidate : candidates)
        {
            if (Files.isExecutable(candidate))
            {
                return new Found(candidate, null, null);
            }
        }
        final String path = System.getenv("PATH");
        final List<String> dirs = new ArrayList<>(List.of((null == path ? "" : path).split(":")));
        dirs.add("/usr/sbin");
        dirs.add("/usr/local/sbin");
        for (final String dir : dirs)
        {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command)))
            {
                return new Found(Path.of(dir, command), null, null);
            }
        }
        return new Found(null, command + " not found", null);
    }

    /**
     * Finds the command, installing {@code debianPackage} first if it is missing and that is possible.
     */
    public static Found findOrInstall(final String command, final List<Path> candidates, final String debianPackage)
    {
        final Found found = find(command, candidates);
        if (found.isPresent())
        {
            return found;
        }
        if (!"root".equals(System.getProperty("user.name")))
        {
            return new Found(null, command + " is not installed and this is not root: run `sudo apt-get install -y " +
                debianPackage + "` (or install it by other means) and run the suite again", null);
        }
        final Found aptGet = find("apt-get", List.of(Path.of("/usr/bin/apt-get")));
        if (!aptGet.isPresent())
        {
            return new Found(null, command + " is not installed and apt-get is not available: install " +
                debianPackage + " by other means and run the suite again", null);
        }
        final StringBuilder log = new StringBuilder();
        try
        {
            System.out.println("[suite] installing " + debianPackage + " with apt-get");
            if (run(log, aptGet.executable().toString(), "install", "-y", debianPackage) != 0)
            {
                run(log, aptGet.executable().toString(), "update");
                run(log, aptGet.executable().toString(), "install", "-y", debianPackage);
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            log.append(ex).append('\n');
        }
        final Found after = find(command, candidates);
        return after.isPresent() ? new Found(after.executable(), null, log.toString()) :
            new Found(null, "apt-get install -y " + debianPackage + " did not provide " + command + ": " +
                tail(log.toString()), log.toString());
    }

    private static int run(final StringBuilder log, final String... command) throws IOException, InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        final Process process = builder.start();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES))
        {
            process.destroyForcibly();
            log.append(String.join(" ", command)).append(": timed out\n");
            return -1;
        }
        log.append("$ ").append(String.join(" ", command)).append('\n').append(new String(output)).append('\n');
        return process.exitValue();
    }

    private static String tail(final String text)
    {
        final String trimmed = text.strip();
        return trimmed.length() <= 300 ? trimmed : "…" + trimmed.substring(trimmed.length() - 300);
    }
}
