package io.junction.regulate;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A concurrency limit: at most {@code maxInFlight} messages admitted and not yet taken off the ring
 * by the dispatcher. Lock-free and allocation-free.
 */
public final class InFlightLimit
{
    private final long maxInFlight;
    private final AtomicLong inFlight = new AtomicLong();

    public InFlightLimit(final long maxInFlight)
    {
        if (maxInFlight < 1)
        {
            throw new IllegalArgumentException("maxInFlight must be >= 1: " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
    }

    public boolean tryAcquire()
    {
        while (true)
        {
            final long current = inFlight.get();
            if (current >= maxInFlight)
            {
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    public void release()
    {
        inFlight.getAndDecrement();
    }

    public long inFlight()
    {
        return inFlight.get();
    }

    public long maxInFlight()
    {
        return maxInFlight;
    }
}
