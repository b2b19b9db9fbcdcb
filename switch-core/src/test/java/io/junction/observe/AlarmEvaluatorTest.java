package io.junction.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

class AlarmEvaluatorTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * CountersReader.METADATA_LENGTH)),
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * CountersReader.COUNTER_LENGTH)));
    private final List<Alarm> notifications = new ArrayList<>();
    private final double[] value = { 0 };
    private final AlarmEvaluator evaluator = new AlarmEvaluator(() -> 42, counters).addListener(notifications::add);

    private AlarmRule rule(final String name, final long raiseAfterNs, final long clearAfterNs)
    {
        return new AlarmRule(name, Severity.MAJOR, (now) -> value[0], true, 10, raiseAfterNs, clearAfterNs, "test");
    }

    @Test
    void raisesOnlyAfterTheConditionHeldAndClearsOnlyAfterItStayedClear()
    {
        evaluator.rules(List.of(rule("depth", 300 * MS, 500 * MS)));

        value[0] = 11;
        assertEquals(0, evaluator.evaluate(0));
        assertEquals(0, evaluator.evaluate(200 * MS));
        value[0] = 5; // a dip resets the raise timer
        assertEquals(0, evaluator.evaluate(250 * MS));
        value[0] = 11;
        assertEquals(0, evaluator.evaluate(300 * MS));
        assertEquals(0, evaluator.evaluate(599 * MS));
        assertTrue(evaluator.activeAlarms().isEmpty());
        assertEquals(1, evaluator.evaluate(600 * MS));
        assertEquals(1, evaluator.activeAlarms().size());
        assertTrue(notifications.get(0).raised());
        assertEquals(1, alarmCounterValue());

        value[0] = 5;
        assertEquals(0, evaluator.evaluate(700 * MS));
        value[0] = 12; // back above before the clear delay: stays raised, no flapping
        assertEquals(0, evaluator.evaluate(900 * MS));
        value[0] = 5;
        assertEquals(0, evaluator.evaluate(1000 * MS));
        assertEquals(0, evaluator.evaluate(1499 * MS));
        assertEquals(1, evaluator.evaluate(1500 * MS));
        assertTrue(evaluator.activeAlarms().isEmpty());
        assertEquals(2, notifications.size());
        assertFalse(notifications.get(1).raised());
        assertEquals(0, alarmCounterValue());
        assertTrue(notifications.get(1).describe().startsWith("ALARM CLEARED "), notifications.get(1)::describe);
    }

    @Test
    void reloadKeepsTheStateOfKeptRulesAndClearsRemovedOnes()
    {
        evaluator.rules(List.of(rule("a", 0, 0), rule("b", 0, 0)));
        value[0] = 20;
        assertEquals(2, evaluator.evaluate(0));

        evaluator.rules(List.of(rule("a", 0, 0)));
        assertEquals(3, notifications.size());
        assertEquals("b", notifications.get(2).name());
        assertFalse(notifications.get(2).raised());
        assertEquals(1, evaluator.activeAlarms().size());
        assertEquals(0, evaluator.evaluate(10 * MS));
        assertEquals(1, alarmCounterValue());
    }

    @Test
    void rateOfACounterPerSecond()
    {
        final Metric rate = ((Metric)(now) -> value[0]).perSecond();
        value[0] = 100;
        assertEquals(0, rate.sample(0));
        value[0] = 600;
        assertEquals(1000, rate.sample(500 * MS), 1e-9);
    }

    private long alarmCounterValue()
    {
        final long[] found = { -1 };
        counters.forEach((v, id, label) ->
        {
            if (counters.getCounterTypeId(id) == AlarmEvaluator.ALARM_TYPE_ID)
            {
                found[0] = v;
            }
        });
        return found[0];
    }
}
