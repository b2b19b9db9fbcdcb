package io.junction;

import java.util.function.IntConsumer;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Keeps a handler that blocks from stalling the other subscriptions of its shared delivery agent: a turn
 * that lasts longer than {@code stallTimeoutNs} retires that agent and a new one takes over its lane, so
 * the blocked handler holds only the old agent's thread until it returns. Runs on a pipeline thread, and
 * looks once per a quarter of the timeout.
 */
final class DeliveryWatchdog implements Agent
{
    private final DeliveryAgent[] agents;
    private final long[] turnSeen;
    private final long[] seenAtNs;
    private final NanoClock clock;
    private final long stallTimeoutNs;
    private final long intervalNs;
    private final IntConsumer replaceAgent;
    private final AtomicCounter stalls;
    private long nextCheckNs;

    /**
     * @param agents       the current agent of each shared lane; the caller replaces an entry in
     *                     {@code replaceAgent}.
     * @param replaceAgent starts a new agent on the lane of that index.
     */
    DeliveryWatchdog(
        final DeliveryAgent[] agents,
        final NanoClock clock,
        final long stallTimeoutNs,
        final IntConsumer replaceAgent,
        final AtomicCounter stalls)
    {
        this.agents = agents;
        this.turnSeen = new long[agents.length];
        this.seenAtNs = new long[agents.length];
        java.util.Arrays.fill(turnSeen, -1);
        this.clock = clock;
        this.stallTimeoutNs = stallTimeoutNs;
        this.intervalNs = Math.max(1, stallTimeoutNs / 4);
        this.replaceAgent = replaceAgent;
        this.stalls = stalls;
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        if (nowNs - nextCheckNs < 0)
        {
            return 0;
        }
        nextCheckNs = nowNs + intervalNs;
        int work = 0;
        for (int i = 0; i < agents.length; i++)
        {
            final DeliveryAgent agent = agents[i];
            if (null == agent || agent.state() != DeliveryAgent.IN_TURN)
            {
                turnSeen[i] = -1;
                continue;
            }
            final long turn = agent.turns();
            if (turn != turnSeen[i])
            {
                turnSeen[i] = turn;
                seenAtNs[i] = nowNs;
            }
            else if (nowNs - seenAtNs[i] >= stallTimeoutNs && agent.retireIfInTurn(turn))
            {
                stalls.increment();
                turnSeen[i] = -1;
                replaceAgent.accept(i);
                work++;
            }
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return "junction-delivery-watchdog";
    }
}
