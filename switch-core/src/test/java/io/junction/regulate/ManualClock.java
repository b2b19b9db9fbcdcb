package io.junction.regulate;

import org.agrona.concurrent.NanoClock;

/**
 * A clock the test moves; optionally it also moves by a fixed step at every read.
 */
final class ManualClock implements NanoClock
{
    private long nowNs = 1_000_000_000L;
    private long stepPerReadNs;

    @Override
    public long nanoTime()
    {
        final long now = nowNs;
        nowNs += stepPerReadNs;
        return now;
    }

    void advance(final long ns)
    {
        nowNs += ns;
    }

    void stepPerRead(final long ns)
    {
        stepPerReadNs = ns;
    }

    long peek()
    {
        return nowNs;
    }
}
