package io.junction.tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLException;
import org.agrona.CloseHelper;
import io.junction.security.TlsSession;

/**
 * A connection's bytes through TLS ({@link TlsSession}) over a non-blocking TCP socket. The handshake runs inside
 * the same {@link #read} and {@link #write} calls as the data, on the connection's agent. A failure is counted by
 * its reason ({@link TlsFailure}) before the exception tells the connection to close.
 */
final class TlsConnectionChannel implements ConnectionChannel
{
    /** Counts handshakes and failures. */
    interface Listener
    {
        void onFailure(TlsFailure reason);

        void onHandshake();
    }

    private final SocketChannel socket;
    private final TlsSession session;
    private final Listener listener;
    private final FirstByte firstByte;
    private boolean failed;
    private boolean handshakeDone;

    TlsConnectionChannel(final SocketChannel socket, final TlsSession session, final Listener listener)
    {
        this.socket = socket;
        this.session = session;
        this.listener = listener;
        this.firstByte = new FirstByte(socket);
    }

    @Override
    public int read(final ByteBuffer destination) throws IOException
    {
        try
        {
            final int buffered = session.read(destination);
            if (0 != buffered)
            {
                return buffered;
            }
            session.readFrom(firstByte);
            if (session.wantsWrite())
            {
                session.writeTo(socket); // A handshake answer goes out now; OP_WRITE takes the rest.
            }
            checkHandshake();
            return session.read(destination);
        }
        catch (final SSLException ex)
        {
            throw fail(ex);
        }
    }

    @Override
    public int write(final ByteBuffer source) throws IOException
    {
        try
        {
            int taken = 0;
            while (true)
            {
                if (session.wantsWrite())
                {
                    session.writeTo(socket);
                    if (session.wantsWrite())
                    {
                        break; // The socket is full.
                    }
                }
                if (!source.hasRemaining())
                {
                    break;
                }
                final int wrapped = session.wrap(source);
                if (0 == wrapped)
                {
                    break; // The handshake is not done, or the record buffer wants flushing first.
                }
                taken += wrapped;
            }
            checkHandshake();
            return taken;
        }
        catch (final SSLException ex)
        {
            throw fail(ex);
        }
    }

    @Override
    public boolean wantsWrite()
    {
        return !failed && session.wantsWrite();
    }

    @Override
    public boolean isReady()
    {
        checkHandshake(); // Latched: a later key update does not make the connection new again.
        return handshakeDone;
    }

    @Override
    public boolean hasBufferedInput()
    {
        return session.hasBufferedInput();
    }

    @Override
    public boolean isEncrypted()
    {
        return true;
    }

    @Override
    public java.security.Principal peerPrincipal()
    {
        return session.peerPrincipal();
    }

    @Override
    public InetSocketAddress remoteAddress()
    {
        try
        {
            return (InetSocketAddress)socket.getRemoteAddress();
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    @Override
    public void close()
    {
        try
        {
            session.close();
            session.writeTo(socket); // close_notify (or the alert of a failure), if the socket takes it at once
        }
        catch (final IOException | RuntimeException ex)
        {
            // Closing anyway.
        }
        CloseHelper.quietClose(socket);
    }

    private void checkHandshake()
    {
        if (!handshakeDone && session.isHandshakeComplete())
        {
            handshakeDone = true;
            listener.onHandshake();
        }
    }

    private SSLException fail(final SSLException ex)
    {
        if (!failed)
        {
            failed = true;
            listener.onFailure(TlsFailure.classify(firstByte.value, session.isHandshakeComplete(), ex));
        }
        return ex;
    }

    /** The socket, remembering the first byte the peer sent: a plaintext client is told apart from a bad handshake. */
    private static final class FirstByte implements ReadableByteChannel
    {
        private final SocketChannel socket;
        int value = -1;

        FirstByte(final SocketChannel socket)
        {
            this.socket = socket;
        }

        @Override
        public int read(final ByteBuffer destination) throws IOException
        {
            final int start = destination.position();
            final int n = socket.read(destination);
            if (value < 0 && n > 0)
            {
                value = destination.get(start) & 0xFF;
            }
            return n;
        }

        @Override
        public boolean isOpen()
        {
            return socket.isOpen();
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }
}
