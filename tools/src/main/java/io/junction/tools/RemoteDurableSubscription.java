package io.junction.tools;

import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import io.junction.journal.DurableMessageHandler;
import io.junction.journal.DurableSubscription;
import io.junction.journal.JournalMessage;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.MessageEncoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.PriorityCode;

/**
 * A remote party's durable subscription or replay, read from the daemon's journal on the journal's delivery agent
 * (bounded batches per duty cycle, never on an I/O thread) and encoded as MESSAGE frames into its connection's
 * send buffer. Replay and live are one reader following the journal, so the hand-over has no gap and no duplicate.
 * <p>
 * It never drops a message: when the send buffer, the client's credit or the window of unacknowledged messages
 * ({@code journal.durable.max-unacknowledged}) is full it refuses the message, and the journal offers it again on
 * a later duty cycle. An ACK (received on the I/O thread) is applied on the delivery thread, which alone writes
 * the acknowledged position: the message with that sequence, and every one before it, is acknowledged in the
 * journal's metadata and survives a crash.
 * <p>
 * REPLAY starts a second reader from the position asked; once it is in effect the first stops and the window is
 * emptied (what was sent before is sent again), while acknowledgements still advance the durable position.
 */
final class RemoteDurableSubscription implements DurableMessageHandler
{
    /** Its MESSAGE frames' type in the send buffer: no live subscription's slot. */
    static final int FRAME_TYPE_ID = 1 << 30;
    private static final long NO_ACK = Long.MIN_VALUE;
    private static final PriorityCode[] PRIORITY_CODES = {
        PriorityCode.CRITICAL, PriorityCode.HIGH, PriorityCode.NORMAL, PriorityCode.BULK };
    private static final int V1_BLOCK_LENGTH = MessageEncoder.correlationIdEncodingOffset(); // before version 2

    final ProtocolConnection connection;
    final long id;
    final String pattern;
    /** The journal's name of it (principal and durable name), or null for a replay with no name. */
    final String journalName;
    private final DurableSubscriptions durables;
    private final AtomicLong credit;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final MessageEncoder encoder = new MessageEncoder();

    // The window of unacknowledged messages, in journal order (delivery thread only).
    private final long[] windowSequence;
    private final long[] windowPosition;
    private final long[] windowRecord;
    private long windowHead;
    private long windowTail;
    private long atLimitSinceNs;

    /** The named subscription that holds the acknowledged position; null for a replay with no name. */
    volatile DurableSubscription store;
    /** The subscription whose messages are delivered (the store, or a replay). */
    volatile DurableSubscription reader;
    /** A replay waiting to take over as reader. */
    volatile DurableSubscription pendingReader;
    /** Set once SUBSCRIBED is staged: nothing is delivered before it. */
    volatile boolean announced;
    volatile boolean ended;
    /** Its limits and name were given back (I/O thread only). */
    boolean released;
    private volatile long ackRequested = NO_ACK;
    private long ackApplied = NO_ACK;
    private final AtomicLong sent = new AtomicLong();

    RemoteDurableSubscription(
        final ProtocolConnection connection, final DurableSubscriptions durables, final long id, final String pattern,
        final String journalName, final long initialCredit)
    {
        this.connection = connection;
        this.durables = durables;
        this.id = id;
        this.pattern = pattern;
        this.journalName = journalName;
        this.credit = initialCredit < 0 ? null : new AtomicLong(initialCredit);
        final int window = null == journalName ? 0 : durables.maxUnacknowledged();
        windowSequence = new long[window];
        windowPosition = new long[window];
        windowRecord = new long[window];
    }

    boolean isDurable()
    {
        return null != journalName;
    }

    void addCredit(final long more)
    {
        if (null != credit && more > 0)
        {
            credit.getAndUpdate((current) -> current > Long.MAX_VALUE - more ? Long.MAX_VALUE : current + more);
        }
    }

    /**
     * The client consumed up to and including the message of this sequence (I/O thread): applied on the next
     * duty cycle of the delivery thread.
     */
    void requestAck(final long sequence)
    {
        ackRequested = sequence;
    }

    long sent()
    {
        return sent.get();
    }

    @Override
    public void onMessage(final DurableSubscription subscription, final JournalMessage message)
    {
        tryMessage(subscription, message);
    }

    @Override
    public void onStopped(final DurableSubscription subscription, final Throwable cause)
    {
        if (ended && subscription == store)
        {
            subscription.close(); // ended meanwhile: no duty cycle of it will let the name go now
            durables.letGo(journalName, this);
            return;
        }
        if (announced && !ended && (subscription == reader || subscription == store))
        {
            final String why = String.valueOf(cause.getMessage());
            connection.agent().post(() -> connection.onDurableStopped(this, why));
        }
    }

    @Override
    public void onPoll(final DurableSubscription subscription)
    {
        if (ended)
        {
            if (subscription == store)
            {
                applyAck(); // the last ACK before UNSUBSCRIBE or the close of the connection still counts
                subscription.close();
                durables.letGo(journalName, this);
            }
            else
            {
                subscription.close();
            }
            return;
        }
        final DurableSubscription next = pendingReader;
        if (null != next && next == subscription)
        {
            final DurableSubscription previous = reader;
            reader = next;
            pendingReader = null;
            windowHead = windowTail; // what was sent before the replay is sent again by it
            if (null != previous && previous != store)
            {
                previous.close();
            }
        }
        if (subscription == store)
        {
            applyAck();
            if (0 != atLimitSinceNs)
            {
                final long nowNs = System.nanoTime();
                durables.atLimitNs().getAndAdd(nowNs - atLimitSinceNs);
                atLimitSinceNs = windowTail - windowHead < windowSequence.length ? 0 : nowNs;
            }
        }
    }

    private void applyAck()
    {
        final long sequence = ackRequested;
        if (sequence == ackApplied)
        {
            return;
        }
        ackApplied = sequence;
        final int capacity = windowSequence.length;
        for (long i = windowHead; i < windowTail; i++)
        {
            final int index = (int)(i % capacity);
            if (windowSequence[index] == sequence)
            {
                store.acknowledge(windowPosition[index], windowRecord[index], sequence);
                windowHead = i + 1;
                durables.acks().increment();
                return;
            }
        }
        durables.unmatchedAcks().increment(); // acknowledged already, or never sent: nothing to do
    }

    @Override
    public boolean tryMessage(final DurableSubscription subscription, final JournalMessage message)
    {
        if (ended || !announced || subscription != reader || !connection.isOpen())
        {
            return false;
        }
        if (null != store)
        {
            applyAck(); // within a batch too, so that an ACK is persisted soon after it arrives
        }
        final int capacity = windowSequence.length;
        if (null != journalName && windowTail - windowHead >= capacity)
        {
            if (0 == atLimitSinceNs)
            {
                atLimitSinceNs = System.nanoTime();
                durables.atLimit().increment();
            }
            return false;
        }
        if (null != credit && credit.get() <= 0)
        {
            return false;
        }
        final String topic = message.topic();
        final int payloadLength = message.length();
        final int version = connection.sessionVersion;
        final boolean current = version >= 2; // MESSAGE has correlationId and replyTo since version 2
        final int blockLength = current ? MessageEncoder.BLOCK_LENGTH : V1_BLOCK_LENGTH;
        final String replyTo = message.replyTo(); // a journaled request keeps the topic to answer on
        final int frameLength = ProtocolFrames.HEADER_LENGTH + blockLength + MessageEncoder.topicHeaderLength() +
            topic.length() + MessageEncoder.payloadHeaderLength() + payloadLength +
            (current ? MessageEncoder.replyToHeaderLength() + (null == replyTo ? 0 : replyTo.length()) : 0);
        final ManyToOneRingBuffer ring = connection.deliveries();
        final int index = ring.tryClaim(FRAME_TYPE_ID, ProtocolFrames.LENGTH_PREFIX + frameLength);
        if (index < 0)
        {
            return false; // the send buffer is full: again on a later duty cycle
        }
        final AtomicBuffer buffer = ring.buffer();
        final int frame = index + ProtocolFrames.LENGTH_PREFIX;
        ProtocolFrames.frameLength(buffer, index, frameLength);
        header.wrap(buffer, frame)
            .blockLength(blockLength)
            .templateId(MessageEncoder.TEMPLATE_ID)
            .schemaId(ProtocolFrames.SCHEMA_ID)
            .version(version);
        encoder.wrap(buffer, frame + ProtocolFrames.HEADER_LENGTH)
            .subscriptionId(id)
            .sequence(message.sequence())
            .timestampNs(message.timestampNs())
            .priority(PRIORITY_CODES[message.priority().ordinal()]);
        if (current)
        {
            encoder.correlationId(message.correlationId()).topic(topic)
                .putPayload(message.buffer(), message.offset(), payloadLength).replyTo(null == replyTo ? "" : replyTo);
        }
        else
        {
            encoder.limit(frame + ProtocolFrames.HEADER_LENGTH + V1_BLOCK_LENGTH);
            encoder.topic(topic).putPayload(message.buffer(), message.offset(), payloadLength);
        }
        ring.commit(index);
        if (null != credit)
        {
            credit.decrementAndGet();
        }
        if (null != journalName)
        {
            final int slot = (int)(windowTail % capacity);
            windowSequence[slot] = message.sequence();
            windowPosition[slot] = message.position();
            windowRecord[slot] = message.recordNumber();
            windowTail++;
        }
        sent.lazySet(sent.get() + 1);
        durables.delivered().increment();
        connection.onDelivered();
        return true;
    }

    /**
     * Stop delivering (any thread). Its readers close on their next duty cycle, the named one after applying the
     * last ACK, and then let the name go; the acknowledged position stays in the journal for a later SUBSCRIBE.
     */
    void close()
    {
        ended = true;
    }

    @Override
    public String toString()
    {
        return (null == journalName ? "replay " : "durable subscription ") + id + " '" + pattern + "'";
    }
}
