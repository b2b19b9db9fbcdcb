package io.junction.cluster;

import java.util.Arrays;

/**
 * A queue-group member's latest assignments that its client has not confirmed (replicated state, in the snapshot):
 * the sequence and the key of each (KEYED: one that names its bucket), in the order they were assigned. They are
 * what the member is sent again after a leader change (after the last one its client saw), what a catch-up sends
 * when the member's egress refused one, and what goes to the remaining members when it leaves (UNSUBSCRIBE or
 * session closed). Bounded: past the bound the oldest is forgotten (counted by the caller); memory grows with what
 * is held, up to the bound.
 */
final class AssignedWindow
{
    private static final int INITIAL_CAPACITY = 16;

    private final int bound;
    private long[] sequences = new long[INITIAL_CAPACITY];
    private long[] keys = new long[INITIAL_CAPACITY];
    private int head;
    private int size;

    AssignedWindow(final int bound)
    {
        if (bound < 1)
        {
            throw new IllegalArgumentException("queue group window must be >= 1: " + bound);
        }
        this.bound = bound;
    }

    int size()
    {
        return size;
    }

    long sequence(final int index)
    {
        return sequences[slot(index)];
    }

    long key(final int index)
    {
        return keys[slot(index)];
    }

    /**
     * @return true if the oldest assignment was forgotten to make room.
     */
    boolean add(final long sequence, final long key)
    {
        boolean forgot = false;
        if (size == bound)
        {
            head = slot(1);
            size--;
            forgot = true;
        }
        else if (size == sequences.length)
        {
            grow();
        }
        final int slot = slot(size);
        sequences[slot] = sequence;
        keys[slot] = key;
        size++;
        return forgot;
    }

    /**
     * Where to go on after the client's last seen sequence: just after that assignment if it is held, else at the
     * first held assignment after it (it is older than what is held, or the window never held it).
     *
     * @return the index of the first assignment to send.
     */
    int indexAfter(final long lastSeen)
    {
        for (int i = size - 1; i >= 0; i--)
        {
            if (sequence(i) == lastSeen)
            {
                return i + 1;
            }
        }
        for (int i = 0; i < size; i++)
        {
            if (sequence(i) > lastSeen)
            {
                return i;
            }
        }
        return size;
    }

    /**
     * The client confirmed it has seen everything up to this sequence: forget what it covers.
     */
    void confirm(final long sequence)
    {
        final int drop = indexAfter(sequence);
        head = slot(drop);
        size -= drop;
    }

    /**
     * @return true if the assignment of this sequence is held (not yet confirmed nor forgotten); looked for from the
     * latest, where a KEYED bucket's last assignment mostly is.
     */
    boolean contains(final long sequence)
    {
        for (int i = size - 1; i >= 0; i--)
        {
            if (sequence(i) == sequence)
            {
                return true;
            }
        }
        return false;
    }

    void clear()
    {
        head = 0;
        size = 0;
    }

    private int slot(final int index)
    {
        final int slot = head + index;
        return slot < sequences.length ? slot : slot - sequences.length;
    }

    private void grow()
    {
        final int capacity = (int)Math.min(bound, 2L * sequences.length);
        final long[] newSequences = new long[capacity];
        final long[] newKeys = new long[capacity];
        for (int i = 0; i < size; i++)
        {
            newSequences[i] = sequence(i);
            newKeys[i] = key(i);
        }
        sequences = newSequences;
        keys = newKeys;
        head = 0;
    }

    @Override
    public String toString()
    {
        final long[] held = new long[size];
        for (int i = 0; i < size; i++)
        {
            held[i] = sequence(i);
        }
        return Arrays.toString(held);
    }
}
