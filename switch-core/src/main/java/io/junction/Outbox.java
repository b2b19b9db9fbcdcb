package io.junction;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.agrona.BitUtil;

/**
 * The bounded queue between one shard's dispatcher (the only producer) and one subscription's delivery
 * agent (the only consumer), holding at most {@code capacity} messages of all classes together.
 * <p>
 * Each class has a queue of its own, created when the first message of that class arrives, so that the
 * producer can always find the lowest class queued: under {@link SlowSubscriberPolicy#DROP_OLDEST} and
 * {@link SlowSubscriberPolicy#DROP_NEWEST} a full outbox makes room by dropping the oldest message of the
 * lowest class queued, and a message of class c is dropped only when nothing of a lower class is queued
 * (then DROP_OLDEST drops the oldest of class c, DROP_NEWEST the new message). Every drop is counted, per
 * class, by the producer when it happens, so a consumer that never drains still shows its drops.
 * <p>
 * The producer drops a queued message by advancing that class queue's tail with a compare-and-set; the
 * consumer takes one the same way, after copying it out, so exactly one of them wins each message. Under
 * every other policy nothing is ever dropped from the queue, and the consumer delivers in place.
 * <p>
 * Messages are delivered in the order they were offered (each carries an order number and the consumer
 * takes the lowest of the class queues' heads), unless the switch runs its CRITICAL express lane: then the
 * consumer takes the highest class queued first.
 */
final class Outbox extends Route
{
    private static final int CLASSES = Priority.values().length;
    private static final VarHandle PUBLISHED;

    static
    {
        try
        {
            PUBLISHED = MethodHandles.lookup().findVarHandle(Outbox.class, "published", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final SwitchSubscription subscription;
    private final boolean evicting;
    private final boolean dropOldest;
    private final boolean highestClassFirst;
    private final int capacity;
    private final ClassQueue[] queues = new ClassQueue[CLASSES];

    /** Order numbers below this are visible in their class queues; written by the producer only. */
    private volatile long published;

    // Producer only: the next order number, messages written, and the sum of the tails when last read.
    private long nextOrder;
    private long written;
    private long tailsSeen;

    private SegmentReclaimer reclaimer; // the shard's, set when it routes to this outbox; producer only
    private Shard producer; // the shard that feeds it: a full outbox may hold that shard

    // Producer only: the drop grace (Context.dropGraceNs). A full dropping outbox first holds its shard for a
    // while, so a consumer that is merely waiting for a core gets it before anything is lost; one still full
    // when its grace runs out is slow, and drops at once until it has drained to half its capacity.
    static final byte GRACE_NONE = 0;
    static final byte GRACE_WAITING = 1;
    static final byte GRACE_USED = 2;
    private byte graceState;
    private long graceStartNs;

    private Message scratch; // the consumer's copy, under the dropping policies; created on first use
    private Message inlineView;
    private final int shard; // the shard that feeds it

    Outbox(
        final SwitchSubscription subscription,
        final SlowSubscriberPolicy policy,
        final int requestedCapacity,
        final boolean highestClassFirst,
        final int shard)
    {
        this.subscription = subscription;
        this.shard = shard;
        this.dropOldest = policy == SlowSubscriberPolicy.DROP_OLDEST;
        this.evicting = dropOldest || policy == SlowSubscriberPolicy.DROP_NEWEST;
        this.highestClassFirst = highestClassFirst;
        this.capacity = BitUtil.findNextPositivePowerOfTwo(requestedCapacity);
    }

    /**
     * From now on, hand each message straight to the subscription on the producer's thread, without a copy.
     */
    void deliverInline()
    {
        inlineView = new Message();
    }

    SwitchSubscription subscription()
    {
        return subscription;
    }

    /**
     * Producer side: where this outbox's class queues report that they grew, so that their memory is given
     * back once they go idle.
     */
    void reclaimWith(final SegmentReclaimer reclaimer)
    {
        this.reclaimer = reclaimer;
    }

    /**
     * The shard that routes to this outbox, before any message reaches it: under BACK_PRESSURE (or the other
     * policies' drop grace) a full outbox stalls that shard, and the consumer wakes it when it makes room, rather
     * than leaving it to wait out its park.
     */
    void producedBy(final Shard shard)
    {
        this.producer = shard;
    }

    /**
     * Producer side: whether a full outbox may still hold its shard rather than drop. A grace is one per
     * spell of fullness: it begins when the shard first finds the outbox full, and only a drain to half the
     * capacity ends the spell, so a consumer that makes a little room now and then cannot pace its shard.
     */
    boolean mayWaitBeforeDropping()
    {
        if (GRACE_NONE == graceState)
        {
            return true;
        }
        // The depth as of the tails last read (isFull reads them again whenever this reaches the capacity), so
        // the consumer's cache line is not read at every message of a spell.
        if (written - tailsSeen <= capacity >> 1)
        {
            graceState = GRACE_NONE; // it caught up: the next spell of fullness gets a grace of its own
            return true;
        }
        return GRACE_WAITING == graceState;
    }

    /**
     * Producer side, when the outbox refused a message it would otherwise drop.
     *
     * @return true if the shard should wait (the grace began now, or has not run out); false once it has run
     * out: from then on the outbox drops at once until it drains to half its capacity.
     */
    boolean waitBeforeDropping(final long nowNs, final long graceNs)
    {
        if (GRACE_NONE == graceState)
        {
            graceState = GRACE_WAITING;
            graceStartNs = nowNs;
            return true;
        }
        if (nowNs - graceStartNs < graceNs)
        {
            return true;
        }
        graceState = GRACE_USED;
        return false;
    }

    /**
     * @return true while a grace has begun and not run out (for counting the ones that begin).
     */
    boolean isWaiting()
    {
        return GRACE_WAITING == graceState;
    }

    /**
     * @return message slots the class queues hold in their segments (for tests and the heap estimate).
     */
    int slotsHeld()
    {
        int slots = 0;
        for (final ClassQueue queue : queues)
        {
            if (null != queue)
            {
                slots += queue.slotsHeld();
            }
        }
        return slots;
    }

    @Override
    Outbox select(final MessageEvent event)
    {
        return this;
    }

    int capacity()
    {
        return capacity;
    }

    long depth()
    {
        long depth = 0;
        for (final ClassQueue queue : queues)
        {
            if (null != queue)
            {
                depth += queue.depth();
            }
        }
        return Math.max(0, Math.min(depth, capacity));
    }

    /**
     * @return messages of one class queued.
     */
    long depth(final Priority priority)
    {
        final ClassQueue queue = queues[priority.ordinal()];
        return null == queue ? 0 : Math.max(0, queue.depth());
    }

    /**
     * Producer side: copy an event in, making room by the class-aware drop rule if the policy drops.
     *
     * @return false if the outbox is full and the policy does not drop; true if the event was queued or
     * dropped (and counted).
     */
    boolean offer(final MessageEvent event)
    {
        return offer(event, true);
    }

    /**
     * As above; with {@code mayDrop} false, a full outbox that would drop a message of the new message's own
     * class (the new one, or the oldest of its class) refuses it instead, so the shard can give its consumer
     * a grace. Making room by dropping a lower class queued is done at once either way.
     */
    boolean offer(final MessageEvent event, final boolean mayDrop)
    {
        final Message inlineView = this.inlineView;
        if (null != inlineView)
        {
            inlineView.wrap(event.topic, event.sequence, event.priority, event.timestampNs, event.payload, event.length);
            inlineView.deadlineNs = event.deadlineNs;
            inlineView.request(event.replyTo, event.correlationId);
            // False: a back-pressure handler had no room (RoomAwareHandler), the shard holds the message.
            return subscription.deliverOnPipeline(inlineView, shard);
        }

        final int messageClass = event.priority.ordinal();
        while (isFull())
        {
            if (!evicting)
            {
                return false;
            }
            final int victim = victimClass(messageClass);
            if (!mayDrop && (victim < 0 || victim == messageClass))
            {
                return false;
            }
            if (victim < 0)
            {
                subscription.onDropped(event.priority);
                return true;
            }
            final ClassQueue queue = queues[victim];
            final long tail = queue.tail;
            if (tail != queue.head && queue.casTail(tail, tail + 1))
            {
                tailsSeen++;
                subscription.onDropped(Priority.get(victim));
            }
            // Otherwise the consumer took it first: there may be room now, so look again.
        }

        ClassQueue queue = queues[messageClass];
        if (null == queue)
        {
            queue = new ClassQueue(capacity, subscription, reclaimer);
            queues[messageClass] = queue; // seen by the consumer through its head, released below
        }
        queue.write(event, nextOrder++);
        written++;
        PUBLISHED.setVolatile(this, nextOrder); // volatile: ordered before the read of the scheduled flag
        subscription.schedule();
        return true;
    }

    /**
     * Producer side: messages ever written into this outbox.
     */
    /**
     * @return true when it hands each message to its handler at once, on the shard (nothing is ever written).
     */
    boolean isInline()
    {
        return null != inlineView;
    }

    long writtenCount()
    {
        return written;
    }

    /**
     * Producer side: messages ever taken out of it (delivered, or dropped to make room).
     */
    long takenCount()
    {
        long tails = 0;
        for (final ClassQueue queue : queues)
        {
            if (null != queue)
            {
                tails += queue.tail;
            }
        }
        return tails;
    }

    private boolean isFull()
    {
        if (written - tailsSeen < capacity)
        {
            return false;
        }
        long tails = 0;
        for (final ClassQueue queue : queues)
        {
            if (null != queue)
            {
                tails += queue.tail;
            }
        }
        tailsSeen = tails;
        return written - tails >= capacity;
    }

    /**
     * @return the lowest class queued that may be dropped to make room for a message of {@code messageClass},
     * or -1 if the new message itself is the one to drop.
     */
    private int victimClass(final int messageClass)
    {
        final int lowestAllowed = dropOldest ? messageClass : messageClass + 1;
        for (int c = CLASSES - 1; c >= lowestAllowed; c--)
        {
            final ClassQueue queue = queues[c];
            if (null != queue && queue.head != queue.tail)
            {
                return c;
            }
        }
        return -1;
    }

    /**
     * Consumer side: hand up to {@code limit} messages to the subscription.
     *
     * @return messages handed over (delivered or failed).
     */
    int drain(final int limit)
    {
        long visible = (long)PUBLISHED.getVolatile(this); // after unscheduled(): see Outbox.offer
        if (evicting && null == scratch && visible > 0)
        {
            scratch = new Message();
        }
        int count = 0;
        while (count < limit && subscription.isActive())
        {
            final ClassQueue queue = next(visible);
            if (null == queue)
            {
                final long latest = (long)PUBLISHED.getVolatile(this);
                if (latest == visible)
                {
                    break;
                }
                visible = latest;
                continue;
            }

            final long tail = queue.chosenTail;
            final Message slot = queue.slot(tail);
            final boolean proceed;
            if (evicting)
            {
                // Copy first: once the tail moves on, the producer may write into the slot.
                scratch.copyFrom(slot);
                if (!queue.casTail(tail, tail + 1))
                {
                    continue; // The producer dropped it while we copied.
                }
                proceed = subscription.deliver(scratch);
            }
            else
            {
                if (!subscription.mayTakeFromOutbox(slot))
                {
                    break; // No room in the handler (INVOKER mode): it stays queued, offered again next cycle.
                }
                proceed = subscription.deliver(slot);
                queue.releaseTail(tail + 1);
            }
            count++;
            if (!proceed)
            {
                break;
            }
        }
        if (count > 0 && null != producer)
        {
            producer.onRoomMade();
        }
        return count;
    }

    /**
     * The shard takes the consumer's place for a queue-group member that left, once its delivery agent can
     * no longer touch this outbox ({@link SwitchSubscription#isQuiescent()}), and hands what is queued, in
     * order, to the members that remain.
     *
     * @return messages moved; fewer than queued if a member had no room (the rest wait for the next try).
     */
    int moveTo(final QueueGroup group)
    {
        int moved = 0;
        final long visible = (long)PUBLISHED.getVolatile(this);
        ClassQueue queue;
        while (null != (queue = next(visible)))
        {
            final long tail = queue.chosenTail;
            if (!group.reoffer(queue.slot(tail)))
            {
                break;
            }
            queue.releaseTail(tail + 1); // the shard is producer and consumer here: nothing races it
            moved++;
        }
        return moved;
    }

    /**
     * @return the class queue whose head is the next to deliver, or null if none below {@code visible}.
     */
    private ClassQueue next(final long visible)
    {
        ClassQueue best = null;
        long bestOrder = Long.MAX_VALUE;
        for (final ClassQueue queue : queues)
        {
            if (null == queue)
            {
                continue;
            }
            final long tail = queue.tail;
            if (tail >= queue.headSeen && tail >= (queue.headSeen = queue.head))
            {
                continue; // the head is read again only when the one last seen is reached
            }
            if (highestClassFirst)
            {
                queue.chosenTail = tail;
                return queue;
            }
            // A racy read when the producer drops this message meanwhile: the tail's compare-and-set then fails.
            final long order = queue.slot(tail).order;
            if (order < bestOrder && order < visible)
            {
                best = queue;
                bestOrder = order;
                best.chosenTail = tail;
            }
        }
        return best;
    }

    /**
     * What the producer (the shard) writes for each message. The consumer (a delivery agent) writes on
     * other cache lines, so neither invalidates the other's at every message.
     */
    abstract static class ClassQueueProducerSide
    {
        volatile long head;
        long tailSeen;     // producer only: the tail when last read, at most the real one
        long lastDeepHead; // producer only: the last write that found the queue deeper than the first segment
        long headAtLastCheck = -1; // producer only: the head the reclaimer saw last
        boolean tracked;   // producer only: the reclaimer looks at this queue
        ClassQueue.Segment producerSegment;
    }

    @SuppressWarnings("unused")
    abstract static class ClassQueueProducerPad extends ClassQueueProducerSide
    {
        long p01, p02, p03, p04, p05, p06, p07, p08;
    }

    /** What the consumer writes for each message. */
    abstract static class ClassQueueConsumerSide extends ClassQueueProducerPad
    {
        volatile long tail;
        long headSeen;   // consumer only: the head when last read, at most the real one
        long chosenTail; // consumer only: the tail Outbox.next() chose
        ClassQueue.Segment consumerSegment; // consumer's, but for the reclaimer's hand-over in releaseIfIdle
    }

    @SuppressWarnings("unused")
    abstract static class ClassQueueConsumerPad extends ClassQueueConsumerSide
    {
        long c01, c02, c03, c04, c05, c06, c07, c08;
    }

    /**
     * One class's messages, in order: a single-producer, single-consumer queue whose tail the producer may
     * also advance (to drop the oldest). Positions count on across a chain of ring segments: the first
     * holds {@link #FIRST_SEGMENT} messages, and the producer links one twice the size when a segment
     * fills, up to the outbox's capacity, so memory follows the depth the subscriber actually reaches; and
     * when it finds the queue empty in a large segment after many shallow writes, it starts a small one
     * again, so the large one is given back once the consumer has moved past it.
     */
    static final class ClassQueue extends ClassQueueConsumerPad
    {
        static final int FIRST_SEGMENT = 8;
        static final int SHALLOW_WRITES_PER_SLOT = 64;

        private static final VarHandle HEAD;
        private static final VarHandle TAIL;

        static
        {
            try
            {
                final MethodHandles.Lookup lookup = MethodHandles.lookup();
                HEAD = lookup.findVarHandle(ClassQueueProducerSide.class, "head", long.class);
                TAIL = lookup.findVarHandle(ClassQueueConsumerSide.class, "tail", long.class);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new ExceptionInInitializerError(ex);
            }
        }

        /** Positions from {@code base} on, in a ring of slots created as they are first used. */
        static final class Segment
        {
            final long base;
            final Message[] slots;
            final int mask;
            volatile Segment next; // set once, when the producer moves on: this segment then ends at next.base

            Segment(final long base, final int size)
            {
                this.base = base;
                this.slots = new Message[size];
                this.mask = size - 1;
            }

            Message slot(final long position)
            {
                return slots[(int)(position - base) & mask];
            }
        }

        private final int capacity;
        private final SwitchSubscription subscription; // null in tests of the queue alone
        private final SegmentReclaimer reclaimer;      // null in tests of the queue alone

        ClassQueue(final int capacity)
        {
            this(capacity, null, null);
        }

        ClassQueue(final int capacity, final SwitchSubscription subscription, final SegmentReclaimer reclaimer)
        {
            this.capacity = capacity;
            this.subscription = subscription;
            this.reclaimer = reclaimer;
            producerSegment = new Segment(0, Math.min(FIRST_SEGMENT, capacity));
            consumerSegment = producerSegment;
        }

        long depth()
        {
            final long tail = this.tail;
            return head - tail;
        }

        /**
         * Consumer side: the slot of a position below the head.
         */
        Message slot(final long position)
        {
            Segment segment = consumerSegment;
            Segment next;
            while (null != (next = segment.next) && position >= next.base)
            {
                segment = next; // the one behind is left to the collector
            }
            consumerSegment = segment;
            return segment.slot(position);
        }

        /**
         * @return slots created so far in the segments still linked (for tests and the heap estimate).
         */
        int segmentSize()
        {
            return producerSegment.slots.length;
        }

        /**
         * @return slots of the segments still referenced, by the producer's end and the consumer's.
         */
        int slotsHeld()
        {
            final Segment consumer = consumerSegment;
            return producerSegment.slots.length + (consumer == producerSegment ? 0 : consumer.slots.length);
        }

        /**
         * Producer side, from the reclaimer: if the queue has been empty, with no write, since the last look,
         * start it on a small segment again and let the grown ones go.
         *
         * @return true if the reclaimer need not look at this queue again (until it grows again).
         */
        boolean releaseIfIdle()
        {
            final long head = this.head;
            if ((null != subscription && subscription.isFinished()) || producerSegment.slots.length <= FIRST_SEGMENT)
            {
                tracked = false; // ended (the outbox goes with it), or already given back by a shallow spell
                return true;
            }
            if (head != tail || head != headAtLastCheck)
            {
                headAtLastCheck = head; // queued, or written since: not idle for a whole interval yet
                return false;
            }
            // Empty: the consumer has taken every position below the head and, until the next write, reads
            // none, so it can be handed the small segment too and nothing holds the grown ones. (A consumer
            // that lost a drop race may still set its own back; its next read then moves it on.)
            final Segment small = link(producerSegment, head, FIRST_SEGMENT);
            consumerSegment = small;
            headAtLastCheck = -1;
            tracked = false;
            return true;
        }

        void write(final MessageEvent event, final long order)
        {
            final long head = this.head;
            Segment segment = producerSegment;
            // The tail last seen is never ahead of the real one, so the queue looks at least as deep with it:
            // the consumer's cache line is read only when the answer may change what happens below.
            long tail = tailSeen;
            if (head - tail >= FIRST_SEGMENT || head - Math.max(tail, segment.base) >= segment.slots.length)
            {
                tail = tailSeen = this.tail;
            }
            if (head - Math.max(tail, segment.base) >= segment.slots.length)
            {
                segment = link(segment, head, Math.min(segment.slots.length << 1, capacity));
                if (!tracked && null != reclaimer)
                {
                    tracked = true;
                    reclaimer.track(this);
                }
            }
            else if (head - tail >= FIRST_SEGMENT)
            {
                lastDeepHead = head;
            }
            else if (segment.slots.length > FIRST_SEGMENT &&
                head - lastDeepHead > (long)segment.slots.length * SHALLOW_WRITES_PER_SLOT &&
                head == (tailSeen = this.tail))
            {
                // Drained, and shallow for long enough that the depth is not coming back soon: give the
                // large segment back. (Not at every drain: a queue that fills and empties in turn would
                // allocate a segment per burst.)
                segment = link(segment, head, FIRST_SEGMENT);
            }
            final int index = (int)(head - segment.base) & segment.mask;
            Message slot = segment.slots[index];
            if (null == slot)
            {
                slot = new Message(); // Once per slot: a segment grows to its use, then stays.
                segment.slots[index] = slot;
            }
            slot.set(event.topic, event.sequence, event.priority, event.timestampNs, event.payload, 0, event.length);
            slot.deadlineNs = event.deadlineNs;
            slot.key = event.key;
            slot.request(event.replyTo, event.correlationId);
            slot.order = order;
            HEAD.setRelease(this, head + 1);
        }

        private Segment link(final Segment current, final long base, final int size)
        {
            final Segment next = new Segment(base, size);
            current.next = next; // published to the consumer by the head's release after the write
            producerSegment = next;
            return next;
        }

        boolean casTail(final long expected, final long next)
        {
            return TAIL.compareAndSet(this, expected, next);
        }

        void releaseTail(final long next)
        {
            TAIL.setRelease(this, next);
        }
    }
}
