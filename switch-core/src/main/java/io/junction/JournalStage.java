package io.junction;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.AtomicCounter;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;

/**
 * A shard's journal stage: the second consumer of the shard's ring. It appends the guaranteed messages
 * to the journal in batches, flushes at the end of each batch, and only then advances its sequence,
 * which the dispatcher waits for; best-effort messages only pass through it, so per-topic order is kept.
 * <p>
 * Once an append or a flush fails, the stage stays failed: every guaranteed message from the first
 * affected one is marked {@link Durability#FAILED} and not dispatched, best-effort traffic keeps flowing,
 * and new guaranteed offers are refused.
 */
final class JournalStage implements Agent, io.junction.agent.WakeableIdleStrategy.Signal
{
    private static final java.lang.invoke.VarHandle PARKED;

    static
    {
        try
        {
            PARKED = java.lang.invoke.MethodHandles.lookup().findVarHandle(JournalStage.class, "parked", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    static final long NONE = Long.MAX_VALUE;

    private final int shardIndex;
    private final int shardCount;
    private final RingBuffer<MessageEvent> ring;
    private final JournalSink sink;
    private final Sequence journaled = new Sequence(RingBuffer.INITIAL_CURSOR_VALUE);
    private final int batchLimit;
    private final AtomicCounter journaledCounter;
    private final AtomicCounter failedCounter;
    private final AtomicCounter refusedCounter;
    private final Junction.Context ctx;
    private final String roleName;
    private final org.agrona.concurrent.NanoClock nanoClock;

    private JournalSink.JournalWriter writer;
    private long appendedInBatch;
    private volatile long failedFrom = NONE;
    /** The stage's thread while it parks, for publishers to wake; null otherwise. */
    private volatile Thread parked;
    /** Wakes the shard that dispatches what this stage has passed: it waits on this stage's sequence. */
    private Runnable journaledWake = () -> { };

    JournalStage(
        final int shardIndex,
        final RingBuffer<MessageEvent> ring,
        final Junction.Context ctx,
        final SwitchCounters counters)
    {
        this.shardIndex = shardIndex;
        this.shardCount = ctx.shards();
        this.ring = ring;
        this.ctx = ctx;
        this.sink = ctx.journalSink();
        this.batchLimit = ctx.dispatchBatchLimit();
        this.nanoClock = ctx.nanoClock();
        this.roleName = "junction-journal-" + shardIndex;
        this.journaledCounter = counters.newCounter(
            "shard " + shardIndex + " journaled", SwitchCounters.SHARD_JOURNALED_TYPE_ID);
        this.failedCounter = counters.newCounter(
            "shard " + shardIndex + " guaranteed failed", SwitchCounters.SHARD_JOURNAL_FAILED_TYPE_ID);
        this.refusedCounter = counters.newCounter(
            "shard " + shardIndex + " guaranteed refused: journal unavailable",
            SwitchCounters.SHARD_JOURNAL_REFUSED_TYPE_ID);
    }

    Sequence sequence()
    {
        return journaled;
    }

    /**
     * @param wake run after the stage has advanced its sequence: the shard behind it has new work, and nothing
     *             else tells it so.
     */
    void journaledWake(final Runnable wake)
    {
        this.journaledWake = wake;
    }

    /**
     * Publisher side, after a publish: unpark the stage's thread if it is parked. Only the publisher that takes the
     * parked thread unparks it (an unpark is a system call).
     */
    void wake()
    {
        final Thread parked = this.parked;
        if (null != parked && PARKED.compareAndSet(this, parked, (Thread)null))
        {
            java.util.concurrent.locks.LockSupport.unpark(parked);
        }
    }

    @Override
    public void parked(final Thread thread)
    {
        parked = thread;
    }

    /**
     * After {@link #parked}: a publish that came first has advanced the cursor (a compare-and-set) and is seen here;
     * one that comes later sees the parked thread and unparks it.
     */
    @Override
    public boolean hasWork()
    {
        return ring.getCursor() > journaled.get();
    }

    @Override
    public boolean wasWoken()
    {
        return null == parked;
    }

    /**
     * @return true while guaranteed offers may be accepted.
     */
    boolean isAvailable()
    {
        return NONE == failedFrom && sink.isAvailable();
    }

    void onRefused()
    {
        refusedCounter.increment();
    }

    Durability durability(final long ringSequence)
    {
        if (ringSequence >= failedFrom)
        {
            return ringSequence <= journaled.get() ? Durability.FAILED : Durability.PENDING;
        }
        return ringSequence <= journaled.get() ? Durability.JOURNALED : Durability.PENDING;
    }

    @Override
    public void onStart()
    {
        try
        {
            writer = sink.newWriter(shardIndex, shardCount);
        }
        catch (final Throwable ex)
        {
            failedFrom = 0;
            onError(ex);
        }
    }

    @Override
    public int doWork()
    {
        final long first = journaled.get() + 1;
        final long last = Math.min(ring.getCursor(), first + batchLimit - 1);
        long processed = first - 1;
        boolean appended = false;
        appendedInBatch = 0;
        for (long ringSequence = first; ringSequence <= last; ringSequence++)
        {
            if (!ring.isAvailable(ringSequence))
            {
                break;
            }
            final MessageEvent event = ring.get(ringSequence);
            event.journalFailed = false;
            if (QualityOfService.GUARANTEED == event.qos)
            {
                appended |= append(ringSequence, event);
            }
            processed = ringSequence;
        }

        if (processed < first)
        {
            return 0;
        }
        if (appended)
        {
            endBatch(first, processed);
        }
        // A full fence: the shard sets its parked thread and then reads this sequence, so either it sees the
        // advance or the wake below sees it parked.
        journaled.setVolatile(processed);
        journaledWake.run();
        return (int)(processed - first + 1);
    }

    private boolean append(final long ringSequence, final MessageEvent event)
    {
        if (NONE != failedFrom)
        {
            event.journalFailed = true;
            failedCounter.increment();
            return false;
        }
        try
        {
            writer.append(event.sequence, event.topic, event.priority, event.timestampNs, event.payload, 0, event.length,
                event.publisherId, event.publisherSequence, event.replyTo, event.correlationId, ttlLeftNs(event));
            appendedInBatch++;
            return true;
        }
        catch (final Throwable ex) // The journal's library may fail with an Error (an assertion, a mapping error).
        {
            failedFrom = ringSequence;
            event.journalFailed = true;
            failedCounter.increment();
            onError(ex);
            return false;
        }
    }

    /**
     * @return what a message's time-to-live has left, for the journal to keep as its expiry; NO_TTL for none.
     */
    private long ttlLeftNs(final MessageEvent event)
    {
        return io.junction.regulate.Regulator.NO_DEADLINE == event.deadlineNs ? Publisher.NO_TTL :
            event.deadlineNs - nanoClock.nanoTime();
    }

    private void endBatch(final long first, final long last)
    {
        try
        {
            writer.onEndOfBatch();
            journaledCounter.getAndAddRelease(appendedInBatch);
        }
        catch (final Throwable ex)
        {
            // The flush failed: nothing of this batch may be reported durable.
            failedFrom = Math.min(failedFrom, first);
            for (long ringSequence = first; ringSequence <= last; ringSequence++)
            {
                final MessageEvent event = ring.get(ringSequence);
                if (QualityOfService.GUARANTEED == event.qos && !event.journalFailed)
                {
                    event.journalFailed = true;
                    failedCounter.increment();
                }
            }
            onError(ex);
        }
    }

    private void onError(final Throwable error)
    {
        ctx.errorHandler().onError(new IllegalStateException(
            "journal failed on shard " + shardIndex + ": guaranteed messages are refused until restart; " +
            "best-effort traffic continues", error));
    }

    @Override
    public void onClose()
    {
        if (null != writer)
        {
            try
            {
                writer.close();
            }
            catch (final RuntimeException ex)
            {
                ctx.errorHandler().onError(ex);
            }
        }
    }

    void closeCounters()
    {
        journaledCounter.close();
        failedCounter.close();
        refusedCounter.close();
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
