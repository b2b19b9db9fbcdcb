package io.junction.observe;

/**
 * Told when an alarm is raised or cleared, on the evaluator's thread. Must not block for long.
 */
@FunctionalInterface
public interface AlarmListener
{
    void onAlarm(Alarm alarm);
}
