package io.junction.tools;

import java.util.concurrent.TimeUnit;

import io.junction.agent.WakeableIdleStrategy;

/**
 * How an {@link IoAgent} idles, on the switch's {@link WakeableIdleStrategy}: after spinning and yielding
 * briefly it parks in its selector (woken at once by a socket or by a delivery, {@link IoAgent#wake()}),
 * for up to {@value #MAX_SLEEP_MS} ms, so an idle daemon costs nothing and a lone message does not wait for a
 * park to end. While a connection has work no socket announces (a guaranteed publish awaiting the journal, a
 * back-pressured publish to retry) it parks at most {@value #MAX_BUSY_PARK_US} µs instead, outside the selector,
 * woken by a delivery too. A connection polled because it was just busy goes back to the selector when the agent
 * sleeps: a message at a low rate wakes the agent through its socket, never waits for a park to end.
 */
final class IoAgentSignal implements WakeableIdleStrategy.Signal
{
    // Each idle duty cycle is a selectNow (an epoll_wait): a few, then the selector, woken by a socket or a delivery.
    private static final int SPINS = 2;
    private static final int YIELDS = 0;
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
        return agent.hasBusyConnections() || agent.isSwitchBusy();
    }

    @Override
    public void park(final long parkNs)
    {
        if (isBusy())
        {
            agent.park(parkNs);
        }
        else
        {
            agent.sleep(parkNs);
        }
    }
}
