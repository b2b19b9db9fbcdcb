package io.junction;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import io.junction.agent.AgentPlacement;
import io.junction.agent.WakeableIdleStrategy;
import io.junction.regulate.Regulator;
import io.junction.topic.Topics;

/**
 * Owns the switch's subscriptions: makes them (placing each on a shared delivery agent, its own thread or
 * the pipeline), sends each shard the {@link RouteCommand}s that add or remove their routes (queue-group
 * members included), waits for them to be in effect when asked, and runs the shared delivery agents and
 * the watchdog that replaces one a handler blocks. Called from any application thread, and from the
 * threads a subscription ends on.
 */
final class Conductor
{
    private final Junction.Context ctx;
    private final SwitchCounters counters;
    private final Regulator regulator;
    private final Shard[] shards;
    private final boolean onCaller;
    private final DeliveryLane[] sharedLanes;
    private final DeliveryAgent[] sharedAgents;
    private final List<AgentRunner> deliveryRunners = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicCounter deliveryStalls;
    private final SubscriptionRegistry subscriptions = new SubscriptionRegistry();
    // OWN subscriptions only: their threads, so that few of them make this map.
    private final ConcurrentHashMap<SwitchSubscription, AgentRunner> subscriptionRunners = new ConcurrentHashMap<>();
    private final AtomicLong subscriptionIds = new AtomicLong();
    private volatile boolean isClosed;

    /**
     * @param onCaller {@link ThreadingMode#INVOKER}: every subscription is delivered by the shared agents,
     *                 which run on the caller's thread, and subscribing does not wait.
     */
    Conductor(
        final Junction.Context ctx,
        final SwitchCounters counters,
        final Regulator regulator,
        final Shard[] shards,
        final boolean onCaller)
    {
        this.ctx = ctx;
        this.counters = counters;
        this.regulator = regulator;
        this.shards = shards;
        this.onCaller = onCaller;
        sharedLanes = new DeliveryLane[ctx.deliveryAgents()];
        sharedAgents = new DeliveryAgent[sharedLanes.length];
        for (int i = 0; i < sharedLanes.length; i++)
        {
            sharedLanes[i] = new DeliveryLane(i, ctx.invokerWakeSignal());
            sharedAgents[i] = newSharedAgent(i);
        }
        deliveryStalls = counters.newCounter("delivery agent stalls", SwitchCounters.DELIVERY_STALLS_TYPE_ID);
    }

    Junction.Context context()
    {
        return ctx;
    }

    SwitchCounters counters()
    {
        return counters;
    }

    /**
     * @return true in INVOKER mode: the shared delivery agents run on the caller's thread.
     */
    boolean deliversOnCaller()
    {
        return onCaller;
    }

    /**
     * INVOKER mode: a shared agent holds a subscription whose handler had no room, to offer again on its next cycle.
     */
    boolean sharedAgentsHoldWork()
    {
        for (final DeliveryAgent agent : sharedAgents)
        {
            if (agent.holdsWork())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the shared delivery agents, for the caller's duty cycle in INVOKER mode.
     */
    DeliveryAgent[] sharedAgents()
    {
        return sharedAgents.clone();
    }

    /**
     * Start a thread for each shared delivery agent (not in INVOKER mode).
     */
    void startSharedAgents()
    {
        for (final DeliveryAgent agent : sharedAgents)
        {
            deliveryRunners.add(start(agent));
        }
    }

    /**
     * @return the watchdog of the shared delivery agents, for a pipeline thread to run.
     */
    DeliveryWatchdog newWatchdog()
    {
        return new DeliveryWatchdog(
            sharedAgents, ctx.nanoClock(), ctx.deliveryStallTimeoutNs(), this::replaceSharedAgent, deliveryStalls);
    }

    private DeliveryAgent newSharedAgent(final int lane)
    {
        return new DeliveryAgent(sharedLanes[lane], ctx.deliveryBatchLimit(), "junction-delivery-" + lane, false);
    }

    /**
     * The watchdog found a handler blocking agent {@code lane}: a new agent takes the lane's other
     * subscriptions on; the old one ends when the handler returns.
     */
    private void replaceSharedAgent(final int lane)
    {
        if (isClosed)
        {
            return;
        }
        final DeliveryAgent agent = newSharedAgent(lane);
        sharedAgents[lane] = agent;
        deliveryRunners.add(start(agent));
    }

    private AgentRunner start(final DeliveryAgent agent)
    {
        return AgentPlacement.onThread(agent, deliveryIdle(agent.lane()), AgentPlacement.ANY_CPU, this::onError);
    }

    /**
     * The default idle strategy becomes a wakeable one, so that a shard wakes a parked agent; one the
     * application chose is used as it is.
     */
    private IdleStrategy deliveryIdle(final DeliveryLane lane)
    {
        return ctx.deliveryIdleStrategySupplier() == Junction.Context.DEFAULT_IDLE_STRATEGY_SUPPLIER ?
            new WakeableIdleStrategy(lane, WakeableIdleStrategy.SIGNALLED_MAX_PARK_NS) :
            ctx.deliveryIdleStrategySupplier().get();
    }

    /**
     * Make a subscription and send its routes to every shard; with {@code await}, return once every shard
     * applied them.
     */
    SwitchSubscription subscribe(
        final String pattern, final MessageHandler handler, final SubscriptionOptions options, final boolean await)
    {
        final SwitchSubscription subscription = newSubscription(pattern, handler, options);
        if (await && !onCaller)
        {
            awaitInEffect(subscription);
        }
        return subscription;
    }

    private SwitchSubscription newSubscription(
        final String pattern, final MessageHandler handler, final SubscriptionOptions options)
    {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        if (isClosed)
        {
            throw new IllegalStateException("switch is closed");
        }
        final RejectReason reason = Topics.validatePattern(pattern, ctx.maxTopicLength(), ctx.maxTopicTokens());
        if (null != reason)
        {
            counters.subscribeRejected().increment();
            throw new InvalidTopicException(reason, pattern);
        }

        final long id = subscriptionIds.incrementAndGet();
        final SwitchSubscription subscription = new SwitchSubscription(
            id, pattern, handler, options.snapshot(), this, shards.length);
        subscriptions.add(subscription);
        counters.subscriptionsActive().increment();

        if (options.deliveryThread() == DeliveryThread.PIPELINE)
        {
            subscription.deliversOnPipeline();
        }
        else if (onCaller || options.deliveryThread() == DeliveryThread.SHARED)
        {
            // Placed by id, so the same subscriptions made in the same order share agents alike.
            subscription.deliversThrough(sharedLanes[(int)(id % sharedLanes.length)]);
        }
        else
        {
            final DeliveryLane lane = new DeliveryLane(-1);
            subscription.deliversThrough(lane);
            subscriptionRunners.put(subscription, AgentPlacement.onThread(
                new DeliveryAgent(lane, ctx.deliveryBatchLimit(), "junction-sub-" + id, true),
                deliveryIdle(lane), AgentPlacement.ANY_CPU, this::onError));
        }

        for (final Shard shard : shards)
        {
            // INVOKER: the caller runs the shards, so waiting for one to make room would wait for nothing.
            if (!shard.enqueueAddition(new RouteCommand(true, pattern, subscription.outbox(shard.index()),
                subscription), !onCaller, ctx.controlTimeoutNs()))
            {
                // Undone everywhere: shards that took the addition remove it, the others ignore the removal.
                unsubscribe(subscription, TerminationReason.CLOSED);
                throw new SubscribeRefusedException(pattern, shard.index(), shard.routeCommandQueueCapacity());
            }
        }
        return subscription;
    }

    private void awaitInEffect(final SwitchSubscription subscription)
    {
        final long deadlineNs = System.nanoTime() + ctx.controlTimeoutNs();
        subscription.waiter(Thread.currentThread());
        while (!subscription.isInEffect() && !isClosed && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(subscription, TimeUnit.MILLISECONDS.toNanos(1));
        }
        subscription.waiter(null);
        if (!subscription.isInEffect())
        {
            unsubscribe(subscription, TerminationReason.CLOSED);
            throw new IllegalStateException("subscription to '" + subscription.pattern() +
                "' was not applied by every shard within controlTimeoutNs=" + ctx.controlTimeoutNs());
        }
    }

    void unsubscribe(final SwitchSubscription subscription, final TerminationReason reason)
    {
        subscription.terminate(reason, null, false);
        subscription.finish();
    }

    /**
     * Called once per subscription when it ends, from whichever thread ended it.
     */
    void onSubscriptionFinished(final SwitchSubscription subscription)
    {
        if (!subscriptions.remove(subscription))
        {
            return;
        }
        if (!isClosed) // A closing switch drops its routes all at once.
        {
            for (final Shard shard : shards)
            {
                shard.enqueueRemoval(
                    new RouteCommand(false, subscription.pattern(), subscription.outbox(shard.index()), null));
            }
        }
        final AgentRunner runner = subscriptionRunners.remove(subscription);
        if (null != runner && runner.thread() != Thread.currentThread())
        {
            CloseHelper.close(this::onError, runner);
        }

        counters.subscriptionsActive().decrement();
        final TerminationReason reason = subscription.terminationReason();
        if (reason != TerminationReason.CLOSED && reason != TerminationReason.SWITCH_CLOSED)
        {
            counters.subscriptionsTerminated().increment();
        }
        subscription.closeCounters();
    }

    /**
     * A subscription is about to deliver a message with a deadline.
     *
     * @return true if it expired: counted, and must not be delivered.
     */
    boolean onExpiredAtDelivery(final Message message, final long nowNs)
    {
        if (Regulator.isExpired(message.deadlineNs, nowNs))
        {
            regulator.onShed(message.priority(), ShedReason.EXPIRED);
            return true;
        }
        return false;
    }

    /**
     * @return a snapshot of the active subscriptions, oldest first.
     */
    List<Subscription> subscriptions()
    {
        return List.copyOf(subscriptions.snapshot());
    }

    /**
     * @return true when no subscription has a message queued or in delivery.
     */
    /**
     * @return shard {@code shard}'s clock for the batch it dispatches (on its thread).
     */
    long batchNowNs(final int shard)
    {
        return shards[shard].batchNowNs();
    }

    /**
     * @return true if a shared delivery agent has subscriptions to deliver (INVOKER mode: the caller's next cycle).
     */
    boolean sharedLanesHaveWork()
    {
        for (final DeliveryLane lane : sharedLanes)
        {
            if (lane.hasWork())
            {
                return true;
            }
        }
        return false;
    }

    boolean areIdle()
    {
        return subscriptions.allIdle();
    }

    /**
     * The switch is closing: refuse new subscriptions, and stop waiting for any to be in effect.
     */
    void refuseNew()
    {
        isClosed = true;
    }

    /**
     * End every subscription, once what was accepted has been delivered.
     */
    void endAll()
    {
        for (final SwitchSubscription subscription : subscriptions.snapshot())
        {
            unsubscribe(subscription, TerminationReason.SWITCH_CLOSED);
        }
    }

    /**
     * @return the delivery threads to stop, once {@link #endAll()} has ended the subscriptions.
     */
    List<AutoCloseable> runners()
    {
        final List<AutoCloseable> runners;
        synchronized (deliveryRunners)
        {
            runners = new ArrayList<>(deliveryRunners);
        }
        runners.addAll(subscriptionRunners.values());
        return runners;
    }

    void onError(final Throwable error)
    {
        if (error instanceof AgentTerminationException)
        {
            return; // A subscription's agent ending itself, not a fault.
        }
        counters.errors().increment();
        ctx.errorHandler().onError(error);
    }
}
