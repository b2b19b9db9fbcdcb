package io.junction.tools;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * What an {@link IoAgent} does when a duty cycle found nothing: spin and yield briefly, then park in its selector
 * (woken at once by a socket or by a delivery), so an idle daemon costs nothing and a lone message does not wait
 * for a park to end. While a connection has work no socket announces (a guaranteed publish awaiting the journal,
 * a back-pressured publish to retry), or a connection is polled because it was just busy, it parks at most
 * {@value #MAX_BUSY_PARK_US} µs instead.
 */
final class IoIdleStrategy implements IdleStrategy
{
    private static final int SPINS = 20;
    private static final int YIELDS = 10;
    private static final long MAX_BUSY_PARK_US = 50;
    private static final long MAX_SLEEP_MS = 20;

    private final IoAgent agent;
    private final BackoffIdleStrategy busy = new BackoffIdleStrategy(
        0, 1, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(MAX_BUSY_PARK_US));
    private int idleCycles;

    IoIdleStrategy(final IoAgent agent)
    {
        this.agent = agent;
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
        if (agent.hasBusyConnections() || agent.hasHotConnections())
        {
            busy.idle();
            return;
        }
        idleCycles++;
        if (idleCycles <= SPINS)
        {
            Thread.onSpinWait();
        }
        else if (idleCycles <= SPINS + YIELDS)
        {
            Thread.yield();
        }
        else
        {
            agent.sleep(MAX_SLEEP_MS);
        }
    }

    @Override
    public void reset()
    {
        idleCycles = 0;
        busy.reset();
    }

    @Override
    public String alias()
    {
        return "io-backoff";
    }
}
