package io.junction.client;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;

/**
 * The default idle strategy of a client's own agent thread ({@link JunctionClient#startAgent}): spin, yield, then
 * wait in a selector on the transport's socket for up to {@value #MAX_WAIT_MS} ms, so a message that arrives while
 * the thread is idle wakes it at once (as a blocking read would) instead of waiting for a timed park to end; an
 * idle client still costs nothing. Without a socket to wait on (connecting, TLS, Aeron) it parks for a time that
 * doubles from {@value #MIN_PARK_US} µs to {@value #MAX_WAIT_MS} ms, as Agrona's {@code BackoffIdleStrategy}.
 * Nothing but the socket and the client's timers (millisecond scale) give this thread work, so the wait is complete.
 */
final class InputIdleStrategy implements IdleStrategy, AutoCloseable
{
    /** Each idle cycle is a poll, a read system call: a few, then the selector, whose wake-up costs about one. */
    static final int SPINS = 4;
    static final int YIELDS = 0;
    static final long MIN_PARK_US = 10;
    static final long MAX_WAIT_MS = 1;

    private static final long MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(MIN_PARK_US);
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MS);

    private final Transport transport;
    private Selector selector;
    private SelectableChannel registered;
    private boolean broken;
    private int spins;
    private int yields;
    private long parkNs = MIN_PARK_NS;

    InputIdleStrategy(final Transport transport)
    {
        this.transport = transport;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spins < SPINS)
        {
            spins++;
            Thread.onSpinWait();
            return;
        }
        if (yields < YIELDS)
        {
            yields++;
            Thread.yield();
            return;
        }
        if (!awaitInput())
        {
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs << 1, MAX_PARK_NS);
        }
    }

    /**
     * @return false if there is no socket to wait on: the caller parks instead.
     */
    private boolean awaitInput()
    {
        final SelectableChannel channel = broken ? null : transport.waitable();
        if (null == channel)
        {
            return false;
        }
        try
        {
            if (channel != registered)
            {
                if (null == selector)
                {
                    selector = Selector.open();
                }
                channel.register(selector, SelectionKey.OP_READ); // a reconnect's new socket; the old key went with its close
                registered = channel;
            }
            if (selector.select(MAX_WAIT_MS) > 0)
            {
                selector.selectedKeys().clear();
            }
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            broken = true; // No selector on this platform or channel: back to timed parks for good.
            return false;
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = MIN_PARK_NS;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(selector);
        selector = null;
        registered = null;
    }

    @Override
    public String alias()
    {
        return "input-wait";
    }
}
