package io.junction.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Writes a connection's queued MESSAGE frames from its send ring straight to the socket, without copying them into
 * the staging buffer first: one gathering write of the staged control frames and a ByteBuffer view over each
 * frame in the ring's readable block, up to the end of the ring's buffer (a second write takes what wrapped).
 * <p>
 * It is the ring's consumer, as {@link ManyToOneRingBuffer#read} is (same record layout, same zeroing and head
 * update), but it consumes a record only once the socket took it: a frame the socket took part of has the rest
 * copied into the staging buffer (at most one frame, so the stream stays whole whatever a drop-oldest producer
 * discards next). Only frames that fit the staging buffer are written this way; a longer one is left to the
 * copying path, which grows the buffer. Call with the connection's drain lock held. No allocation after
 * construction: the views are made once, and the JDK keeps its iovec array per thread.
 */
final class RingWriter
{
    /** Frames per gathering write (a few more than a 64 KiB socket buffer holds of 1 KiB frames). */
    static final int MAX_FRAMES = 64;
    /** Bytes per gathering write: about what a loopback socket's send buffer takes at once. */
    private static final int MAX_BYTES = 256 * 1024;

    /** What {@link #write} did: the socket took everything offered. */
    static final int ALL_WRITTEN = 0;
    /** The socket took less than offered: wait for OP_WRITE. */
    static final int SOCKET_FULL = 1;
    /** The frame at the ring's head is longer than the staging buffer can hold: copy it instead. */
    static final int TOO_LONG = 2;

    private final ManyToOneRingBuffer ring;
    private final AtomicBuffer buffer;
    private final int capacity;
    private final int headPositionIndex;
    private final ByteBuffer[] views = new ByteBuffer[MAX_FRAMES + 1];
    private final int[] recordOffsets = new int[MAX_FRAMES];
    private final int[] recordEnds = new int[MAX_FRAMES];
    private long written;
    private int frames;

    /**
     * @return a writer for the ring, or null if its memory is not a whole direct ByteBuffer (then copy).
     */
    static RingWriter over(final ManyToOneRingBuffer ring)
    {
        final ByteBuffer memory = ring.buffer().byteBuffer();
        return null != memory && memory.isDirect() && 0 == ring.buffer().wrapAdjustment() ?
            new RingWriter(ring, memory) : null;
    }

    private RingWriter(final ManyToOneRingBuffer ring, final ByteBuffer memory)
    {
        this.ring = ring;
        this.buffer = ring.buffer();
        this.capacity = ring.capacity();
        this.headPositionIndex = capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET;
        for (int i = 1; i <= MAX_FRAMES; i++)
        {
            views[i] = memory.duplicate();
        }
    }

    /**
     * One gathering write: {@code staged} (in fill mode: its bytes go first) and the frames at the ring's head.
     * Afterwards {@code staged} holds what the socket did not take of it, or the rest of a frame it took part of.
     *
     * @return {@link #ALL_WRITTEN}, {@link #SOCKET_FULL} or {@link #TOO_LONG}; bytes and frames in
     * {@link #written()} and {@link #frames()}.
     */
    int write(final GatheringByteChannel socket, final ByteBuffer staged) throws IOException
    {
        written = 0;
        frames = 0;
        long head = ring.consumerPosition();
        int headIndex = (int)head & (capacity - 1);
        int length = buffer.getIntVolatile(RecordDescriptor.lengthOffset(headIndex));
        if (length > 0 && RingBuffer.PADDING_MSG_TYPE_ID == buffer.getInt(RecordDescriptor.typeOffset(headIndex)))
        {
            commit(head, headIndex, BitUtil.align(length, RecordDescriptor.ALIGNMENT)); // the block's end: skip it
            head = ring.consumerPosition();
            headIndex = 0;
        }
        final int roomForRest = staged.capacity() - ProtocolConnection.OUTPUT_RESERVE;
        final int blockEnd = capacity;
        int index = headIndex;
        int count = 0;
        int bytes = 0;
        while (count < MAX_FRAMES && bytes < MAX_BYTES && index < blockEnd)
        {
            length = buffer.getIntVolatile(RecordDescriptor.lengthOffset(index));
            if (length <= 0 || RingBuffer.PADDING_MSG_TYPE_ID == buffer.getInt(RecordDescriptor.typeOffset(index)))
            {
                break; // Not committed yet, or the padding before the wrap: the next write starts there.
            }
            final int frameLength = length - RecordDescriptor.HEADER_LENGTH;
            if (frameLength > roomForRest)
            {
                if (0 == count && 0 == staged.position())
                {
                    return TOO_LONG;
                }
                break;
            }
            final int start = index + RecordDescriptor.HEADER_LENGTH;
            final ByteBuffer view = views[count + 1];
            view.limit(start + frameLength).position(start);
            recordOffsets[count] = index;
            index += BitUtil.align(length, RecordDescriptor.ALIGNMENT);
            recordEnds[count] = index;
            bytes += frameLength;
            count++;
        }
        staged.flip();
        final int stagedBytes = staged.remaining();
        views[0] = staged;
        final long n;
        try
        {
            n = socket.write(views, 0, count + 1);
        }
        finally
        {
            views[0] = null;
            staged.compact();
        }
        written = n;
        if (n < stagedBytes)
        {
            return SOCKET_FULL; // Not one frame of the ring went.
        }
        int done = 0;
        while (done < count && !views[done + 1].hasRemaining())
        {
            done++;
        }
        int consumedEnd = 0 == done ? headIndex : recordEnds[done - 1];
        if (done < count && views[done + 1].position() > recordOffsets[done] + RecordDescriptor.HEADER_LENGTH)
        {
            staged.put(views[done + 1]); // Part of it went: the rest goes first next time, from the staging buffer.
            consumedEnd = recordEnds[done];
            done++;
        }
        frames = done;
        if (consumedEnd > headIndex)
        {
            commit(head, headIndex, consumedEnd - headIndex);
        }
        return done == count && 0 == staged.position() ? ALL_WRITTEN : SOCKET_FULL;
    }

    private void commit(final long head, final int headIndex, final int bytes)
    {
        buffer.setMemory(headIndex, bytes, (byte)0);
        buffer.putLongRelease(headPositionIndex, head + bytes);
    }

    /** @return bytes the last {@link #write} handed to the socket. */
    long written()
    {
        return written;
    }

    /** @return MESSAGE frames the last {@link #write} took off the ring (the socket took them, or part of one). */
    int frames()
    {
        return frames;
    }
}
