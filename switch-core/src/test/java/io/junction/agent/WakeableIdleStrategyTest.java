package io.junction.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The backoff, driven by hand: a signal that records what the strategy asked of it.
 */
class WakeableIdleStrategyTest
{
    private static final long MAX_PARK_NS = 64_000;
    private static final long BUSY_MAX_PARK_NS = 4_000;

    @Test
    void spinsThenYieldsThenParksForADoublingTimeUpToTheMaximum()
    {
        final RecordingSignal signal = new RecordingSignal();
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(signal, 2, 3, MAX_PARK_NS, BUSY_MAX_PARK_NS);
        idleTimes(idle, 5);
        assertTrue(signal.parks.isEmpty(), "no park while spinning and yielding");

        idleTimes(idle, 9);
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 64_000L, 64_000L, 64_000L),
            signal.parks);
        assertNull(signal.parkedThread, "the thread is withdrawn once it has woken");
        assertSame(Thread.currentThread(), signal.threadWhileParked, "announced while it parked");
    }

    @Test
    void workThatArrivedBeforeTheParkSkipsItAndWorkDoneStartsTheBackoffAgain()
    {
        final RecordingSignal signal = new RecordingSignal();
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(signal, 0, 0, MAX_PARK_NS, BUSY_MAX_PARK_NS);
        idleTimes(idle, 3);
        signal.hasWork = true;
        idle.idle(0);
        assertEquals(3, signal.parks.size(), "a producer got in first: no park");

        signal.hasWork = false;
        idle.idle(1);
        idle.idle(0);
        assertEquals(1_000L, signal.parks.get(3), "after work the park starts short again");
    }

    @Test
    void aBusyAgentParksNoLongerThanTheBusyMaximum()
    {
        final RecordingSignal signal = new RecordingSignal();
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(signal, 0, 0, MAX_PARK_NS, BUSY_MAX_PARK_NS);
        idleTimes(idle, 5);
        signal.busy = true;
        idleTimes(idle, 2);
        signal.busy = false;
        idle.idle(0);
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 4_000L, 4_000L, 64_000L), signal.parks);
    }

    @Test
    void aWakeByAProducerStartsTheBackoffAgainWithSpinsAndYields()
    {
        final RecordingSignal signal = new RecordingSignal();
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(signal, 2, 3, MAX_PARK_NS, BUSY_MAX_PARK_NS, 0);
        idleTimes(idle, 5 + 4);
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L), signal.parks);

        signal.wakeDuringPark = true; // a publisher took the parked thread and unparked it
        idle.idle(0);
        signal.wakeDuringPark = false;
        idleTimes(idle, 5);
        assertEquals(5, signal.parks.size(), "after a wake it spins and yields again before parking");
        idle.idle(0);
        assertEquals(1_000L, signal.parks.get(5), "and its next park is short again");
    }

    @Test
    void aWokenAgentKeepsLookingForItsLookTimeBeforeItParksAgain()
    {
        final RecordingSignal signal = new RecordingSignal();
        final WakeableIdleStrategy idle =
            new WakeableIdleStrategy(signal, 2, 3, MAX_PARK_NS, BUSY_MAX_PARK_NS, TimeUnit.SECONDS.toNanos(60));
        idleTimes(idle, 5 + 1);
        signal.wakeDuringPark = true;
        idle.idle(0);
        signal.wakeDuringPark = false;
        idleTimes(idle, 10_000);
        assertEquals(2, signal.parks.size(), "woken, it yields rather than parks while it looks for the work");

        idle.idle(1); // the work came: the look ends with it
        idleTimes(idle, 5 + 1);
        assertEquals(3, signal.parks.size(), "after the work it backs off as before");
    }

    @Test
    void theLookEndsWhenItsTimeIsUp()
    {
        final RecordingSignal signal = new RecordingSignal();
        final WakeableIdleStrategy idle =
            new WakeableIdleStrategy(signal, 0, 0, MAX_PARK_NS, BUSY_MAX_PARK_NS, TimeUnit.MILLISECONDS.toNanos(1));
        signal.wakeDuringPark = true;
        idle.idle(0);
        signal.wakeDuringPark = false;
        await().atMost(Duration.ofSeconds(10)).until(() ->
        {
            idle.idle(0);
            return signal.parks.size() == 2;
        });
        assertEquals(1_000L, signal.parks.get(1), "and then it parks, short, as after any wake");
    }

    private static void idleTimes(final WakeableIdleStrategy idle, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            idle.idle(0);
        }
    }

    private static final class RecordingSignal implements WakeableIdleStrategy.Signal
    {
        final List<Long> parks = new ArrayList<>();
        Thread parkedThread;
        Thread threadWhileParked;
        boolean hasWork;
        boolean busy;
        boolean wakeDuringPark;
        boolean woken;

        @Override
        public void parked(final Thread thread)
        {
            parkedThread = thread;
        }

        @Override
        public boolean hasWork()
        {
            return hasWork;
        }

        @Override
        public void park(final long parkNs)
        {
            threadWhileParked = parkedThread;
            parks.add(parkNs);
            woken = wakeDuringPark;
        }

        @Override
        public boolean wasWoken()
        {
            final boolean wasWoken = woken;
            woken = false;
            return wasWoken;
        }

        @Override
        public boolean isBusy()
        {
            return busy;
        }
    }
}
