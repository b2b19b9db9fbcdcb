package io.junction.tools;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.nio.TransportPoller;

import io.junction.protocol.FrameDispatcher;
import io.junction.protocol.codecs.CoalescedRefusalEncoder;
import io.junction.protocol.codecs.ErrorEncoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.OutcomeEncoder;
import io.junction.protocol.codecs.PingEncoder;
import io.junction.protocol.codecs.PongEncoder;
import io.junction.protocol.codecs.SubscribedEncoder;
import io.junction.protocol.codecs.UnsubscribedEncoder;
import io.junction.protocol.codecs.WelcomeEncoder;

/**
 * One I/O agent of the protocol server: a selector polled with {@code selectNow} on an Agrona duty cycle, the
 * connections registered with it, and the queues other threads use to reach it (connections a delivery made
 * ready, results from the control worker, channels handed over by the acceptor). It never blocks on a socket;
 * when idle its {@link IoAgentSignal} parks it in the selector, woken by a socket or by {@link #wake()}.
 * The first agent also accepts.
 */
final class IoAgent extends TransportPoller implements Agent
{
    private static final long TIMER_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long SELECT_INTERVAL_NS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final int MAX_ACCEPTS_PER_CYCLE = 64;
    private static final long ACCEPT_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ProtocolServer server;
    private final int index;
    private final ServerSocketChannel acceptChannel;
    private SelectionKey acceptKey;
    private long acceptPausedUntilNs;
    private final ArrayList<ProtocolConnection> connections = new ArrayList<>();
    private final ArrayList<ProtocolConnection> busy = new ArrayList<>();
    private final ManyToOneConcurrentArrayQueue<ProtocolConnection> ready;
    private final ManyToOneConcurrentArrayQueue<Runnable> completions = new ManyToOneConcurrentArrayQueue<>(4096);
    private final ManyToOneConcurrentArrayQueue<SocketChannel> handoff = new ManyToOneConcurrentArrayQueue<>(1024);
    private final FrameDispatcher dispatcher;
    private final Encoders encoders = new Encoders();
    private final BufferPool pool = new BufferPool();
    private final PublishTally tally = new PublishTally(io.junction.Priority.values().length);
    private final boolean singleWriter;
    private final Consumer<SelectionKey> onKey = this::onKey;
    private final Consumer<SelectionKey> onWakeKey = this::onWakeKey;
    private final Consumer<SocketChannel> onHandOff = this::register;
    private final ArrayList<ProtocolConnection> hot = new ArrayList<>();
    private final Consumer<ProtocolConnection> onReady = this::onReady;
    private final Consumer<Runnable> onCompletion = this::onCompletion;
    private volatile boolean sleeping;
    /** Its thread while it parks outside the selector ({@link #park}), for {@link #wake()} to unpark. */
    private volatile Thread parkedThread;
    private volatile long maxBuffered;
    private volatile Thread thread;
    private volatile boolean alive = true;
    private AeronEdge aeronEdge;
    /** The switch, when it runs on this agent's duty cycle ({@code network.inline-shard}); else null. */
    private InlineShard inline;
    private long nowNs;
    private long nextTimerNs;
    private long lastSelectNs;
    private int work;

    IoAgent(final ProtocolServer server, final int index, final ServerSocketChannel acceptChannel, final int maxConnections)
    {
        this.server = server;
        this.index = index;
        this.acceptChannel = acceptChannel;
        this.ready = new ManyToOneConcurrentArrayQueue<>(Math.max(1024, maxConnections + 64));
        this.dispatcher = new FrameDispatcher(server.maxFrameLength());
        this.singleWriter = server.singleIoAgent();
    }

    @Override
    public void onStart()
    {
        thread = Thread.currentThread();
        nowNs = System.nanoTime();
        if (null != acceptChannel)
        {
            try
            {
                acceptKey = acceptChannel.register(selector, SelectionKey.OP_ACCEPT, this);
            }
            catch (final ClosedChannelException ex)
            {
                acceptKey = null; // Stopped before it started.
            }
        }
    }

    @Override
    public int doWork()
    {
        nowNs = System.nanoTime();
        work = 0;
        // While connections are polled (hot) or retried (busy) the agent cycles without idling: a selectNow on
        // every cycle was an epoll_wait per message. Other sockets are then looked at every SELECT_INTERVAL_NS.
        if ((hot.isEmpty() && busy.isEmpty()) || nowNs - lastSelectNs >= SELECT_INTERVAL_NS)
        {
            lastSelectNs = nowNs;
            try
            {
                work += selector.selectNow(onKey);
            }
            catch (final IOException ex)
            {
                server.onError(ex);
            }
        }
        if (!hot.isEmpty())
        {
            for (int i = hot.size() - 1; i >= 0; i--)
            {
                final ProtocolConnection connection = hot.get(i);
                final int read = pollHot(connection);
                if (read < 0)
                {
                    final int last = hot.size() - 1;
                    hot.set(i, hot.get(last));
                    hot.remove(last);
                }
                else
                {
                    work += read;
                }
            }
        }
        if (null != aeronEdge)
        {
            work += aeronEdge.doWork(nowNs);
        }
        if (null != inline)
        {
            // After the reads, before the flushes: what was just published is routed, put in its subscribers' send
            // buffers and written to their sockets in this one cycle.
            work += inline.doWork();
        }
        work += handoff.drain(onHandOff);
        work += completions.drain(onCompletion);
        work += ready.drain(onReady);
        if (!busy.isEmpty())
        {
            for (int i = busy.size() - 1; i >= 0; i--)
            {
                final ProtocolConnection connection = busy.get(i);
                final long before = connection.progress();
                final boolean stay = service(connection);
                if (connection.progress() != before)
                {
                    work++; // A retry that did not move counts as idle: the agent backs off (parks at most 50 us).
                }
                if (!stay)
                {
                    final int last = busy.size() - 1;
                    busy.set(i, busy.get(last));
                    busy.remove(last);
                }
            }
        }
        if (nowNs - nextTimerNs >= 0)
        {
            nextTimerNs = nowNs + TIMER_INTERVAL_NS;
            onTimer();
        }
        tally.flush(server, singleWriter); // once per duty cycle, not per message
        return work;
    }

    private void onTimer()
    {
        long maxBuffered = 0;
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            if (i >= connections.size())
            {
                continue; // Closed by the one after it.
            }
            final ProtocolConnection connection = connections.get(i);
            try
            {
                connection.onTimer(nowNs);
            }
            catch (final RuntimeException ex)
            {
                fail(connection, ex);
            }
            maxBuffered = Math.max(maxBuffered, connection.bufferedBytes());
        }
        this.maxBuffered = maxBuffered;
        if (null != acceptKey && 0 != acceptPausedUntilNs && nowNs - acceptPausedUntilNs >= 0 && acceptKey.isValid())
        {
            acceptPausedUntilNs = 0;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private void onKey(final SelectionKey key)
    {
        final Object attachment = key.attachment();
        if (attachment == this)
        {
            accept();
            return;
        }
        final ProtocolConnection connection = (ProtocolConnection)attachment;
        try
        {
            if (!key.isValid())
            {
                connection.close();
                return;
            }
            final int readyOps = key.readyOps();
            if (0 != (readyOps & SelectionKey.OP_READ))
            {
                connection.onReadable(nowNs);
            }
            if (0 != (readyOps & SelectionKey.OP_WRITE) && key.isValid())
            {
                connection.onWritable();
            }
        }
        catch (final java.nio.channels.CancelledKeyException ex)
        {
            connection.close();
        }
        catch (final RuntimeException ex)
        {
            fail(connection, ex);
        }
    }

    private void onWakeKey(final SelectionKey key)
    {
        nowNs = System.nanoTime();
        onKey(key);
    }

    private void accept()
    {
        for (int i = 0; i < MAX_ACCEPTS_PER_CYCLE; i++)
        {
            final SocketChannel channel;
            try
            {
                channel = acceptChannel.accept();
            }
            catch (final ClosedChannelException ex)
            {
                if (server.isAdmitting())
                {
                    server.onAcceptorFailed(ex); // Closed by something other than a stop: health says so.
                }
                return;
            }
            catch (final IOException ex)
            {
                // Out of file descriptors, most likely: back off rather than spin on a key that stays ready.
                server.onError(ex);
                server.acceptFailures().increment();
                acceptPausedUntilNs = nowNs + ACCEPT_BACKOFF_NS;
                if (acceptKey.isValid())
                {
                    acceptKey.interestOps(0);
                }
                return;
            }
            if (null == channel)
            {
                return;
            }
            work++;
            server.onAccepted(channel);
        }
    }

    /**
     * Take a new connection (from the acceptor, possibly another agent's thread).
     */
    boolean handOff(final SocketChannel channel)
    {
        if (Thread.currentThread() == thread)
        {
            register(channel);
            return true;
        }
        if (!handoff.offer(channel))
        {
            return false;
        }
        wake();
        return true;
    }

    private void register(final SocketChannel channel)
    {
        try
        {
            channel.configureBlocking(false);
            channel.socket().setTcpNoDelay(true);
            final SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            final ServerTls tls = server.tls();
            final ConnectionChannel transport = null == tls ? new PlainConnectionChannel(channel) : tls.open(channel);
            final ProtocolConnection connection = new ProtocolConnection(server, this, transport, key, nowNs);
            key.attach(connection);
            connections.add(connection);
        }
        catch (final IOException | RuntimeException ex)
        {
            server.onConnectionGone();
            CloseHelper.quietClose(channel);
        }
    }

    /**
     * Serve the daemon's Aeron edge on this agent's duty cycle (set on this agent's thread, before any session).
     */
    void attach(final AeronEdge edge)
    {
        edge.agent(this);
        aeronEdge = edge;
    }

    /**
     * Run the switch on this agent's duty cycle from now on (on this agent's thread).
     */
    void drive(final InlineShard inline)
    {
        inline.drivenBy(this);
        this.inline = inline;
    }

    /**
     * @return true on this agent's own thread (a delivery inside the switch it runs).
     */
    boolean isAgentThread()
    {
        return Thread.currentThread() == thread;
    }

    /**
     * Run what other threads posted, now (on this agent's thread, from a delivery inside the switch that waits
     * on one of them: a queue-group member's SUBSCRIBED).
     */
    int runPosted()
    {
        return completions.drain(onCompletion);
    }

    /**
     * @return true while the switch it runs has work that no wake announces.
     */
    boolean isSwitchBusy()
    {
        return null != inline && inline.isBusy();
    }

    /**
     * Before it idles: arm the switch's wake, so a publish from another thread ends the idle.
     *
     * @return true if the switch has work already (do not idle).
     */
    private boolean armSwitchWake()
    {
        return null != inline && inline.armWake();
    }

    private void disarmSwitchWake()
    {
        if (null != inline)
        {
            inline.disarmWake();
        }
    }

    /**
     * A connection over another transport than a socket of this agent's selector (an Aeron session): no key, its
     * owner calls {@link ProtocolConnection#onReadable} and {@link ProtocolConnection#onWritable} for it.
     */
    ProtocolConnection adopt(final ConnectionChannel channel)
    {
        final ProtocolConnection connection = new ProtocolConnection(server, this, channel, null, nowNs);
        connections.add(connection);
        return connection;
    }

    private void onReady(final ProtocolConnection connection)
    {
        connection.scheduled.set(false); // Before the drain: a delivery after this schedules it again.
        try
        {
            connection.flush();
        }
        catch (final RuntimeException ex)
        {
            fail(connection, ex);
        }
    }

    private int pollHot(final ProtocolConnection connection)
    {
        try
        {
            return connection.pollHot(nowNs);
        }
        catch (final RuntimeException ex)
        {
            fail(connection, ex);
            return -1;
        }
    }

    private boolean service(final ProtocolConnection connection)
    {
        try
        {
            return connection.service(nowNs);
        }
        catch (final RuntimeException ex)
        {
            fail(connection, ex);
            return false;
        }
    }

    /**
     * A connection's work failed (a bug, or no direct memory left for its buffers): it is closed, the agent goes on.
     */
    private void fail(final ProtocolConnection connection, final RuntimeException ex)
    {
        server.onError(new IllegalStateException(connection + " failed; closing it", ex));
        connection.close();
    }

    private void onCompletion(final Runnable completion)
    {
        try
        {
            completion.run();
        }
        catch (final RuntimeException ex)
        {
            server.onError(ex);
        }
    }

    /**
     * A connection has work that no socket event will announce (an outcome to wait for, a publish to retry).
     */
    void busy(final ProtocolConnection connection)
    {
        if (connection.markBusy())
        {
            busy.add(connection);
        }
    }

    void onClosed(final ProtocolConnection connection)
    {
        if (connections.remove(connection))
        {
            server.onConnectionGone();
        }
    }

    /**
     * A connection has deliveries to send (any thread).
     */
    void schedule(final ProtocolConnection connection)
    {
        if (!ready.offer(connection))
        {
            // Cannot happen (a connection is queued at most once and the queue holds them all): never lose it.
            connection.scheduled.set(false);
        }
        wake();
    }

    /**
     * Run on this agent's thread (from the control worker or a pipeline thread).
     */
    void post(final Runnable completion)
    {
        while (!completions.offer(completion))
        {
            if (!alive)
            {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
        wake();
    }

    void wake()
    {
        if (sleeping)
        {
            selector.wakeup();
        }
        else
        {
            final Thread parked = parkedThread;
            if (null != parked)
            {
                LockSupport.unpark(parked); // A short park while a connection is busy ends at a delivery too.
            }
        }
    }

    private boolean hasQueuedWork()
    {
        return !ready.isEmpty() || !completions.isEmpty() || !handoff.isEmpty();
    }

    /**
     * Park outside the selector (a busy connection's retry is due within {@code parkNs}) until {@link #wake()} or
     * the time passes.
     */
    void park(final long parkNs)
    {
        parkedThread = thread;
        try
        {
            // After publishing parkedThread (and arming the switch's wake): a producer either sees it or its work is
            // seen here.
            if (!armSwitchWake() && !hasQueuedWork())
            {
                LockSupport.parkNanos(parkNs);
            }
        }
        finally
        {
            parkedThread = null;
            disarmSwitchWake();
        }
    }

    /**
     * Park in the selector until a socket is ready, {@link #wake()} is called, or the timeout passes. Polled
     * connections go back to the selector first, so their next bytes wake it.
     */
    void sleep(final long timeoutNs)
    {
        final long aeronPollNs = null == aeronEdge ? Long.MAX_VALUE : aeronEdge.idlePollNs(nowNs);
        if (aeronPollNs < TimeUnit.MILLISECONDS.toNanos(1))
        {
            // A selector waits in whole milliseconds: for a shorter Aeron poll the agent parks (woken by a
            // delivery) and its next duty cycle looks at the sockets, at that interval too.
            park(Math.min(timeoutNs, aeronPollNs));
            return;
        }
        final long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(timeoutNs, aeronPollNs)));
        for (int i = hot.size() - 1; i >= 0; i--)
        {
            if (!hot.get(i).leavePolling())
            {
                return; // Input is waiting that no socket announces: the next duty cycle reads it.
            }
            final int last = hot.size() - 1;
            hot.set(i, hot.get(last));
            hot.remove(last);
        }
        sleeping = true;
        try
        {
            if (!armSwitchWake() && !hasQueuedWork())
            {
                // Aeron announces nothing to the selector: its ingress is polled every aeron.idle-poll at least.
                selector.select(onWakeKey, timeoutMs);
            }
        }
        catch (final IOException ex)
        {
            server.onError(ex);
        }
        finally
        {
            sleeping = false;
            disarmSwitchWake();
        }
    }

    boolean hasBusyConnections()
    {
        return !busy.isEmpty();
    }

    /**
     * @return true while some connection is read by polling rather than through the selector.
     */
    boolean hasHotConnections()
    {
        return !hot.isEmpty();
    }

    /**
     * A connection that just had data is read on every duty cycle, without the selector, until it goes quiet:
     * fewer system calls at high rates, and none of the JDK selector's per-event allocation.
     */
    void hot(final ProtocolConnection connection)
    {
        hot.add(connection);
    }

    long nowNs()
    {
        return nowNs;
    }

    FrameDispatcher dispatcher()
    {
        return dispatcher;
    }

    PublishTally tally()
    {
        return tally;
    }

    BufferPool pool()
    {
        return pool;
    }

    Encoders encoders()
    {
        return encoders;
    }

    /**
     * @return the most bytes one of its connections had waiting to be sent, at the last timer tick.
     */
    long maxBufferedBytes()
    {
        return maxBuffered;
    }

    boolean isAlive()
    {
        final Thread t = thread;
        return alive && (null == t || t.isAlive());
    }

    void markDead()
    {
        alive = false;
    }

    /**
     * The stop's last phase, on this agent's thread: true once every connection's send buffer is empty (or its
     * client gone); the caller gives up at its deadline.
     */
    boolean isFlushed()
    {
        for (final ProtocolConnection connection : connections)
        {
            if (connection.isOpen() && connection.hasPendingOutput())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Close every connection now, counting what their send buffers still held.
     *
     * @return {queued messages, connections that had some, bytes staged}.
     */
    long[] closeAll()
    {
        long messages = 0;
        long withUndelivered = 0;
        long bytes = 0;
        for (final ProtocolConnection connection : new ArrayList<>(connections))
        {
            final long queued = connection.queuedMessages();
            final long staged = connection.bufferedBytes();
            if (queued > 0 || staged > 0)
            {
                withUndelivered++;
            }
            messages += queued;
            bytes += staged;
            connection.close();
        }
        return new long[]{ messages, withUndelivered, bytes };
    }

    @Override
    public void onClose()
    {
        alive = false;
        closeAll();
        tally.flush(server, singleWriter);
        if (null != aeronEdge)
        {
            aeronEdge.close();
        }
        super.close();
    }

    @Override
    public String roleName()
    {
        return "junction-network-io-" + index;
    }

    /**
     * The flyweights for the control frames this agent's connections send (one thread, so one set).
     */
    static final class Encoders
    {
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final WelcomeEncoder welcome = new WelcomeEncoder();
        final PongEncoder pong = new PongEncoder();
        final PingEncoder ping = new PingEncoder();
        final ErrorEncoder error = new ErrorEncoder();
        final OutcomeEncoder outcome = new OutcomeEncoder();
        final CoalescedRefusalEncoder refusal = new CoalescedRefusalEncoder();
        final SubscribedEncoder subscribed = new SubscribedEncoder();
        final UnsubscribedEncoder unsubscribed = new UnsubscribedEncoder();
    }
}
