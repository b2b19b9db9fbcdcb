package io.junction.tools;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/**
 * {@code junction version}: the version, git commit and build time recorded by the build, and the JVM running it.
 */
@Command(name = "version", mixinStandardHelpOptions = true,
    description = "Print the version, git commit, build time and JVM.")
public final class VersionCommand implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        for (final String line : BuildInfo.load().lines())
        {
            System.out.println(line);
        }
        return 0;
    }
}
