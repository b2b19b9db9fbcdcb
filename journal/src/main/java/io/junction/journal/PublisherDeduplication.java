package io.junction.journal;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.status.AtomicCounter;

import io.junction.OfferResult;
import io.junction.RejectReason;

/**
 * What the journal knows of each idempotent publisher: its highest publisher sequence accepted, and which of the
 * {@code window} sequences up to it were accepted, so that a resend is refused as a duplicate while a sequence
 * skipped earlier (back pressure) can still be sent. A sequence older than the window cannot be told new or not:
 * it is refused as too old, never accepted as a possible duplicate. Rebuilt at start from the records of the journal,
 * which carry the publisher id and sequence.
 * <p>
 * Lookups allocate nothing and take no shared lock: publishers are in a copy-on-write map (copied only when a new
 * publisher id is first seen), and each publisher's window has its own monitor, uncontended as one thread at a time
 * offers for a publisher id; it only guards a reconnecting publisher whose old connection is still offering.
 */
final class PublisherDeduplication
{
    private static final long DUPLICATE = OfferResult.rejected(RejectReason.DUPLICATE);
    private static final long TOO_OLD = OfferResult.rejected(RejectReason.TOO_OLD_FOR_DEDUPLICATION);

    private final int window;
    private final AtomicCounter publishersGauge;
    private volatile Long2ObjectHashMap<Window> windows = new Long2ObjectHashMap<>();

    /**
     * @param window a power of two: how many publisher sequences below the highest are remembered per publisher.
     */
    PublisherDeduplication(final int window, final AtomicCounter publishersGauge)
    {
        this.window = window;
        this.publishersGauge = publishersGauge;
    }

    /**
     * @return 0 if the sequence is new (now reserved), else the rejected {@link OfferResult} for a duplicate or a
     * sequence older than the window.
     */
    long reserve(final long publisherId, final long publisherSequence)
    {
        final Window w = windowOf(publisherId);
        synchronized (w)
        {
            return w.reserve(publisherSequence);
        }
    }

    void release(final long publisherId, final long publisherSequence)
    {
        final Window w = windows.get(publisherId);
        if (null != w)
        {
            synchronized (w)
            {
                w.release(publisherSequence);
            }
        }
    }

    /**
     * A journaled record's publisher sequence, read at start.
     */
    void recover(final long publisherId, final long publisherSequence)
    {
        reserve(publisherId, publisherSequence);
    }

    int publishers()
    {
        return windows.size();
    }

    private Window windowOf(final long publisherId)
    {
        final Window w = windows.get(publisherId);
        return null != w ? w : newWindow(publisherId);
    }

    private synchronized Window newWindow(final long publisherId)
    {
        final Long2ObjectHashMap<Window> current = windows;
        final Window existing = current.get(publisherId);
        if (null != existing)
        {
            return existing;
        }
        final Long2ObjectHashMap<Window> copy = new Long2ObjectHashMap<>(current.size() * 2 + 8, 0.65f);
        copy.putAll(current);
        final Window w = new Window(window);
        copy.put(publisherId, w);
        windows = copy;
        publishersGauge.setRelease(copy.size());
        return w;
    }

    /**
     * One publisher: a ring of bits for the sequences in (highest - window, highest].
     */
    private static final class Window
    {
        private final long[] bits;
        private final int window;
        private final int mask;
        private long highest;

        Window(final int window)
        {
            this.window = window;
            this.mask = window - 1;
            this.bits = new long[Math.max(1, window >> 6)];
        }

        long reserve(final long sequence)
        {
            if (sequence > highest)
            {
                if (sequence - highest >= window)
                {
                    java.util.Arrays.fill(bits, 0);
                }
                else
                {
                    for (long skipped = highest + 1; skipped < sequence; skipped++)
                    {
                        clear(skipped); // Sequences jumped over: not sent yet, or refused; they may come later.
                    }
                }
                highest = sequence;
                set(sequence);
                return 0;
            }
            if (sequence <= highest - window)
            {
                return TOO_OLD;
            }
            if (isSet(sequence))
            {
                return DUPLICATE;
            }
            set(sequence);
            return 0;
        }

        void release(final long sequence)
        {
            if (sequence <= highest && sequence > highest - window)
            {
                clear(sequence);
            }
        }

        private boolean isSet(final long sequence)
        {
            final int bit = (int)(sequence & mask);
            return 0 != (bits[bit >>> 6] & (1L << bit));
        }

        private void set(final long sequence)
        {
            final int bit = (int)(sequence & mask);
            bits[bit >>> 6] |= 1L << bit;
        }

        private void clear(final long sequence)
        {
            final int bit = (int)(sequence & mask);
            bits[bit >>> 6] &= ~(1L << bit);
        }
    }
}
