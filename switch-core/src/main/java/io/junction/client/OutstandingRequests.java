package io.junction.client;

import java.util.Arrays;

/**
 * The requests awaiting their reply, by correlation id: a pre-sized open-addressed table (linear probing, backward
 * shift on removal), so a request costs no allocation. Correlation ids increase, so the table also keeps the earliest
 * deadline to skip the timeout scan until one is due.
 */
final class OutstandingRequests
{
    private static final long EMPTY = 0;

    private final long[] ids;
    private final long[] deadlines;
    private final ReplyListener[] listeners;
    private final int mask;
    private final int capacity;
    private int size;
    private long earliestDeadlineNs = Long.MAX_VALUE;

    OutstandingRequests(final int capacity)
    {
        this.capacity = capacity;
        final int slots = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1; // load factor <= 0.5
        ids = new long[slots];
        deadlines = new long[slots];
        listeners = new ReplyListener[slots];
        mask = slots - 1;
    }

    int size()
    {
        return size;
    }

    boolean isFull()
    {
        return size >= capacity;
    }

    /**
     * @param id {@code > 0}, not present.
     */
    void add(final long id, final long deadlineNs, final ReplyListener listener)
    {
        int slot = slot(id);
        while (EMPTY != ids[slot])
        {
            slot = (slot + 1) & mask;
        }
        ids[slot] = id;
        deadlines[slot] = deadlineNs;
        listeners[slot] = listener;
        size++;
        if (deadlineNs < earliestDeadlineNs)
        {
            earliestDeadlineNs = deadlineNs;
        }
    }

    /**
     * @return the listener of the request, now removed, or null if none has that id (timed out, or never made).
     */
    ReplyListener remove(final long id)
    {
        if (0 == size || EMPTY == id)
        {
            return null;
        }
        int slot = slot(id);
        while (EMPTY != ids[slot])
        {
            if (ids[slot] == id)
            {
                final ReplyListener listener = listeners[slot];
                delete(slot);
                return listener;
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    /**
     * Tell every request whose deadline passed that it timed out, and forget it.
     *
     * @return how many timed out.
     */
    int expire(final long nowNs)
    {
        if (0 == size || nowNs < earliestDeadlineNs)
        {
            return 0;
        }
        int expired = 0;
        long earliest = Long.MAX_VALUE;
        earliestDeadlineNs = Long.MAX_VALUE; // a listener may add a request meanwhile: add() lowers it again
        int slot = 0;
        while (slot < ids.length)
        {
            final long id = ids[slot];
            if (EMPTY != id && nowNs - deadlines[slot] >= 0)
            {
                final ReplyListener listener = listeners[slot];
                delete(slot); // may shift a later entry into this slot: look at it again
                expired++;
                listener.onTimedOut(id);
                continue;
            }
            if (EMPTY != id && deadlines[slot] < earliest)
            {
                earliest = deadlines[slot];
            }
            slot++;
        }
        if (earliest < earliestDeadlineNs)
        {
            earliestDeadlineNs = earliest;
        }
        return expired;
    }

    /**
     * Time out every request now (the connection was lost: their replies will not come).
     */
    int expireAll()
    {
        if (0 == size)
        {
            return 0;
        }
        final int count = size;
        for (int slot = 0; slot < ids.length; slot++)
        {
            final long id = ids[slot];
            if (EMPTY != id)
            {
                final ReplyListener listener = listeners[slot];
                ids[slot] = EMPTY;
                listeners[slot] = null;
                listener.onTimedOut(id);
            }
        }
        size = 0;
        earliestDeadlineNs = Long.MAX_VALUE;
        Arrays.fill(listeners, null);
        return count;
    }

    private int slot(final long id)
    {
        final long h = id * 0x9E3779B97F4A7C15L;
        return (int)(h ^ (h >>> 32)) & mask;
    }

    private void delete(final int removed)
    {
        int hole = removed;
        int slot = (hole + 1) & mask;
        while (EMPTY != ids[slot])
        {
            final int home = slot(ids[slot]);
            // Move the entry back into the hole unless its home lies cyclically in (hole, slot].
            if (((slot - home) & mask) >= ((slot - hole) & mask))
            {
                ids[hole] = ids[slot];
                deadlines[hole] = deadlines[slot];
                listeners[hole] = listeners[slot];
                hole = slot;
            }
            slot = (slot + 1) & mask;
        }
        ids[hole] = EMPTY;
        listeners[hole] = null;
        size--;
    }
}
