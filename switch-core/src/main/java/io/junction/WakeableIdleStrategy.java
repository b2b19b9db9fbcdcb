package io.junction;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * The default idle strategy of the switch's agents: spin a little, yield a little, then park for up to
 * {@code maxParkNs}, as Agrona's {@code BackoffIdleStrategy} does, but say so before parking: a producer
 * that hands the agent work while it is parked unparks it at once, so a message waits for a wake-up rather
 * than for the rest of the park. While the agent spins or yields, producers pay nothing.
 */
final class WakeableIdleStrategy implements IdleStrategy
{
    /** The agent's side of the signal: who to tell it is parking, and whether work came meanwhile. */
    interface Signal
    {
        /**
         * @param thread the agent's thread while it parks, null once it has woken.
         */
        void parked(Thread thread);

        /**
         * @return true if work arrived after the agent last looked: it must not park.
         */
        boolean hasWork();
    }

    static final long MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(1);
    static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** For an agent whose every piece of work comes with a wake (a delivery agent): it can sleep longer. */
    static final long SIGNALLED_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int MAX_SPINS = 10;
    private static final int MAX_YIELDS = 20;

    private final Signal signal;
    private final long maxParkNs;
    private int spins;
    private int yields;
    private long parkNs = MIN_PARK_NS;

    WakeableIdleStrategy(final Signal signal, final long maxParkNs)
    {
        this.signal = signal;
        this.maxParkNs = maxParkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spins < MAX_SPINS)
        {
            spins++;
            Thread.onSpinWait();
            return;
        }
        if (yields < MAX_YIELDS)
        {
            yields++;
            Thread.yield();
            return;
        }
        signal.parked(Thread.currentThread());
        if (!signal.hasWork())
        {
            LockSupport.parkNanos(parkNs);
        }
        signal.parked(null);
        parkNs = Math.min(parkNs << 1, maxParkNs);
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = MIN_PARK_NS;
    }

    @Override
    public String alias()
    {
        return "wakeable-backoff";
    }
}
