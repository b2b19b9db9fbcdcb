package io.junction.tools;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

import com.typesafe.config.Config;

import io.junction.SlowSubscriberPolicy;

/**
 * Reading one key of the daemon's configuration, checked: a missing key or a bad value is a {@link ConfigException}
 * that names the key. Shared by the section classes ({@link NetworkConfig}, {@link JournalConfig}, ...).
 */
final class ConfigKeys
{
    private ConfigKeys()
    {
    }

    static <T> T checked(final String key, final Supplier<T> read)
    {
        try
        {
            return read.get();
        }
        catch (final com.typesafe.config.ConfigException.Missing ex)
        {
            throw new ConfigException("key '" + key + "' is missing");
        }
        catch (final com.typesafe.config.ConfigException ex)
        {
            throw new ConfigException("key '" + key + "': " + ex.getMessage());
        }
    }

    static String string(final Config config, final String key)
    {
        return checked(key, () -> config.getString(key));
    }

    static boolean bool(final Config config, final String key)
    {
        return checked(key, () -> config.getBoolean(key));
    }

    static int intAtLeast(final Config config, final String key, final int min, final int max)
    {
        final long value = checked(key, () -> config.getLong(key));
        if (value < min || value > max)
        {
            throw new ConfigException("key '" + key + "': must be between " + min + " and " + max + ", was " + value);
        }
        return (int)value;
    }

    static int powerOfTwo(final Config config, final String key)
    {
        final int value = intAtLeast(config, key, 2, 1 << 30);
        if (Integer.bitCount(value) != 1)
        {
            throw new ConfigException("key '" + key + "': must be a power of two, was " + value);
        }
        return value;
    }

    static Duration duration(final Config config, final String key, final boolean positive)
    {
        final Duration value = checked(key, () -> config.getDuration(key));
        if (value.isNegative() || (positive && value.isZero()))
        {
            throw new ConfigException("key '" + key + "': must be " + (positive ? "> 0" : ">= 0") + ", was " + value);
        }
        return value;
    }

    static long bytes(final Config config, final String key)
    {
        final long value = checked(key, () -> config.getBytes(key));
        if (value < 0)
        {
            throw new ConfigException("key '" + key + "': must be >= 0, was " + value);
        }
        return value;
    }

    static long checkedBytes(final Config config, final String key, final long min, final long max)
    {
        final long value = bytes(config, key);
        if (value < min || value > max)
        {
            throw new ConfigException("key '" + key + "': must be between " + min + " and " + max + " bytes, was " + value);
        }
        return value;
    }

    static IdleChoice idle(final Config config, final String key)
    {
        final String text = string(config, key);
        try
        {
            return IdleChoice.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException("key '" + key + "': must be one of backoff, yielding, busy-spin; was '" + text + "'");
        }
    }

    static SlowSubscriberPolicy policy(final Config config, final String key)
    {
        final String text = string(config, key);
        try
        {
            return SlowSubscriberPolicy.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException("key '" + key + "': must be one of drop-oldest, drop-newest, disconnect, " +
                "back-pressure; was '" + text + "'");
        }
    }
}
