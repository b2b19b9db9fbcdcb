package io.junction.observe;

import java.util.Objects;

/**
 * A threshold on a metric: the alarm is raised once the condition has held for {@code raiseAfterNs},
 * and cleared once it has stayed false for {@code clearAfterNs} (hysteresis: no flapping).
 *
 * @param name         unique, used in notifications, counters and the HTTP endpoint.
 * @param severity     how urgent.
 * @param metric       what is watched.
 * @param above        true: the condition is {@code value > threshold}; false: {@code value < threshold}.
 * @param threshold    the limit.
 * @param raiseAfterNs how long the condition must hold before the alarm is raised.
 * @param clearAfterNs how long the condition must stay false before the alarm is cleared.
 * @param description  for people, may be empty.
 */
public record AlarmRule(
    String name,
    Severity severity,
    Metric metric,
    boolean above,
    double threshold,
    long raiseAfterNs,
    long clearAfterNs,
    String description)
{
    public AlarmRule
    {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(metric, "metric");
        if (name.isBlank())
        {
            throw new IllegalArgumentException("alarm name must not be blank");
        }
        if (raiseAfterNs < 0 || clearAfterNs < 0)
        {
            throw new IllegalArgumentException("alarm " + name + ": raiseAfterNs and clearAfterNs must be >= 0");
        }
        description = null == description ? "" : description;
    }

    boolean isBreached(final double value)
    {
        return above ? value > threshold : value < threshold;
    }

    public String condition()
    {
        return (above ? "> " : "< ") + threshold;
    }
}
