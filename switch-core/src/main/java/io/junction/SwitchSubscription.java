package io.junction;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * A subscription and its delivery agent: it drains its outboxes (one per shard) into the handler,
 * isolating the handler's faults as an OTP supervisor isolates a child's.
 */
final class SwitchSubscription implements Subscription, Agent
{
    private static final AtomicReferenceFieldUpdater<SwitchSubscription, TerminationReason> TERMINATION =
        AtomicReferenceFieldUpdater.newUpdater(SwitchSubscription.class, TerminationReason.class, "termination");

    private static final java.lang.invoke.VarHandle DROPPED_BY_CLASS =
        java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);

    private final long id;
    private final long[] droppedByClass = new long[Priority.values().length]; // several shards may drop
    private final String pattern;
    private final SubscriptionOptions options;
    private final SlowSubscriberPolicy policy;
    private final Junction owner;
    private final Outbox[] outboxes;
    private final RestartIntensity restartIntensity;
    private final NanoClock nanoClock;
    private final int batchLimit;
    private final AtomicCounter deliveredCounter;
    private final AtomicCounter droppedCounter;
    private final AtomicCounter faultsCounter;
    private final AtomicCounter restartsCounter;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final String roleName;
    private final io.junction.observe.StageLatency deliverLatency;
    private final io.junction.observe.LatencyRecorder deliverLatencyRecorder;
    private boolean inLatencyBatch;
    private long latencyBatchToken;
    private long latencyBatchStartNs;

    private MessageHandler handler;
    private long delivered;
    private volatile long[] finalCounts;
    private volatile TerminationReason termination;
    private volatile Throwable terminationCause;
    private boolean runsOnOwnThread;
    private boolean onPipeline;

    SwitchSubscription(
        final long id,
        final String pattern,
        final MessageHandler handler,
        final SubscriptionOptions options,
        final Junction owner,
        final int shards)
    {
        this.id = id;
        this.pattern = pattern;
        this.handler = handler;
        this.options = options;
        this.policy = options.slowSubscriberPolicy();
        this.owner = owner;
        this.nanoClock = owner.context().nanoClock();
        this.batchLimit = owner.context().deliveryBatchLimit();
        this.restartIntensity = new RestartIntensity(options.maxRestarts(), options.restartWindowNs());
        this.outboxes = new Outbox[shards];
        for (int i = 0; i < shards; i++)
        {
            outboxes[i] = new Outbox(this, policy, options.outboxCapacity(), owner.context().expressCritical());
        }
        this.roleName = "junction-sub-" + id;
        final SwitchCounters counters = owner.counters();
        final String label = Subscription.counterLabel(id, pattern, options.name());
        deliveredCounter = counters.newCounter(label + "delivered", SwitchCounters.SUBSCRIPTION_DELIVERED_TYPE_ID);
        droppedCounter = counters.newCounter(label + "dropped", SwitchCounters.SUBSCRIPTION_DROPPED_TYPE_ID);
        faultsCounter = counters.newCounter(label + "faults", SwitchCounters.SUBSCRIPTION_FAULTS_TYPE_ID);
        restartsCounter = counters.newCounter(label + "restarts", SwitchCounters.SUBSCRIPTION_RESTARTS_TYPE_ID);
        final io.junction.observe.SwitchLatency latency = owner.context().latency();
        deliverLatency = null == latency ? null : latency.offerToDeliver();
        deliverLatencyRecorder = null == deliverLatency ? null : deliverLatency.newRecorder();
    }

    Outbox outbox(final int shard)
    {
        return outboxes[shard];
    }

    SlowSubscriberPolicy policy()
    {
        return policy;
    }

    SubscriptionOptions options()
    {
        return options;
    }

    void deliversOnPipeline()
    {
        onPipeline = true;
        for (final Outbox outbox : outboxes)
        {
            outbox.deliverInline();
        }
    }

    void runsOnOwnThread(final boolean ownThread)
    {
        this.runsOnOwnThread = ownThread;
    }

    @Override
    public long id()
    {
        return id;
    }

    @Override
    public String pattern()
    {
        return pattern;
    }

    @Override
    public String name()
    {
        return options.name();
    }

    @Override
    public boolean isActive()
    {
        return null == termination;
    }

    @Override
    public TerminationReason terminationReason()
    {
        return termination;
    }

    @Override
    public long delivered()
    {
        final long[] counts = finalCounts;
        return null != counts ? counts[0] : deliveredCounter.get();
    }

    @Override
    public long dropped()
    {
        final long[] counts = finalCounts;
        return null != counts ? counts[1] : droppedCounter.get();
    }

    @Override
    public long faults()
    {
        final long[] counts = finalCounts;
        return null != counts ? counts[2] : faultsCounter.get();
    }

    @Override
    public long queueDepth()
    {
        long depth = 0;
        for (final Outbox outbox : outboxes)
        {
            depth += outbox.depth();
        }
        return depth;
    }

    boolean isIdle()
    {
        return !isActive() || queueDepth() == 0;
    }

    @Override
    public void close()
    {
        owner.unsubscribe(this, TerminationReason.CLOSED);
    }

    /**
     * Mark it ended; the first reason wins. Its agent does the rest on its next duty cycle.
     */
    boolean terminate(final TerminationReason reason, final Throwable cause)
    {
        if (TERMINATION.compareAndSet(this, null, reason))
        {
            terminationCause = cause;
            return true;
        }
        return false;
    }

    /**
     * A message of this class was dropped for this subscription, just now (by the shard that dropped it).
     */
    void onDropped(final Priority priority)
    {
        DROPPED_BY_CLASS.getAndAdd(droppedByClass, priority.ordinal(), 1L);
        droppedCounter.increment();
        owner.counters().onSubscriberDropped(priority);
    }

    @Override
    public long dropped(final Priority priority)
    {
        return (long)DROPPED_BY_CLASS.getVolatile(droppedByClass, priority.ordinal());
    }

    /**
     * @return messages of this class waiting in its outboxes.
     */
    long queueDepth(final Priority priority)
    {
        long depth = 0;
        for (final Outbox outbox : outboxes)
        {
            depth += outbox.depth(priority);
        }
        return depth;
    }

    @Override
    public int doWork()
    {
        if (null != termination)
        {
            finish();
            if (runsOnOwnThread)
            {
                throw new AgentTerminationException();
            }
            return 0;
        }

        int work = 0;
        for (final Outbox outbox : outboxes)
        {
            work += outbox.drain(batchLimit);
        }
        if (inLatencyBatch) // deliver() runs only inside this loop, so the batch it began ends here
        {
            inLatencyBatch = false;
            deliverLatencyRecorder.endBatch(latencyBatchToken);
        }
        return work;
    }

    /**
     * Offer to hand-over, with the clock read once per duty cycle: cheap enough to record every message.
     */
    private void recordDeliverLatency(final Message message)
    {
        if (onPipeline)
        {
            // No duty cycle of its own to close a batch: each message is a batch of one.
            final long token = deliverLatencyRecorder.beginBatch();
            deliverLatencyRecorder.record(nanoClock.nanoTime() - message.timestampNs());
            deliverLatencyRecorder.endBatch(token);
            return;
        }
        if (!inLatencyBatch)
        {
            latencyBatchToken = deliverLatencyRecorder.beginBatch();
            latencyBatchStartNs = nanoClock.nanoTime();
            inLatencyBatch = true;
        }
        deliverLatencyRecorder.record(latencyBatchStartNs - message.timestampNs());
    }

    /**
     * Hand one message to the handler, isolating a fault.
     *
     * @return false if the subscription ended and must deliver no more.
     */
    boolean deliver(final Message message)
    {
        if (null != termination)
        {
            return false;
        }
        if (io.junction.regulate.Regulator.NO_DEADLINE != message.deadlineNs &&
            owner.onExpiredAtDelivery(message, nanoClock.nanoTime()))
        {
            return true;
        }
        try
        {
            if (null != deliverLatencyRecorder)
            {
                recordDeliverLatency(message);
            }
            handler.onMessage(message);
            deliveredCounter.setRelease(++delivered);
            return true;
        }
        catch (final VirtualMachineError error)
        {
            throw error;
        }
        catch (final Throwable fault)
        {
            return onFault(fault);
        }
    }

    private boolean onFault(final Throwable fault)
    {
        faultsCounter.increment();
        if (restartIntensity.onFault(nanoClock.nanoTime()))
        {
            terminate(TerminationReason.RESTART_INTENSITY_EXCEEDED, fault);
            if (onPipeline)
            {
                finish(); // No agent of its own to do it.
            }
            return false;
        }

        if (null != options.handlerFactory())
        {
            handler = options.handlerFactory().get();
        }
        restartsCounter.increment();
        notifyRestart(fault);
        return true;
    }

    private void notifyRestart(final Throwable fault)
    {
        try
        {
            options.listener().onRestart(this, fault);
        }
        catch (final Throwable listenerFault)
        {
            owner.onError(listenerFault);
        }
    }

    /**
     * Release everything once: routes, counters, and tell the application. Safe from any thread.
     */
    void finish()
    {
        if (!finished.compareAndSet(false, true))
        {
            return;
        }

        deliveredCounter.setRelease(delivered);
        owner.onSubscriptionFinished(this);
        try
        {
            options.listener().onTerminated(this, termination, terminationCause);
        }
        catch (final Throwable listenerFault)
        {
            owner.onError(listenerFault);
        }
    }

    void closeCounters()
    {
        // Keep the last values readable after the counters are returned to the manager.
        finalCounts = new long[]{ deliveredCounter.get(), droppedCounter.get(), faultsCounter.get() };
        deliveredCounter.close();
        droppedCounter.close();
        faultsCounter.close();
        restartsCounter.close();
        if (null != deliverLatency)
        {
            deliverLatency.release(deliverLatencyRecorder);
        }
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    @Override
    public String toString()
    {
        return "Subscription{id=" + id + ", pattern='" + pattern + "', policy=" + policy +
            ", termination=" + termination + '}';
    }
}
