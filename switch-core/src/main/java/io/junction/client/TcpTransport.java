package io.junction.client;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLContext;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.protocol.ProtocolFrames;
import io.junction.security.TlsSession;

/**
 * The Junction protocol over TCP: a non-blocking {@link SocketChannel}, each frame behind its int32 little-endian
 * length. Frames are encoded straight into a direct send buffer and written from it; received bytes are framed in
 * place in a direct receive buffer (grown, up to the maximum frame length, only for a frame longer than it).
 * <p>
 * With an {@link SSLContext} ({@code tls://host:port}) the bytes go through a {@link TlsSession}: the handshake is
 * driven by {@link #finishConnect()}, which says connected only once it is done; the session's buffers are made
 * once per connection, so a message costs an encryption, not an allocation.
 */
final class TcpTransport implements Transport
{
    private static final int INITIAL_RECEIVE_BYTES = 256 << 10;

    private final String host;
    private final int port;
    private final int maxFrameLength;
    private final ByteBuffer send;
    private final UnsafeBuffer sendBuffer;
    private ByteBuffer receive;
    private final UnsafeBuffer receiveBuffer;
    private SocketChannel channel;
    private final SSLContext tls;
    private TlsSession session;

    /**
     * @param tls null: plain TCP.
     */
    TcpTransport(final String host, final int port, final int sendBufferBytes, final int maxFrameLength,
        final SSLContext tls)
    {
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.maxFrameLength = maxFrameLength;
        send = BufferUtil.allocateDirectAligned(sendBufferBytes, 64);
        sendBuffer = new UnsafeBuffer(send);
        receive = BufferUtil.allocateDirectAligned(Math.min(INITIAL_RECEIVE_BYTES,
            Math.max(4096, maxFrameLength + ProtocolFrames.LENGTH_PREFIX)), 64);
        receiveBuffer = new UnsafeBuffer(receive);
    }

    @Override
    public void connect() throws IOException
    {
        close();
        channel = SocketChannel.open();
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(new InetSocketAddress(host, port));
            session = null == tls ? null : TlsSession.client(tls, host, port);
        }
        catch (final IOException | RuntimeException ex)
        {
            close();
            throw ex instanceof IOException ? (IOException)ex : new IOException(ex.getMessage(), ex);
        }
    }

    @Override
    public boolean finishConnect() throws IOException
    {
        if (!channel.isConnected() && !channel.finishConnect())
        {
            return false;
        }
        if (null == session)
        {
            return true;
        }
        if (session.readFrom(channel) < 0)
        {
            throw new EOFException("the daemon at " + describe() + " closed the connection during the TLS handshake");
        }
        if (session.wantsWrite())
        {
            session.writeTo(channel);
        }
        return session.isHandshakeComplete();
    }

    @Override
    public int claim(final int length)
    {
        final int needed = ProtocolFrames.LENGTH_PREFIX + length;
        if (send.remaining() < needed)
        {
            return -1;
        }
        return send.position() + ProtocolFrames.LENGTH_PREFIX;
    }

    @Override
    public MutableDirectBuffer buffer()
    {
        return sendBuffer;
    }

    @Override
    public void commit(final int offset, final int length)
    {
        ProtocolFrames.frameLength(sendBuffer, offset - ProtocolFrames.LENGTH_PREFIX, length);
        send.position(offset + length);
    }

    @Override
    public int pendingBytes()
    {
        return send.position();
    }

    @Override
    public int flush() throws IOException
    {
        if (null == channel || (0 == send.position() && (null == session || !session.wantsWrite())))
        {
            return 0;
        }
        send.flip();
        try
        {
            return null == session ? channel.write(send) : flushTls();
        }
        finally
        {
            send.compact();
        }
    }

    private int flushTls() throws IOException
    {
        int taken = 0;
        while (true)
        {
            if (session.wantsWrite())
            {
                session.writeTo(channel);
                if (session.wantsWrite())
                {
                    return taken; // The socket is full.
                }
            }
            final int wrapped = send.hasRemaining() ? session.wrap(send) : 0;
            if (0 == wrapped)
            {
                return taken;
            }
            taken += wrapped;
        }
    }

    private int read() throws IOException
    {
        if (null == session)
        {
            return channel.read(receive);
        }
        final int buffered = session.read(receive);
        if (0 != buffered)
        {
            return buffered;
        }
        session.readFrom(channel);
        if (session.wantsWrite())
        {
            session.writeTo(channel); // A post-handshake message (a key update) is answered at once.
        }
        return session.read(receive);
    }

    @Override
    public int poll(final FrameSink sink) throws IOException
    {
        final int read = read();
        if (read < 0)
        {
            throw new EOFException("the daemon at " + describe() + " closed the connection");
        }
        final int end = receive.position();
        int offset = 0;
        int frames = 0;
        while (end - offset >= ProtocolFrames.LENGTH_PREFIX)
        {
            final int length = ProtocolFrames.frameLength(receiveBuffer, offset);
            if (length < ProtocolFrames.HEADER_LENGTH || length > maxFrameLength)
            {
                throw new IOException("bad frame length " + length + " from the daemon at " + describe() +
                    " (the maximum is " + maxFrameLength + ")");
            }
            if (end - offset - ProtocolFrames.LENGTH_PREFIX < length)
            {
                if (ProtocolFrames.LENGTH_PREFIX + length > receive.capacity())
                {
                    grow(ProtocolFrames.LENGTH_PREFIX + length, offset, end);
                    return frames;
                }
                break;
            }
            sink.onFrame(receiveBuffer, offset + ProtocolFrames.LENGTH_PREFIX, length);
            frames++;
            offset += ProtocolFrames.LENGTH_PREFIX + length;
        }
        if (offset > 0)
        {
            receive.limit(end).position(offset);
            receive.compact();
        }
        return frames;
    }

    private void grow(final int needed, final int offset, final int end)
    {
        // Only for a frame longer than any seen so far: steady state allocates nothing.
        final ByteBuffer bigger = BufferUtil.allocateDirectAligned(Math.max(needed, receive.capacity() * 2), 64);
        receive.limit(end).position(offset);
        bigger.put(receive);
        BufferUtil.free(receive);
        receive = bigger;
        receiveBuffer.wrap(receive);
    }

    @Override
    public SelectableChannel waitable()
    {
        return null == tls && null != channel && channel.isConnected() ? channel : null;
    }

    @Override
    public String describe()
    {
        return (null == tls ? "tcp://" : "tls://") + host + ":" + port;
    }

    @Override
    public void close()
    {
        if (null != session)
        {
            try
            {
                session.close();
                session.writeTo(channel); // close_notify, if the socket takes it now
            }
            catch (final IOException | RuntimeException ex)
            {
                // Closing anyway.
            }
            session = null;
        }
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                // Nothing to do: it is gone.
            }
            channel = null;
        }
        send.clear();
        receive.clear();
    }
}
