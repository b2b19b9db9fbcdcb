package io.junction;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * A subscription: its outboxes (one per shard), the handler they drain into, and the isolation of the
 * handler's faults, as an OTP supervisor isolates a child's. It is run by a {@link DeliveryAgent} when it
 * has messages (the shards put it in its agent's {@link DeliveryLane}), or on the shard's thread itself
 * ({@link DeliveryThread#PIPELINE}).
 * <p>
 * An idle one costs a few hundred bytes: outbox queues are created as messages arrive, and it has counters
 * in the counters file only when it is named, or runs on a thread of its own or on the pipeline; otherwise
 * its figures are plain fields read through {@link Subscription}.
 */
final class SwitchSubscription extends DeliveryLane.Node implements Subscription
{
    private static final AtomicReferenceFieldUpdater<SwitchSubscription, TerminationReason> TERMINATION =
        AtomicReferenceFieldUpdater.newUpdater(SwitchSubscription.class, TerminationReason.class, "termination");

    private static final Priority[] PRIORITIES = Priority.values(); // values() copies its array at each call
    private static final VarHandle DROPPED_BY_CLASS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SCHEDULED;
    private static final VarHandle BUSY;
    private static final VarHandle FINISHED;
    private static final VarHandle DELIVERED;
    private static final VarHandle FAULTS;
    private static final VarHandle ROUTES_PENDING;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            SCHEDULED = lookup.findVarHandle(SwitchSubscription.class, "scheduled", int.class);
            BUSY = lookup.findVarHandle(SwitchSubscription.class, "busy", int.class);
            FINISHED = lookup.findVarHandle(SwitchSubscription.class, "finished", int.class);
            DELIVERED = lookup.findVarHandle(SwitchSubscription.class, "deliveredValue", long.class);
            FAULTS = lookup.findVarHandle(SwitchSubscription.class, "faultsValue", long.class);
            ROUTES_PENDING = lookup.findVarHandle(SwitchSubscription.class, "routesPending", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final long id;
    private final long[] droppedByClass = new long[PRIORITIES.length]; // several shards may drop
    private final String pattern;
    private final SubscriptionOptions options;
    private final SlowSubscriberPolicy policy;
    private final Conductor owner;
    private final boolean mayHold; // back-pressure: a RoomAwareHandler without room has a message held
    private final Outbox[] outboxes;
    private RestartIntensity restartIntensity; // made at the first fault: most handlers never throw
    private final NanoClock nanoClock;
    // Null unless it has counters of its own (named, OWN or PIPELINE).
    private final AtomicCounter deliveredCounter;
    private final AtomicCounter droppedCounter;
    private final AtomicCounter faultsCounter;
    private final AtomicCounter restartsCounter;
    private volatile int finished;
    private volatile int scheduled; // 1 while in its lane's queue
    private volatile int busy;      // 1 while an agent is in a turn of it
    private volatile long deliveredValue;
    private volatile long faultsValue;
    private DeliveryLane lane;
    private volatile int routesPending; // shards yet to add its route
    private volatile Thread waiter;
    private final io.junction.observe.StageLatency deliverLatency;
    private final io.junction.observe.LatencyRecorder deliverLatencyRecorder;
    private boolean inLatencyBatch;
    private long latencyBatchToken;
    private long latencyBatchStartNs;

    // The conductor's SubscriptionRegistry links its subscriptions through these, under its lock.
    SwitchSubscription registryPrevious;
    SwitchSubscription registryNext;
    boolean registered;

    private MessageHandler handler;
    private long delivered;
    private volatile long[] finalCounts;
    private volatile TerminationReason termination;
    private volatile Throwable terminationCause;
    private boolean runsOnOwnThread;
    private final boolean holdsInOutbox; // mayHold in INVOKER mode: see mayTakeFromOutbox
    private boolean held; // the delivery agent's: its last turn stopped at a message the handler had no room for
    private boolean onPipeline;

    SwitchSubscription(
        final long id,
        final String pattern,
        final MessageHandler handler,
        final SubscriptionOptions options,
        final Conductor owner,
        final int shards)
    {
        this.id = id;
        this.pattern = pattern;
        this.handler = handler;
        this.options = options;
        this.policy = options.slowSubscriberPolicy();
        this.owner = owner;
        // Only back-pressure holds a message the handler has no room for; the other policies drop in the handler.
        this.mayHold = SlowSubscriberPolicy.BACK_PRESSURE == policy;
        this.holdsInOutbox = mayHold && owner.deliversOnCaller();
        this.nanoClock = owner.context().nanoClock();
        this.routesPending = shards;
        this.outboxes = new Outbox[shards];
        for (int i = 0; i < shards; i++)
        {
            outboxes[i] = new Outbox(this, policy, options.outboxCapacity(), owner.context().expressCritical(), i);
        }
        if (null != options.name() || options.deliveryThread() != DeliveryThread.SHARED)
        {
            final SwitchCounters counters = owner.counters();
            final String label = "subscription " + id + " '" + pattern + "' " +
                (null == options.name() ? "" : "name=" + options.name() + " ");
            deliveredCounter = counters.newCounter(label + "delivered", SwitchCounters.SUBSCRIPTION_DELIVERED_TYPE_ID);
            droppedCounter = counters.newCounter(label + "dropped", SwitchCounters.SUBSCRIPTION_DROPPED_TYPE_ID);
            faultsCounter = counters.newCounter(label + "faults", SwitchCounters.SUBSCRIPTION_FAULTS_TYPE_ID);
            restartsCounter = counters.newCounter(label + "restarts", SwitchCounters.SUBSCRIPTION_RESTARTS_TYPE_ID);
        }
        else
        {
            deliveredCounter = null;
            droppedCounter = null;
            faultsCounter = null;
            restartsCounter = null;
        }
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

    /**
     * Runs on a delivery agent, fed through this lane; called once, before its routes are added.
     */
    DeliveryLane lane()
    {
        return lane;
    }

    void deliversThrough(final DeliveryLane lane)
    {
        this.lane = lane;
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

    /**
     * A shard added its route (on that shard's thread).
     */
    void onRouted()
    {
        if ((int)ROUTES_PENDING.getAndAdd(this, -1) != 1)
        {
            return;
        }
        final Thread waiter = this.waiter;
        if (null != waiter)
        {
            java.util.concurrent.locks.LockSupport.unpark(waiter);
        }
        try
        {
            options.listener().onInEffect(this);
        }
        catch (final Throwable listenerFault)
        {
            owner.onError(listenerFault);
        }
    }

    void waiter(final Thread thread)
    {
        waiter = thread;
    }

    @Override
    public boolean isInEffect()
    {
        return routesPending <= 0;
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
        return null != counts ? counts[0] : null != deliveredCounter ? deliveredCounter.get() : deliveredValue;
    }

    @Override
    public long dropped()
    {
        final long[] counts = finalCounts;
        if (null != counts)
        {
            return counts[1];
        }
        long dropped = 0;
        for (final Priority priority : PRIORITIES)
        {
            dropped += dropped(priority);
        }
        return dropped;
    }

    @Override
    public long faults()
    {
        final long[] counts = finalCounts;
        return null != counts ? counts[2] : null != faultsCounter ? faultsCounter.get() : faultsValue;
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
        return terminate(reason, cause, true);
    }

    /**
     * @param schedule false when the caller finishes it itself, so its agent need not.
     */
    boolean terminate(final TerminationReason reason, final Throwable cause, final boolean schedule)
    {
        if (TERMINATION.compareAndSet(this, null, reason))
        {
            terminationCause = cause;
            if (schedule && null != lane)
            {
                schedule();
            }
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
        if (null != droppedCounter)
        {
            droppedCounter.increment();
        }
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

    /**
     * Producer side (a shard, after queueing a message; or whoever ended it): put it in its lane if it is
     * not there already, waking the agent.
     */
    void schedule()
    {
        if (0 == scheduled && SCHEDULED.compareAndSet(this, 0, 1))
        {
            lane.push(this);
        }
    }

    /**
     * Agent side: taken out of the lane. Cleared before the turn, so a message queued during the turn
     * schedules it again.
     */
    void unscheduled()
    {
        scheduled = 0;
    }

    boolean tryAcquire()
    {
        return BUSY.compareAndSet(this, 0, 1);
    }

    void release()
    {
        busy = 0;
    }

    /**
     * @return true once it has ended and no delivery agent is in a turn of it: from then on none will drain
     * its outboxes (a turn begun later sees it ended), so a shard may take them over.
     */
    @Override
    public boolean isQuiescent()
    {
        return null != termination && 0 == busy;
    }

    /**
     * After a turn: back into the lane if messages are still queued (the budget ran out, or some arrived
     * while a turn of it could not be run) or it ended and has not finished yet.
     */
    void rescheduleIfReady()
    {
        if (0 == finished && (null != termination || hasQueued()))
        {
            schedule();
        }
    }

    private boolean hasQueued()
    {
        for (final Outbox outbox : outboxes)
        {
            if (outbox.depth() > 0)
            {
                return true;
            }
        }
        return false;
    }

    boolean isFinished()
    {
        return 0 != finished;
    }

    /**
     * One turn on a delivery agent: at most {@code budget} messages from each outbox.
     *
     * @return the messages handed over.
     */
    int runTurn(final int budget)
    {
        if (null != termination)
        {
            finish();
            return 0;
        }

        int work = 0;
        for (final Outbox outbox : outboxes)
        {
            work += outbox.drain(budget);
        }
        if (inLatencyBatch) // deliver() runs only inside this loop, so the batch it began ends here
        {
            inLatencyBatch = false;
            deliverLatencyRecorder.endBatch(latencyBatchToken);
        }
        if (null != termination)
        {
            finish();
        }
        return work;
    }

    /**
     * Offer to hand-over, with the clock read once per duty cycle: cheap enough to record every message.
     */
    private void recordDeliverLatency(final Message message, final long pipelineNowNs)
    {
        if (onPipeline)
        {
            // No duty cycle of its own to close a batch: each message is a batch of one, timed by the shard's
            // clock read for its dispatch batch.
            final long token = deliverLatencyRecorder.beginBatch();
            // (A message routed outside a batch, a queue-group leaver's moved, may be younger: then the clock.)
            final long sinceOfferNs = pipelineNowNs - message.timestampNs();
            deliverLatencyRecorder.record(0 != pipelineNowNs && sinceOfferNs >= 0 ? sinceOfferNs :
                nanoClock.nanoTime() - message.timestampNs());
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
        return deliver(message, 0);
    }

    /**
     * On shard {@code shard}'s thread, during its dispatch (a subscription delivered on the pipeline).
     *
     * @return false if the handler had no room for it ({@link RoomAwareHandler}): the shard holds it.
     */
    boolean deliverOnPipeline(final Message message, final int shard)
    {
        if (!hasRoomFor(message))
        {
            return false; // Held: the shard offers it again on a later cycle, as for a full outbox.
        }
        deliver(message, owner.batchNowNs(shard));
        return true;
    }

    /**
     * Back-pressure with a {@link RoomAwareHandler}: whether the handler can take {@code message} now. Without room a
     * message stays where it is (the shard's ring on the pipeline, the outbox otherwise) and is offered again later.
     */
    boolean hasRoomFor(final Message message)
    {
        return !mayHold || null != termination || !(handler instanceof RoomAwareHandler room) ||
            room.hasRoomFor(message);
    }

    /**
     * Consumer side ({@link Outbox#drain}), before taking {@code message} out of the outbox. In INVOKER mode a
     * back-pressure handler without room leaves it there: the caller's thread is the one that makes the room (a
     * remote subscriber's socket is written by the I/O agent that runs the switch), so it must not wait for it.
     *
     * @return false to stop the turn at {@code message}; the agent offers it again on its next duty cycle.
     */
    boolean mayTakeFromOutbox(final Message message)
    {
        if (!holdsInOutbox || hasRoomFor(message))
        {
            return true;
        }
        held = true;
        return false;
    }

    /**
     * Agent side, after a turn.
     *
     * @return true (once) if the turn stopped at a message the handler had no room for.
     */
    boolean takeHeld()
    {
        final boolean wasHeld = held;
        held = false;
        return wasHeld;
    }

    /**
     * Agent side: a held subscription stays out of its lane until the agent offers it again, with its scheduled flag
     * set as if it were queued there, so a producer does not put it back in the lane (to be spun on) meanwhile.
     *
     * @return true if the agent now holds it; false if a producer put it in the lane during the turn.
     */
    boolean holdOutOfLane()
    {
        return SCHEDULED.compareAndSet(this, 0, 1);
    }

    /**
     * @param pipelineNowNs the shard's clock for its dispatch batch, or 0 to read the clock.
     */
    private boolean deliver(final Message message, final long pipelineNowNs)
    {
        // An outbox checks before it takes a message, so one taken is always handed over: none is lost
        // between being taken and an end that a queue group's shard then moves the rest after.
        if (onPipeline && null != termination)
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
                recordDeliverLatency(message, pipelineNowNs);
            }
            handler.onMessage(message);
            if (null != deliveredCounter)
            {
                deliveredCounter.setRelease(++delivered);
            }
            else
            {
                DELIVERED.setRelease(this, ++delivered);
            }
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
        if (null != faultsCounter)
        {
            faultsCounter.increment();
        }
        else
        {
            FAULTS.getAndAdd(this, 1L);
        }
        if (null == restartIntensity)
        {
            restartIntensity = new RestartIntensity(options.maxRestarts(), options.restartWindowNs());
        }
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
        if (null != restartsCounter)
        {
            restartsCounter.increment();
        }
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
        if (!FINISHED.compareAndSet(this, 0, 1))
        {
            return;
        }

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
        if (null != deliveredCounter)
        {
            // Keep the last values readable after the counters are returned to the manager (the plain fields of
            // one without counters stay readable as they are).
            finalCounts = new long[]{ delivered(), dropped(), faults() };
            deliveredCounter.close();
            droppedCounter.close();
            faultsCounter.close();
            restartsCounter.close();
        }
        if (null != deliverLatency)
        {
            deliverLatency.release(deliverLatencyRecorder);
        }
    }

    @Override
    public String toString()
    {
        return "Subscription{id=" + id + ", pattern='" + pattern + "', policy=" + policy +
            ", termination=" + termination + '}';
    }
}
