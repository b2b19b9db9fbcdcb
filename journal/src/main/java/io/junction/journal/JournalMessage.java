package io.junction.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Priority;

/**
 * A journaled message as a durable subscriber or a replay sees it. A reused flyweight: valid only during
 * {@link DurableMessageHandler#onMessage}; copy what you need to keep.
 */
public final class JournalMessage
{
    private static final Priority[] PRIORITIES = Priority.values();

    private final TopicCache topics = new TopicCache();
    private final TopicCache replyTopics = new TopicCache();
    private final UnsafeBuffer record = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
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
    private long publisherId;
    private long publisherSequence;
    private String replyTo;
    private long correlationId;
    private long expiryEpochNs;

    /**
     * @return where the message's document (its batch) is in the journal, a Chronicle Queue index; the message's
     * place in that document follows from its {@link #recordNumber()}. With the record number and the sequence it
     * is what {@link DurableSubscription#acknowledge(long, long, long)} takes.
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

    /**
     * @return the publisher id of an idempotent publish ({@code Junction.offer(..., publisherId, publisherSequence)}),
     * or 0 if it was published without one.
     */
    public long publisherId()
    {
        return publisherId;
    }

    /**
     * @return the publisher's own sequence of an idempotent publish, or 0 without one.
     */
    public long publisherSequence()
    {
        return publisherSequence;
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
     * @return the topic a request asked to be answered on, or null if it was not a request.
     */
    public String replyTo()
    {
        return replyTo;
    }

    /**
     * @return the requester's number for a request, 0 for none.
     */
    public long correlationId()
    {
        return correlationId;
    }

    /**
     * @return when a guaranteed publish with a time-to-live expires, in nanoseconds since the epoch (the journal's
     * clock), or 0 if it never does. Durable delivery and replay skip it from then on.
     */
    public long expiryEpochNs()
    {
        return expiryEpochNs;
    }

    /**
     * @return true if it has an expiry and {@code nowEpochNs} is at or past it.
     */
    public boolean isExpiredAt(final long nowEpochNs)
    {
        return JournalRecord.NO_EXPIRY != expiryEpochNs && nowEpochNs - expiryEpochNs >= 0;
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
     * Point at a record of a checked document (see {@link JournalDocument}): no copy, the payload is a view of the
     * document's bytes.
     */
    void wrap(
        final byte[] document,
        final int at,
        final int recordLength,
        final long position,
        final long recordNumber,
        final long epochNs,
        final int shardIndex,
        final int shardCount)
    {
        final UnsafeBuffer record = this.record;
        record.wrap(document, at, recordLength);
        this.position = position;
        this.recordNumber = recordNumber;
        this.epochNs = epochNs;
        this.shardIndex = shardIndex;
        this.shardCount = shardCount;
        sequence = record.getLong(JournalRecord.SEQUENCE_OFFSET, JournalRecord.ORDER);
        timestampNs = record.getLong(JournalRecord.TIMESTAMP_OFFSET, JournalRecord.ORDER);
        final int priorityByte = record.getByte(JournalRecord.PRIORITY_OFFSET) & 0xFF;
        priority = PRIORITIES[priorityByte & ~JournalRecord.FLAGS];
        final int topicLength = record.getShort(JournalRecord.TOPIC_LENGTH_OFFSET, JournalRecord.ORDER);
        topic = topics.get(document, at + JournalRecord.TOPIC_OFFSET, topicLength);
        int payloadOffset = JournalRecord.TOPIC_OFFSET + topicLength;
        if (0 != (priorityByte & JournalRecord.PUBLISHER_FLAG))
        {
            publisherId = record.getLong(payloadOffset, JournalRecord.ORDER);
            publisherSequence = record.getLong(payloadOffset + 8, JournalRecord.ORDER);
            payloadOffset += JournalRecord.PUBLISHER_FIELDS_LENGTH;
        }
        else
        {
            publisherId = 0;
            publisherSequence = 0;
        }
        if (0 != (priorityByte & JournalRecord.REQUEST_FLAG))
        {
            correlationId = record.getLong(payloadOffset, JournalRecord.ORDER);
            final int replyToLength = record.getShort(payloadOffset + 8, JournalRecord.ORDER) & 0xFFFF;
            replyTo = 0 == replyToLength ? null :
                replyTopics.get(document, at + payloadOffset + JournalRecord.REQUEST_FIXED_LENGTH, replyToLength);
            payloadOffset += JournalRecord.REQUEST_FIXED_LENGTH + replyToLength;
        }
        else
        {
            correlationId = 0;
            replyTo = null;
        }
        if (0 != (priorityByte & JournalRecord.EXPIRY_FLAG))
        {
            expiryEpochNs = record.getLong(payloadOffset, JournalRecord.ORDER);
            payloadOffset += JournalRecord.EXPIRY_LENGTH;
        }
        else
        {
            expiryEpochNs = JournalRecord.NO_EXPIRY;
        }
        length = recordLength - payloadOffset;
        buffer.wrap(document, at + payloadOffset, length);
    }

    @Override
    public String toString()
    {
        return "JournalMessage{position=" + position + ", recordNumber=" + recordNumber + ", sequence=" + sequence +
            ", topic=" + topic + ", length=" + length + '}';
    }
}
