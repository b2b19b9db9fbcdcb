package io.junction.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import io.junction.JournalSink;
import io.junction.Priority;
import net.openhft.chronicle.bytes.Bytes;
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
    private boolean unflushed;
    private long lastRecordNumber = -1;

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
        final long epochNs = timeProvider.currentTimeNanos();
        long recordNumber = -1;
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                // Taken under the queue's write lock, so record numbers follow the journal's order.
                recordNumber = journal.nextRecordNumber();
                final Bytes<?> bytes = dc.wire().bytes();
                JournalRecord.writeHeader(
                    bytes, recordNumber, sequence, timestampNs, epochNs, priority.ordinal(), shardIndex, shardCount);
                JournalRecord.writeTopic(bytes, topic);
                bytes.writeInt(length);
                final byte[] array = buffer.byteArray();
                if (null != array)
                {
                    bytes.write(array, (int)buffer.wrapAdjustment() + offset, length);
                }
                else
                {
                    for (int i = 0; i < length; i++)
                    {
                        bytes.writeByte(buffer.getByte(offset + i));
                    }
                }
                JournalRecord.writeTrailer(bytes, recordNumber);
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
        appended.incrementRelease();
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
        if (unflushed && FlushPolicy.PER_BATCH == flushPolicy)
        {
            appender.sync();
        }
        unflushed = false;
        journal.onBatchJournaled(lastRecordNumber);
    }

    @Override
    public void close()
    {
        appender.close();
    }
}
