package io.junction.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import io.junction.JournalSink;
import io.junction.Priority;
import io.junction.Publisher;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * One shard's appender. Used by that shard's journal stage only.
 * <p>
 * Record format 3: the records of a batch are encoded into one scratch document and written to the queue as
 * one Chronicle document at the end of the batch (or earlier, when the next record would take it over the size
 * cap), so Chronicle's per-document cost is paid once per batch. If writing a document fails, the whole batch is
 * failed (its end throws): none of it is reported durable.
 */
final class ChronicleJournalWriter implements JournalSink.JournalWriter
{
    private final Journal journal;
    private final ExcerptAppender appender;
    private final int shardIndex;
    private final int shardCount;
    private final FlushPolicy flushPolicy;
    private final TimeProvider timeProvider;
    private final AtomicCounter appended;
    private final JournalRecord document;
    private boolean unflushed;
    private boolean batchFailed;
    private long lastRecordNumber = -1;
    private long appendedInBatch;

    ChronicleJournalWriter(
        final Journal journal,
        final ExcerptAppender appender,
        final int shardIndex,
        final int shardCount,
        final FlushPolicy flushPolicy,
        final TimeProvider timeProvider,
        final AtomicCounter appended,
        final int maxDocumentLength)
    {
        this.journal = journal;
        this.appender = appender;
        this.shardIndex = shardIndex;
        this.shardCount = shardCount;
        this.flushPolicy = flushPolicy;
        this.timeProvider = timeProvider;
        this.appended = appended;
        this.document = new JournalRecord(maxDocumentLength);
    }

    @Override
    public void append(
        final long sequence,
        final String topic,
        final Priority priority,
        final long timestampNs,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        append(sequence, topic, priority, timestampNs, buffer, offset, length, 0, 0);
    }

    @Override
    public void append(
        final long sequence,
        final String topic,
        final Priority priority,
        final long timestampNs,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence)
    {
        append(sequence, topic, priority, timestampNs, buffer, offset, length, publisherId, publisherSequence, null, 0);
    }

    @Override
    public void append(
        final long sequence,
        final String topic,
        final Priority priority,
        final long timestampNs,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence,
        final String replyTo,
        final long correlationId)
    {
        append(sequence, topic, priority, timestampNs, buffer, offset, length, publisherId, publisherSequence, replyTo,
            correlationId, Publisher.NO_TTL);
    }

    @Override
    public void append(
        final long sequence,
        final String topic,
        final Priority priority,
        final long timestampNs,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence,
        final String replyTo,
        final long correlationId,
        final long ttlLeftNs)
    {
        try
        {
            journal.checkWritable();
            // The expiry on the journal's clock, which durable delivery and replay compare it with.
            final long expiryEpochNs = Publisher.NO_TTL == ttlLeftNs ? JournalRecord.NO_EXPIRY :
                expiry(timeProvider.currentTimeNanos(), ttlLeftNs);
            if (!document.fits(topic, length, publisherId, replyTo, correlationId, expiryEpochNs))
            {
                writeDocument();
            }
            document.add(sequence, timestampNs, priority.ordinal(), topic, buffer, offset, length, publisherId,
                publisherSequence, replyTo, correlationId, expiryEpochNs);
            if (FlushPolicy.PER_MESSAGE == flushPolicy)
            {
                writeDocument();
                appender.sync();
            }
        }
        catch (final RuntimeException ex)
        {
            // Records of this batch encoded before it may be lost with it: fail the whole batch at its end.
            batchFailed = true;
            document.reset();
            throw ex;
        }
    }

    private static long expiry(final long nowEpochNs, final long ttlLeftNs)
    {
        final long expiry = nowEpochNs + ttlLeftNs;
        return JournalRecord.NO_EXPIRY == expiry ? 1 : expiry;
    }

    /**
     * Write the pending records as one document; record numbers are taken under the queue's write lock, so they
     * follow the journal's order across the shards' writers.
     */
    private void writeDocument()
    {
        final int count = document.count();
        final long epochNs = timeProvider.currentTimeNanos();
        long firstRecordNumber = -1;
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                firstRecordNumber = journal.nextRecordNumbers(count);
                final int length = document.finish(firstRecordNumber, epochNs, shardIndex, shardCount);
                dc.wire().bytes().write(document.array(), 0, length);
            }
            catch (final RuntimeException ex)
            {
                dc.rollbackOnClose();
                if (firstRecordNumber >= 0)
                {
                    journal.releaseRecordNumbers(firstRecordNumber, count);
                }
                throw ex;
            }
        }
        finally
        {
            document.reset();
        }
        lastRecordNumber = firstRecordNumber + count - 1;
        appendedInBatch += count;
        unflushed = true;
    }

    @Override
    public void onEndOfBatch()
    {
        if (batchFailed)
        {
            batchFailed = false;
            appendedInBatch = 0;
            unflushed = false;
            throw new JournalException("an append of the batch failed: the batch is not journaled");
        }
        if (document.count() > 0)
        {
            try
            {
                writeDocument();
            }
            catch (final RuntimeException ex)
            {
                appendedInBatch = 0;
                unflushed = false;
                throw ex;
            }
        }
        final long appendedNow = appendedInBatch;
        if (appendedNow > 0)
        {
            appendedInBatch = 0;
            appended.getAndAdd(appendedNow); // Once per batch; atomic as the shards' writers share it.
        }
        if (unflushed && FlushPolicy.PER_BATCH == flushPolicy)
        {
            appender.sync();
        }
        unflushed = false;
        if (appendedNow > 0)
        {
            journal.onBatchJournaled(lastRecordNumber);
        }
    }

    @Override
    public void close()
    {
        appender.close();
    }
}
