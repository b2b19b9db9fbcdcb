package io.junction.tools;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;

import io.junction.SlowSubscriberPolicy;
import io.junction.observe.Severity;

/**
 * The daemon's configuration: HOCON, every key defaulted by {@code daemon-defaults.conf}, checked in
 * full before anything starts. An unknown key or a bad value is a {@link ConfigException} naming it.
 */
public record DaemonConfig(
    String dir,
    String countersDir,
    int shards,
    int ringSize,
    int maxMessageLength,
    int countersCapacity,
    Duration shutdownTimeout,
    Duration observeInterval,
    boolean histogramLog,
    long shedBurstThreshold,
    String listenHost,
    int listenPort,
    Duration publishTimeout,
    SlowSubscriberPolicy subscriberPolicy,
    int subscriberOutboxCapacity,
    boolean httpEnabled,
    String httpHost,
    int httpPort,
    int demoRate,
    int demoSize,
    String webhook,
    List<AlarmSpec> alarms)
{
    /** The metrics an alarm may watch. */
    public static final Set<String> METRICS = Set.of(
        "back-pressured", "rejected", "dropped", "delivered", "faults", "terminated", "errors", "subscriptions",
        "ring-occupancy", "queue-depth", "connections", "disk-free-mb");

    private static final Set<String> RULE_KEYS = Set.of(
        "name", "metric", "rate", "above", "below", "raise-after", "clear-after", "severity", "description");

    /**
     * One alarm rule as configured, before it is bound to the running switch's counters.
     */
    public record AlarmSpec(
        String name, String metric, boolean rate, boolean above, double threshold,
        Duration raiseAfter, Duration clearAfter, Severity severity, String description)
    {
    }

    public static Config defaults()
    {
        return ConfigFactory.parseResources(DaemonConfig.class, "daemon-defaults.conf",
            ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /**
     * @param file the configuration file, or null for the embedded defaults.
     */
    public static DaemonConfig load(final File file)
    {
        final Config defaults = defaults();
        if (null == file)
        {
            return from(defaults);
        }
        if (!file.isFile())
        {
            throw new ConfigException("config file not found: " + file);
        }
        final Config user;
        try
        {
            user = ConfigFactory.parseFile(file, ConfigParseOptions.defaults()
                .setSyntax(ConfigSyntax.CONF).setAllowMissing(false)).resolve();
        }
        catch (final com.typesafe.config.ConfigException ex)
        {
            throw new ConfigException("config file " + file + " is not valid HOCON: " + ex.getMessage());
        }
        final Set<String> unknown = new TreeSet<>();
        for (final Map.Entry<String, ConfigValue> entry : user.entrySet())
        {
            if (!defaults.hasPath(entry.getKey()))
            {
                unknown.add(entry.getKey());
            }
        }
        if (!unknown.isEmpty())
        {
            final String key = unknown.iterator().next();
            throw new ConfigException("unknown key '" + key + "' in " + file + " (line " +
                user.getValue(key).origin().lineNumber() + ")" + (unknown.size() > 1 ? "; also unknown: " +
                String.join(", ", unknown.stream().skip(1).toList()) : "") +
                ". Known keys are those of the embedded defaults (junction run --print-defaults).");
        }
        return from(user.withFallback(defaults));
    }

    static DaemonConfig from(final Config config)
    {
        return new DaemonConfig(
            string(config, "dir"),
            string(config, "counters-dir"),
            intAtLeast(config, "shards", 1, 64),
            powerOfTwo(config, "ring-size"),
            intAtLeast(config, "max-message-length", 0, 16 << 20),
            intAtLeast(config, "counters-capacity", 64, 1 << 20),
            duration(config, "shutdown-timeout", false),
            duration(config, "observe-interval", true),
            bool(config, "histogram-log"),
            intAtLeast(config, "shed-burst-threshold", 1, Integer.MAX_VALUE),
            string(config, "listen.host"),
            intAtLeast(config, "listen.port", 0, 65535),
            duration(config, "listen.publish-timeout", false),
            policy(config, "subscriber.policy"),
            intAtLeast(config, "subscriber.outbox-capacity", 2, 1 << 24),
            bool(config, "http.enabled"),
            string(config, "http.host"),
            intAtLeast(config, "http.port", 0, 65535),
            intAtLeast(config, "demo-load.rate", 0, 100_000_000),
            intAtLeast(config, "demo-load.size", 8, 16 << 20),
            webhook(config, "alarms.webhook"),
            alarms(config, "alarms.rules"));
    }

    private static <T> T checked(final String key, final java.util.function.Supplier<T> read)
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

    private static String string(final Config config, final String key)
    {
        return checked(key, () -> config.getString(key));
    }

    private static boolean bool(final Config config, final String key)
    {
        return checked(key, () -> config.getBoolean(key));
    }

    private static int intAtLeast(final Config config, final String key, final int min, final int max)
    {
        final long value = checked(key, () -> config.getLong(key));
        if (value < min || value > max)
        {
            throw new ConfigException("key '" + key + "': must be between " + min + " and " + max + ", was " + value);
        }
        return (int)value;
    }

    private static int powerOfTwo(final Config config, final String key)
    {
        final int value = intAtLeast(config, key, 2, 1 << 30);
        if (Integer.bitCount(value) != 1)
        {
            throw new ConfigException("key '" + key + "': must be a power of two, was " + value);
        }
        return value;
    }

    private static Duration duration(final Config config, final String key, final boolean positive)
    {
        final Duration value = checked(key, () -> config.getDuration(key));
        if (value.isNegative() || (positive && value.isZero()))
        {
            throw new ConfigException("key '" + key + "': must be " + (positive ? "> 0" : ">= 0") + ", was " + value);
        }
        return value;
    }

    private static SlowSubscriberPolicy policy(final Config config, final String key)
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

    private static String webhook(final Config config, final String key)
    {
        final String url = string(config, key).trim();
        if (!url.isEmpty() && !(url.startsWith("http://") || url.startsWith("https://")))
        {
            throw new ConfigException("key '" + key + "': must be an http:// or https:// URL, was '" + url + "'");
        }
        if (!url.isEmpty())
        {
            try
            {
                java.net.URI.create(url);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException("key '" + key + "': not a valid URL: " + ex.getMessage());
            }
        }
        return url;
    }

    private static List<AlarmSpec> alarms(final Config config, final String key)
    {
        final List<? extends ConfigObject> rules = checked(key, () -> config.getObjectList(key));
        final List<AlarmSpec> specs = new ArrayList<>();
        final Set<String> names = new TreeSet<>();
        for (int i = 0; i < rules.size(); i++)
        {
            final String at = key + "[" + i + "]";
            final ConfigObject object = rules.get(i);
            for (final String ruleKey : object.keySet())
            {
                if (!RULE_KEYS.contains(ruleKey))
                {
                    throw new ConfigException("unknown key '" + at + "." + ruleKey + "'; an alarm rule has " +
                        new TreeSet<>(RULE_KEYS));
                }
            }
            final Config rule = object.toConfig();
            final String name = checked(at + ".name", () -> rule.getString("name"));
            if (name.isBlank() || !names.add(name))
            {
                throw new ConfigException("key '" + at + ".name': must be unique and not blank, was '" + name + "'");
            }
            final String metric = checked(at + ".metric", () -> rule.getString("metric"));
            if (!METRICS.contains(metric))
            {
                throw new ConfigException("key '" + at + ".metric': unknown metric '" + metric + "'; known: " +
                    new TreeSet<>(METRICS));
            }
            final boolean hasAbove = rule.hasPath("above");
            if (hasAbove == rule.hasPath("below"))
            {
                throw new ConfigException("alarm '" + name + "' (" + at + "): give exactly one of 'above' or 'below'");
            }
            final String thresholdKey = hasAbove ? "above" : "below";
            final double threshold = checked(at + "." + thresholdKey, () -> rule.getDouble(thresholdKey));
            final boolean rate = rule.hasPath("rate") && checked(at + ".rate", () -> rule.getBoolean("rate"));
            final Duration raiseAfter = rule.hasPath("raise-after") ?
                checked(at + ".raise-after", () -> rule.getDuration("raise-after")) : Duration.ZERO;
            final Duration clearAfter = rule.hasPath("clear-after") ?
                checked(at + ".clear-after", () -> rule.getDuration("clear-after")) : Duration.ZERO;
            if (raiseAfter.isNegative() || clearAfter.isNegative())
            {
                throw new ConfigException("alarm '" + name + "' (" + at + "): raise-after and clear-after must be >= 0");
            }
            final String severityText = rule.hasPath("severity") ?
                checked(at + ".severity", () -> rule.getString("severity")) : "warning";
            final Severity severity;
            try
            {
                severity = Severity.valueOf(severityText.trim().toUpperCase(Locale.ROOT));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException("key '" + at + ".severity': must be one of info, warning, minor, major, " +
                    "critical; was '" + severityText + "'");
            }
            final String description = rule.hasPath("description") ?
                checked(at + ".description", () -> rule.getString("description")) : "";
            specs.add(new AlarmSpec(name, metric, rate, hasAbove, threshold, raiseAfter, clearAfter, severity,
                description));
        }
        return List.copyOf(specs);
    }
}
