package io.junction;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;

/**
 * Runs the ready subscriptions of one {@link DeliveryLane}: each gets a turn of at most a budget of
 * messages, then goes to the back of the lane if it still has more, so one busy subscription cannot starve
 * the others. A subscription with nothing queued is not looked at at all.
 * <p>
 * A handler that blocks holds only this agent's thread: the {@link DeliveryWatchdog} sees a turn that
 * does not end, retires this agent and starts another on the same lane. The retired agent finishes the
 * turn it is in (whenever the handler returns), puts that subscription back in the lane and ends.
 */
final class DeliveryAgent implements Agent
{
    static final int IDLE = 0;
    static final int IN_TURN = 1;
    static final int RETIRED = 2;

    private static final int SUBSCRIPTIONS_PER_CYCLE = 4096;
    private static final VarHandle STATE;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(DeliveryAgent.class, "state", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final DeliveryLane lane;
    private final int budget;
    private final String roleName;
    private final boolean endsWithItsSubscription;

    /** IDLE, IN_TURN or RETIRED; only the watchdog moves IN_TURN to RETIRED. */
    private volatile int state;

    /** Turns begun: a watchdog that sees the same turn in progress twice, far enough apart, retires the agent. */
    private volatile long turns;

    /**
     * INVOKER mode: subscriptions whose last turn stopped at a message their back-pressure handler had no room for
     * ({@link SwitchSubscription#mayTakeFromOutbox}), offered again at the start of the next duty cycle (not in this
     * one, which would spin). Grown, rarely, to the most ever held at once; this agent's thread only.
     */
    private SwitchSubscription[] held = new SwitchSubscription[4];
    private SwitchSubscription[] retrying = new SwitchSubscription[4];
    private int heldCount;

    /**
     * @param endsWithItsSubscription an agent of one subscription of its own ({@link DeliveryThread#OWN}):
     *                                it ends when that subscription does.
     */
    DeliveryAgent(final DeliveryLane lane, final int budget, final String roleName, final boolean endsWithItsSubscription)
    {
        this.lane = lane;
        this.budget = budget;
        this.roleName = roleName;
        this.endsWithItsSubscription = endsWithItsSubscription;
    }

    DeliveryLane lane()
    {
        return lane;
    }

    @Override
    public int doWork()
    {
        if (RETIRED == state)
        {
            throw new AgentTerminationException();
        }
        int work = 0;
        if (heldCount > 0)
        {
            work += retryHeld();
        }
        for (int i = 0; i < SUBSCRIPTIONS_PER_CYCLE; i++)
        {
            final SwitchSubscription subscription = (SwitchSubscription)lane.poll();
            if (null == subscription)
            {
                break;
            }
            work += turn(subscription);
        }
        return work;
    }

    /**
     * A turn of each subscription held in the last cycle; one still without room is held again for the next.
     */
    private int retryHeld()
    {
        final SwitchSubscription[] retry = held;
        final int count = heldCount;
        held = retrying;
        retrying = retry;
        heldCount = 0;
        int work = 0;
        for (int i = 0; i < count; i++)
        {
            final SwitchSubscription subscription = retry[i];
            retry[i] = null;
            work += turn(subscription);
        }
        return work;
    }

    private void hold(final SwitchSubscription subscription)
    {
        if (!subscription.holdOutOfLane())
        {
            return; // A producer put it in the lane during the turn: it is polled there.
        }
        if (heldCount == held.length)
        {
            held = Arrays.copyOf(held, heldCount << 1);
        }
        held[heldCount++] = subscription;
    }

    /**
     * @return true while it holds a subscription whose handler had no room: work that no wake announces.
     */
    boolean holdsWork()
    {
        return heldCount > 0;
    }

    private int turn(final SwitchSubscription subscription)
    {
        subscription.unscheduled();
        if (!subscription.tryAcquire())
        {
            return 0; // A retired agent is still in a turn of it; it reschedules it when it ends.
        }
        TURNS.setOpaque(this, turns + 1);
        state = IN_TURN;
        final int work;
        try
        {
            work = subscription.runTurn(budget);
        }
        finally
        {
            subscription.release();
            final boolean retired = !STATE.compareAndSet(this, IN_TURN, IDLE);
            if (subscription.takeHeld())
            {
                hold(subscription);
            }
            else
            {
                subscription.rescheduleIfReady();
            }
            if (retired)
            {
                throw new AgentTerminationException(); // Another agent has the lane now.
            }
        }
        if (endsWithItsSubscription && subscription.isFinished())
        {
            throw new AgentTerminationException();
        }
        return work;
    }

    private static final VarHandle TURNS;

    static
    {
        try
        {
            TURNS = MethodHandles.lookup().findVarHandle(DeliveryAgent.class, "turns", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    long turns()
    {
        return turns;
    }

    int state()
    {
        return state;
    }

    /**
     * Watchdog side: retire this agent if it is still in the turn it was in when last looked at.
     *
     * @return true if it was retired.
     */
    boolean retireIfInTurn(final long turnSeen)
    {
        return turns == turnSeen && STATE.compareAndSet(this, IN_TURN, RETIRED);
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
