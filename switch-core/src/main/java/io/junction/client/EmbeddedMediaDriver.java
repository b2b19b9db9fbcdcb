package io.junction.client;

import java.io.File;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

/**
 * An Aeron media driver inside this process, set up to behave on a small machine: one shared thread (SHARED
 * threading) that backs off to a 1 ms sleep when idle instead of spinning, sparse term files, and its own directory,
 * deleted when it starts and when it closes. Needs {@code io.aeron:aeron-driver} on the classpath.
 */
public final class EmbeddedMediaDriver implements AutoCloseable
{
    /** Term length of the publications it creates unless a channel says otherwise: small, as frames are small. */
    public static final int DEFAULT_TERM_LENGTH = 1 << 20;

    private final MediaDriver driver;

    private EmbeddedMediaDriver(final MediaDriver driver)
    {
        this.driver = driver;
    }

    /**
     * @param directory   the driver's directory (created; deleted on close).
     * @param termLength  the term length of UDP and IPC publications (a power of two, 64 KiB to 1 GiB).
     * @param busy        true: back off only to a 100 µs park (lower latency, a core kept busier); false: to 1 ms.
     */
    public static EmbeddedMediaDriver launch(final File directory, final int termLength, final boolean busy)
    {
        return launch(directory, termLength, busy, false);
    }

    /**
     * @param dedicated true: conductor, sender and receiver on three threads (DEDICATED), for a machine with cores
     *                  to spare; false: one thread (SHARED).
     */
    public static EmbeddedMediaDriver launch(
        final File directory, final int termLength, final boolean busy, final boolean dedicated)
    {
        return launch(directory, termLength, busy, dedicated, 0);
    }

    /**
     * @param receiverWindow how many bytes a remote publisher may send ahead of this driver's acknowledgement, and
     *                       the UDP socket buffers that must hold them (the kernel caps them at net.core.rmem_max and
     *                       wmem_max); at most half a term. Aeron's default (128 KiB) holds a 1 KiB stream to about
     *                       120 messages per round of status messages. 0: Aeron's default.
     */
    public static EmbeddedMediaDriver launch(
        final File directory, final int termLength, final boolean busy, final boolean dedicated,
        final int receiverWindow)
    {
        return launch(directory, termLength, busy, dedicated ? ThreadingMode.DEDICATED : ThreadingMode.SHARED,
            receiverWindow);
    }

    /**
     * A driver with no thread of its own (INVOKER threading): its conductor, sender and receiver run when the
     * owner calls {@link #invoker()}{@code .invoke()}, on the owner's duty cycle; an Aeron client in this process
     * must be given that invoker ({@code Aeron.Context.driverAgentInvoker}) for its blocking calls to complete.
     */
    public static EmbeddedMediaDriver launchInvoked(final File directory, final int termLength, final int receiverWindow)
    {
        return launch(directory, termLength, false, ThreadingMode.INVOKER, receiverWindow);
    }

    private static EmbeddedMediaDriver launch(
        final File directory, final int termLength, final boolean busy, final ThreadingMode mode,
        final int receiverWindow)
    {
        final boolean dedicated = ThreadingMode.DEDICATED == mode;
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directory.getAbsolutePath())
            .threadingMode(mode)
            .conductorIdleStrategy(new SleepingMillisIdleStrategy(1))
            .publicationTermBufferLength(termLength)
            .ipcTermBufferLength(termLength)
            .termBufferSparseFile(true)
            .spiesSimulateConnection(false)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        if (receiverWindow > 0)
        {
            final int window = Math.min(receiverWindow, termLength / 2);
            context.initialWindowLength(window).socketRcvbufLength(window).socketSndbufLength(window);
        }
        if (dedicated)
        {
            context.senderIdleStrategy(idle(busy)).receiverIdleStrategy(idle(busy));
        }
        else
        {
            context.sharedIdleStrategy(idle(busy));
        }
        return new EmbeddedMediaDriver(MediaDriver.launch(context));
    }

    /**
     * Each idle duty cycle of the driver is a receive system call on every socket: after a message, the 100 spins
     * and 10 yields this had were 110 such calls, 40-60% of a core at 10,000 msg/s for each driver on the path, which
     * a 2-core machine took from every other thread. A few spins, then parks (about 50 µs each at the least, the
     * kernel's timer slack).
     */
    static final int IDLE_SPINS = 10;
    static final int IDLE_YIELDS = 0;

    private static BackoffIdleStrategy idle(final boolean busy)
    {
        return new BackoffIdleStrategy(IDLE_SPINS, IDLE_YIELDS, TimeUnit.MICROSECONDS.toNanos(1),
            busy ? TimeUnit.MICROSECONDS.toNanos(100) : TimeUnit.MILLISECONDS.toNanos(1));
    }

    /**
     * @return the driver's duty cycle for its owner to invoke (INVOKER threading, {@link #launchInvoked}), else null.
     */
    public AgentInvoker invoker()
    {
        return driver.sharedAgentInvoker();
    }

    public String directory()
    {
        return driver.aeronDirectoryName();
    }

    @Override
    public void close()
    {
        driver.close();
    }
}
