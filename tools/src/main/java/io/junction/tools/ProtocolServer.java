package io.junction.tools;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.junction.Junction;
import io.junction.SubscriptionOptions;

/**
 * Serves the {@link Frames} protocol: one accept thread, and one reader thread per connection (the
 * daemon expects few, long-lived clients). Deliveries to a connection's subscriptions are written by
 * their own delivery threads, so a slow client holds back only its own subscriptions, whose
 * slow-subscriber policy then applies.
 */
public final class ProtocolServer implements AutoCloseable
{
    public static final int CONNECTIONS_TYPE_ID = 1300;
    public static final int PUBLISHES_TYPE_ID = 1301;
    public static final int BAD_FRAMES_TYPE_ID = 1302;
    public static final int PUBLISH_FAILURES_TYPE_ID = 1303;
    public static final int OFFERED_BY_CLASS_TYPE_ID = 1304;
    public static final int ACCEPTED_BY_CLASS_TYPE_ID = 1305;
    public static final int BAD_QOS_TYPE_ID = 1306;
    public static final int DURABLE_ACKS_TYPE_ID = 1307;

    private final Junction junction;
    private final ServerSocket serverSocket;
    private final Thread acceptor;
    private final Set<ProtocolConnection> connections = ConcurrentHashMap.newKeySet();
    private final java.util.function.Supplier<SubscriptionOptions> subscriptionOptions;
    private final long publishTimeoutNs;
    private volatile long durableTimeoutNs;
    private final int maxFrameLength;
    final AtomicCounter connectionsCounter;
    final AtomicCounter publishesCounter;
    final AtomicCounter badFramesCounter;
    final AtomicCounter publishFailuresCounter;
    final AtomicCounter badQosCounter;
    final AtomicCounter durableAcksCounter;
    final AtomicCounter[] offeredByClass;
    final AtomicCounter[] acceptedByClass;
    private volatile boolean admitting = true;
    private volatile ClusterGateway clusterGateway;

    public ProtocolServer(
        final Junction junction,
        final CountersManager counters,
        final String host,
        final int port,
        final java.util.function.Supplier<SubscriptionOptions> subscriptionOptions,
        final long publishTimeoutNs,
        final long durableTimeoutNs) throws IOException
    {
        this.durableTimeoutNs = durableTimeoutNs;
        this.junction = junction;
        this.subscriptionOptions = subscriptionOptions;
        this.publishTimeoutNs = publishTimeoutNs;
        this.maxFrameLength = Frames.maxFrameLength(
            junction.context().maxMessageLength(), junction.context().maxTopicLength());
        connectionsCounter = counters.newCounter("protocol connections", CONNECTIONS_TYPE_ID);
        publishesCounter = counters.newCounter("protocol publishes accepted", PUBLISHES_TYPE_ID);
        badFramesCounter = counters.newCounter("protocol bad frames", BAD_FRAMES_TYPE_ID);
        publishFailuresCounter = counters.newCounter("protocol publishes failed", PUBLISH_FAILURES_TYPE_ID);
        badQosCounter = counters.newCounter("protocol bad qos", BAD_QOS_TYPE_ID);
        durableAcksCounter = counters.newCounter("protocol guaranteed publishes journaled", DURABLE_ACKS_TYPE_ID);
        final io.junction.Priority[] classes = io.junction.Priority.values();
        offeredByClass = new AtomicCounter[classes.length];
        acceptedByClass = new AtomicCounter[classes.length];
        for (final io.junction.Priority priority : classes)
        {
            offeredByClass[priority.ordinal()] = counters.newCounter(
                "protocol offered: " + priority, OFFERED_BY_CLASS_TYPE_ID);
            acceptedByClass[priority.ordinal()] = counters.newCounter(
                "protocol accepted: " + priority, ACCEPTED_BY_CLASS_TYPE_ID);
        }
        serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 64);
        acceptor = new Thread(this::acceptLoop, "junction-protocol-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Route best-effort publishes into the cluster through this gateway instead of the local switch.
     */
    void clusterGateway(final ClusterGateway gateway)
    {
        clusterGateway = gateway;
    }

    ClusterGateway clusterGateway()
    {
        return clusterGateway;
    }

    public int port()
    {
        return serverSocket.getLocalPort();
    }

    /**
     * @return the deepest outbox among the protocol clients' subscriptions.
     */
    public long maxQueueDepth()
    {
        long max = 0;
        for (final ProtocolConnection connection : connections)
        {
            max = Math.max(max, connection.queueDepth());
        }
        return max;
    }

    Junction junction()
    {
        return junction;
    }

    SubscriptionOptions subscriptionOptions()
    {
        return subscriptionOptions.get();
    }

    long publishTimeoutNs()
    {
        return publishTimeoutNs;
    }

    /**
     * Applied by a reload: publishes enqueued from now on wait this long for their DURABLE.
     */
    void durableTimeoutNs(final long timeoutNs)
    {
        durableTimeoutNs = timeoutNs;
    }

    long durableTimeoutNs()
    {
        return durableTimeoutNs;
    }

    int maxFrameLength()
    {
        return maxFrameLength;
    }

    boolean isAdmitting()
    {
        return admitting;
    }

    private void acceptLoop()
    {
        while (!serverSocket.isClosed())
        {
            try
            {
                final Socket socket = serverSocket.accept();
                if (!admitting)
                {
                    socket.close();
                    continue;
                }
                final ProtocolConnection connection = new ProtocolConnection(this, socket);
                connections.add(connection);
                connectionsCounter.increment();
                connection.start();
            }
            catch (final SocketException ex)
            {
                return; // closed
            }
            catch (final IOException ex)
            {
                System.err.println("junction: protocol accept failed: " + ex);
            }
        }
    }

    void onClosed(final ProtocolConnection connection)
    {
        if (connections.remove(connection))
        {
            connectionsCounter.decrement();
        }
    }

    /**
     * Stop admitting: no new connections, and every further PUBLISH is answered CLOSED; subscribers keep
     * receiving until {@link #close()}.
     */
    public void stopAdmitting()
    {
        admitting = false;
        CloseHelper.quietClose(serverSocket);
    }

    /**
     * Wait (bounded) until every guaranteed publish already accepted has been answered, so that a stop after
     * the switch drained tells each remote publisher which of its messages are durable.
     */
    public void awaitDurableAnswers(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        for (final ProtocolConnection connection : connections)
        {
            connection.awaitAnswered(deadlineNs);
        }
    }

    @Override
    public void close()
    {
        stopAdmitting();
        for (final ProtocolConnection connection : connections)
        {
            connection.close();
        }
        try
        {
            acceptor.join(5000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        connectionsCounter.close();
        publishesCounter.close();
        badFramesCounter.close();
        publishFailuresCounter.close();
        for (int i = 0; i < offeredByClass.length; i++)
        {
            offeredByClass[i].close();
            acceptedByClass[i].close();
        }
    }
}
