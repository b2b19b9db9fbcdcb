package io.junction.tools;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.junction.Junction;

/**
 * {@code network.inline-shard}: the switch (built in {@link io.junction.ThreadingMode#INVOKER} mode) runs on the
 * duty cycle of the daemon's one I/O agent, so a message read from a publisher's socket is routed, delivered into
 * its subscribers' send buffers and written to their sockets by one thread, with no hand-off. A publish from another
 * thread (HTTP, the cluster gateway, the demo load) wakes the agent through the switch's invoker wake. At a stop
 * the agent stops invoking first; {@link Junction#close()} then drains on the stopping thread.
 */
final class InlineShard
{
    private static final long HAND_OVER_GRACE_NS = TimeUnit.SECONDS.toNanos(1);

    private volatile IoAgent agent;
    private Junction junction;
    /** Read on the agent's thread only; cleared there by {@link #stopInvoking}. */
    private boolean invoking = true;

    /**
     * For {@link Junction.Context#invokerWake}: any thread.
     */
    void wake()
    {
        final IoAgent target = agent;
        if (null != target)
        {
            target.wake();
        }
    }

    void junction(final Junction junction)
    {
        this.junction = junction;
    }

    /**
     * On the agent's thread, before its first duty cycle that invokes.
     */
    void drivenBy(final IoAgent agent)
    {
        this.agent = agent;
    }

    /**
     * One duty cycle of the switch, on the agent's thread.
     */
    int doWork()
    {
        return invoking ? junction.doWork() : 0;
    }

    /**
     * The agent is about to idle: arm the switch's wake.
     *
     * @return true if the switch has work, so the agent must not idle.
     */
    boolean armWake()
    {
        return invoking && junction.armWake();
    }

    void disarmWake()
    {
        junction.disarmWake();
    }

    /**
     * @return true while the switch has work no wake announces: the agent idles briefly.
     */
    boolean isBusy()
    {
        return invoking && junction.isInvokerBusy();
    }

    /**
     * The stop: the agent stops invoking (at its next duty cycle), so the stopping thread may drain the switch.
     * A delivery holding the agent (a back-pressure subscriber) lets go at the stop's deadline, so this waits until
     * then and a second more.
     *
     * @return true once the agent has stopped invoking or is gone; false if it still ran the switch at the wait's end.
     */
    boolean stopInvoking(final long deadlineNs)
    {
        final IoAgent target = agent;
        if (null == target || !target.isAlive())
        {
            return true;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        target.post(() ->
        {
            invoking = false;
            stopped.countDown();
        });
        final long giveUpNs = Math.max(deadlineNs, System.nanoTime()) + HAND_OVER_GRACE_NS;
        try
        {
            while (!stopped.await(10, TimeUnit.MILLISECONDS))
            {
                if (!target.isAlive() || System.nanoTime() - giveUpNs >= 0)
                {
                    return !target.isAlive();
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }
}
