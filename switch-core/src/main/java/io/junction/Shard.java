package io.junction;

import java.util.Queue;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.status.AtomicCounter;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.dsl.ProducerType;

import io.junction.agent.WakeableIdleStrategy;

/**
 * One pipeline: a Disruptor ring that publishers copy into, and the agent that takes each message from
 * it, asks its {@link Router} for the matching routes and has its {@link Dispatcher} hand it to them.
 * The agent also applies the conductor's subscription changes to the router, between messages.
 * <p>
 * Topics are partitioned across shards, so each topic's order is kept by one ring.
 */
final class Shard extends ShardAgentPadding implements Agent, WakeableIdleStrategy.Signal
{
    private static final int EXPRESS_SCAN_LIMIT = 4096;
    private static final java.lang.invoke.VarHandle PARKED;

    static
    {
        try
        {
            PARKED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Shard.class, "parked", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int index;
    private final int shardCount;
    private final RingBuffer<MessageEvent> ring;
    private final Sequence dispatched = new Sequence(RingBuffer.INITIAL_CURSOR_VALUE);
    private final Router router;
    private final SegmentReclaimer reclaimer;
    private final Dispatcher dispatcher;
    // Additions are bounded (Context.routeCommandQueueCapacity): a flood of subscribes against a shard that is not
    // applying them is refused, not queued without end. Removals are never refused (a refused one would leave a
    // route to a finished subscription); each undoes an addition this queue admitted, so they cannot outnumber
    // the shard's routes.
    private final ManyToOneConcurrentArrayQueue<RouteCommand> additions;
    private final Queue<RouteCommand> removals = new ManyToOneConcurrentLinkedQueue<>();
    private final AtomicCounter additionsRefusedCounter;
    private static final long ADDITION_WAIT_NS = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(100);
    private volatile long additionsApplied; // written by the shard's thread only
    private volatile long appliedAtLastRefusal = -1;
    private volatile Thread agentThread;
    private volatile boolean agentClosed; // a caller waiting for room stops waiting
    private final int batchLimit;
    private final AtomicCounter dispatchedCounter;
    private final AtomicCounter backPressuredCounter;
    private final AtomicCounter stallsCounter;
    private final AtomicCounter graceWaitsCounter;
    private final AtomicCounter graceExpiredCounter;
    private final String roleName;
    private final org.agrona.concurrent.NanoClock nanoClock;
    private final io.junction.observe.LatencyRecorder routeLatencyRecorder;
    private final long sequenceBase;
    private final JournalStage journalStage; // null when the switch has no journal

    private volatile Thread parked; // the shard's thread while it parks, for publishers to wake
    private long batchNowNs; // the clock, read once per dispatch batch, for what is delivered on this thread

    io.junction.regulate.DispatchRegulation regulation = io.junction.regulate.DispatchRegulation.NONE;

    // The CRITICAL express lane (Context.expressCritical); its state is in ShardAgentFields.
    private final boolean expressCritical;
    private final boolean checkEachSlot;
    private final boolean everyMessageWakes;
    private final InvokerWake invokerWake; // INVOKER mode's wake of the caller, or null

    Shard(final int index, final Junction.Context ctx, final SwitchCounters counters)
    {
        this.index = index;
        this.shardCount = ctx.shards();
        this.ring = RingBuffer.create(
            ctx.singleProducer() ? ProducerType.SINGLE : ProducerType.MULTI,
            MessageEvent.factory(ctx.maxMessageLength()),
            ctx.ringSize(),
            // Never waited on (the agent polls); chosen because its publish-side signal is a no-op.
            new BusySpinWaitStrategy());
        this.ring.addGatingSequences(dispatched);
        this.sequenceBase = null == ctx.journalSink() ? 0 : ctx.journalSink().lastSequence() + 1;
        this.journalStage = null == ctx.journalSink() ? null : new JournalStage(index, ring, ctx, counters);
        if (null != journalStage)
        {
            if (null == ctx.invokerWakeSignal())
            {
                journalStage.journaledWake(this::wake); // In INVOKER mode the caller runs the stage and the shard.
            }
            this.ring.addGatingSequences(journalStage.sequence());
        }
        this.batchLimit = ctx.dispatchBatchLimit();
        this.additions = new ManyToOneConcurrentArrayQueue<>(ctx.routeCommandQueueCapacity());
        this.expressCritical = ctx.expressCritical();
        // With one producer the cursor only passes published slots; with several, a claimed slot may
        // still be being written, so each one is checked (the journal stage has checked them already).
        this.checkEachSlot = !ctx.singleProducer() && null == journalStage;
        // Each offer and command wakes a parked shard, unless a single producer may miss the wake or the
        // messages come through the journal stage, which does not signal.
        this.everyMessageWakes = !ctx.singleProducer() && null == journalStage;
        this.invokerWake = ctx.invokerWakeSignal();
        this.roleName = "junction-shard-" + index;
        this.nanoClock = ctx.nanoClock();
        this.routeLatencyRecorder = null == ctx.latency() ? null : ctx.latency().offerToRoute().newRecorder();
        this.dispatchedCounter = counters.newCounter(
            "shard " + index + " dispatched", SwitchCounters.SHARD_DISPATCHED_TYPE_ID);
        this.backPressuredCounter = counters.newCounter(
            "shard " + index + " back-pressured offers", SwitchCounters.SHARD_BACK_PRESSURED_TYPE_ID);
        this.stallsCounter = counters.newCounter(
            "shard " + index + " stalls on back-pressure subscribers", SwitchCounters.SHARD_STALLS_TYPE_ID);
        this.additionsRefusedCounter = counters.newCounter(
            "shard " + index + " route additions refused", SwitchCounters.SHARD_ROUTE_ADDITIONS_REFUSED_TYPE_ID);
        this.reclaimer = new SegmentReclaimer(ctx.nanoClock(), SegmentReclaimer.IDLE_NS);
        this.router = new Router(ctx, counters, reclaimer, this);
        this.graceWaitsCounter = counters.newCounter(
            "shard " + index + " drop-grace waits", SwitchCounters.SHARD_DROP_GRACE_WAITS_TYPE_ID);
        this.graceExpiredCounter = counters.newCounter(
            "shard " + index + " drop-grace expired", SwitchCounters.SHARD_DROP_GRACE_EXPIRED_TYPE_ID);
        // The grace is for threads that compete for cores; on the caller's thread (INVOKER) every agent gets
        // its turn in each call, and a replica's drops must not depend on timing.
        final long dropGraceNs = ThreadingMode.INVOKER == ctx.threadingMode() ? 0 : ctx.dropGraceNs();
        this.dispatcher = new Dispatcher(
            counters, stallsCounter, graceWaitsCounter, graceExpiredCounter, ctx.nanoClock(), dropGraceNs);
    }

    int index()
    {
        return index;
    }

    JournalStage journalStage()
    {
        return journalStage;
    }

    /**
     * Claim a slot, copy the message in and publish it. Never blocks.
     */
    long offer(
        final String topic,
        final Priority priority,
        final long timestampNs,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return offer(topic, QueueGroup.NO_KEY, priority, QualityOfService.BEST_EFFORT, timestampNs,
            io.junction.regulate.Regulator.NO_DEADLINE, null, buffer, offset, length, 0, 0);
    }

    /**
     * As above, with a quality of service, and for a message load regulation admitted: it carries its
     * deadline and admission.
     */
    long offer(
        final String topic,
        final long key,
        final Priority priority,
        final QualityOfService qos,
        final long timestampNs,
        final long deadlineNs,
        final io.junction.regulate.Admission admission,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence)
    {
        return offer(topic, key, priority, qos, timestampNs, deadlineNs, admission, buffer, offset, length,
            publisherId, publisherSequence, null, 0);
    }

    /**
     * As above, for a request: it carries the topic to reply on and the requester's correlation id.
     */
    long offer(
        final String topic,
        final long key,
        final Priority priority,
        final QualityOfService qos,
        final long timestampNs,
        final long deadlineNs,
        final io.junction.regulate.Admission admission,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence,
        final String replyTo,
        final long correlationId)
    {
        if (QualityOfService.GUARANTEED == qos && (null == journalStage || !journalStage.isAvailable()))
        {
            if (null != journalStage)
            {
                journalStage.onRefused();
            }
            return OfferResult.JOURNAL_UNAVAILABLE;
        }

        final long ringSequence;
        try
        {
            // Check first, so a saturated ring costs a read rather than a thrown exception.
            if (!ring.hasAvailableCapacity(1))
            {
                return backPressured();
            }
            ringSequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            return backPressured();
        }

        final long sequence = sequenceBase + ringSequence * shardCount + index;
        final MessageEvent event = ring.get(ringSequence);
        event.set(topic, priority, timestampNs, sequence, buffer, offset, length);
        event.setRest(qos, deadlineNs, admission, publisherId, publisherSequence, key, replyTo, correlationId);
        ring.publish(ringSequence);
        return sequence;
    }

    private long backPressured()
    {
        backPressuredCounter.increment();
        return OfferResult.BACK_PRESSURED;
    }

    /**
     * @param sequence a sequence this shard assigned.
     */
    Durability durability(final long sequence)
    {
        final long ringSequence = (sequence - sequenceBase) / shardCount;
        if (null == journalStage || sequence < sequenceBase || ringSequence > ring.getCursor())
        {
            return Durability.UNKNOWN;
        }
        return journalStage.durability(ringSequence);
    }

    int shardOf(final long sequence)
    {
        return sequence < sequenceBase ? -1 : (int)((sequence - sequenceBase) % shardCount);
    }

    /**
     * Queue a route addition. A full queue is waited on for room up to {@code timeoutNs} (the shard is behind
     * a burst of subscribes, and the caller takes its pace), unless the caller is this shard's own thread, may
     * not wait, or the shard has applied nothing since the last refusal (it is stalled: refused at once).
     *
     * @return false, counted, if it was refused.
     */
    boolean enqueueAddition(final RouteCommand command, final boolean mayWait, final long timeoutNs)
    {
        if (additions.offer(command))
        {
            wake();
            return true;
        }
        if (mayWait && Thread.currentThread() != agentThread && additionsApplied != appliedAtLastRefusal)
        {
            final long deadlineNs = System.nanoTime() + timeoutNs;
            do
            {
                wake();
                java.util.concurrent.locks.LockSupport.parkNanos(ADDITION_WAIT_NS);
                if (additions.offer(command))
                {
                    wake();
                    return true;
                }
            }
            while (System.nanoTime() - deadlineNs < 0 && !agentClosed);
        }
        appliedAtLastRefusal = additionsApplied;
        additionsRefusedCounter.increment();
        return false;
    }

    void enqueueRemoval(final RouteCommand command)
    {
        removals.offer(command);
        wake();
    }

    int routeCommandQueueCapacity()
    {
        return additions.capacity();
    }

    /**
     * Publisher side, after a publish: unpark the shard's thread if it is parked, so the message does not
     * wait out the park. With several producers the claim's compare-and-set orders this read after the
     * publish; with a single producer a wake may be missed, and then the park (at most 1 ms) ends it.
     */
    void wake()
    {
        if (null != invokerWake)
        {
            invokerWake.wake(); // The caller runs the shards and the delivery agents: one wake for all.
            return;
        }
        if (null != journalStage)
        {
            journalStage.wake(); // The stage takes the message first; it wakes this shard once it has passed it.
        }
        final Thread parked = this.parked;
        if (null != parked && PARKED.compareAndSet(this, parked, (Thread)null))
        {
            // Only the publisher that clears it unparks: an unpark is a system call, and until the woken
            // shard runs, every offer would otherwise make another.
            java.util.concurrent.locks.LockSupport.unpark(parked);
            // A shard that parked has likely left its delivery agent parked too: wake that now, so it is
            // looking (spinning) when the message reaches its lane instead of waiting for a second wake-up.
            final DeliveryLane lane = dispatcher.lastLane();
            if (null != lane)
            {
                lane.wake();
            }
        }
    }

    @Override
    public boolean wasWoken()
    {
        return null == parked;
    }

    /**
     * Consumer side (a delivery agent that took messages from an outbox this shard feeds): a shard stalled
     * on a full outbox has no wake of its own to wait for, so the room made is its wake. Racy reads of the
     * agent's fields: a stall missed here ends with the shard's park, as before.
     */
    void onRoomMade()
    {
        if (null != stalledRoutes || null != expressEvent)
        {
            wake();
        }
    }

    @Override
    public void parked(final Thread thread)
    {
        parked = thread;
    }

    /**
     * Work that no wake announces keeps the parks short: a back-pressuring subscriber to retry, queue-group
     * leavers to move, or messages whose arrival may not wake the shard. Otherwise an idle shard may sleep
     * as long as a delivery agent does.
     */
    @Override
    public boolean isBusy()
    {
        return !everyMessageWakes || null != stalledRoutes || null != expressEvent || router.hasLeavers();
    }

    /**
     * INVOKER mode: work that no wake announces (see {@link #isBusy()}; every offer wakes the caller, who runs the
     * journal stage too, so only a journal stage that is behind counts).
     */
    boolean isBusyOnCaller()
    {
        return null != stalledRoutes || null != expressEvent || router.hasLeavers() ||
            (null != journalStage && journalStage.sequence().get() < ring.getCursor());
    }

    /**
     * INVOKER mode: messages or route changes left for the next cycle (a batch limit reached), unless a
     * back-pressuring subscriber holds them ({@link #isBusyOnCaller()}).
     */
    boolean hasWorkOnCaller()
    {
        if (!additions.isEmpty() || !removals.isEmpty())
        {
            return true;
        }
        final long available = null == journalStage ? ring.getCursor() : journalStage.sequence().get();
        return available > dispatched.get() && null == stalledRoutes && null == expressEvent;
    }

    @Override
    public boolean hasWork()
    {
        // New since the last cycle, not merely undispatched: a shard held by a back-pressuring subscriber
        // must back off, not spin.
        final long available = null == journalStage ? ring.getCursor() : journalStage.sequence().get();
        return available > cursorSeen || !additions.isEmpty() || !removals.isEmpty();
    }

    /**
     * On this shard's thread, during a dispatch: the clock as read at the start of the batch (a subscription
     * delivered on the pipeline records its latency with it rather than read the clock per message).
     */
    long batchNowNs()
    {
        return batchNowNs;
    }

    /**
     * @return true when every published message has been dispatched.
     */
    boolean isDrained()
    {
        return dispatched.get() >= ring.getCursor();
    }

    long ringOccupancy()
    {
        return ring.getCursor() - dispatched.get();
    }

    @Override
    public int doWork()
    {
        int work = applyCommands();
        if (router.hasLeavers())
        {
            work += router.moveLeavers();
        }
        if (reclaimer.hasTracked())
        {
            work += reclaimer.reclaim();
        }
        // The cursor is written by publishers on every publish: read it once per cycle, not per message.
        final long cursor = ring.getCursor();
        final long first = dispatched.get() + 1;
        regulation.beginCycle(cursor == first - 1);

        final long available = null == journalStage ? cursor : journalStage.sequence().get();
        cursorSeen = available;
        // A backlog: the head waits on a back-pressuring subscriber, or more is ready than one batch takes.
        if (expressCritical && (null != stalledRoutes || available - first >= batchLimit))
        {
            work += expressCritical(first, available);
        }
        final long last = Math.min(available, first + batchLimit - 1);
        long processed = first - 1;
        final long batchStartNs = first <= last ? nanoClock.nanoTime() : 0;
        if (first <= last)
        {
            batchNowNs = batchStartNs;
        }
        for (long sequence = first; sequence <= last; sequence++)
        {
            if ((checkEachSlot && !ring.isAvailable(sequence)) || !dispatch(ring.get(sequence)))
            {
                break;
            }
            processed = sequence;
        }
        if (null != routeLatencyRecorder && processed >= first)
        {
            recordRouteLatency(first, processed, batchStartNs);
        }

        if (processed >= first)
        {
            dispatched.set(processed);
            dispatchedCounter.setRelease(processed + 1);
            work += (int)(processed - first + 1);
        }
        return work;
    }

    private void recordRouteLatency(final long first, final long last, final long batchStartNs)
    {
        final long token = routeLatencyRecorder.beginBatch();
        for (long sequence = first; sequence <= last; sequence++)
        {
            routeLatencyRecorder.record(batchStartNs - ring.get(sequence).timestampNs);
        }
        routeLatencyRecorder.endBatch(token);
    }

    /**
     * Dispatch the message at the head of the ring.
     *
     * @return false if a back-pressuring subscriber has no room: the same message is tried again next cycle.
     */
    private boolean dispatch(final MessageEvent event)
    {
        if (event.expressed)
        {
            return true; // Already dispatched by the express lane.
        }
        final boolean resumed = null != stalledRoutes;
        Route[] routes = stalledRoutes;
        int from = stalledIndex;
        boolean firstTry = !resumed;
        if (!resumed)
        {
            if (event == expressEvent)
            {
                firstTry = false;
                // The express lane got part of the way: the head takes over where it stopped.
                routes = expressRoutes;
                from = expressIndex;
                clearExpress();
            }
            else if (!admit(event, false))
            {
                return true;
            }
            else
            {
                routes = router.route(event.topic);
                from = 0;
            }
        }
        final int blockedAt = dispatcher.deliver(event, routes, from, firstTry);
        if (blockedAt >= 0)
        {
            stalledRoutes = routes;
            stalledIndex = blockedAt;
            return false;
        }
        stalledRoutes = null;
        stalledIndex = 0;
        regulation.onDispatched(event.admission);
        return true;
    }

    /**
     * Messages wait in the ring: hand the CRITICAL ones queued behind the head to the outboxes that have
     * room, in ring order, before the head's turn. One that cannot go everywhere yet stops the look-ahead,
     * so CRITICAL messages keep their order among themselves.
     *
     * @param head      the ring sequence of the message at the head (stalled, or next in turn).
     * @param available the last ring sequence ready for dispatch.
     * @return the number of messages dispatched.
     */
    private int expressCritical(final long head, final long available)
    {
        if ((checkEachSlot && !ring.isAvailable(head)) || Priority.CRITICAL == ring.get(head).priority)
        {
            return 0; // The head is still being written, or is CRITICAL itself: nothing may pass it.
        }
        int work = 0;
        if (null != expressEvent)
        {
            final int blockedAt = dispatcher.deliver(expressEvent, expressRoutes, expressIndex, false);
            if (blockedAt >= 0)
            {
                expressIndex = blockedAt;
                return 0;
            }
            expressEvent.expressed = true;
            regulation.onDispatched(expressEvent.admission);
            clearExpress();
            work++;
        }

        long sequence = Math.max(expressNext, head + 1);
        // Looking costs a read per slot and each slot is looked at once, so the look-ahead is not held to
        // the dispatch batch limit; the cap only bounds one duty cycle.
        final long last = Math.min(available, sequence + EXPRESS_SCAN_LIMIT - 1);
        for (; sequence <= last; sequence++)
        {
            if (checkEachSlot && !ring.isAvailable(sequence))
            {
                break;
            }
            final MessageEvent event = ring.get(sequence);
            if (Priority.CRITICAL != event.priority)
            {
                continue;
            }
            if (!admit(event, true))
            {
                event.expressed = true;
                continue;
            }
            final Route[] routes = router.route(event.topic);
            final int blockedAt = dispatcher.deliver(event, routes, 0, true);
            if (blockedAt >= 0)
            {
                expressEvent = event;
                expressRoutes = routes;
                expressIndex = blockedAt;
                expressNext = sequence + 1;
                return work;
            }
            event.expressed = true;
            regulation.onDispatched(event.admission);
            work++;
        }
        expressNext = sequence;
        return work;
    }

    private void clearExpress()
    {
        expressEvent = null;
        expressRoutes = null;
        expressIndex = 0;
    }

    /**
     * Regulation's and the journal's say on a message taken for dispatch the first time.
     *
     * @return false if it must not be delivered (expired, or not journaled): it was counted and released.
     */
    private boolean admit(final MessageEvent event, final boolean express)
    {
        if (express ?
            regulation.onExpressDequeue(event.priority, event.deadlineNs, event.admission) :
            regulation.onDequeue(event.priority, event.timestampNs, event.deadlineNs, event.admission))
        {
            return false; // Expired: dropped and counted, never delivered late.
        }
        if (event.journalFailed)
        {
            regulation.onDispatched(event.admission);
            return false; // Not durable, so not accepted: the publisher sees Durability.FAILED.
        }
        return true;
    }

    private int applyCommands()
    {
        // Additions first: a removal made after its addition is then never applied before it (but for a race
        // in which both arrive after the first poll, which the finished check below covers).
        int applied = 0;
        RouteCommand command;
        while (null != (command = additions.poll()))
        {
            if (!command.added.isFinished()) // else its removal may have been applied already: no route to add
            {
                router.apply(command);
            }
            command.added.onRouted();
            applied++;
        }
        if (applied > 0)
        {
            additionsApplied += applied; // one writer
        }
        while (null != (command = removals.poll()))
        {
            router.apply(command);
            applied++;
        }
        if (applied > 0)
        {
            router.changed(); // once per batch of changes
        }
        return applied;
    }

    @Override
    public void onStart()
    {
        agentThread = Thread.currentThread();
    }

    @Override
    public void onClose()
    {
        agentClosed = true;
        while (null != additions.poll() || null != removals.poll())
        {
            // Dropped: a subscriber still waiting sees the switch closed.
        }
    }

    void closeCounters()
    {
        dispatchedCounter.close();
        backPressuredCounter.close();
        stallsCounter.close();
        additionsRefusedCounter.close();
        graceWaitsCounter.close();
        graceExpiredCounter.close();
        if (null != journalStage)
        {
            journalStage.closeCounters();
        }
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
