package io.junction.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;

import io.junction.Priority;
import io.junction.RejectReason;
import io.junction.regulate.RegulationConfig;
import io.junction.regulate.Rule;
import io.junction.topic.Topics;

import static io.junction.tools.ConfigKeys.bool;
import static io.junction.tools.ConfigKeys.checked;
import static io.junction.tools.ConfigKeys.duration;
import static io.junction.tools.ConfigKeys.intAtLeast;

/**
 * Load regulation as configured ({@code regulation { ... }}, named so as not to be mistaken for switch-core's
 * {@link RegulationConfig}, which it holds): a reload applies {@code regulation} without losing an accepted message;
 * {@code expressCritical} needs a restart.
 */
public record RegulationSection(RegulationConfig regulation, boolean expressCritical)
{
    private static final Set<String> RULE_KEYS = Set.of(
        "pattern", "publisher", "principal", "classes", "rate", "burst", "max-in-flight", "codel");

    static RegulationSection from(final Config config)
    {
        return new RegulationSection(regulation(config), bool(config, "regulation.express-critical"));
    }

    /**
     * Load regulation, checked in full: a bad value names its key (rules by index, e.g. regulation.rules[1].rate).
     */
    private static RegulationConfig regulation(final Config config)
    {
        RegulationConfig regulation = RegulationConfig.none();
        if (bool(config, "regulation.codel.enabled"))
        {
            final Duration target = duration(config, "regulation.codel.target", true);
            final Duration interval = duration(config, "regulation.codel.interval", true);
            regulation = regulation.withCodel(target.toNanos(), interval.toNanos());
        }
        regulation = regulation.withCriticalReserve(
            intAtLeast(config, "regulation.critical-reserve", 0, Integer.MAX_VALUE));

        final String key = "regulation.rules";
        final List<? extends ConfigObject> rules = checked(key, () -> config.getObjectList(key));
        for (int i = 0; i < rules.size(); i++)
        {
            final String at = key + "[" + i + "]";
            final ConfigObject object = rules.get(i);
            for (final String ruleKey : object.keySet())
            {
                if (!RULE_KEYS.contains(ruleKey))
                {
                    throw new ConfigException("unknown key '" + at + "." + ruleKey + "'; a regulation rule has " +
                        new TreeSet<>(RULE_KEYS));
                }
            }
            final Config ruleConfig = object.toConfig();
            final String pattern = checked(at + ".pattern", () -> ruleConfig.getString("pattern"));
            final RejectReason invalid = Topics.validatePattern(pattern, 256, 32);
            if (null != invalid)
            {
                throw new ConfigException("key '" + at + ".pattern': not a valid topic pattern '" + pattern + "': " +
                    invalid.description());
            }
            Rule rule = Rule.forTopics(pattern);
            if (ruleConfig.hasPath("publisher"))
            {
                final String publisher = checked(at + ".publisher", () -> ruleConfig.getString("publisher"));
                if (publisher.isBlank())
                {
                    throw new ConfigException("key '" + at + ".publisher': must not be blank (omit it for any publisher)");
                }
                rule = rule.withPublisher(publisher);
            }
            if (ruleConfig.hasPath("principal"))
            {
                final String principal = checked(at + ".principal", () -> ruleConfig.getString("principal"));
                if (principal.isBlank())
                {
                    throw new ConfigException("key '" + at + ".principal': must not be blank (omit it for any " +
                        "publisher; \"*\" for every principal, each with its own quota)");
                }
                rule = rule.withPrincipal(principal);
            }
            if (ruleConfig.hasPath("classes"))
            {
                final List<String> names = checked(at + ".classes", () -> ruleConfig.getStringList("classes"));
                if (names.isEmpty())
                {
                    throw new ConfigException("key '" + at + ".classes': must name at least one class " +
                        "(omit it for every class)");
                }
                final List<Priority> classes = new ArrayList<>();
                for (final String name : names)
                {
                    try
                    {
                        classes.add(Priority.valueOf(name.trim().toUpperCase(Locale.ROOT)));
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw new ConfigException("key '" + at + ".classes': must be among critical, high, normal, " +
                            "bulk; was '" + name + "'");
                    }
                }
                rule = rule.withClasses(classes.get(0), classes.subList(1, classes.size()).toArray(new Priority[0]));
            }
            if (ruleConfig.hasPath("rate") || ruleConfig.hasPath("burst"))
            {
                if (!ruleConfig.hasPath("rate"))
                {
                    throw new ConfigException("key '" + at + ".rate' is missing: 'burst' needs a rate");
                }
                final long rate = checked(at + ".rate", () -> ruleConfig.getLong("rate"));
                if (rate < 1)
                {
                    throw new ConfigException("key '" + at + ".rate': must be >= 1 message per second, was " + rate);
                }
                final long burst = ruleConfig.hasPath("burst") ?
                    checked(at + ".burst", () -> ruleConfig.getLong("burst")) : Math.max(1, Math.min(rate, 1 << 20));
                if (burst < 1 || burst > Integer.MAX_VALUE)
                {
                    throw new ConfigException("key '" + at + ".burst': must be between 1 and " + Integer.MAX_VALUE +
                        ", was " + burst);
                }
                try
                {
                    rule = rule.withRateLimit(rate, (int)burst);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new ConfigException("key '" + at + ".rate': " + ex.getMessage());
                }
            }
            if (ruleConfig.hasPath("max-in-flight"))
            {
                final long maxInFlight = checked(at + ".max-in-flight", () -> ruleConfig.getLong("max-in-flight"));
                try
                {
                    rule = rule.withMaxInFlight(maxInFlight);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new ConfigException("key '" + at + ".max-in-flight': " + ex.getMessage() + ", was " +
                        maxInFlight);
                }
            }
            if (ruleConfig.hasPath("codel"))
            {
                rule = rule.withSojournShedding(checked(at + ".codel", () -> ruleConfig.getBoolean("codel")));
            }
            regulation = regulation.withRule(rule);
        }
        return regulation;
    }
}
