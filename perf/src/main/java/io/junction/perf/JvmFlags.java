package io.junction.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The JVM flags of the parent POM (junction.jvm.flags), filtered into the perf jar by the build, so that
 * benchmark forks and child JVMs start exactly as tests and bin/junction do.
 */
public final class JvmFlags
{
    private JvmFlags()
    {
    }

    public static String[] flags()
    {
        final Properties properties = new Properties();
        try (InputStream in = JvmFlags.class.getResourceAsStream("/junction-jvm.properties"))
        {
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return properties.getProperty("jvm.flags").trim().split("\\s+");
    }
}
