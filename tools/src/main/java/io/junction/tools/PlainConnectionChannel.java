package io.junction.tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SocketChannel;
import org.agrona.CloseHelper;

/**
 * A connection's bytes straight over a non-blocking TCP socket.
 */
final class PlainConnectionChannel implements ConnectionChannel
{
    private final SocketChannel socket;

    PlainConnectionChannel(final SocketChannel socket)
    {
        this.socket = socket;
    }

    @Override
    public int read(final ByteBuffer destination) throws IOException
    {
        return socket.read(destination);
    }

    @Override
    public int write(final ByteBuffer source) throws IOException
    {
        return source.hasRemaining() ? socket.write(source) : 0;
    }

    @Override
    public GatheringByteChannel gathering()
    {
        return socket;
    }

    @Override
    public boolean wantsWrite()
    {
        return false;
    }

    @Override
    public boolean isReady()
    {
        return true;
    }

    @Override
    public boolean hasBufferedInput()
    {
        return false;
    }

    @Override
    public boolean isEncrypted()
    {
        return false;
    }

    @Override
    public java.security.Principal peerPrincipal()
    {
        return null;
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
        CloseHelper.quietClose(socket);
    }
}
