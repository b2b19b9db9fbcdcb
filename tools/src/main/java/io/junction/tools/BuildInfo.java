package io.junction.tools;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine.IVersionProvider;

/**
 * What the build recorded about this distribution: version and build time (filtered {@code build.properties}) and
 * the git commit ({@code build-commit.properties}, written by the build from {@code git describe}).
 */
record BuildInfo(String version, String commit, String buildTime)
{
    static BuildInfo load()
    {
        final Properties properties = new Properties();
        read(properties, "build.properties");
        read(properties, "build-commit.properties");
        return new BuildInfo(
            properties.getProperty("version", "unknown"),
            properties.getProperty("commit", "unknown"),
            properties.getProperty("build.time", "unknown"));
    }

    private static void read(final Properties properties, final String resource)
    {
        try (InputStream in = BuildInfo.class.getResourceAsStream(resource))
        {
            if (null != in)
            {
                properties.load(in);
            }
        }
        catch (final IOException ignore)
        {
            // A missing resource reads as "unknown".
        }
    }

    String[] lines()
    {
        return new String[] {
            "junction " + version,
            "commit " + commit,
            "built " + buildTime,
            "jvm " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " (" +
                System.getProperty("java.vendor") + ")" };
    }

    /**
     * {@code junction --version}.
     */
    static final class VersionProvider implements IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            return load().lines();
        }
    }
}
