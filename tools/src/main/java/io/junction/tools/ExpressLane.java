package io.junction.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * A connection's CRITICAL express lane: a second, small send buffer ({@code network.express-send-buffer}) that only
 * CRITICAL MESSAGE frames of its subscriptions (outside queue groups) go into, and that its I/O agent writes to the
 * socket before the send buffer, as the switch's express lane ({@code regulation.express-critical}) takes CRITICAL
 * ahead of the lower classes queued in a ring. CRITICAL may so overtake lower classes; order within CRITICAL is kept.
 * Nothing is ever dropped from the lane to make room: a CRITICAL message that finds it full goes in the send buffer
 * behind the lower classes, as it did without a lane (a "spill"), and the CRITICAL ones after it follow it there until
 * the send buffer has sent it, so none overtakes an earlier one; so does a CRITICAL frame longer than an eighth of the
 * lane. Its memory is mapped at the connection's first CRITICAL message (a connection that never has one holds only
 * this object), a sparse mapping committed page by page as written.
 * <p>
 * Producers are the subscriptions' handlers (any pipeline or delivery thread, as for the send buffer); the consumer is
 * the connection's I/O agent, with the connection's drain lock held (the send buffer's rule, kept for both).
 */
final class ExpressLane
{
    private final ProtocolServer server;
    /** Mapped by the first CRITICAL message's producer (any thread: the first to set it wins). */
    private final AtomicReference<ManyToOneRingBuffer> ring = new AtomicReference<>();
    /** No memory for it: CRITICAL shares the send buffer from then on, without trying again per message. */
    private volatile boolean unavailable;
    private final int maxRecordLength;
    /** Made on the lane's first write (3 KiB of views and offsets): a connection that never has CRITICAL holds none. */
    private RingWriter writer;
    private boolean copyOnly;
    /** The send buffer's producer position after the last CRITICAL spilled into it (-1: none yet). */
    private final AtomicLong spilledUntil = new AtomicLong(-1);

    private ExpressLane(final ProtocolServer server)
    {
        this.server = server;
        maxRecordLength = server.expressLaneCapacity() / 8; // a many-to-one ring's longest record
    }

    /**
     * @return a connection's lane (its memory not mapped yet), or null when {@code network.express-send-buffer} is 0.
     */
    static ExpressLane of(final ProtocolServer server)
    {
        return 0 == server.expressLaneCapacity() ? null : new ExpressLane(server);
    }

    /**
     * @return the lane's ring: only after a {@link #tryClaim} that succeeded.
     */
    ManyToOneRingBuffer ring()
    {
        return ring.get();
    }

    /**
     * @param sendBuffer the connection's send buffer.
     * @return true unless a CRITICAL message spilled into the send buffer is still queued there (any thread).
     */
    boolean open(final ManyToOneRingBuffer sendBuffer)
    {
        return !unavailable && sendBuffer.consumerPosition() >= spilledUntil.get();
    }

    /**
     * Claim room for a record (any thread).
     *
     * @return the index, or negative if the lane is full or the record longer than it takes.
     */
    int tryClaim(final int typeId, final int recordLength)
    {
        if (recordLength > maxRecordLength)
        {
            return RingBuffer.INSUFFICIENT_CAPACITY;
        }
        ManyToOneRingBuffer lane = ring.get();
        if (null == lane)
        {
            lane = map();
            if (null == lane)
            {
                return RingBuffer.INSUFFICIENT_CAPACITY;
            }
        }
        return lane.tryClaim(typeId, recordLength);
    }

    /**
     * Map the lane's memory, once per connection (a racing producer's mapping is dropped, for the collector).
     */
    private ManyToOneRingBuffer map()
    {
        final ManyToOneRingBuffer mapped;
        try
        {
            mapped = new ManyToOneRingBuffer(new UnsafeBuffer(server.expressLaneMemory()));
        }
        catch (final OutOfMemoryError | IllegalStateException ex)
        {
            unavailable = true;
            return null;
        }
        return ring.compareAndSet(null, mapped) ? mapped : ring.get();
    }

    /**
     * A CRITICAL message went in the send buffer instead (the lane was full): later CRITICAL ones follow it there
     * until the send buffer's consumer is past it (any thread, after its claim).
     */
    void onSpilled(final ManyToOneRingBuffer sendBuffer)
    {
        final long end = sendBuffer.producerPosition();
        long current;
        do
        {
            current = spilledUntil.get();
        }
        while (current < end && !spilledUntil.compareAndSet(current, end));
    }

    long size()
    {
        final ManyToOneRingBuffer lane = ring.get();
        return null == lane ? 0 : lane.size();
    }

    /**
     * One gathering write of {@code staged} and the lane's frames ({@link RingWriter#write}); drain lock held.
     *
     * @return a {@link RingWriter} result, or {@link RingWriter#TOO_LONG} when the lane cannot be written directly.
     */
    int write(final GatheringByteChannel socket, final ByteBuffer staged) throws IOException
    {
        if (null == writer && !copyOnly)
        {
            final ManyToOneRingBuffer lane = ring.get();
            if (null == lane)
            {
                return RingWriter.ALL_WRITTEN; // never had a CRITICAL message
            }
            writer = RingWriter.over(lane);
            copyOnly = null == writer;
        }
        return copyOnly ? RingWriter.TOO_LONG : writer.write(socket, staged);
    }

    /** @return bytes the last {@link #write} handed to the socket. */
    long written()
    {
        return null == writer ? 0 : writer.written();
    }

    /** @return MESSAGE frames the last {@link #write} took off the lane. */
    int frames()
    {
        return null == writer ? 0 : writer.frames();
    }

    /**
     * Copy the lane's frames out through {@code handler} (the copying path: TLS, Aeron, a long frame); drain lock held.
     */
    void copy(final ControlledMessageHandler handler)
    {
        final ManyToOneRingBuffer lane = ring.get();
        for (int i = 0; null != lane && i < 3; i++) // one read stops at the buffer's end, after its padding: read on
        {
            final long position = lane.consumerPosition();
            lane.controlledRead(handler);
            if (lane.consumerPosition() == position)
            {
                return;
            }
        }
    }

    /**
     * Discard everything queued (the connection closed); drain lock held.
     *
     * @return the MESSAGE frames discarded.
     */
    long discard(final org.agrona.concurrent.MessageHandler handler)
    {
        final ManyToOneRingBuffer lane = ring.get();
        long frames = 0;
        while (null != lane)
        {
            final long position = lane.consumerPosition();
            frames += lane.read(handler, Integer.MAX_VALUE);
            if (lane.consumerPosition() == position)
            {
                break;
            }
        }
        return frames;
    }
}
