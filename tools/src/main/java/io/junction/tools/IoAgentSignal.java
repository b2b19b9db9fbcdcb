package io.junction.tools;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.junction.agent.WakeableIdleStrategy;

/**
 * How an {@link IoAgent} idles, on the switch's {@link WakeableIdleStrategy}: after spinning and yielding
 * briefly it parks in its selector (woken at once by a socket or by a delivery, {@link IoAgent#wake()}),
 * for up to {@value #MAX_SLEEP_MS} ms, so an idle daemon costs nothing and a lone message does not wait for a
 * park to end. While a connection has work no socket announces (a guaranteed publish awaiting the journal, a
 * back-pressured publish to retry), or a connection is polled because it was just busy, it parks at most
 * {@value #MAX_BUSY_PARK_US} µs instead, outside the selector.
 */
final class IoAgentSignal implements WakeableIdleStrategy.Signal
{
    private static final int SPINS = 20;
    private static final int YIELDS = 10;
    private static final long MAX_BUSY_PARK_US = 50;
    private static final long MAX_SLEEP_MS = 20;

    private final IoAgent agent;

    private IoAgentSignal(final IoAgent agent)
    {
        this.agent = agent;
    }

    static WakeableIdleStrategy idleStrategy(final IoAgent agent)
    {
        return new WakeableIdleStrategy(new IoAgentSignal(agent), SPINS, YIELDS,
            TimeUnit.MILLISECONDS.toNanos(MAX_SLEEP_MS), TimeUnit.MICROSECONDS.toNanos(MAX_BUSY_PARK_US));
    }

    @Override
    public void parked(final Thread thread)
    {
        // The selector is the agent's wake-up: IoAgent.wake() interrupts its select.
    }

    @Override
    public boolean hasWork()
    {
        return false; // IoAgent.sleep checks its own queues before it selects.
    }

    @Override
    public boolean isBusy()
    {
        return agent.hasBusyConnections() || agent.hasHotConnections();
    }

    @Override
    public void park(final long parkNs)
    {
        if (isBusy())
        {
            LockSupport.parkNanos(parkNs);
        }
        else
        {
            agent.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(parkNs)));
        }
    }
}
