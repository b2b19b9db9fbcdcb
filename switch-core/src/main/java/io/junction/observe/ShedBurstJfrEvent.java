package io.junction.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A JFR event for an interval in which many offers were turned away (shed, back-pressured or
 * rejected). Emitted by the observer from counter deltas, never from the hot path.
 */
@Name("io.junction.ShedBurst")
@Label("Junction Shed Burst")
@Category({ "Junction" })
@Description("Offers turned away in one observation interval, above the burst threshold.")
public final class ShedBurstJfrEvent extends Event
{
    @Label("Counter")
    String counter;

    @Label("Count")
    long count;

    @Label("Interval (ms)")
    long intervalMs;

    static void emit(final String counter, final long count, final long intervalMs)
    {
        final ShedBurstJfrEvent event = new ShedBurstJfrEvent();
        if (event.isEnabled())
        {
            event.counter = counter;
            event.count = count;
            event.intervalMs = intervalMs;
            event.commit();
        }
    }
}
