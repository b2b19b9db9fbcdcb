package io.junction.tools;

import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.function.BiFunction;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.agrona.concurrent.status.AtomicCounter;
import io.junction.security.TlsSession;

/**
 * TLS on the protocol port: wraps each accepted socket in a {@link TlsConnectionChannel} and counts the
 * handshakes that completed and the connections TLS closed, by {@link TlsFailure reason}. Thread-safe (counters).
 */
final class ServerTls implements TlsConnectionChannel.Listener
{
    /** {@code protocol tls failures: REASON}. */
    static final int FAILURES_TYPE_ID = 1361;
    /** {@code protocol tls handshakes}. */
    static final int HANDSHAKES_TYPE_ID = 1362;

    /**
     * @param context          the daemon's key (and the trust store for client certificates).
     * @param clientAuth       whether clients are asked for certificates.
     * @param handshakeTimeout a connection whose handshake is not done by then is closed ({@link
     *                         TlsFailure#HANDSHAKE_TIMEOUT}).
     */
    record Settings(SSLContext context, TlsSession.ClientAuth clientAuth, Duration handshakeTimeout)
    {
    }

    private final Settings settings;
    private final long handshakeTimeoutNs;
    private final AtomicCounter[] failures = new AtomicCounter[TlsFailure.values().length];
    private final AtomicCounter handshakes;

    /**
     * @param counter makes a counter of a label and a type id (closed by whoever made it).
     */
    ServerTls(final Settings settings, final BiFunction<String, Integer, AtomicCounter> counter)
    {
        this.settings = settings;
        this.handshakeTimeoutNs = settings.handshakeTimeout().toNanos();
        for (final TlsFailure reason : TlsFailure.values())
        {
            failures[reason.ordinal()] = counter.apply("protocol tls failures: " + reason, FAILURES_TYPE_ID);
        }
        handshakes = counter.apply("protocol tls handshakes", HANDSHAKES_TYPE_ID);
    }

    /** A server-side TLS session over {@code socket}; its handshake starts with the client's first bytes. */
    ConnectionChannel open(final SocketChannel socket) throws SSLException
    {
        return new TlsConnectionChannel(socket, TlsSession.server(settings.context(), settings.clientAuth()), this);
    }

    long handshakeTimeoutNs()
    {
        return handshakeTimeoutNs;
    }

    long handshakeTimeoutMs()
    {
        return settings.handshakeTimeout().toMillis();
    }

    TlsSession.ClientAuth clientAuth()
    {
        return settings.clientAuth();
    }

    @Override
    public void onFailure(final TlsFailure reason)
    {
        failures[reason.ordinal()].increment();
    }

    @Override
    public void onHandshake()
    {
        handshakes.increment();
    }

    long failures(final TlsFailure reason)
    {
        return failures[reason.ordinal()].get();
    }

    long handshakes()
    {
        return handshakes.get();
    }
}
