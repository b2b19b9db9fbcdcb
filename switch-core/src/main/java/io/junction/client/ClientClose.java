package io.junction.client;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.agrona.collections.LongArrayList;

/**
 * Where a graceful {@link JunctionClient#close()} stands: under way and until when, the UNSUBSCRIBEs that found no
 * room in the send buffer yet, the sync (a PING) whose PONG says the daemon answered every one sent before it, and
 * the hand-over when close() is called on another thread than the polling one: the polling thread takes the request
 * and carries it out (it owns the client's state), the caller waits for it without a lock, for a bounded time.
 */
final class ClientClose
{
    private static final int NONE = 0;
    private static final int REQUESTED = 1;
    private static final int TAKEN = 2;
    private static final int DONE = 3;

    private final long timeoutNs;
    private final LongArrayList unsentUnsubscribes = new LongArrayList();
    private final AtomicInteger handOver = new AtomicInteger(NONE);
    private boolean closing;
    private long deadlineNs;
    private long sync;

    ClientClose(final long timeoutNs)
    {
        this.timeoutNs = timeoutNs;
    }

    long timeoutNs()
    {
        return timeoutNs;
    }

    /**
     * @return true from the start of a graceful close until the connection is dropped (polling thread).
     */
    boolean isClosing()
    {
        return closing;
    }

    void begin(final long nowNs)
    {
        closing = true;
        deadlineNs = nowNs + timeoutNs;
        sync = 0;
        unsentUnsubscribes.clear();
    }

    boolean isPastDeadline(final long nowNs)
    {
        return nowNs - deadlineNs > 0;
    }

    void unsent(final long subscriptionId)
    {
        unsentUnsubscribes.addLong(subscriptionId);
    }

    boolean hasUnsent()
    {
        return !unsentUnsubscribes.isEmpty();
    }

    long nextUnsent()
    {
        return unsentUnsubscribes.getLong(unsentUnsubscribes.size() - 1);
    }

    void sentNext()
    {
        unsentUnsubscribes.removeAt(unsentUnsubscribes.size() - 1);
    }

    long sync()
    {
        return sync;
    }

    void sync(final long sync)
    {
        this.sync = sync;
    }

    /**
     * The connection is dropped: the close is over (any thread waiting in {@link #awaitDone} returns).
     */
    void end()
    {
        closing = false;
        unsentUnsubscribes.clear();
        handOver.set(DONE);
    }

    boolean isDone()
    {
        return DONE == handOver.get();
    }

    /**
     * Another thread asks the polling thread to close.
     */
    void request()
    {
        handOver.compareAndSet(NONE, REQUESTED);
    }

    /**
     * @return true on the polling thread when a request is waiting for it.
     */
    boolean isRequested()
    {
        return REQUESTED == handOver.get();
    }

    /**
     * @return true if this thread takes the requested close on (the polling thread, or the requester giving up on
     * it); false if the other one did.
     */
    boolean take()
    {
        return handOver.compareAndSet(REQUESTED, TAKEN);
    }

    /**
     * Wait, parked, until the close is done or {@code waitNs} passed.
     *
     * @return true if it is done.
     */
    boolean awaitDone(final long waitNs)
    {
        final long untilNs = System.nanoTime() + waitNs;
        while (!isDone())
        {
            if (System.nanoTime() - untilNs > 0)
            {
                return false;
            }
            LockSupport.parkNanos(100_000);
        }
        return true;
    }
}
