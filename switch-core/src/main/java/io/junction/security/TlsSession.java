package io.junction.security;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.Principal;

/**
 * TLS for one non-blocking connection, over the JDK's {@link SSLEngine}, for a server that polls its sockets on a
 * duty cycle: nothing here blocks or starts a thread. The session owns three buffers, sized once from the
 * engine: encrypted bytes read and not yet decrypted, decrypted bytes not yet taken by the application, and
 * encrypted bytes not yet written. The handshake is driven by the same calls as the data: {@link #readFrom}
 * when the socket is readable, {@link #writeTo} when {@link #wantsWrite()} (register OP_WRITE while it is true).
 * <p>
 * The engine's delegated tasks (certificate checks) run inline on the calling thread: they are CPU work, not
 * waiting, and happen once per handshake. Not thread-safe: one connection, one agent.
 */
public final class TlsSession implements AutoCloseable
{
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    /** Write mode: filled from the socket, flipped to unwrap. */
    private final ByteBuffer netIn;
    /** Write mode: filled by unwrap, flipped for {@link #read}. */
    private final ByteBuffer appIn;
    /** Write mode: filled by wrap, flipped to write to the socket. */
    private final ByteBuffer netOut;
    private boolean inboundClosed;

    private TlsSession(final SSLEngine engine)
    {
        this.engine = engine;
        final int packet = engine.getSession().getPacketBufferSize();
        final int application = engine.getSession().getApplicationBufferSize();
        // Heap buffers: the JDK's AES-GCM works on arrays, so direct ones cost it a copy and more garbage per record
        // (measured on JDK 17: ~2.6 KB per record either way inside SSLEngine with heap buffers, up to ~7 KB with
        // direct ones); the socket's own write copies through its per-thread direct buffer without allocating.
        netIn = ByteBuffer.allocate(packet);
        appIn = ByteBuffer.allocate(application);
        netOut = ByteBuffer.allocate(packet);
    }

    /**
     * @param clientAuth {@code NEED} refuses a client without a certificate the trust store vouches for;
     *                   {@code WANT} asks for one; {@code NONE} does not.
     */
    public static TlsSession server(final SSLContext context, final ClientAuth clientAuth) throws SSLException
    {
        final SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(clientAuth == ClientAuth.NEED);
        if (clientAuth == ClientAuth.WANT)
        {
            engine.setWantClientAuth(true);
        }
        engine.beginHandshake();
        return new TlsSession(engine);
    }

    /**
     * A client that checks the server's certificate names {@code host} (HTTPS-style endpoint identification).
     */
    public static TlsSession client(final SSLContext context, final String host, final int port) throws SSLException
    {
        final SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        final javax.net.ssl.SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        engine.beginHandshake();
        return new TlsSession(engine);
    }

    /** Whether and how a server asks for client certificates. */
    public enum ClientAuth
    {
        NONE, WANT, NEED
    }

    /**
     * Read what the socket has, decrypt it and take any handshake step it allows.
     *
     * @return bytes read from the channel, or -1 at its end of stream.
     * @throws SSLException when the peer breaks the protocol or fails the handshake (close the connection).
     */
    public int readFrom(final ReadableByteChannel channel) throws IOException
    {
        final int read = netIn.hasRemaining() ? channel.read(netIn) : 0;
        if (read < 0)
        {
            inboundClosed = true;
            try
            {
                engine.closeInbound();
            }
            catch (final SSLException ex)
            {
                // Truncation without close_notify: the connection ends either way.
            }
        }
        step();
        return read;
    }

    /**
     * Write what is waiting to be sent (handshake records, encrypted data, close_notify).
     *
     * @return bytes written.
     */
    public int writeTo(final WritableByteChannel channel) throws IOException
    {
        step();
        netOut.flip();
        try
        {
            return channel.write(netOut);
        }
        finally
        {
            netOut.compact();
        }
    }

    /** @return true while encrypted bytes wait to be written. */
    public boolean wantsWrite()
    {
        return netOut.position() > 0 || engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP;
    }

    /** @return true once the handshake is done and application data can flow. */
    public boolean isHandshakeComplete()
    {
        final SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
        return status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || status == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    /**
     * Encrypt application bytes for sending, as many as fit in the send buffer (call {@link #writeTo} to make room).
     *
     * @return bytes taken from {@code source}; 0 before the handshake completes or while the buffer is full.
     */
    public int wrap(final ByteBuffer source) throws SSLException
    {
        if (!isHandshakeComplete() || engine.isOutboundDone())
        {
            return 0;
        }
        int taken = 0;
        while (source.hasRemaining())
        {
            final SSLEngineResult result = engine.wrap(source, netOut);
            taken += result.bytesConsumed();
            if (result.getStatus() != SSLEngineResult.Status.OK || result.bytesConsumed() == 0)
            {
                break; // BUFFER_OVERFLOW: flush first; CLOSED: nothing more goes out
            }
        }
        return taken;
    }

    /**
     * Take decrypted application bytes.
     *
     * @return bytes copied into {@code destination}, or -1 once the peer has closed and nothing is left.
     */
    public int read(final ByteBuffer destination) throws SSLException
    {
        appIn.flip();
        final int count = Math.min(appIn.remaining(), destination.remaining());
        final int limit = appIn.limit();
        appIn.limit(appIn.position() + count);
        destination.put(appIn);
        appIn.limit(limit);
        appIn.compact();
        if (count > 0)
        {
            step(); // room in appIn may let more of netIn be decrypted
        }
        return count == 0 && (inboundClosed || engine.isInboundDone()) && appIn.position() == 0 ? -1 : count;
    }

    /**
     * @return true while decrypted bytes wait for {@link #read}: the socket's readiness no longer says there is
     * more, so the caller reads again without waiting for it.
     */
    public boolean hasBufferedInput()
    {
        return appIn.position() > 0;
    }

    /** @return the verified client (or server) certificate's subject, or null when the peer showed none. */
    public Principal peerPrincipal()
    {
        try
        {
            return engine.getSession().getPeerPrincipal();
        }
        catch (final SSLPeerUnverifiedException ex)
        {
            return null;
        }
    }

    /** Start an orderly close: a close_notify is queued for {@link #writeTo}. */
    @Override
    public void close()
    {
        engine.closeOutbound();
        try
        {
            step();
        }
        catch (final SSLException ex)
        {
            // Closing anyway.
        }
    }

    /** Run every handshake or unwrap step the buffered bytes allow, without waiting for anything. */
    private void step() throws SSLException
    {
        boolean progress = true;
        while (progress)
        {
            progress = false;
            switch (engine.getHandshakeStatus())
            {
                case NEED_TASK:
                    Runnable task;
                    while (null != (task = engine.getDelegatedTask()))
                    {
                        task.run();
                    }
                    progress = true;
                    break;
                case NEED_WRAP:
                {
                    final SSLEngineResult result = engine.wrap(EMPTY, netOut);
                    progress = result.getStatus() == SSLEngineResult.Status.OK && result.bytesProduced() > 0 ||
                        result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK;
                    break;
                }
                default:
                    progress = unwrap();
                    break;
            }
        }
    }

    private boolean unwrap() throws SSLException
    {
        if (netIn.position() == 0 || engine.isInboundDone())
        {
            return false;
        }
        netIn.flip();
        try
        {
            final SSLEngineResult result = engine.unwrap(netIn, appIn);
            return result.getStatus() == SSLEngineResult.Status.OK &&
                (result.bytesConsumed() > 0 || result.bytesProduced() > 0);
        }
        finally
        {
            netIn.compact();
        }
    }
}
