package io.junction.regulate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the switch regulates: an ordered list of {@link Rule}s (the first that matches a message governs
 * it) and the sojourn-time (CoDel) shedding of every ring. Immutable; swap a new one in at run time with
 * {@code Junction.regulation(config)}.
 */
public final class RegulationConfig
{
    /** Defaults sized for a switch whose messages wait microseconds, not a network's milliseconds. */
    public static final long DEFAULT_CODEL_TARGET_NS = TimeUnit.MICROSECONDS.toNanos(500);
    public static final long DEFAULT_CODEL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final RegulationConfig NONE = new RegulationConfig(List.of(), false, 0, 0, 0);

    private final List<Rule> rules;
    private final boolean codelEnabled;
    private final long codelTargetNs;
    private final long codelIntervalNs;
    private final int criticalReserve;

    private RegulationConfig(
        final List<Rule> rules,
        final boolean codelEnabled,
        final long codelTargetNs,
        final long codelIntervalNs,
        final int criticalReserve)
    {
        this.rules = rules;
        this.codelEnabled = codelEnabled;
        this.codelTargetNs = codelTargetNs;
        this.codelIntervalNs = codelIntervalNs;
        this.criticalReserve = criticalReserve;
    }

    /**
     * No regulation: only the ring's back pressure.
     */
    public static RegulationConfig none()
    {
        return NONE;
    }

    /**
     * @return this configuration with a rule added after the existing ones.
     */
    public RegulationConfig withRule(final Rule rule)
    {
        final List<Rule> newRules = new ArrayList<>(rules);
        newRules.add(rule);
        return new RegulationConfig(
            Collections.unmodifiableList(newRules), codelEnabled, codelTargetNs, codelIntervalNs, criticalReserve);
    }

    /**
     * Shed the lowest classes first when messages have waited in a ring at least {@code targetNs} for at
     * least {@code intervalNs}.
     */
    public RegulationConfig withCodel(final long targetNs, final long intervalNs)
    {
        if (targetNs <= 0 || intervalNs <= 0)
        {
            throw new IllegalArgumentException("CoDel target and interval must be > 0: " + targetNs + ", " + intervalNs);
        }
        return new RegulationConfig(rules, true, targetNs, intervalNs, criticalReserve);
    }

    public RegulationConfig withCodel()
    {
        return withCodel(DEFAULT_CODEL_TARGET_NS, DEFAULT_CODEL_INTERVAL_NS);
    }

    public RegulationConfig withoutCodel()
    {
        return new RegulationConfig(rules, false, 0, 0, criticalReserve);
    }

    /**
     * Keep the last {@code slots} of every ring for {@link io.junction.Priority#CRITICAL}: other classes are
     * shed ({@link io.junction.ShedReason#RESERVED_FOR_CRITICAL}) once the free slots fall to it, so a
     * burst of lower classes cannot back-pressure critical traffic. 0 (the default) reserves nothing.
     */
    public RegulationConfig withCriticalReserve(final int slots)
    {
        if (slots < 0)
        {
            throw new IllegalArgumentException("criticalReserve must be >= 0: " + slots);
        }
        return new RegulationConfig(rules, codelEnabled, codelTargetNs, codelIntervalNs, slots);
    }

    public int criticalReserve()
    {
        return criticalReserve;
    }

    public List<Rule> rules()
    {
        return rules;
    }

    public boolean codelEnabled()
    {
        return codelEnabled;
    }

    public long codelTargetNs()
    {
        return codelTargetNs;
    }

    public long codelIntervalNs()
    {
        return codelIntervalNs;
    }

    @Override
    public String toString()
    {
        return "RegulationConfig{rules=" + rules + ", codel=" +
            (codelEnabled ? "target " + codelTargetNs + "ns interval " + codelIntervalNs + "ns" : "off") +
            ", criticalReserve=" + criticalReserve + '}';
    }
}
