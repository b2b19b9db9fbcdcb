package io.junction.regulate;

import static io.junction.regulate.CodelShedder.CLASS_UNITS;
import static io.junction.regulate.CodelShedder.STEP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.junction.Priority;

/**
 * CoDel's state machine (RFC 8289) driven by hand: sojourn times and the clock are chosen by the test.
 */
class CodelShedderTest
{
    private static final long TARGET = 1_000;
    private static final long INTERVAL = 100_000;
    private static final long ABOVE = 2 * TARGET;
    private static final long BELOW = TARGET / 2;

    /** A drop raises the level by STEP times the sojourn over the target: here twice. */
    private static final int RAISE = 2 * STEP;

    private final CodelShedder shedder = new CodelShedder();

    @Test
    void doesNotDropWhileTheSojournIsBelowTarget()
    {
        for (long now = 0; now < 10 * INTERVAL; now += INTERVAL / 10)
        {
            shedder.onDequeue(BELOW, now, TARGET, INTERVAL);
        }
        assertFalse(shedder.isDropping());
        assertEquals(0, shedder.shedLevel());
    }

    @Test
    void entersDroppingOnlyAfterAWholeIntervalAboveTarget()
    {
        final long start = 1_000_000;
        shedder.onDequeue(ABOVE, start, TARGET, INTERVAL);
        shedder.onDequeue(ABOVE, start + INTERVAL - 1, TARGET, INTERVAL);
        assertFalse(shedder.isDropping(), "above target for less than an interval");

        shedder.onDequeue(ABOVE, start + INTERVAL, TARGET, INTERVAL);
        assertTrue(shedder.isDropping());
        assertEquals(1, shedder.count());
        assertEquals(RAISE, shedder.shedLevel());
        assertEquals(start + 2 * INTERVAL, shedder.dropNextNs(), "next drop one interval later");
    }

    @Test
    void aSojournBelowTargetRestartsTheInterval()
    {
        final long start = 1_000_000;
        shedder.onDequeue(ABOVE, start, TARGET, INTERVAL);
        shedder.onDequeue(BELOW, start + INTERVAL / 2, TARGET, INTERVAL);
        shedder.onDequeue(ABOVE, start + INTERVAL / 2 + 1, TARGET, INTERVAL);
        shedder.onDequeue(ABOVE, start + INTERVAL + 1, TARGET, INTERVAL);
        assertFalse(shedder.isDropping());
        shedder.onDequeue(ABOVE, start + INTERVAL / 2 + 1 + INTERVAL, TARGET, INTERVAL);
        assertTrue(shedder.isDropping());
    }

    @Test
    void dropsFollowTheControlLawIntervalOverSqrtCount()
    {
        final long entered = enterDropping(0);
        long expectedNext = entered + INTERVAL;
        for (int count = 1; count <= 6; count++)
        {
            assertEquals(expectedNext, shedder.dropNextNs(), "drop " + count);
            shedder.onDequeue(ABOVE, expectedNext - 1, TARGET, INTERVAL);
            assertEquals(count, shedder.count(), "no drop before drop_next");
            shedder.onDequeue(ABOVE, expectedNext, TARGET, INTERVAL);
            assertEquals(count + 1, shedder.count());
            expectedNext += (long)(INTERVAL / Math.sqrt(count + 1));
        }
        assertEquals(7 * RAISE, shedder.shedLevel());
    }

    @Test
    void leavesDroppingAsSoonAsTheSojournFallsBelowTarget()
    {
        final long entered = enterDropping(0);
        shedder.onDequeue(BELOW, entered + 1, TARGET, INTERVAL);
        assertFalse(shedder.isDropping());
        assertEquals(RAISE, shedder.shedLevel(), "the level stays until it decays");

        // Below target: one step off per interval after the last drop.
        shedder.onDequeue(BELOW, entered + INTERVAL - 1, TARGET, INTERVAL);
        assertEquals(RAISE, shedder.shedLevel());
        shedder.onDequeue(BELOW, entered + INTERVAL, TARGET, INTERVAL);
        assertEquals(RAISE - STEP, shedder.shedLevel());
        shedder.onDequeue(BELOW, entered + 2 * INTERVAL - 1, TARGET, INTERVAL);
        assertEquals(RAISE - STEP, shedder.shedLevel());
        shedder.onDequeue(BELOW, entered + 2 * INTERVAL, TARGET, INTERVAL);
        assertEquals(0, shedder.shedLevel());
    }

    @Test
    void anEmptyRingEndsDropping()
    {
        final long entered = enterDropping(0);
        shedder.onEmpty(entered + 1, INTERVAL);
        assertFalse(shedder.isDropping());
        assertEquals(0, shedder.queueDelayNs());
    }

    @Test
    void reEnteringSoonResumesTheCount()
    {
        long now = enterDropping(0);
        for (int i = 0; i < 4; i++)
        {
            now = shedder.dropNextNs();
            shedder.onDequeue(ABOVE, now, TARGET, INTERVAL);
        }
        assertEquals(5, shedder.count());
        shedder.onDequeue(BELOW, now + 1, TARGET, INTERVAL);
        assertFalse(shedder.isDropping());

        // Back above target within 16 intervals: count restarts from the drops of the last episode (5 - 1).
        final long reentered = enterDropping(now + 2);
        assertEquals(4, shedder.count());
        assertEquals(reentered + (long)(INTERVAL / Math.sqrt(4)), shedder.dropNextNs());
    }

    @Test
    void reEnteringLongAfterStartsTheCountAgain()
    {
        long now = enterDropping(0);
        for (int i = 0; i < 4; i++)
        {
            now = shedder.dropNextNs();
            shedder.onDequeue(ABOVE, now, TARGET, INTERVAL);
        }
        shedder.onDequeue(BELOW, now + 1, TARGET, INTERVAL);
        enterDropping(now + 20 * INTERVAL);
        assertEquals(1, shedder.count());
    }

    @Test
    void shedsTheLowestClassFirstAndNeverCritical()
    {
        long now = enterDropping(0);
        // Level of one whole class: BULK all shed, NORMAL untouched.
        while (shedder.shedLevel() < CLASS_UNITS)
        {
            now = shedder.dropNextNs();
            shedder.onDequeue(ABOVE, now, TARGET, INTERVAL);
        }
        assertEquals(CLASS_UNITS, shedder.shedLevel());
        for (int i = 0; i < 100; i++)
        {
            assertTrue(shedder.shouldShed(Priority.BULK));
            assertFalse(shedder.shouldShed(Priority.NORMAL));
            assertFalse(shedder.shouldShed(Priority.HIGH));
            assertFalse(shedder.shouldShed(Priority.CRITICAL));
        }

        // Keep the delay up for a long time: the level tops out with CRITICAL still admitted.
        for (int i = 0; i < 10_000 && shedder.shedLevel() < CodelShedder.MAX_LEVEL; i++)
        {
            now = shedder.dropNextNs();
            shedder.onDequeue(ABOVE, now, TARGET, INTERVAL);
        }
        assertEquals(CodelShedder.MAX_LEVEL, shedder.shedLevel());
        now = shedder.dropNextNs() + 100 * INTERVAL;
        shedder.onDequeue(ABOVE, now, TARGET, INTERVAL);
        assertEquals(CodelShedder.MAX_LEVEL, shedder.shedLevel());
        assertTrue(shedder.shouldShed(Priority.HIGH));
        assertFalse(shedder.shouldShed(Priority.CRITICAL));
    }

    @Test
    void shedsThePartOfAClassTheLevelFallsIn()
    {
        long now = enterDropping(0);
        // 3 drops of 2 steps: 192/1024 = 3/16 of BULK.
        for (int i = 0; i < 2; i++)
        {
            now = shedder.dropNextNs();
            shedder.onDequeue(ABOVE, now, TARGET, INTERVAL);
        }
        assertEquals(3 * RAISE, shedder.shedLevel());
        int shed = 0;
        for (int i = 0; i < 1600; i++)
        {
            if (shedder.shouldShed(Priority.BULK))
            {
                shed++;
            }
            assertFalse(shedder.shouldShed(Priority.NORMAL));
        }
        assertEquals(300, shed);
    }

    @Test
    void theFartherAboveTargetTheBiggerTheRaise()
    {
        shedder.onDequeue(10 * TARGET, 0, TARGET, INTERVAL);
        shedder.onDequeue(10 * TARGET, INTERVAL, TARGET, INTERVAL);
        assertEquals(10 * STEP, shedder.shedLevel());
        shedder.onDequeue(1000 * TARGET, shedder.dropNextNs(), TARGET, INTERVAL);
        assertEquals((10 + CodelShedder.MAX_STEP_MULTIPLE) * STEP, shedder.shedLevel(), "capped");
    }

    private long enterDropping(final long from)
    {
        shedder.onDequeue(ABOVE, from, TARGET, INTERVAL);
        shedder.onDequeue(ABOVE, from + INTERVAL, TARGET, INTERVAL);
        assertTrue(shedder.isDropping());
        return from + INTERVAL;
    }
}
