package io.junction.journal;

import org.agrona.concurrent.status.AtomicCounter;

import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A subscription that reads the journal: durable when named (its acknowledged position is persisted in the
 * journal's metadata file and survives a crash), a replay when not.
 * <p>
 * Delivery follows the journal's order and is at-least-once: after a restart it resumes after the last
 * acknowledged message. Records are numbered without gaps, so a gap means records were deleted under the
 * subscription (retention): it then stops in {@link State#BEHIND_RETENTION} and counts it, instead of
 * skipping them.
 */
public final class DurableSubscription implements AutoCloseable
{
    /**
     * Where a subscription stands.
     */
    public enum State
    {
        ACTIVE,
        /** Retention deleted messages it had not yet acknowledged (or read); it delivers nothing more. */
        BEHIND_RETENTION,
        /** Its handler threw; see {@link #failure()}. Nothing after that message is delivered. */
        FAILED,
        CLOSED
    }

    private static final String KEY_PREFIX = "junction.durable.";

    private final Journal journal;
    private final String name;
    private final String pattern;
    private final DurableMessageHandler handler;
    private final JournalCounters counters;
    private final AtomicCounter delivered;
    private final JournalMessage message = new JournalMessage();
    private final ExcerptTailer tailer;
    private final LongValue ackedPosition;
    private final LongValue ackedRecord; // record number + 1 of the last acknowledged message; 0 for none
    private long lastRecordNumber = -1;
    private long deliveredCount;
    private volatile State state = State.ACTIVE;
    private volatile Throwable failure;

    DurableSubscription(
        final Journal journal,
        final String name,
        final String pattern,
        final DurableMessageHandler handler,
        final JournalCounters counters)
    {
        this.journal = journal;
        this.name = name;
        this.pattern = pattern;
        this.handler = handler;
        this.counters = counters;
        this.delivered = counters.durableDeliveredCounter();
        this.tailer = journal.queue().createTailer();
        // Created here, then read only by the journal's delivery thread.
        this.tailer.singleThreadedCheckDisabled(true);
        this.ackedPosition = null == name ? null : journal.queue().indexForId(KEY_PREFIX + name + ".position");
        this.ackedRecord = null == name ? null : journal.queue().indexForId(KEY_PREFIX + name + ".record");
    }

    void start(final StartPosition start)
    {
        final long acked = null == ackedRecord ? 0 : ackedRecord.getVolatileValue();
        if (acked > 0)
        {
            resume(ackedPosition.getVolatileValue(), acked - 1);
            return;
        }

        switch (start.kind())
        {
            case EARLIEST:
                tailer.toStart();
                break;

            case LATEST:
                tailer.toEnd();
                break;

            case SEQUENCE:
            case TIME:
                seek(start);
                break;
        }
    }

    /**
     * Position after the acknowledged message; if its roll cycle was deleted, check the first record left
     * follows it without a gap.
     */
    private void resume(final long position, final long recordNumber)
    {
        if (tailer.moveToIndex(position))
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (dc.isPresent() && message.wrap(dc.index(), dc.wire().bytes()))
                {
                    lastRecordNumber = message.recordNumber();
                    return;
                }
            }
        }
        tailer.toStart();
        lastRecordNumber = recordNumber;
    }

    private void seek(final StartPosition start)
    {
        tailer.toStart();
        while (true)
        {
            final long index;
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return; // Nothing at or after it yet: deliver from the end, as it comes.
                }
                if (dc.isMetaData() || !message.wrap(dc.index(), dc.wire().bytes()))
                {
                    continue;
                }
                final boolean found = start.kind() == StartPosition.Kind.SEQUENCE ?
                    message.sequence() >= start.value() : message.epochNs() >= start.value();
                if (!found)
                {
                    continue;
                }
                index = dc.index();
                dc.rollbackOnClose(); // Leave it unread.
            }
            tailer.moveToIndex(index);
            return;
        }
    }

    /**
     * Deliver up to {@code limit} messages. Called by the journal's delivery agent.
     */
    int poll(final int limit)
    {
        if (State.ACTIVE != state)
        {
            return 0;
        }
        int work = 0;
        for (int i = 0; i < limit; i++)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                if (dc.isMetaData())
                {
                    continue;
                }
                work++;
                if (!message.wrap(dc.index(), dc.wire().bytes()))
                {
                    // Unreadable (a truncated or corrupt file): it cannot be delivered by anyone; say so loudly
                    // and go on, and accept whatever record number follows it.
                    counters.corruptRecordsCounter().increment();
                    journal.onError(new JournalException(describe() + " skipped a corrupt or truncated record at " +
                        "index " + Long.toHexString(dc.index()) + " after record " + lastRecordNumber));
                    lastRecordNumber = -1;
                    continue;
                }
                final long recordNumber = message.recordNumber();
                if (lastRecordNumber >= 0 && recordNumber != lastRecordNumber + 1)
                {
                    if (recordNumber <= lastRecordNumber)
                    {
                        continue; // Already delivered (read again after a resume).
                    }
                    counters.behindRetentionCounter().increment();
                    fail(State.BEHIND_RETENTION, new JournalException(describe() + " is behind retention: records " +
                        (lastRecordNumber + 1) + " to " + (recordNumber - 1) + " were deleted before it read them; " +
                        "it stops rather than skip them (resubscribe under a new name to start again)"));
                    dc.rollbackOnClose();
                    break;
                }
                lastRecordNumber = recordNumber;
                if (TopicMatcher.matches(pattern, message.topic()))
                {
                    try
                    {
                        handler.onMessage(this, message);
                    }
                    catch (final RuntimeException ex)
                    {
                        dc.rollbackOnClose();
                        fail(State.FAILED, new JournalException(describe() + ": handler threw", ex));
                        break;
                    }
                    deliveredCount++;
                    delivered.incrementRelease();
                }
            }
        }
        return work;
    }

    private void fail(final State newState, final Throwable cause)
    {
        failure = cause;
        state = newState;
        journal.onError(cause);
    }

    /**
     * Acknowledge a message and, cumulatively, every one before it: after a restart delivery resumes after
     * it. Persisted at once (an ordered write to the journal's memory-mapped metadata, which survives a
     * crash of the process). Call it on the delivery thread, from the handler or after.
     */
    public void acknowledge(final JournalMessage message)
    {
        acknowledge(message.position(), message.recordNumber());
    }

    /**
     * As {@link #acknowledge(JournalMessage)}, with the message's {@link JournalMessage#position()} and
     * {@link JournalMessage#recordNumber()}; acknowledging an older message than the last does nothing.
     */
    public void acknowledge(final long position, final long recordNumber)
    {
        if (null == ackedRecord || State.CLOSED == state)
        {
            return;
        }
        if (recordNumber + 1 > ackedRecord.getVolatileValue())
        {
            // Position first: the record number is only consulted when the position's file is gone.
            ackedPosition.setOrderedValue(position);
            ackedRecord.setOrderedValue(recordNumber + 1);
        }
    }

    /**
     * @return the record number of the last acknowledged message, or -1.
     */
    public long acknowledgedRecordNumber()
    {
        return null == ackedRecord ? -1 : ackedRecord.getVolatileValue() - 1;
    }

    public String name()
    {
        return name;
    }

    public String pattern()
    {
        return pattern;
    }

    public State state()
    {
        return state;
    }

    /**
     * @return why it stopped, or null while it is active.
     */
    public Throwable failure()
    {
        return failure;
    }

    /**
     * @return messages delivered to its handler since it started (read on the delivery thread).
     */
    public long deliveredCount()
    {
        return deliveredCount;
    }

    private String describe()
    {
        return null == name ? "replay of '" + pattern + "'" : "durable subscription '" + name + "'";
    }

    /**
     * Stop delivering. The acknowledged position stays persisted for a later subscribe with the same name.
     */
    @Override
    public void close()
    {
        state = State.CLOSED;
        journal.remove(this);
    }

    void closeResources()
    {
        state = State.CLOSED;
        tailer.close();
        closeQuietly(ackedPosition);
        closeQuietly(ackedRecord);
    }

    private static void closeQuietly(final LongValue value)
    {
        if (value instanceof AutoCloseable)
        {
            try
            {
                ((AutoCloseable)value).close();
            }
            catch (final Exception ignore)
            {
                // Closing a mapped value releases a reference only.
            }
        }
    }
}
