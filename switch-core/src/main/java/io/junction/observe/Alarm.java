package io.junction.observe;

/**
 * A notification that an alarm was raised or cleared.
 *
 * @param rule     the rule that changed state.
 * @param raised   true when raised, false when cleared.
 * @param value    the metric's value at the change.
 * @param timeMs   the wall-clock time of the change, epoch ms.
 */
public record Alarm(AlarmRule rule, boolean raised, double value, long timeMs)
{
    public String name()
    {
        return rule.name();
    }

    public Severity severity()
    {
        return rule.severity();
    }

    /**
     * One log line, e.g. {@code ALARM RAISED shed-rate [MAJOR] value=1200.0 (> 1000.0)}.
     */
    public String describe()
    {
        return "ALARM " + (raised ? "RAISED " : "CLEARED ") + rule.name() + " [" + rule.severity() + "] value=" +
            value + " (" + rule.condition() + ")" + (rule.description().isEmpty() ? "" : " " + rule.description());
    }
}
