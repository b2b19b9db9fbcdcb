package io.junction.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import io.junction.JournalSink;
import io.junction.Priority;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * One shard's appender. Used by that shard's journal stage only.
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
    private final JournalRecord record = new JournalRecord();
    private boolean unflushed;
    private long lastRecordNumber = -1;
    private long appendedInBatch;

    ChronicleJournalWriter(
        final Journal journal,
        final ExcerptAppender appender,
        final int shardIndex,
        final int shardCount,
        final FlushPolicy flushPolicy,
        final TimeProvider timeProvider,
        final AtomicCounter appended)
    {
        this.journal = journal;
        this.appender = appender;
        this.shardIndex = shardIndex;
        this.shardCount = shardCount;
        this.flushPolicy = flushPolicy;
        this.timeProvider = timeProvider;
        this.appended = appended;
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
        journal.checkWritable();
        record.encode(sequence, timestampNs, timeProvider.currentTimeNanos(),
            priority.ordinal(), shardIndex, shardCount, topic, buffer, offset, length);
        long recordNumber = -1;
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                // Taken under the queue's write lock, so record numbers follow the journal's order.
                recordNumber = journal.nextRecordNumber();
                record.write(dc.wire().bytes(), recordNumber);
            }
            catch (final RuntimeException ex)
            {
                dc.rollbackOnClose();
                if (recordNumber >= 0)
                {
                    journal.releaseRecordNumber(recordNumber);
                }
                throw ex;
            }
        }
        lastRecordNumber = recordNumber;
        appendedInBatch++;
        if (FlushPolicy.PER_MESSAGE == flushPolicy)
        {
            appender.sync();
        }
        else
        {
            unflushed = true;
        }
    }

    @Override
    public void onEndOfBatch()
    {
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
