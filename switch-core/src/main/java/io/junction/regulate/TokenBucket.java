package io.junction.regulate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A token-bucket rate limit with a burst, as the generic cell rate algorithm: the whole state is one
 * "theoretical arrival time" updated by compare-and-set, so it is lock-free, allocation-free and safe
 * for any number of publishing threads.
 * <p>
 * A full bucket lets {@code burst} messages through at once; after that one message per
 * {@code 1s / ratePerSecond}.
 */
public final class TokenBucket
{
    private static final VarHandle TAT;

    static
    {
        try
        {
            TAT = MethodHandles.lookup().findVarHandle(TokenBucket.class, "theoreticalArrivalNs", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long emissionIntervalNs;
    private final long burstToleranceNs;
    private final long ratePerSecond;
    private final int burst;

    @SuppressWarnings("unused") // Accessed through TAT.
    private volatile long theoreticalArrivalNs = Long.MIN_VALUE / 2;

    public TokenBucket(final long ratePerSecond, final int burst)
    {
        if (ratePerSecond < 1 || ratePerSecond > 1_000_000_000L)
        {
            throw new IllegalArgumentException("ratePerSecond must be in [1, 1e9]: " + ratePerSecond);
        }
        if (burst < 1)
        {
            throw new IllegalArgumentException("burst must be >= 1: " + burst);
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.emissionIntervalNs = 1_000_000_000L / ratePerSecond;
        this.burstToleranceNs = emissionIntervalNs * burst;
    }

    /**
     * Take one token if there is one.
     *
     * @param nowNs the current time of a monotonic nanosecond clock.
     * @return true if the message may pass.
     */
    public boolean tryAcquire(final long nowNs)
    {
        while (true)
        {
            final long tat = (long)TAT.getVolatile(this);
            final long newTat = Math.max(tat, nowNs) + emissionIntervalNs;
            if (newTat - nowNs > burstToleranceNs)
            {
                return false;
            }
            if (TAT.compareAndSet(this, tat, newTat))
            {
                return true;
            }
        }
    }

    /**
     * Give back a token taken by {@link #tryAcquire} for a message that was not queued after all.
     */
    public void refund()
    {
        TAT.getAndAdd(this, -emissionIntervalNs);
    }

    /**
     * @return tokens available at {@code nowNs}, between 0 and the burst.
     */
    public long available(final long nowNs)
    {
        final long tat = Math.max((long)TAT.getVolatile(this), nowNs);
        return Math.max(0, (burstToleranceNs - (tat - nowNs)) / emissionIntervalNs);
    }

    public long ratePerSecond()
    {
        return ratePerSecond;
    }

    public int burst()
    {
        return burst;
    }
}
