package io.junction.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Priority;
import net.openhft.chronicle.bytes.Bytes;

/**
 * A journaled message as a durable subscriber or a replay sees it. A reused flyweight: valid only during
 * {@link DurableMessageHandler#onMessage}; copy what you need to keep.
 */
public final class JournalMessage
{
    private static final Priority[] PRIORITIES = Priority.values();

    private final TopicCache topics = new TopicCache();
    private byte[] bytes = new byte[256];
    private final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
    private long position;
    private long recordNumber;
    private long sequence;
    private long timestampNs;
    private long epochNs;
    private Priority priority;
    private int shardIndex;
    private int shardCount;
    private String topic;
    private int length;

    /**
     * @return where the message is in the journal (a Chronicle Queue index): what
     * {@link DurableSubscription#acknowledge(long)} takes.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return the number of the record in the journal, 0, 1, 2... without gaps: the key to drop duplicates
     * by, as delivery is at-least-once.
     */
    public long recordNumber()
    {
        return recordNumber;
    }

    /**
     * @return the sequence the switch assigned (what the publisher's offer returned); increasing per topic.
     */
    public long sequence()
    {
        return sequence;
    }

    public String topic()
    {
        return topic;
    }

    public Priority priority()
    {
        return priority;
    }

    /**
     * @return when it was offered, from the switch's nano clock.
     */
    public long timestampNs()
    {
        return timestampNs;
    }

    /**
     * @return when it was journaled, in nanoseconds since the epoch (the journal's time provider).
     */
    public long epochNs()
    {
        return epochNs;
    }

    int shardIndex()
    {
        return shardIndex;
    }

    int shardCount()
    {
        return shardCount;
    }

    /**
     * @return the payload, from offset 0 to {@link #length()}.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return 0;
    }

    public int length()
    {
        return length;
    }

    /**
     * Decode a record.
     *
     * @return false if the bytes are not a journal record (corrupt, or written by something else).
     */
    boolean wrap(final long position, final Bytes<?> in)
    {
        if (in.readRemaining() < JournalRecord.HEADER_LENGTH + JournalRecord.TRAILER_LENGTH ||
            in.readByte() != JournalRecord.MAGIC)
        {
            return false;
        }
        this.position = position;
        recordNumber = in.readLong();
        sequence = in.readLong();
        timestampNs = in.readLong();
        epochNs = in.readLong();
        final int priorityOrdinal = in.readByte();
        shardIndex = in.readShort();
        shardCount = in.readShort();
        final int topicLength = in.readShort();
        if (priorityOrdinal < 0 || priorityOrdinal >= PRIORITIES.length || topicLength < 0 ||
            in.readRemaining() < topicLength + (long)JournalRecord.TRAILER_LENGTH)
        {
            return false;
        }
        priority = PRIORITIES[priorityOrdinal];
        ensureCapacity(topicLength);
        in.read(bytes, 0, topicLength);
        topic = topics.get(bytes, topicLength);
        // The document's length (Chronicle's header) bounds the record: the payload is what the trailer leaves.
        final int payloadLength = (int)(in.readRemaining() - JournalRecord.TRAILER_LENGTH);
        ensureCapacity(payloadLength);
        in.read(bytes, 0, payloadLength);
        length = payloadLength;
        return in.readInt() == JournalRecord.trailer(recordNumber);
    }

    private void ensureCapacity(final int length)
    {
        if (length > bytes.length)
        {
            // Grows to the largest record seen, then stays: steady state allocates nothing.
            bytes = new byte[Math.max(length, bytes.length << 1)];
            buffer.wrap(bytes);
        }
    }

    @Override
    public String toString()
    {
        return "JournalMessage{position=" + position + ", recordNumber=" + recordNumber + ", sequence=" + sequence +
            ", topic=" + topic + ", length=" + length + '}';
    }
}
