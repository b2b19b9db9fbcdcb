package io.junction.tools;

import java.util.Locale;
import java.util.function.Supplier;

import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import io.junction.Junction;

/**
 * The daemon's {@code idle-strategy}: what the switch's threads do when they find no work.
 */
enum IdleChoice
{
    /** Spin, yield, then park up to 1 ms: cheap when idle, the default on a small machine. */
    BACKOFF(Junction.Context.DEFAULT_IDLE_STRATEGY_SUPPLIER),
    /** Yield the core and come straight back: lower latency at low rates, a core's worth of CPU per thread. */
    YIELDING(YieldingIdleStrategy::new),
    /** Never give the core up: the lowest latency, for threads that have dedicated cores. */
    BUSY_SPIN(BusySpinIdleStrategy::new);

    private final Supplier<IdleStrategy> supplier;

    IdleChoice(final Supplier<IdleStrategy> supplier)
    {
        this.supplier = supplier;
    }

    Supplier<IdleStrategy> supplier()
    {
        return supplier;
    }

    static IdleChoice parse(final String text)
    {
        return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    @Override
    public String toString()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
