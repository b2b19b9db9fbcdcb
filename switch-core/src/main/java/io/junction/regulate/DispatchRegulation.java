package io.junction.regulate;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import io.junction.Priority;
import io.junction.ShedReason;

/**
 * What a shard's dispatcher does for regulation: measure each message's sojourn for CoDel, drop the
 * expired (counted, never delivered) and release in-flight slots. Owned by one shard agent.
 */
public final class DispatchRegulation
{
    /** For a shard without a regulator: does nothing. */
    public static final DispatchRegulation NONE = new DispatchRegulation(null, -1, null, null, null, null);

    private final Regulator regulator;
    private final int shard;
    private final CodelShedder shedder;
    private final NanoClock clock;
    private final AtomicCounter queueDelayCounter;
    private final AtomicCounter shedLevelCounter;
    private long nowNs;
    private boolean clockRead; // nowNs was read this duty cycle
    private boolean codelWasEnabled;

    DispatchRegulation(
        final Regulator regulator,
        final int shard,
        final CodelShedder shedder,
        final NanoClock clock,
        final AtomicCounter queueDelayCounter,
        final AtomicCounter shedLevelCounter)
    {
        this.regulator = regulator;
        this.shard = shard;
        this.shedder = shedder;
        this.clock = clock;
        this.queueDelayCounter = queueDelayCounter;
        this.shedLevelCounter = shedLevelCounter;
    }

    /**
     * Start of a duty cycle: read the clock once.
     *
     * @param ringEmpty true if nothing waits in the ring.
     */
    public void beginCycle(final boolean ringEmpty)
    {
        if (null == regulator)
        {
            return;
        }
        // The clock is read only when something needs it (CoDel here, a deadline below): on some machines
        // one read costs as much as dispatching a message.
        clockRead = false;
        final Regulator.Compiled compiled = regulator.compiled();
        if (compiled.codelEnabled)
        {
            nowNs();
            codelWasEnabled = true;
            if (ringEmpty)
            {
                shedder.onEmpty(nowNs, compiled.codelIntervalNs);
            }
            shedder.publishQueueDelay();
            publish();
        }
        else if (codelWasEnabled)
        {
            codelWasEnabled = false;
            shedder.reset();
            publish();
        }
    }

    /**
     * A message is taken off the ring (called once per message).
     *
     * @return true if it expired: it was dropped and counted, and must not be dispatched.
     */
    public boolean onDequeue(
        final Priority priority, final long timestampNs, final long deadlineNs, final Admission admission)
    {
        if (null == regulator)
        {
            return false;
        }
        final Regulator.Compiled compiled = regulator.compiled();
        if (compiled.codelEnabled)
        {
            final long now = nowNs();
            shedder.onDequeue(now - timestampNs, now, compiled.codelTargetNs, compiled.codelIntervalNs);
        }
        return dropIfExpired(priority, deadlineNs, admission);
    }

    /**
     * A CRITICAL message taken ahead of its turn (the express lane). Its short wait says nothing about the
     * queue CoDel regulates, so it is not fed to CoDel; only its deadline is checked.
     *
     * @return true if it expired: it was dropped and counted, and must not be dispatched.
     */
    public boolean onExpressDequeue(final Priority priority, final long deadlineNs, final Admission admission)
    {
        return null != regulator && dropIfExpired(priority, deadlineNs, admission);
    }

    private boolean dropIfExpired(final Priority priority, final long deadlineNs, final Admission admission)
    {
        // The deadline is checked first, so that a message without one costs no clock read.
        if (Regulator.NO_DEADLINE == deadlineNs || !Regulator.isExpired(deadlineNs, nowNs()))
        {
            return false;
        }
        regulator.onShed(priority, ShedReason.EXPIRED);
        onDispatched(admission);
        return true;
    }

    /**
     * A message left the ring for the outboxes.
     */
    public void onDispatched(final Admission admission)
    {
        if (null != admission)
        {
            admission.onDequeued();
        }
    }

    /**
     * @return the time of this duty cycle, read from the clock on first use in the cycle.
     */
    public long nowNs()
    {
        if (!clockRead)
        {
            nowNs = clock.nanoTime();
            clockRead = true;
        }
        return nowNs;
    }

    public int shard()
    {
        return shard;
    }

    private void publish()
    {
        final long queueDelayNs = shedder.queueDelayNs();
        if (queueDelayCounter.getPlain() != queueDelayNs)
        {
            queueDelayCounter.setRelease(queueDelayNs);
        }
        final int level = shedder.shedLevel();
        if (shedLevelCounter.getPlain() != level)
        {
            shedLevelCounter.setRelease(level);
        }
    }
}
