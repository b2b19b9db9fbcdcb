package io.junction;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import com.lmax.disruptor.EventFactory;

/**
 * A slot of a shard's ring. Pre-allocated with room for the largest payload, so an offer only copies.
 */
final class MessageEvent
{
    String topic;
    Priority priority;
    long timestampNs;
    long sequence;
    int length;
    QualityOfService qos = QualityOfService.BEST_EFFORT;
    boolean journalFailed; // Set by the journal stage before it releases the slot to the dispatcher.
    boolean expressed; // Dispatched ahead of its turn (CRITICAL express lane); the dispatcher skips it.
    long deadlineNs;
    long key = QueueGroup.NO_KEY; // the publisher's key for keyed queue groups, or NO_KEY
    io.junction.regulate.Admission admission;
    long publisherId; // idempotent guaranteed publish: who sent it, and its number in that publisher's stream (0: none)
    long publisherSequence;
    String replyTo; // request/reply: the topic to answer on, or null
    long correlationId; // request/reply: the requester's number for it, 0 for none
    final UnsafeBuffer payload;

    MessageEvent(final int maxMessageLength)
    {
        payload = new UnsafeBuffer(new byte[maxMessageLength]);
    }

    static EventFactory<MessageEvent> factory(final int maxMessageLength)
    {
        return () -> new MessageEvent(maxMessageLength);
    }

    void set(
        final String topic,
        final Priority priority,
        final long timestampNs,
        final long sequence,
        final DirectBuffer source,
        final int offset,
        final int length)
    {
        // References are stored only when they change: the slots live in the old generation, and each reference
        // store there dirties a card that G1's refinement threads must then scan (7% of the daemon's CPU at
        // 64 B before this). A publisher repeating a topic, class and regulation rule stores none.
        if (this.topic != topic)
        {
            this.topic = topic;
        }
        if (this.priority != priority)
        {
            this.priority = priority;
        }
        this.timestampNs = timestampNs;
        this.sequence = sequence;
        this.length = length;
        payload.putBytes(0, source, offset, length);
    }

    /**
     * The rest of a publish's fields, references stored only when they change (see {@link #set}).
     */
    void setRest(
        final QualityOfService qos,
        final long deadlineNs,
        final io.junction.regulate.Admission admission,
        final long publisherId,
        final long publisherSequence,
        final long key,
        final String replyTo,
        final long correlationId)
    {
        if (this.qos != qos)
        {
            this.qos = qos;
        }
        if (this.admission != admission)
        {
            this.admission = admission;
        }
        if (this.replyTo != replyTo)
        {
            this.replyTo = replyTo;
        }
        this.deadlineNs = deadlineNs;
        this.expressed = false;
        this.publisherId = publisherId;
        this.publisherSequence = publisherSequence;
        this.key = key;
        this.correlationId = correlationId;
    }
}
