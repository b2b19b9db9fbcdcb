package io.junction.agent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * The default idle strategy of Junction's agents: spin a little, yield a little, then park for a time that
 * doubles up to {@code maxParkNs}, as Agrona's {@code BackoffIdleStrategy} does, but say so before parking:
 * a producer that hands the agent work while it is parked wakes it at once, so work waits for a wake-up
 * rather than for the rest of the park. While the agent spins or yields, producers pay nothing.
 * <p>
 * The agent's {@link Signal} says where it parks (a thread park by default; a selector for a network
 * agent, which a socket wakes too) and whether it has work nothing will announce, which keeps its parks
 * short ({@code busyMaxParkNs}) until that work is done.
 */
public final class WakeableIdleStrategy implements IdleStrategy
{
    /** The agent's side: who to tell it is parking, whether work came meanwhile, and how to park. */
    public interface Signal
    {
        /**
         * @param thread the agent's thread while it parks, null once it has woken; producers that see it
         *               unpark it.
         */
        void parked(Thread thread);

        /**
         * @return true if work arrived after the agent last looked: it must not park.
         */
        boolean hasWork();

        /**
         * Park for up to {@code parkNs}, or less if woken.
         */
        default void park(final long parkNs)
        {
            LockSupport.parkNanos(parkNs);
        }

        /**
         * @return true while the agent has work that no producer will announce (a retry, a poll): its
         * parks stay within {@code busyMaxParkNs}.
         */
        default boolean isBusy()
        {
            return false;
        }

        /**
         * Asked after a park, before {@code parked(null)}.
         *
         * @return true if a producer woke the agent (it took the parked thread to unpark it): work is on its
         * way, so the agent spins and yields again before it parks, rather than parking for longer.
         */
        default boolean wasWoken()
        {
            return false;
        }
    }

    public static final long MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(1);
    /** For an agent that may have work nobody signals (a shard behind a journal stage): a short park. */
    public static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** For an agent whose every piece of work comes with a wake (a delivery agent): it can sleep longer. */
    public static final long SIGNALLED_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    public static final int DEFAULT_SPINS = 10;
    public static final int DEFAULT_YIELDS = 20;
    /**
     * How long an agent that a producer woke keeps looking (yielding) before it parks again. A wake often comes
     * just ahead of the work (a publisher wakes a shard and the delivery agent it feeds at once, and the agent
     * must wait for the shard's push): parking again before it comes costs a second wake-up, tens of
     * microseconds on a virtual machine. Looking ends as soon as work is found, so it costs CPU only per wake.
     */
    public static final long WOKEN_LOOK_NS = Long.getLong("junction.wokenLookNs", TimeUnit.MICROSECONDS.toNanos(200));

    private final Signal signal;
    private final int maxSpins;
    private final int maxYields;
    private final long maxParkNs;
    private final long busyMaxParkNs;
    private final long wokenLookNs;
    private int spins;
    private int yields;
    private long parkNs = MIN_PARK_NS;
    /** While looking after a wake: until when it yields rather than parks; 0 when not looking. */
    private long lookUntilNs;

    /**
     * The defaults: {@value #DEFAULT_SPINS} spins, {@value #DEFAULT_YIELDS} yields, parks up to
     * {@code maxParkNs}.
     */
    public WakeableIdleStrategy(final Signal signal, final long maxParkNs)
    {
        this(signal, DEFAULT_SPINS, DEFAULT_YIELDS, maxParkNs, maxParkNs);
    }

    /**
     * @param busyMaxParkNs the longest park while {@link Signal#isBusy()}.
     */
    public WakeableIdleStrategy(
        final Signal signal, final int maxSpins, final int maxYields, final long maxParkNs, final long busyMaxParkNs)
    {
        this(signal, maxSpins, maxYields, maxParkNs, busyMaxParkNs, WOKEN_LOOK_NS);
    }

    /**
     * @param wokenLookNs how long it yields, once woken by a producer, before it parks again ({@link #WOKEN_LOOK_NS}
     *                    by default; 0: it parks again after its spins and yields).
     */
    public WakeableIdleStrategy(
        final Signal signal, final int maxSpins, final int maxYields, final long maxParkNs, final long busyMaxParkNs,
        final long wokenLookNs)
    {
        if (wokenLookNs < 0)
        {
            throw new IllegalArgumentException("wokenLookNs must be >= 0: " + wokenLookNs);
        }
        this.wokenLookNs = wokenLookNs;
        this.signal = signal;
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.maxParkNs = maxParkNs;
        this.busyMaxParkNs = busyMaxParkNs;
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
        if (spins < maxSpins)
        {
            spins++;
            Thread.onSpinWait();
            return;
        }
        if (yields < maxYields)
        {
            yields++;
            Thread.yield();
            return;
        }
        if (0 != lookUntilNs)
        {
            if (System.nanoTime() - lookUntilNs < 0)
            {
                Thread.yield();
                return;
            }
            lookUntilNs = 0;
        }
        final long parkNs = signal.isBusy() ? Math.min(this.parkNs, busyMaxParkNs) : this.parkNs;
        signal.parked(Thread.currentThread());
        if (!signal.hasWork())
        {
            signal.park(parkNs);
        }
        final boolean woken = signal.wasWoken();
        signal.parked(null);
        if (woken)
        {
            reset(); // a wake comes with work, or just ahead of it: look for it at once, then back off anew
            lookUntilNs = 0 == wokenLookNs ? 0 : System.nanoTime() + wokenLookNs;
        }
        else
        {
            this.parkNs = Math.min(this.parkNs << 1, maxParkNs);
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = MIN_PARK_NS;
        lookUntilNs = 0;
    }

    @Override
    public String alias()
    {
        return "wakeable-backoff";
    }
}
