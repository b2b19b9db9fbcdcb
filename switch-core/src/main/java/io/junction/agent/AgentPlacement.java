package io.junction.agent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;

import net.openhft.affinity.Affinity;

/**
 * Where an agent runs: on a thread of its own (named after its role, optionally pinned to a core), or on
 * the caller's thread through an {@link AgentInvoker}, and several agents on one duty cycle under one
 * name, with the idle strategy they use by default. The switch, the journal, the daemon's servers and the
 * cluster node (whose threads Aeron makes, from {@link #threadFactory(int)}) place their agents through here,
 * so threads are named, pinned, idle and report their errors the same way everywhere.
 */
public final class AgentPlacement
{
    /** No CPU affinity: the operating system places the thread. */
    public static final int ANY_CPU = -1;

    /**
     * The default idle strategy of every Junction agent: spin a little, yield a little, then park up to 1 ms,
     * cheap on an idle 2-core machine. Use a busy-spin or yielding strategy on dedicated cores for the lowest
     * latency.
     */
    public static final Supplier<IdleStrategy> BACKOFF_IDLE_STRATEGY =
        () -> new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));

    private AgentPlacement()
    {
    }

    /**
     * Start an agent on a new thread, named after its {@link Agent#roleName()}.
     *
     * @param cpu the core to pin the thread to, or {@link #ANY_CPU}.
     * @return the runner; closing it stops the agent and waits for its thread.
     */
    public static AgentRunner onThread(
        final Agent agent, final IdleStrategy idleStrategy, final int cpu, final ErrorHandler errorHandler)
    {
        final AgentRunner runner = new AgentRunner(idleStrategy, errorHandler, null, agent);
        AgentRunner.startOnThread(runner, threadFactory(cpu));
        return runner;
    }

    /**
     * Run an agent on the caller's thread: each {@link AgentInvoker#invoke()} is one duty cycle.
     *
     * @return the invoker, already started; closing it closes the agent.
     */
    public static AgentInvoker onCaller(final Agent agent, final ErrorHandler errorHandler)
    {
        final AgentInvoker invoker = new AgentInvoker(errorHandler, null, agent);
        invoker.start();
        return invoker;
    }

    /**
     * Several agents on one duty cycle, under a name of the caller's, so that their thread is recognisable.
     */
    public static Agent composite(final String roleName, final Agent... agents)
    {
        return 1 == agents.length && roleName.equals(agents[0].roleName()) ?
            agents[0] : new NamedComposite(roleName, new CompositeAgent(agents));
    }

    /**
     * @param cpus   the cores to spread agents over; empty for none.
     * @param agent  the agent's index among its kind (shard 0, 1...).
     * @return the core for that agent ({@code cpus[agent % cpus.length]}), or {@link #ANY_CPU}.
     */
    public static int cpuFor(final int[] cpus, final int agent)
    {
        return 0 == cpus.length ? ANY_CPU : cpus[agent % cpus.length];
    }

    /**
     * @param cpu the core to pin each thread to, or {@link #ANY_CPU}.
     * @return a factory of threads pinned to it, for agents whose threads a library starts (Aeron's).
     */
    public static ThreadFactory threadFactory(final int cpu)
    {
        return ANY_CPU == cpu ? Thread::new : pinnedTo(cpu);
    }

    private static ThreadFactory pinnedTo(final int cpu)
    {
        return (runnable) -> new Thread(() ->
        {
            Affinity.setAffinity(cpu);
            runnable.run();
        });
    }

    private static final class NamedComposite implements Agent
    {
        private final String roleName;
        private final CompositeAgent agent;

        NamedComposite(final String roleName, final CompositeAgent agent)
        {
            this.roleName = roleName;
            this.agent = agent;
        }

        @Override
        public void onStart()
        {
            agent.onStart();
        }

        @Override
        public int doWork() throws Exception
        {
            return agent.doWork();
        }

        @Override
        public void onClose()
        {
            agent.onClose();
        }

        @Override
        public String roleName()
        {
            return roleName;
        }
    }
}
