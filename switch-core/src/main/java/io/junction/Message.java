package io.junction;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A message as a handler sees it. It is a reused flyweight: valid only during
 * {@link MessageHandler#onMessage}; copy what you need to keep.
 */
public final class Message
{
    private static final int INITIAL_CAPACITY = 128;

    private String topic;
    private long sequence;
    private Priority priority;
    private long timestampNs;
    private int length;
    long order; // position in its outbox, across classes (see Outbox)
    long key = QueueGroup.NO_KEY; // the publisher's key, for keyed queue groups
    long deadlineNs;
    private String replyTo;
    private long correlationId;
    private byte[] bytes = new byte[INITIAL_CAPACITY];
    private final UnsafeBuffer buffer = new UnsafeBuffer(bytes);

    /**
     * @return the topic the message was published on.
     */
    public String topic()
    {
        return topic;
    }

    /**
     * @return the sequence the switch assigned on accepting it: unique per switch, increasing per topic.
     */
    public long sequence()
    {
        return sequence;
    }

    public Priority priority()
    {
        return priority;
    }

    /**
     * @return when it was offered, from the switch's {@code nanoClock}.
     */
    public long timestampNs()
    {
        return timestampNs;
    }

    /**
     * @return the payload, from offset 0 to {@link #length()}.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the topic a reply should be published on, or null when the message is not a request.
     */
    public String replyTo()
    {
        return replyTo;
    }

    /**
     * @return the requester's number for this request, to be echoed in the reply; 0 when none.
     */
    public long correlationId()
    {
        return correlationId;
    }

    public int offset()
    {
        return 0;
    }

    public int length()
    {
        return length;
    }

    void set(
        final String topic,
        final long sequence,
        final Priority priority,
        final long timestampNs,
        final DirectBuffer source,
        final int offset,
        final int length)
    {
        this.topic = topic;
        this.sequence = sequence;
        this.priority = priority;
        this.timestampNs = timestampNs;
        if (length > bytes.length)
        {
            // Grows to the largest payload seen, then stays: steady state allocates nothing.
            bytes = new byte[Math.max(length, bytes.length << 1)];
            buffer.wrap(bytes);
        }
        source.getBytes(offset, bytes, 0, length);
        this.length = length;
    }

    /**
     * Point at a payload in place, without copying (for delivery on the pipeline thread).
     */
    void wrap(
        final String topic,
        final long sequence,
        final Priority priority,
        final long timestampNs,
        final DirectBuffer payload,
        final int length)
    {
        this.topic = topic;
        this.sequence = sequence;
        this.priority = priority;
        this.timestampNs = timestampNs;
        this.length = length;
        buffer.wrap(payload, 0, length);
    }

    /**
     * Copy another message that a producer may be overwriting at the same time: reads its fields once
     * and copies with bounds-checked arraycopy, so a torn read gives garbage (discarded by the caller's
     * stamp check), never a fault.
     */
    void copyFrom(final Message other)
    {
        final byte[] source = other.bytes;
        final int length = Math.min(Math.max(other.length, 0), source.length);
        topic = other.topic;
        sequence = other.sequence;
        priority = other.priority;
        timestampNs = other.timestampNs;
        if (length > bytes.length)
        {
            bytes = new byte[Math.max(length, bytes.length << 1)];
            buffer.wrap(bytes);
        }
        System.arraycopy(source, 0, bytes, 0, length);
        this.length = length;
        deadlineNs = other.deadlineNs;
        key = other.key;
        replyTo = other.replyTo;
        correlationId = other.correlationId;
    }

    void request(final String replyTo, final long correlationId)
    {
        this.replyTo = replyTo;
        this.correlationId = correlationId;
    }

    void clear()
    {
        topic = null;
        replyTo = null;
    }

    @Override
    public String toString()
    {
        return "Message{topic=" + topic + ", sequence=" + sequence + ", priority=" + priority +
            ", length=" + length + '}';
    }
}
