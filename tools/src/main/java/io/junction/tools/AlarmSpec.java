package io.junction.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;

import io.junction.observe.Severity;

import static io.junction.tools.ConfigKeys.checked;

/**
 * One alarm rule as configured ({@code alarms.rules[i]}), before it is bound to the running switch's counters. The
 * metrics a rule may watch are {@link MetricCatalogue#alarmMetrics()}. A reload applies changes.
 */
public record AlarmSpec(
    String name, String metric, boolean rate, boolean above, double threshold,
    Duration raiseAfter, Duration clearAfter, Severity severity, String description)
{
    private static final Set<String> RULE_KEYS = Set.of(
        "name", "metric", "rate", "above", "below", "raise-after", "clear-after", "severity", "description");

    static List<AlarmSpec> listFrom(final Config config)
    {
        return list(config, "alarms.rules");
    }

    private static List<AlarmSpec> list(final Config config, final String key)
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
            final Set<String> metrics = MetricCatalogue.alarmMetrics();
            if (!metrics.contains(metric))
            {
                throw new ConfigException("key '" + at + ".metric': unknown metric '" + metric + "'; known: " +
                    metrics);
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
