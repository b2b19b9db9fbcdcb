package io.junction;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.agrona.BitUtil;

import com.lmax.disruptor.Sequence;

/**
 * The bounded queue between one shard's dispatcher (the only producer) and one subscription's delivery
 * agent (the only consumer). Slots are pre-allocated messages, stamped with the sequence they hold.
 * <p>
 * Under {@link SlowSubscriberPolicy#DROP_OLDEST} the producer never waits: it overwrites the oldest
 * slot, and the consumer copies each message out and checks its stamp (a seqlock), skipping what it
 * lost. Under every other policy the producer never overwrites an undelivered slot, so the consumer
 * delivers in place.
 */
final class Outbox
{
    private static final VarHandle STAMPS = MethodHandles.arrayElementVarHandle(long[].class);

    private final SwitchSubscription subscription;
    private final boolean overwrite;
    private final int capacity;
    private final int mask;
    private final Message[] slots;
    private final long[] stamps;
    private final Message scratch;

    /** Next sequence to write; written by the producer only. */
    private final Sequence head = new Sequence(0);

    /** Next sequence to read; written by the consumer only. */
    private final Sequence tail = new Sequence(0);

    private long cachedTail;
    private Message inlineView;

    Outbox(final SwitchSubscription subscription, final SlowSubscriberPolicy policy, final int requestedCapacity)
    {
        this.subscription = subscription;
        this.overwrite = policy == SlowSubscriberPolicy.DROP_OLDEST;
        this.capacity = BitUtil.findNextPositivePowerOfTwo(requestedCapacity);
        this.mask = capacity - 1;
        this.slots = new Message[capacity];
        this.stamps = new long[capacity];
        for (int i = 0; i < capacity; i++)
        {
            slots[i] = new Message();
            stamps[i] = i - (long)capacity;
        }
        this.scratch = overwrite ? new Message() : null;
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

    int capacity()
    {
        return capacity;
    }

    long depth()
    {
        final long depth = head.get() - tail.get();
        return Math.max(0, Math.min(depth, capacity));
    }

    /**
     * Producer side: copy an event in.
     *
     * @return false if the outbox is full and the policy does not overwrite.
     */
    boolean offer(final MessageEvent event)
    {
        final Message inlineView = this.inlineView;
        if (null != inlineView)
        {
            inlineView.wrap(event.topic, event.sequence, event.priority, event.timestampNs, event.payload, event.length);
            inlineView.deadlineNs = event.deadlineNs;
            subscription.deliver(inlineView);
            return true;
        }

        final long sequence = head.get();
        final int index = (int)sequence & mask;
        final Message slot = slots[index];

        if (overwrite)
        {
            // Seqlock write: mark the slot as being written before touching it.
            STAMPS.setOpaque(stamps, index, writingMarker(sequence));
            VarHandle.storeStoreFence();
        }
        else if (sequence - cachedTail >= capacity)
        {
            cachedTail = tail.get();
            if (sequence - cachedTail >= capacity)
            {
                return false;
            }
        }

        slot.set(event.topic, event.sequence, event.priority, event.timestampNs, event.payload, 0, event.length);
        slot.deadlineNs = event.deadlineNs;
        STAMPS.setRelease(stamps, index, sequence);
        head.set(sequence + 1);
        return true;
    }

    /**
     * Consumer side: hand up to {@code limit} messages to the subscription.
     *
     * @return messages handed over (delivered or failed).
     */
    int drain(final int limit)
    {
        return overwrite ? drainCopying(limit) : drainInPlace(limit);
    }

    private int drainInPlace(final int limit)
    {
        long sequence = tail.get();
        int count = 0;
        while (count < limit)
        {
            final int index = (int)sequence & mask;
            if ((long)STAMPS.getAcquire(stamps, index) != sequence)
            {
                break;
            }
            final Message message = slots[index];
            final boolean proceed = subscription.deliver(message);
            sequence++;
            count++;
            tail.set(sequence);
            if (!proceed)
            {
                break;
            }
        }
        return count;
    }

    private int drainCopying(final int limit)
    {
        long sequence = tail.get();
        int count = 0;
        while (count < limit)
        {
            final int index = (int)sequence & mask;
            final long before = (long)STAMPS.getAcquire(stamps, index);
            if (before == sequence)
            {
                scratch.copyFrom(slots[index]);
                VarHandle.loadLoadFence();
                if ((long)STAMPS.getAcquire(stamps, index) == sequence)
                {
                    sequence++;
                    count++;
                    tail.set(sequence);
                    if (!subscription.deliver(scratch))
                    {
                        break;
                    }
                    continue;
                }
            }
            else if (!isLapped(before, sequence))
            {
                break;
            }

            // The producer overwrote what we were about to read: skip to the oldest slot still intact.
            final long oldestIntact = head.get() - capacity + 1;
            final long resume = Math.max(sequence + 1, oldestIntact);
            subscription.onDropped(resume - sequence);
            sequence = resume;
            tail.set(sequence);
        }
        return count;
    }

    private static boolean isLapped(final long stamp, final long sequence)
    {
        return stamp >= 0 ? stamp > sequence : writingSequence(stamp) > sequence;
    }

    private static long writingMarker(final long sequence)
    {
        return -sequence - 2 - Integer.MAX_VALUE;
    }

    private static long writingSequence(final long marker)
    {
        return -(marker + 2 + Integer.MAX_VALUE);
    }
}
