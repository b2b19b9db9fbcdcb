package io.junction.regulate;

import java.util.concurrent.atomic.AtomicLongArray;

import io.junction.Priority;

/**
 * Keeps what publishers read on every offer off the cache lines the dispatcher writes per message.
 */
@SuppressWarnings("unused")
abstract class CodelShedderLeftPadding
{
    long p01, p02, p03, p04, p05, p06, p07, p08;
}

/**
 * Written by the dispatcher (rarely: on a change, or once per duty cycle); read by publishers.
 */
abstract class CodelShedderPublished extends CodelShedderLeftPadding
{
    volatile int shedLevel;
    volatile long queueDelayNs;
}

@SuppressWarnings("unused")
abstract class CodelShedderRightPadding extends CodelShedderPublished
{
    long p11, p12, p13, p14, p15, p16, p17, p18;
}

/**
 * Sojourn-time shedding for one ring, after CoDel (RFC 8289), with the drop decision moved to the edge.
 * <p>
 * The dispatcher (the only writer) feeds it the sojourn time of every message it takes off the ring and
 * runs CoDel's state machine as specified: it enters the dropping state once the sojourn has stayed at or
 * above {@code target} for a whole {@code interval}, leaves it as soon as a sojourn falls below the target
 * (or the ring is empty), and while dropping schedules its drops at {@code interval / sqrt(count)}, resuming
 * the previous count if it re-enters within 16 intervals.
 * <p>
 * A message already in the ring is never dropped (it was accepted). Instead each CoDel drop raises a
 * shed level (by {@link #STEP} times the sojourn over the target) that publishers read at the edge: the
 * level is a number of classes, from the lowest up, in units of 1/{@link #CLASS_UNITS}; a class under the level is shed entirely, the class
 * the level falls in is shed in proportion. Open-loop traffic does not slow down when one message is
 * dropped, so a level (a rate of shedding) rather than single drops is what brings the queue back to its
 * target. Outside the dropping state, while the sojourn is below the target, the level falls by one
 * step per interval; while the ring is empty (capacity unused) by a quarter of itself per quarter
 * interval. {@link Priority#CRITICAL} is above the highest level and is never shed here.
 */
public final class CodelShedder extends CodelShedderRightPadding
{
    /** The shed level that sheds one whole class. */
    public static final int CLASS_UNITS = 1024;

    /**
     * How much the level falls at each interval below the target, and rises at each CoDel drop; a drop
     * raises it by this times the sojourn over the target (up to {@link #MAX_STEP_MULTIPLE}), so the level
     * moves fast when the queue is far above its target and finely near it.
     */
    public static final int STEP = CLASS_UNITS / 32;

    public static final int MAX_STEP_MULTIPLE = 16;

    /** BULK, NORMAL and HIGH: every class but CRITICAL. */
    public static final int MAX_LEVEL = 3 * CLASS_UNITS;

    private static final int CLASSES = Priority.values().length;
    private static final int PAD = 16;

    private volatile boolean dropping;

    // Proportional shedding: one counter per class, padded against false sharing.
    private final AtomicLongArray offers = new AtomicLongArray(CLASSES * PAD);

    // CoDel state, dispatcher only.
    private long firstAboveTimeNs;
    private long dropNextNs;
    private int count;
    private int lastCount;
    private long nextDecayNs;
    private long nextEmptyDecayNs;
    private long drops;
    private long lastSojournNs;

    /**
     * Edge decision, any thread. Allocation-free.
     *
     * @return true if a message of this class must be shed now.
     */
    public boolean shouldShed(final Priority priority)
    {
        final int level = shedLevel;
        if (0 == level || Priority.CRITICAL == priority)
        {
            return false;
        }
        final int rank = CLASSES - 1 - priority.ordinal();
        final int fraction = level - rank * CLASS_UNITS;
        if (fraction <= 0)
        {
            return false;
        }
        if (fraction >= CLASS_UNITS)
        {
            return true;
        }
        // Shed exactly fraction/CLASS_UNITS of the offers, spread evenly (error diffusion on a counter).
        final long n = offers.getAndIncrement(rank * PAD);
        return ((n + 1) * fraction) / CLASS_UNITS > (n * fraction) / CLASS_UNITS;
    }

    /**
     * Dispatcher: a message left the ring after waiting {@code sojournNs}.
     */
    public void onDequeue(final long sojournNs, final long nowNs, final long targetNs, final long intervalNs)
    {
        lastSojournNs = sojournNs;

        boolean okToDrop = false;
        if (sojournNs < targetNs)
        {
            firstAboveTimeNs = 0;
        }
        else if (0 == firstAboveTimeNs)
        {
            firstAboveTimeNs = nonZero(nowNs + intervalNs);
        }
        else if (nowNs - firstAboveTimeNs >= 0)
        {
            okToDrop = true;
        }

        if (dropping)
        {
            if (!okToDrop)
            {
                dropping = false;
            }
            else
            {
                while (nowNs - dropNextNs >= 0)
                {
                    drop(nowNs, intervalNs, sojournNs, targetNs);
                    count++;
                    dropNextNs = controlLaw(dropNextNs, count, intervalNs);
                }
            }
        }
        else if (okToDrop)
        {
            drop(nowNs, intervalNs, sojournNs, targetNs);
            dropping = true;
            final int delta = count - lastCount;
            count = (delta > 1 && nowNs - dropNextNs < 16 * intervalNs) ? delta : 1;
            dropNextNs = controlLaw(nowNs, count, intervalNs);
            lastCount = count;
        }

        if (!dropping && sojournNs < targetNs)
        {
            decay(nowNs, intervalNs);
        }
    }

    /**
     * Dispatcher: the ring is empty, so there is no queueing delay.
     */
    public void onEmpty(final long nowNs, final long intervalNs)
    {
        lastSojournNs = 0;
        if (0 != queueDelayNs)
        {
            queueDelayNs = 0;
        }
        firstAboveTimeNs = 0;
        if (dropping)
        {
            dropping = false;
        }

        // An empty ring while shedding is capacity going unused: give back a quarter of the level per
        // quarter interval, so that shedding caused by a stall does not outlast it.
        final int level = shedLevel;
        if (level > 0 && nowNs - nextEmptyDecayNs >= 0)
        {
            shedLevel = Math.max(0, level - Math.max(STEP, level / 4));
            nextEmptyDecayNs = nowNs + intervalNs / 4;
        }
    }

    /**
     * Dispatcher: make the last sojourn seen the queue delay publishers read. Once per duty cycle, not per
     * message, to spare the cache line publishers read.
     */
    public void publishQueueDelay()
    {
        if (queueDelayNs != lastSojournNs)
        {
            queueDelayNs = lastSojournNs;
        }
    }

    /**
     * Dispatcher: sojourn shedding was switched off; forget the state.
     */
    public void reset()
    {
        shedLevel = 0;
        dropping = false;
        firstAboveTimeNs = 0;
        count = 0;
        lastCount = 0;
    }

    private void drop(final long nowNs, final long intervalNs, final long sojournNs, final long targetNs)
    {
        drops++;
        nextDecayNs = nowNs + intervalNs;
        nextEmptyDecayNs = nowNs + intervalNs;
        final long multiple = Math.max(1, Math.min(MAX_STEP_MULTIPLE, sojournNs / targetNs));
        final int level = shedLevel;
        if (level < MAX_LEVEL)
        {
            shedLevel = (int)Math.min(MAX_LEVEL, level + STEP * multiple);
        }
    }

    private void decay(final long nowNs, final long intervalNs)
    {
        final int level = shedLevel;
        if (level > 0 && nowNs - nextDecayNs >= 0)
        {
            shedLevel = Math.max(0, level - STEP);
            nextDecayNs = nowNs + intervalNs;
        }
    }

    private static long controlLaw(final long timeNs, final int count, final long intervalNs)
    {
        return timeNs + (long)(intervalNs / Math.sqrt(count));
    }

    private static long nonZero(final long value)
    {
        return 0 == value ? 1 : value;
    }

    /**
     * @return the shed level, in units of 1/{@link #CLASS_UNITS} of a class, from the lowest class up.
     */
    public int shedLevel()
    {
        return shedLevel;
    }

    /**
     * @return the sojourn time of the last message dispatched (as of the dispatcher's last duty cycle),
     * 0 when the ring is empty.
     */
    public long queueDelayNs()
    {
        return queueDelayNs;
    }

    public boolean isDropping()
    {
        return dropping;
    }

    /**
     * @return CoDel's drop count of the current (or last) dropping state. Dispatcher thread or tests only.
     */
    public int count()
    {
        return count;
    }

    /**
     * @return when the next drop is due while dropping. Dispatcher thread or tests only.
     */
    public long dropNextNs()
    {
        return dropNextNs;
    }

    /**
     * @return CoDel drops (level raises) so far. Dispatcher thread or tests only.
     */
    public long drops()
    {
        return drops;
    }
}
