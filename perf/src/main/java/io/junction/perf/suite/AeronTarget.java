package io.junction.perf.suite;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;

/**
 * The limit under Junction's network path: raw Aeron, an embedded media driver (SHARED threading, its
 * own directory), one exclusive publication, each subscriber a subscription polled by a thread of its
 * own. {@link Medium#IPC} crosses shared memory; {@link Medium#UDP} crosses the loopback interface
 * through the driver's sockets. Also measures a ping-pong round trip.
 */
public final class AeronTarget implements Target
{
    public enum Medium
    {
        IPC, UDP
    }

    private static final int TERM_LENGTH = 4 << 20;
    private static final int FRAGMENT_LIMIT = 64;

    private final Medium medium;
    private MediaDriver driver;
    private Aeron aeron;
    private int nextStreamId = 1001;

    public AeronTarget(final Medium medium)
    {
        this.medium = medium;
    }

    @Override
    public String name()
    {
        return "raw Aeron " + medium;
    }

    @Override
    public Kind kind()
    {
        return Kind.LIMIT;
    }

    @Override
    public String transport()
    {
        return medium == Medium.IPC ? "shared memory (aeron:ipc)" : "loopback UDP (aeron:udp)";
    }

    @Override
    public String semantics()
    {
        return "lossless (publication back-pressured by the slowest subscriber), embedded driver SHARED, " +
            "subscribers YieldingIdleStrategy";
    }

    @Override
    public String version()
    {
        final String version = Aeron.class.getPackage().getImplementationVersion();
        return null == version ? "1.51" : version;
    }

    @Override
    public String prepare(final Path workDir)
    {
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(workDir.resolve("aeron-" + medium.name().toLowerCase()).toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(TERM_LENGTH)
            .ipcTermBufferLength(TERM_LENGTH)
            .spiesSimulateConnection(false);
        driver = MediaDriver.launch(driverContext);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driverContext.aeronDirectoryName()));
        return null;
    }

    private String channel() throws Exception
    {
        if (medium == Medium.IPC)
        {
            return "aeron:ipc";
        }
        try (ServerSocket socket = new ServerSocket(0))
        {
            return "aeron:udp?endpoint=127.0.0.1:" + socket.getLocalPort();
        }
    }

    @Override
    public Connection open(final Workload workload, final Receivers receivers) throws Exception
    {
        final String channel = channel();
        final int streamId = nextStreamId++;
        final List<Subscription> subscriptions = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        for (int i = 0; i < receivers.subscribers(); i++)
        {
            final int index = i;
            final Subscription subscription = aeron.addSubscription(channel, streamId);
            subscriptions.add(subscription);
            final FragmentHandler handler = (buffer, offset, length, header) ->
                receivers.onMessage(index, Stamp.intendedSendNs(buffer, offset), Stamp.runId(buffer, offset));
            final Thread thread = new Thread(() -> poll(subscription, handler, running), "aeron-subscriber-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        final ExclusivePublication publication = aeron.addExclusivePublication(channel, streamId);

        return new Connection()
        {
            @Override
            public boolean publish(final UnsafeBuffer payload, final int length)
            {
                return accepted(publication.offer(payload, 0, length));
            }

            @Override
            public void close() throws InterruptedException
            {
                running.set(false);
                for (final Thread thread : threads)
                {
                    thread.join(5_000);
                }
                CloseHelper.closeAll(publication);
                CloseHelper.closeAll(subscriptions);
            }
        };
    }

    private static void poll(
        final Subscription subscription, final FragmentHandler handler, final AtomicBoolean running)
    {
        final IdleStrategy idle = new YieldingIdleStrategy();
        while (running.get())
        {
            idle.idle(subscription.poll(handler, FRAGMENT_LIMIT));
        }
    }

    private static boolean accepted(final long result)
    {
        if (result > 0)
        {
            return true;
        }
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
        {
            throw new IllegalStateException("publication failed: " + Publication.errorString(result));
        }
        return false;
    }

    /**
     * Ping-pong: one message out on one stream, echoed back on another by a thread of its own; the round
     * trip is timed from send to receipt of the echo, one message in flight at a time.
     */
    public Percentiles roundTrip(final int payloadBytes, final int warmups, final int messages, final long timeoutNs)
        throws Exception
    {
        final String pingChannel = channel();
        final String pongChannel = channel();
        final int pingStream = nextStreamId++;
        final int pongStream = nextStreamId++;
        final AtomicBoolean running = new AtomicBoolean(true);
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (Subscription pingSubscription = aeron.addSubscription(pingChannel, pingStream);
            ExclusivePublication pongPublication = aeron.addExclusivePublication(pongChannel, pongStream);
            Subscription pongSubscription = aeron.addSubscription(pongChannel, pongStream);
            ExclusivePublication pingPublication = aeron.addExclusivePublication(pingChannel, pingStream))
        {
            final FragmentHandler echo = (buffer, offset, length, header) ->
            {
                while (!accepted(pongPublication.offer(buffer, offset, length)) && running.get())
                {
                    Thread.onSpinWait();
                }
            };
            final Thread ponger = new Thread(() -> poll(pingSubscription, echo, running), "aeron-pong");
            ponger.setDaemon(true);
            ponger.start();
            try
            {
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadBytes]);
                final long[] received = new long[1];
                final FragmentHandler onPong = (buffer, offset, length, header) -> received[0]++;
                final long deadlineNs = System.nanoTime() + timeoutNs;
                final IdleStrategy idle = new YieldingIdleStrategy();
                for (int i = 0; i < warmups + messages; i++)
                {
                    final long startNs = System.nanoTime();
                    payload.putLong(0, startNs);
                    while (!accepted(pingPublication.offer(payload, 0, payloadBytes)))
                    {
                        checkDeadline(deadlineNs);
                        idle.idle();
                    }
                    final long expected = received[0] + 1;
                    while (received[0] < expected)
                    {
                        checkDeadline(deadlineNs);
                        idle.idle(pongSubscription.poll(onPong, 1));
                    }
                    if (i >= warmups)
                    {
                        histogram.recordValue(System.nanoTime() - startNs);
                    }
                }
            }
            finally
            {
                running.set(false);
                ponger.join(5_000);
            }
        }
        return Percentiles.of(histogram);
    }

    private static void checkDeadline(final long deadlineNs)
    {
        if (System.nanoTime() > deadlineNs)
        {
            throw new IllegalStateException("round trip timed out");
        }
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }
}
