package io.junction.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A JFR event for each alarm raised or cleared.
 */
@Name("io.junction.Alarm")
@Label("Junction Alarm")
@Category({ "Junction" })
@Description("An alarm was raised or cleared.")
public final class AlarmJfrEvent extends Event
{
    @Label("Alarm")
    String alarm;

    @Label("Severity")
    String severity;

    @Label("Raised")
    boolean raised;

    @Label("Value")
    double value;

    @Label("Condition")
    String condition;

    static void emit(final Alarm alarm)
    {
        final AlarmJfrEvent event = new AlarmJfrEvent();
        if (event.isEnabled())
        {
            event.alarm = alarm.name();
            event.severity = alarm.severity().name();
            event.raised = alarm.raised();
            event.value = alarm.value();
            event.condition = alarm.rule().condition();
            event.commit();
        }
    }
}
