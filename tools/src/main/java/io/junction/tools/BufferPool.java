package io.junction.tools;

import java.nio.ByteBuffer;

/**
 * One I/O agent's spare receive and staging buffers: a connection takes one when it has bytes to read or frames
 * to send and gives it back once it is drained, so an idle connection holds none and thousands of them cost
 * almost no direct memory. Only the standard sizes are kept, at most {@value #MAX_FREE} of each, and
 * {@value #MAX_FREE_LARGE} of the large receive size a busy connection reads into (so a burst costs no direct
 * allocation once warm); a buffer of any other size (a frame longer than the standard sizes) is dropped when
 * drained, for the garbage collector to free. Used on its agent's thread only: no lock.
 */
final class BufferPool
{
    static final int RECEIVE_CAPACITY = 4 * 1024;
    static final int STAGING_CAPACITY = 16 * 1024;
    /** What a connection whose reads fill its receive buffer reads into until it is drained. */
    static final int LARGE_RECEIVE_CAPACITY = 64 * 1024;
    /** Spare large receive buffers kept: busy connections at once on one agent, not one per connection. */
    static final int MAX_FREE_LARGE = 8;
    /** Spare buffers kept per size: what the agent's busiest moments need again, not one per connection. */
    static final int MAX_FREE = 64;

    private final ByteBuffer[] receive = new ByteBuffer[MAX_FREE];
    private final ByteBuffer[] staging = new ByteBuffer[MAX_FREE];
    private final ByteBuffer[] largeReceive = new ByteBuffer[MAX_FREE_LARGE];
    private int largeReceiveCount;
    /** Spare outcome windows kept (96 KiB each): the agent's connections that publish guaranteed at once. */
    static final int MAX_FREE_WINDOWS = 8;

    private final OutcomeWindow[] windows = new OutcomeWindow[MAX_FREE_WINDOWS];
    private int receiveCount;
    private int stagingCount;
    private int windowCount;

    ByteBuffer receive()
    {
        return receiveCount > 0 ? take(receive, --receiveCount) : allocate(RECEIVE_CAPACITY, "receive");
    }

    ByteBuffer largeReceive()
    {
        return largeReceiveCount > 0 ? take(largeReceive, --largeReceiveCount) :
            allocate(LARGE_RECEIVE_CAPACITY, "receive");
    }

    ByteBuffer staging()
    {
        return stagingCount > 0 ? take(staging, --stagingCount) : allocate(STAGING_CAPACITY, "staging");
    }

    /**
     * Give a drained buffer back (a larger one, or one over the spare count, is dropped).
     */
    void release(final ByteBuffer buffer)
    {
        buffer.clear();
        if (buffer.capacity() == RECEIVE_CAPACITY && receiveCount < MAX_FREE)
        {
            receive[receiveCount++] = buffer;
        }
        else if (buffer.capacity() == STAGING_CAPACITY && stagingCount < MAX_FREE)
        {
            staging[stagingCount++] = buffer;
        }
        else if (buffer.capacity() == LARGE_RECEIVE_CAPACITY && largeReceiveCount < MAX_FREE_LARGE)
        {
            largeReceive[largeReceiveCount++] = buffer;
        }
    }

    /**
     * @return a spare outcome window, or a new one when none is spare.
     */
    OutcomeWindow outcomeWindow()
    {
        if (windowCount > 0)
        {
            final OutcomeWindow window = windows[--windowCount];
            windows[windowCount] = null;
            return window;
        }
        return new OutcomeWindow();
    }

    /**
     * Give an outcome window back (dropped, for the collector, when the spares are full). Its entries are left as
     * they are: a connection reads only those it wrote since it took it.
     */
    void release(final OutcomeWindow window)
    {
        if (windowCount < MAX_FREE_WINDOWS)
        {
            windows[windowCount++] = window;
        }
    }

    int spareWindows()
    {
        return windowCount;
    }

    int spare()
    {
        return receiveCount + stagingCount + largeReceiveCount;
    }

    private static ByteBuffer take(final ByteBuffer[] stack, final int index)
    {
        final ByteBuffer buffer = stack[index];
        stack[index] = null;
        return buffer;
    }

    /**
     * A direct buffer, or an exception that closes the connection asking (its agent catches it): direct memory
     * running out costs one connection, never an I/O agent.
     */
    static ByteBuffer allocate(final int capacity, final String what)
    {
        try
        {
            return ByteBuffer.allocateDirect(capacity);
        }
        catch (final OutOfMemoryError ex)
        {
            throw new IllegalStateException("no direct memory for a connection's " + what + " buffer of " + capacity +
                " bytes", ex);
        }
    }
}
