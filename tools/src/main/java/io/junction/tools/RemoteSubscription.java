package io.junction.tools;

import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.agrona.BitUtil;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import io.junction.Message;
import io.junction.Priority;
import io.junction.RoomAwareHandler;
import io.junction.SlowSubscriberPolicy;
import io.junction.Subscription;
import io.junction.SubscriptionListener;
import io.junction.TerminationReason;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.MessageEncoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.PriorityCode;

/**
 * A remote party's subscription: a switch subscription delivered on the switch's pipeline
 * ({@link io.junction.DeliveryThread#PIPELINE}: no thread and no outbox of its own) whose handler encodes each
 * message as a MESSAGE frame straight into its connection's send buffer (a many-to-one ring the connection's I/O
 * agent drains to the socket). It never blocks on a socket and allocates nothing per message. When the buffer,
 * or the subscription's credit, cannot take a message, its slow-subscriber policy applies at once and a drop is
 * counted when it happens. A queue-group member is delivered instead through the switch's shared delivery agents
 * (an outbox in the switch, so the group can balance by depth and move a leaver's queue), the same handler.
 * Outside a queue group, a CRITICAL message goes in the connection's {@link ExpressLane} (written to the socket before
 * the send buffer) while it has room.
 */
final class RemoteSubscription implements RoomAwareHandler, SubscriptionListener
{
    /** The handler runs on every shard's pipeline thread: one set of flyweights per thread. */
    private static final ThreadLocal<Encoders> ENCODERS = ThreadLocal.withInitial(Encoders::new);
    private static final PriorityCode[] PRIORITY_CODES = {
        PriorityCode.CRITICAL, PriorityCode.HIGH, PriorityCode.NORMAL, PriorityCode.BULK };
    private static final long NO_CREDIT_LIMIT = -1;
    private static final int V1_BLOCK_LENGTH = MessageEncoder.correlationIdEncodingOffset(); // before version 2

    final ProtocolConnection connection;
    final int slot;
    final long id;
    final String pattern;
    final SlowSubscriberPolicy policy;
    /** Unsent messages below CRITICAL a CRITICAL one may drop, at most, for their credit. */
    private static final int MAX_CREDIT_TAKEN = 64;
    private final AtomicLong credit;
    /**
     * The client's CRITICAL credit window (SUBSCRIBE.initialCriticalCredit, version 4), or null: CRITICAL spends only
     * it and the lower classes only {@link #credit}, so a backlog below CRITICAL cannot leave CRITICAL without credit.
     */
    private final AtomicLong criticalCredit;
    /**
     * Under a dropping policy, the last {@code network.critical-reserve} percent of the credit window is CRITICAL's:
     * a message below CRITICAL is dropped rather than spend it, so a CRITICAL one still has credit while the client is
     * behind.
     */
    private final long creditReserve;
    /** {@code network.critical-reserve}: 0 leaves the send buffer's use unchecked by class. */
    private final int criticalReservePercent;
    final AtomicLong dropped = new AtomicLong();
    /** Set once SUBSCRIBED is in the send buffer: nothing is delivered before it, so nothing overtakes it. */
    volatile boolean announced;
    /** Set when it ends for any reason: it delivers nothing more. */
    volatile boolean ended;
    /**
     * A queue-group member leaving on UNSUBSCRIBE: its switch subscription is closed, and what a delivery agent
     * still hands it (taken before the close) goes to the client before UNSUBSCRIBED ({@link LeavingMembers}).
     */
    volatile boolean leaving;
    /** Leaving: the send buffer's producer position once the switch handed it its last message, or -1. */
    long leaveMark = -1;
    volatile Subscription subscription;
    /** In a queue group: a message given to it is one no other member gets. Set before it joins. */
    boolean queueGroupMember;

    RemoteSubscription(
        final ProtocolConnection connection, final int slot, final long id, final String pattern,
        final SlowSubscriberPolicy policy, final long initialCredit)
    {
        this(connection, slot, id, pattern, policy, initialCredit, 0);
    }

    /**
     * @param initialCriticalCredit CRITICAL's own credit window; 0 or less (or no flow control): CRITICAL shares the
     *                              credit, with the {@code network.critical-reserve} rules.
     */
    RemoteSubscription(
        final ProtocolConnection connection, final int slot, final long id, final String pattern,
        final SlowSubscriberPolicy policy, final long initialCredit, final long initialCriticalCredit)
    {
        this.connection = connection;
        this.slot = slot;
        this.id = id;
        this.pattern = pattern;
        this.policy = policy;
        this.credit = initialCredit < 0 ? null : new AtomicLong(initialCredit);
        this.criticalCredit = initialCredit < 0 || initialCriticalCredit <= 0 ? null :
            new AtomicLong(initialCriticalCredit);
        this.criticalReservePercent = connection.server().network().criticalReservePercent();
        // With a CRITICAL window of its own, no part of the other credit is kept for CRITICAL.
        this.creditReserve = initialCredit < 0 || null != criticalCredit ? 0 :
            initialCredit * criticalReservePercent / 100;
    }

    /**
     * A message this subscription's credit paid for was dropped from the send buffer before it was sent (to make
     * room under drop-oldest): the client never sees it, so never grants for it; the credit comes back, or each such
     * drop would leak one until the subscription stalled for good.
     */
    void refundCredit(final int priority)
    {
        final AtomicLong pool = pool(Priority.CRITICAL.ordinal() == priority);
        if (null != pool)
        {
            pool.incrementAndGet();
        }
    }

    long credit()
    {
        return null == credit ? NO_CREDIT_LIMIT : credit.get();
    }

    /** @return the credit a message of this class spends: CRITICAL's own when it has one. */
    private AtomicLong pool(final boolean critical)
    {
        return critical && null != criticalCredit ? criticalCredit : credit;
    }

    void addCredit(final long more)
    {
        add(credit, more);
    }

    /**
     * A CREDIT frame: {@code more} for the lower classes, {@code moreCritical} for CRITICAL; without a CRITICAL window
     * both go to the one credit (what the client consumed, whichever way it counted it, comes back).
     */
    void addCredit(final long more, final long moreCritical)
    {
        add(credit, more);
        add(null == criticalCredit ? credit : criticalCredit, moreCritical);
    }

    private static void add(final AtomicLong pool, final long more)
    {
        if (null != pool && more > 0)
        {
            // A compare-and-set loop rather than getAndUpdate: a lambda capturing 'more' would be allocated per CREDIT.
            long current;
            do
            {
                current = pool.get();
            }
            while (!pool.compareAndSet(current, current > Long.MAX_VALUE - more ? Long.MAX_VALUE : current + more));
        }
    }

    /**
     * @return messages put in the send buffer for the client: those the switch handed over, less those dropped.
     */
    long delivered()
    {
        final Subscription s = subscription;
        return null == s ? 0 : Math.max(0, s.delivered() - dropped.get());
    }

    /**
     * {@code network.inline-shard}: on the I/O agent's own thread a back-pressure subscription cannot wait for room,
     * since that thread reads the client's credit and writes its send buffer to the socket; without credit or room for
     * the frame (twice over, for a wrap's padding) the shard holds the message (a queue-group member's stays in its
     * outbox) and offers it again later.
     */
    @Override
    public boolean hasRoomFor(final Message message)
    {
        if (SlowSubscriberPolicy.BACK_PRESSURE != policy || !announced || ended || !connection.agent().isAgentThread())
        {
            return true;
        }
        final AtomicLong pool = pool(Priority.CRITICAL == message.priority()); // CRITICAL's own credit, if any
        if (null != pool && pool.get() <= 0)
        {
            return false;
        }
        final ManyToOneRingBuffer ring = connection.deliveries();
        if (null == ring)
        {
            return true;
        }
        final int needed = 2 * BitUtil.align(recordLength(message) + RecordDescriptor.HEADER_LENGTH,
            RecordDescriptor.ALIGNMENT);
        return ring.capacity() - ring.size() >= needed;
    }

    private int recordLength(final Message message)
    {
        final boolean current = connection.sessionVersion >= 2;
        final String replyTo = message.replyTo();
        return ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH +
            (current ? MessageEncoder.BLOCK_LENGTH : V1_BLOCK_LENGTH) + MessageEncoder.topicHeaderLength() +
            message.topic().length() + MessageEncoder.payloadHeaderLength() + message.length() +
            (current ? MessageEncoder.replyToHeaderLength() + (null == replyTo ? 0 : replyTo.length()) : 0);
    }

    @Override
    public void onMessage(final Message message)
    {
        if (!announced || ended)
        {
            // Before SUBSCRIBED went out (offered before the subscription was in effect), or after its end. A
            // queue-group member was chosen for it over the others, though: it waits for its SUBSCRIBED, and one
            // handed a message after its end (its connection closed during a delivery) counts it lost. Any other
            // subscription handed one after its end (UNSUBSCRIBE or a close while the switch was delivering) counts
            // it too: the switch counted it delivered, the client never sees it.
            if (!queueGroupMember)
            {
                if (ended)
                {
                    connection.server().onAfterEnd(1);
                }
                return;
            }
            if (!awaitAnnounced())
            {
                return;
            }
        }
        final String topic = message.topic();
        final int payloadLength = message.length();
        final int version = connection.sessionVersion;
        final boolean current = version >= 2; // MESSAGE has correlationId and replyTo since version 2
        final int blockLength = current ? MessageEncoder.BLOCK_LENGTH : V1_BLOCK_LENGTH;
        final String replyTo = message.replyTo();
        final int frameLength = ProtocolFrames.HEADER_LENGTH + blockLength + MessageEncoder.topicHeaderLength() +
            topic.length() + MessageEncoder.payloadHeaderLength() + payloadLength +
            (current ? MessageEncoder.replyToHeaderLength() + (null == replyTo ? 0 : replyTo.length()) : 0);
        final int recordLength = ProtocolFrames.LENGTH_PREFIX + frameLength;
        ManyToOneRingBuffer ring = connection.deliveries();
        final int priority = message.priority().ordinal();
        final boolean critical = Priority.CRITICAL.ordinal() == priority;

        // CRITICAL goes in the connection's express lane, written to the socket first, unless it is full or one
        // spilled into the send buffer is still queued there (then it follows that one, to keep CRITICAL's order).
        // A queue-group member's stay in the send buffer: its leave waits on that one buffer's position.
        final ExpressLane lane = critical && !queueGroupMember ? connection.express() : null;
        final AtomicLong pool = pool(critical);
        int index = RingBuffer.INSUFFICIENT_CAPACITY;
        if (null != lane && lane.open(ring))
        {
            index = claimExpress(lane, pool, recordLength);
            if (index >= 0)
            {
                ring = lane.ring();
            }
        }
        if (index < 0)
        {
            // Under a dropping policy a message below CRITICAL leaves the send buffer's CRITICAL reserve free.
            final boolean reserveHolds = critical || !dropping() || 0 == criticalReservePercent ||
                connection.fitsBelowCriticalReserve(recordLength);
            final boolean credited = takeCredit(pool, critical || !dropping() ? 0 : creditReserve);
            index = credited && reserveHolds ? ring.tryClaim(slot + 1, recordLength) : RingBuffer.INSUFFICIENT_CAPACITY;
            if (index < 0)
            {
                if (credited && null != pool)
                {
                    // The credit was not spent (the ring was full): give it back before the policy takes its own, or
                    // every full ring would leak one and the client's grants would never catch up (a stall).
                    pool.incrementAndGet();
                }
                index = onFull(ring, pool, recordLength, critical, priority);
                if (index < 0)
                {
                    return;
                }
            }
            if (null != lane)
            {
                lane.onSpilled(ring); // claimed: later CRITICAL ones follow it here until it is sent
                connection.server().onExpressSpill();
            }
        }

        final Encoders encoders = ENCODERS.get();
        final org.agrona.concurrent.AtomicBuffer buffer = ring.buffer();
        final int frame = index + ProtocolFrames.LENGTH_PREFIX;
        ProtocolFrames.frameLength(buffer, index, frameLength);
        encoders.header.wrap(buffer, frame)
            .blockLength(blockLength)
            .templateId(MessageEncoder.TEMPLATE_ID)
            .schemaId(ProtocolFrames.SCHEMA_ID)
            .version(version);
        final MessageEncoder encoder = encoders.message.wrap(buffer, frame + ProtocolFrames.HEADER_LENGTH)
            .subscriptionId(id)
            .sequence(message.sequence())
            .timestampNs(message.timestampNs())
            .priority(PRIORITY_CODES[message.priority().ordinal()]);
        if (current)
        {
            encoder.correlationId(message.correlationId()).topic(topic)
                .putPayload(message.buffer(), message.offset(), payloadLength).replyTo(replyTo);
        }
        else
        {
            // A session of the version before: its block ends before correlationId, and it has no replyTo (it can
            // answer no request: a version 1 client cannot ask for one either).
            encoder.limit(frame + ProtocolFrames.HEADER_LENGTH + V1_BLOCK_LENGTH);
            encoder.topic(topic).putPayload(message.buffer(), message.offset(), payloadLength);
        }
        ring.commit(index);
        // The connection may have closed since this handler looked (its close sets the state, then discards the
        // ring): the fence orders the commit before the state's read, so either that discard saw this frame or
        // this handler sees the close and discards it itself, counted lost at the connection's end, never both.
        VarHandle.fullFence();
        if (ProtocolConnection.CLOSED == connection.state())
        {
            connection.discardAfterClose();
            return;
        }
        connection.onDelivered();
    }

    /**
     * A CRITICAL message's room in the express lane, paid for with a credit: under drop-oldest, one out of credit
     * takes that of the oldest unsent messages below CRITICAL in the send buffer, as in the send buffer itself; under
     * a dropping policy, one still out of credit may overdraw it by as much again as the CRITICAL reserve
     * ({@code network.critical-reserve}), since the client grants in batches (half its window at a time) and CRITICAL
     * arriving between two grants may outnumber the reserve. The client grants for every message it consumes, the
     * overdrawn ones too, so the debt is repaid by its next grants (lower classes wait until the credit is back above
     * the reserve): nothing stalls, and what the client holds stays bounded by its window and that reserve.
     *
     * @return the index in the lane, or negative (no credit, or the lane is full: the send buffer's path decides).
     */
    private int claimExpress(final ExpressLane lane, final AtomicLong pool, final int recordLength)
    {
        if (!takeCredit(pool, 0))
        {
            // With a CRITICAL window of its own, CRITICAL spends only it: nothing to take from the other classes.
            if (pool != credit || (SlowSubscriberPolicy.DROP_OLDEST != policy || !takeCreditOfOlder()) &&
                !(dropping() && takeCredit(credit, -creditReserve)))
            {
                return RingBuffer.INSUFFICIENT_CAPACITY;
            }
        }
        final int index = lane.tryClaim(slot + 1, recordLength);
        if (index < 0 && null != pool)
        {
            pool.incrementAndGet(); // not spent: the send buffer's path takes its own
        }
        return index;
    }

    /**
     * Drop the oldest unsent messages below CRITICAL (up to {@link #MAX_CREDIT_TAKEN}) for their credit, then take one.
     */
    private boolean takeCreditOfOlder()
    {
        for (int tries = 0; null != credit && credit.get() <= 0 && tries < MAX_CREDIT_TAKEN; tries++)
        {
            if (!connection.discardOldestBelowCritical())
            {
                break;
            }
        }
        return takeCredit(credit, 0);
    }

    /**
     * @param pool  the credit to spend ({@link #pool}); null: no flow control.
     * @param floor credit this message may not take: 0, the CRITICAL reserve for a message below CRITICAL, or minus
     *              that reserve for a CRITICAL one overdrawing it into the express lane.
     */
    private static boolean takeCredit(final AtomicLong pool, final long floor)
    {
        if (null == pool)
        {
            return true;
        }
        while (true)
        {
            final long current = pool.get();
            if (current <= floor)
            {
                return false;
            }
            if (pool.compareAndSet(current, current - 1))
            {
                return true;
            }
        }
    }

    /**
     * The send buffer or the credit cannot take the message: the policy decides, at once.
     *
     * @return the claimed index when the message may still go, else negative (dropped and counted).
     */
    private boolean dropping()
    {
        return SlowSubscriberPolicy.DROP_OLDEST == policy || SlowSubscriberPolicy.DROP_NEWEST == policy;
    }

    private int onFull(final ManyToOneRingBuffer ring, final AtomicLong pool, final int recordLength,
        final boolean critical, final int priority)
    {
        switch (policy)
        {
            case DROP_OLDEST:
            {
                // Out of credit, a CRITICAL message sharing the credit takes that of the oldest unsent ones below
                // CRITICAL (one with a window of its own has nothing to take from them).
                for (int tries = 0; critical && pool == credit && null != credit && credit.get() <= 0 &&
                    tries < MAX_CREDIT_TAKEN; tries++)
                {
                    if (!connection.discardOldestBelowCritical())
                    {
                        break;
                    }
                }
                if (null == pool || pool.get() > (critical ? 0 : creditReserve))
                {
                    final int index = connection.claimDroppingOldest(slot + 1, recordLength, critical);
                    if (index >= 0)
                    {
                        if (null != pool)
                        {
                            pool.decrementAndGet();
                        }
                        return index;
                    }
                }
                dropNewcomer(pool, critical, priority);
                return -1;
            }
            case DISCONNECT:
                dropNewcomer(pool, critical, priority);
                connection.onSlowConsumer(this);
                return -1;
            case BACK_PRESSURE:
                return awaitRoom(ring, pool, recordLength);
            case DROP_NEWEST:
            default:
                dropNewcomer(pool, critical, priority);
                return -1;
        }
    }

    /** The message in hand is dropped: counted, and a CRITICAL one by the limit that refused it. */
    private void dropNewcomer(final AtomicLong pool, final boolean critical, final int priority)
    {
        drop(1, priority);
        if (critical)
        {
            connection.server().onCriticalDrop(null != pool && pool.get() <= 0 ?
                CriticalDrop.NO_CREDIT : CriticalDrop.SEND_BUFFER_FULL);
        }
    }

    /**
     * Back-pressure: hold this shard's pipeline (so the ring fills and publishers are told BACK_PRESSURED) until
     * the send buffer has room, never past the end of the subscription or its connection, nor past the stop's
     * drain deadline; what is given up then is counted as undelivered.
     */
    private int awaitRoom(final ManyToOneRingBuffer ring, final AtomicLong pool, final int recordLength)
    {
        long parkNs = 1_000;
        // network.inline-shard: this runs on the connection's own I/O agent, which is then held too, so it writes
        // the send buffer to the socket itself; only the client reading makes room.
        final boolean onAgent = connection.agent().isAgentThread();
        while (!ended && connection.isOpen() && !connection.server().drainExpired() &&
            !Thread.currentThread().isInterrupted())
        {
            if (onAgent)
            {
                connection.flush();
            }
            if (takeCredit(pool, 0))
            {
                final int index = ring.tryClaim(slot + 1, recordLength);
                if (index >= 0)
                {
                    return index;
                }
                if (null != pool)
                {
                    pool.incrementAndGet();
                }
            }
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs << 1, TimeUnit.MICROSECONDS.toNanos(100));
        }
        if (connection.isOpen())
        {
            connection.server().onUndelivered(1); // a stop's deadline, or its own end
        }
        else
        {
            connection.server().onLostAtEnd(1); // its connection closed while it waited for room
        }
        return -1;
    }

    /**
     * A queue-group member given a message before its SUBSCRIBED is staged (a moment, on join): its delivery
     * agent (a group member delivers through the switch's shared agents, never on a shard's pipeline) waits for
     * it rather than lose the message, as {@code back-pressure} waits for room.
     *
     * @return true once announced; false if it ended first (the message is counted lost at its end).
     */
    private boolean awaitAnnounced()
    {
        long parkNs = 1_000;
        // network.inline-shard: the SUBSCRIBED is staged by a completion posted to this same thread: run it here.
        final boolean onAgent = connection.agent().isAgentThread();
        while (!announced)
        {
            if (onAgent && connection.agent().runPosted() > 0)
            {
                continue;
            }
            if (ended || !connection.isOpen() || connection.server().drainExpired() ||
                Thread.currentThread().isInterrupted())
            {
                connection.server().onLostAtEnd(1);
                return false;
            }
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs << 1, TimeUnit.MICROSECONDS.toNanos(100));
        }
        if (ended)
        {
            connection.server().onLostAtEnd(1);
            return false;
        }
        return true;
    }

    /**
     * @param priority the dropped messages' class ({@link Priority#ordinal()}).
     */
    void drop(final long count, final int priority)
    {
        dropped.addAndGet(count);
        connection.server().onSubscriberDrops(count, priority);
    }

    @Override
    public void onTerminated(final Subscription s, final TerminationReason reason, final Throwable cause)
    {
        if (!leaving) // a leaver still writes what it is handed; its connection ends it after the last
        {
            ended = true;
        }
        if (reason == TerminationReason.RESTART_INTENSITY_EXCEEDED)
        {
            connection.onSubscriptionFault(this, cause);
        }
    }

    @Override
    public String toString()
    {
        return "subscription " + id + " '" + pattern + "'";
    }

    private static final class Encoders
    {
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final MessageEncoder message = new MessageEncoder();
    }
}
