package io.junction.client;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The guaranteed publishes awaiting their outcome, in publish order, each with a copy of its frame for a resend
 * after a reconnect: a ring of entries (publisher sequence, offer time, where its frame is) over a byte ring of
 * frames. Outcomes may come out of order (a refusal before an earlier publish is durable); an entry answered is
 * marked, and the ring's head moves past answered entries. Pre-allocated; nothing is allocated per publish.
 */
final class InFlightPublishes
{
    private final int maxInFlight;
    private final int mask;
    private final long[] sequences;
    private final long[] offeredNs;
    private final long[] framePositions;
    private final int[] frameLengths;
    private final boolean[] answered;
    private final UnsafeBuffer frames;
    private final int frameCapacity;
    private long head;
    private long tail;
    private long frameHead;
    private long frameTail;
    private int pending;

    InFlightPublishes(final int maxInFlight, final int frameBytes)
    {
        this.maxInFlight = maxInFlight;
        final int entries = Integer.highestOneBit(maxInFlight - 1 | 1) << 1;
        mask = entries - 1;
        sequences = new long[entries];
        offeredNs = new long[entries];
        framePositions = new long[entries];
        frameLengths = new int[entries];
        answered = new boolean[entries];
        frameCapacity = frameBytes;
        frames = new UnsafeBuffer(new byte[frameBytes]);
    }

    /**
     * @return 0 if a publish numbered {@code sequence} of {@code frameLength} bytes may be added, else the
     * {@link ClientResult} that refuses it.
     */
    long check(final long sequence, final int frameLength)
    {
        if (tail - head >= maxInFlight || (pending > 0 && sequence - sequences[(int)(head & mask)] >= maxInFlight))
        {
            return ClientResult.IN_FLIGHT_FULL;
        }
        return frameOffset(frameLength) < 0 ? ClientResult.IN_FLIGHT_BUFFER_FULL : 0;
    }

    /**
     * Keep a publish (after {@link #check} allowed it).
     */
    void add(final long sequence, final long nowNs, final DirectBuffer frame, final int offset, final int length)
    {
        final long position = frameOffset(length);
        final int index = (int)(tail & mask);
        sequences[index] = sequence;
        offeredNs[index] = nowNs;
        framePositions[index] = position;
        frameLengths[index] = length;
        answered[index] = false;
        frames.putBytes((int)(position % frameCapacity), frame, offset, length);
        frameTail = position + length;
        tail++;
        pending++;
    }

    /**
     * @return the absolute position for a frame of that length (contiguous in the byte ring), or -1 if full.
     */
    private long frameOffset(final int length)
    {
        if (length > frameCapacity)
        {
            return -1;
        }
        long position = frameTail;
        final int at = (int)(position % frameCapacity);
        if (at + length > frameCapacity)
        {
            position += frameCapacity - at; // Skip the ring's end: frames are kept whole.
        }
        return position + length - frameHead > frameCapacity ? -1 : position;
    }

    /**
     * Mark the publish answered.
     *
     * @return true if it was awaiting an answer (so it is reported once).
     */
    boolean answer(final long sequence)
    {
        final int index = find(sequence);
        if (index < 0 || answered[index])
        {
            return false;
        }
        answered[index] = true;
        pending--;
        while (head < tail && answered[(int)(head & mask)])
        {
            head++;
        }
        frameHead = head < tail ? framePositions[(int)(head & mask)] : frameTail;
        return true;
    }

    /**
     * @return the ring index of the entry with that sequence, or -1 (binary search: sequences increase).
     */
    private int find(final long sequence)
    {
        long low = head;
        long high = tail - 1;
        while (low <= high)
        {
            final long middle = (low + high) >>> 1;
            final long value = sequences[(int)(middle & mask)];
            if (value < sequence)
            {
                low = middle + 1;
            }
            else if (value > sequence)
            {
                high = middle - 1;
            }
            else
            {
                return (int)(middle & mask);
            }
        }
        return -1;
    }

    int pending()
    {
        return pending;
    }

    long head()
    {
        return head;
    }

    long tail()
    {
        return tail;
    }

    /**
     * @return whether the entry at that absolute position in the ring (head..tail) still awaits its answer.
     */
    boolean isPending(final long entry)
    {
        return !answered[(int)(entry & mask)];
    }

    long sequence(final long entry)
    {
        return sequences[(int)(entry & mask)];
    }

    long offeredNs(final long entry)
    {
        return offeredNs[(int)(entry & mask)];
    }

    int frameOffsetOf(final long entry)
    {
        return (int)(framePositions[(int)(entry & mask)] % frameCapacity);
    }

    int frameLength(final long entry)
    {
        return frameLengths[(int)(entry & mask)];
    }

    DirectBuffer frames()
    {
        return frames;
    }
}
