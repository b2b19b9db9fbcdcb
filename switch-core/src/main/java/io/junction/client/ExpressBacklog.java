package io.junction.client;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One express subscription's MESSAGE frames below CRITICAL, read from the connection and not yet handed to its
 * handler: a first-in first-out store of whole frames, copied as they arrived, so that the client can read on and
 * hand a CRITICAL frame that comes later to the handler first. Bounded in messages (the subscription's credit: the
 * daemon cannot send more below CRITICAL than it holds unconsumed) and in bytes; its arrays start small and grow by
 * doubling up to those bounds, so once warm it allocates nothing. A frame is kept contiguous: one that does not fit
 * before the end of the byte array starts again at its beginning. One thread.
 */
final class ExpressBacklog
{
    private static final int INITIAL_MESSAGES = 256;
    private static final int INITIAL_BYTES = 64 << 10;

    private final int maxMessages;
    private final int maxBytes;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private int[] offsets;
    private int[] lengths;
    /** Index in offsets/lengths of the oldest frame, and how many are kept. */
    private int head;
    private int size;
    /** Where the next frame is written in the byte array. */
    private int writeAt;

    /**
     * @param maxMessages frames kept at most, {@code >= 1}.
     * @param maxBytes    bytes of frames kept at most, {@code >= 1}.
     */
    ExpressBacklog(final int maxMessages, final int maxBytes)
    {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        final int messages = Math.min(maxMessages, INITIAL_MESSAGES);
        offsets = new int[messages];
        lengths = new int[messages];
        buffer.wrap(new byte[Math.min(maxBytes, INITIAL_BYTES)]);
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    /**
     * Keep a copy of a frame after the others.
     *
     * @return false when it has no room within its bounds (nothing kept).
     */
    boolean offer(final DirectBuffer frame, final int offset, final int length)
    {
        if (size == maxMessages || length > maxBytes)
        {
            return false;
        }
        if (size == offsets.length)
        {
            growIndex();
        }
        int at = placeFor(length);
        if (at < 0)
        {
            if (buffer.capacity() == maxBytes || !growBytes(length))
            {
                return false;
            }
            at = placeFor(length);
        }
        buffer.putBytes(at, frame, offset, length);
        final int index = (head + size) % offsets.length;
        offsets[index] = at;
        lengths[index] = length;
        size++;
        writeAt = at + length;
        return true;
    }

    /**
     * @return the bytes the oldest frame is in (valid until the next {@link #offer}).
     */
    DirectBuffer buffer()
    {
        return buffer;
    }

    int headOffset()
    {
        return offsets[head];
    }

    int headLength()
    {
        return lengths[head];
    }

    /**
     * Forget the oldest frame; its bytes stay readable until the next {@link #offer}.
     */
    void pop()
    {
        head = (head + 1) % offsets.length;
        if (0 == --size)
        {
            head = 0;
            writeAt = 0;
        }
    }

    /**
     * @return the frames forgotten.
     */
    int clear()
    {
        final int dropped = size;
        head = 0;
        size = 0;
        writeAt = 0;
        return dropped;
    }

    /**
     * @return where a frame of {@code length} bytes goes without overwriting a kept one, or -1.
     */
    private int placeFor(final int length)
    {
        final int capacity = buffer.capacity();
        if (0 == size)
        {
            return length <= capacity ? 0 : -1;
        }
        final int readAt = offsets[head];
        if (writeAt > readAt)
        {
            if (writeAt + length <= capacity)
            {
                return writeAt;
            }
            return length <= readAt ? 0 : -1; // wrap to the start, before the oldest frame
        }
        return writeAt + length <= readAt ? writeAt : -1;
    }

    private void growIndex()
    {
        final int capacity = (int)Math.min(maxMessages, 2L * offsets.length);
        final int[] newOffsets = new int[capacity];
        final int[] newLengths = new int[capacity];
        for (int i = 0; i < size; i++)
        {
            final int from = (head + i) % offsets.length;
            newOffsets[i] = offsets[from];
            newLengths[i] = lengths[from];
        }
        offsets = newOffsets;
        lengths = newLengths;
        head = 0;
    }

    /**
     * A byte array twice as long (or more, for one long frame), up to the bound, the kept frames copied to its start
     * in order.
     *
     * @return false when even the largest array allowed would not take the frame beside the kept ones.
     */
    private boolean growBytes(final int length)
    {
        long used = 0;
        for (int i = 0; i < size; i++)
        {
            used += lengths[(head + i) % offsets.length];
        }
        long capacity = buffer.capacity();
        while (capacity < used + length && capacity < maxBytes)
        {
            capacity *= 2;
        }
        capacity = Math.min(capacity * 2, maxBytes); // headroom: this is the warm-up, not every frame
        if (capacity < used + length)
        {
            return false;
        }
        final UnsafeBuffer bigger = new UnsafeBuffer(new byte[(int)capacity]);
        int at = 0;
        for (int i = 0; i < size; i++)
        {
            final int index = (head + i) % offsets.length;
            bigger.putBytes(at, buffer, offsets[index], lengths[index]);
            offsets[index] = at;
            at += lengths[index];
        }
        buffer.wrap(bigger.byteArray());
        writeAt = at;
        return true;
    }
}
