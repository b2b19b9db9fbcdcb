package io.junction.cluster;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;

/**
 * {@link ReplicaJournal} over a Chronicle Queue in a directory of its own. Each excerpt is binary: sequence,
 * timestamp, priority, topic (8-bit), payload length, payload. A sparse index (every
 * {@link #INDEX_INTERVAL} sequences) maps a sequence to the queue index from which to scan.
 */
public final class ChronicleReplicaJournal implements ReplicaJournal
{
    static final int INDEX_INTERVAL = 256;

    private final ChronicleQueue queue;
    private final ExcerptAppender appender;
    private final ExcerptTailer tailer;
    private final Long2LongHashMap indexBySequenceBlock = new Long2LongHashMap(-1L);
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private final StringBuilder topicBuilder = new StringBuilder(64);
    private byte[] scratch = new byte[1024];
    private long lastSequence;

    public ChronicleReplicaJournal(final File dir)
    {
        this(dir, LargeRollCycles.LARGE_DAILY, 1 << 20);
    }

    public ChronicleReplicaJournal(final File dir, final RollCycle rollCycle, final int blockSize)
    {
        queue = ChronicleQueue.singleBuilder(dir).rollCycle(rollCycle).blockSize(blockSize).build();
        appender = queue.createAppender();
        tailer = queue.createTailer();
        rebuildIndex();
    }

    public long lastSequence()
    {
        return lastSequence;
    }

    public boolean append(
        final long sequence,
        final long timestamp,
        final int priority,
        final String topic,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        if (sequence <= lastSequence)
        {
            return false;
        }
        if (scratch.length < payloadLength)
        {
            scratch = new byte[Math.max(payloadLength, scratch.length * 2)];
        }
        payload.getBytes(payloadOffset, scratch, 0, payloadLength);

        try (DocumentContext dc = appender.writingDocument())
        {
            final Bytes<?> bytes = dc.wire().bytes();
            bytes.writeLong(sequence);
            bytes.writeLong(timestamp);
            bytes.writeByte((byte)priority);
            bytes.write8bit(topic);
            bytes.writeInt(payloadLength);
            bytes.write(scratch, 0, payloadLength);
        }
        noteIndex(sequence, appender.lastIndexAppended());
        lastSequence = sequence;
        return true;
    }

    public long read(final long fromSequence, final long toSequence, final EntryHandler handler)
    {
        if (fromSequence > toSequence || fromSequence > lastSequence)
        {
            return 0;
        }
        final long startIndex = indexBySequenceBlock.get(fromSequence / INDEX_INTERVAL);
        if (startIndex < 0 || !tailer.moveToIndex(startIndex))
        {
            tailer.toStart();
        }

        long count = 0;
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return count;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final long sequence = bytes.readLong();
                if (sequence > toSequence)
                {
                    return count;
                }
                if (sequence < fromSequence)
                {
                    continue;
                }
                final long timestamp = bytes.readLong();
                final int priority = bytes.readByte();
                topicBuilder.setLength(0);
                bytes.read8bit(topicBuilder);
                final int payloadLength = bytes.readInt();
                if (scratch.length < payloadLength)
                {
                    scratch = new byte[payloadLength];
                }
                bytes.read(scratch, 0, payloadLength);
                payloadView.wrap(scratch, 0, payloadLength);
                count++;
                if (!handler.onEntry(sequence, timestamp, priority, topicBuilder.toString(), payloadView, 0, payloadLength))
                {
                    return count;
                }
            }
        }
    }

    public void close()
    {
        appender.close();
        tailer.close();
        queue.close();
    }

    private void noteIndex(final long sequence, final long index)
    {
        final long block = sequence / INDEX_INTERVAL;
        if (!indexBySequenceBlock.containsKey(block))
        {
            indexBySequenceBlock.put(block, index);
        }
    }

    private void rebuildIndex()
    {
        tailer.toStart();
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                final long sequence = dc.wire().bytes().readLong();
                noteIndex(sequence, dc.index());
                lastSequence = Math.max(lastSequence, sequence);
            }
        }
    }
}
