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
 * acknowledged message. A position is a Chronicle index (the document of a batch) and a record number (the record
 * within it); the acknowledged one is persisted with the record's switch sequence, in two slots written in turn
 * and committed by one ordered store, so a crash never leaves half an acknowledgement. On resume the record found
 * at the stored position must carry the stored record number and sequence, or the subscription stops in
 * {@link State#POSITION_MISMATCH} (and counts it) instead of resuming at a wrong place. Records are numbered without gaps, so a gap means records were deleted under the
 * subscription (retention): it then stops in {@link State#BEHIND_RETENTION} and counts it, instead of
 * skipping them. A guaranteed message past its expiry (a publish with a time-to-live) is passed over, not
 * delivered, and counted ({@code journal expired: durable}, or {@code replay} for an unnamed subscription).
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
        /**
         * Its stored position does not hold the record it acknowledged (the journal directory was replaced or
         * damaged, or the metadata file belongs to another journal); it delivers nothing.
         */
        POSITION_MISMATCH,
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
    private final AtomicCounter expired;
    private final JournalDocument document = new JournalDocument();
    private final JournalMessage message = new JournalMessage();
    private final ExcerptTailer tailer;
    private final LongValue ackedSlot; // 0: nothing acknowledged; 1 or 2: the slot holding the last acknowledgement
    private final LongValue[] ackedPosition; // per slot: Chronicle index of the acknowledged record's document
    private final LongValue[] ackedRecord; // per slot: record number + 1 of the acknowledged record
    private final LongValue[] ackedSequence; // per slot: its switch sequence
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
        this.expired = counters.expiredCounter(null != name);
        this.tailer = journal.queue().createTailer();
        // Created here, then read only by the journal's delivery thread.
        this.tailer.singleThreadedCheckDisabled(true);
        if (null == name)
        {
            ackedSlot = null;
            ackedPosition = null;
            ackedRecord = null;
            ackedSequence = null;
        }
        else
        {
            final String prefix = KEY_PREFIX + name;
            ackedSlot = journal.queue().indexForId(prefix + ".slot");
            ackedPosition = new LongValue[]{ value(prefix + ".position.1"), value(prefix + ".position.2") };
            ackedRecord = new LongValue[]{ value(prefix + ".record.1"), value(prefix + ".record.2") };
            ackedSequence = new LongValue[]{ value(prefix + ".sequence.1"), value(prefix + ".sequence.2") };
        }
    }

    private LongValue value(final String key)
    {
        return journal.queue().indexForId(key);
    }

    void start(final StartPosition start)
    {
        final int slot = null == ackedSlot ? 0 : (int)ackedSlot.getVolatileValue();
        if (1 == slot || 2 == slot)
        {
            resume(ackedPosition[slot - 1].getVolatileValue(), ackedRecord[slot - 1].getVolatileValue() - 1,
                ackedSequence[slot - 1].getVolatileValue());
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
     * Position at the acknowledged record's document, checking it holds that record with its sequence; delivery
     * passes over the records up to it. If its roll cycle was deleted, start from the first record left: the
     * record numbers then show whether anything unacknowledged was deleted.
     */
    private void resume(final long position, final long recordNumber, final long sequence)
    {
        if (!tailer.moveToIndex(position))
        {
            final int cycle = journal.queue().rollCycle().toCycle(position);
            if (cycle < journal.queue().firstCycle())
            {
                tailer.toStart();
                lastRecordNumber = recordNumber;
                return;
            }
            positionMismatch(position, recordNumber, "there is no document at that index");
            return;
        }
        final String mismatch;
        try (DocumentContext dc = tailer.readingDocument())
        {
            mismatch = checkAcknowledged(dc, recordNumber, sequence);
            dc.rollbackOnClose(); // Leave it unread: delivery starts in it, after the acknowledged record.
        }
        if (null != mismatch)
        {
            positionMismatch(position, recordNumber, mismatch);
            return;
        }
        tailer.moveToIndex(position);
        lastRecordNumber = recordNumber;
    }

    /**
     * @return null if the document holds the record with the sequence, else what it holds instead.
     */
    private String checkAcknowledged(final DocumentContext dc, final long recordNumber, final long sequence)
    {
        if (!dc.isPresent() || dc.isMetaData())
        {
            return "there is no journal document at that index";
        }
        if (JournalDocument.VALID != document.wrap(dc.index(), dc.wire().bytes()))
        {
            return "the document at that index is not a readable journal document";
        }
        if (recordNumber < document.firstRecordNumber() || recordNumber > document.lastRecordNumber())
        {
            return "the document there holds records " + document.firstRecordNumber() + " to " +
                document.lastRecordNumber();
        }
        while (document.nextRecordNumber() < recordNumber)
        {
            document.skip();
        }
        final long found = document.peekSequence();
        return found == sequence ? null :
            "record " + recordNumber + " there carries switch sequence " + found + ", not " + sequence;
    }

    private void positionMismatch(final long position, final long recordNumber, final String what)
    {
        counters.positionMismatchCounter().increment();
        fail(State.POSITION_MISMATCH, new JournalException(describe() + " cannot resume: it acknowledged record " +
            recordNumber + " at index " + Long.toHexString(position) + ", but " + what + ". The journal directory " +
            "does not match its stored position (replaced, restored or damaged); it delivers nothing rather than " +
            "resume at a wrong place (resubscribe under a new name to start again)"));
    }

    private void seek(final StartPosition start)
    {
        tailer.toStart();
        while (true)
        {
            final long index;
            long found = -1;
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return; // Nothing at or after it yet: deliver from the end, as it comes.
                }
                if (dc.isMetaData() || JournalDocument.VALID != document.wrap(dc.index(), dc.wire().bytes()))
                {
                    continue;
                }
                if (start.kind() == StartPosition.Kind.TIME)
                {
                    if (document.epochNs() >= start.value()) // One journal time per batch.
                    {
                        found = document.firstRecordNumber();
                    }
                }
                else
                {
                    while (document.hasNext())
                    {
                        if (document.peekSequence() >= start.value())
                        {
                            found = document.nextRecordNumber();
                            break;
                        }
                        document.skip();
                    }
                }
                if (found < 0)
                {
                    continue;
                }
                index = dc.index();
                dc.rollbackOnClose(); // Leave it unread.
            }
            tailer.moveToIndex(index);
            lastRecordNumber = found - 1; // Delivery passes over the records of the document before it.
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
        try
        {
            handler.onPoll(this);
        }
        catch (final RuntimeException ex)
        {
            fail(State.FAILED, new JournalException(describe() + ": handler threw", ex));
            return 0;
        }
        int work = 0;
        while (work < limit)
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
                if (JournalDocument.VALID != document.wrap(dc.index(), dc.wire().bytes()))
                {
                    // Unreadable (a truncated or corrupt file): none of its records can be delivered by anyone;
                    // say so loudly and go on, and accept whatever record number follows it.
                    work++;
                    counters.corruptRecordsCounter().increment();
                    journal.onError(new JournalException(describe() + " skipped a corrupt or truncated document " +
                        "at index " + Long.toHexString(dc.index()) + " after record " + lastRecordNumber));
                    lastRecordNumber = -1;
                    continue;
                }
                while (document.hasNext())
                {
                    final long recordNumber = document.nextRecordNumber();
                    if (lastRecordNumber >= 0 && recordNumber != lastRecordNumber + 1)
                    {
                        if (recordNumber <= lastRecordNumber)
                        {
                            document.skip(); // Already delivered, or before the start: read again in its batch.
                            continue;
                        }
                        counters.behindRetentionCounter().increment();
                        fail(State.BEHIND_RETENTION, new JournalException(describe() + " is behind retention: " +
                            "records " + (lastRecordNumber + 1) + " to " + (recordNumber - 1) + " were deleted " +
                            "before it read them; it stops rather than skip them (resubscribe under a new name to " +
                            "start again)"));
                        dc.rollbackOnClose();
                        return work;
                    }
                    if (work >= limit)
                    {
                        dc.rollbackOnClose(); // The rest of this batch next time.
                        return work;
                    }
                    document.next(message);
                    if (TopicMatcher.matches(pattern, message.topic()))
                    {
                        if (0 != message.expiryEpochNs() && message.isExpiredAt(journal.nowEpochNs()))
                        {
                            expired.increment(); // Passed over like a record of another topic.
                            work++;
                            lastRecordNumber = recordNumber;
                            continue;
                        }
                        final boolean taken;
                        try
                        {
                            taken = handler.tryMessage(this, message);
                        }
                        catch (final RuntimeException ex)
                        {
                            dc.rollbackOnClose();
                            fail(State.FAILED, new JournalException(describe() + ": handler threw", ex));
                            return work;
                        }
                        if (!taken)
                        {
                            dc.rollbackOnClose(); // The handler is full: this record again on a later poll.
                            return work;
                        }
                        deliveredCount++;
                        delivered.incrementRelease();
                    }
                    work++;
                    lastRecordNumber = recordNumber;
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
        try
        {
            handler.onStopped(this, cause);
        }
        catch (final RuntimeException ex)
        {
            journal.onError(ex);
        }
    }

    /**
     * Acknowledge a message and, cumulatively, every one before it: after a restart delivery resumes after
     * it. Persisted at once (ordered writes to the journal's memory-mapped metadata, which survive a crash of
     * the process). Call it on the delivery thread, from the handler or after.
     */
    public void acknowledge(final JournalMessage message)
    {
        acknowledge(message.position(), message.recordNumber(), message.sequence());
    }

    /**
     * As {@link #acknowledge(JournalMessage)}, with the message's {@link JournalMessage#position()},
     * {@link JournalMessage#recordNumber()} and {@link JournalMessage#sequence()}; acknowledging an older message
     * than the last does nothing.
     */
    public void acknowledge(final long position, final long recordNumber, final long sequence)
    {
        if (null == ackedSlot || State.CLOSED == state)
        {
            return;
        }
        final int slot = (int)ackedSlot.getVolatileValue();
        final boolean any = 1 == slot || 2 == slot;
        if (any && recordNumber + 1 <= ackedRecord[slot - 1].getVolatileValue())
        {
            return;
        }
        // Write the slot not in use, then switch to it with one ordered store: a crash between the writes leaves
        // the previous acknowledgement whole.
        final int next = 1 == slot ? 2 : 1;
        ackedPosition[next - 1].setOrderedValue(position);
        ackedSequence[next - 1].setOrderedValue(sequence);
        ackedRecord[next - 1].setOrderedValue(recordNumber + 1);
        ackedSlot.setOrderedValue(next);
    }

    /**
     * @return the record number of the last acknowledged message, or -1.
     */
    public long acknowledgedRecordNumber()
    {
        if (null == ackedSlot)
        {
            return -1;
        }
        final int slot = (int)ackedSlot.getVolatileValue();
        return 1 == slot || 2 == slot ? ackedRecord[slot - 1].getVolatileValue() - 1 : -1;
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
        if (null != ackedSlot)
        {
            closeQuietly(ackedSlot);
            for (int i = 0; i < 2; i++)
            {
                closeQuietly(ackedPosition[i]);
                closeQuietly(ackedRecord[i]);
                closeQuietly(ackedSequence[i]);
            }
        }
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
