package io.junction.tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/**
 * The byte stream under one protocol connection: a plain socket, TLS over a socket, or another transport. A
 * {@link ProtocolConnection} reads frames from it and writes frames to it and knows nothing else of the wire.
 * Every call returns at once: nothing here waits for the peer. Not thread-safe: one connection, one agent.
 */
interface ConnectionChannel extends AutoCloseable
{
    /**
     * @return application bytes put into {@code destination} (0 when none are ready yet, as during a
     * handshake), or -1 at the end of the stream.
     * @throws IOException when the peer went away or broke the transport's protocol: close the connection.
     */
    int read(ByteBuffer destination) throws IOException;

    /**
     * Send as much of {@code source} as the transport takes now, after any bytes of its own that wait (handshake
     * records, encrypted data). An empty {@code source} only pushes those.
     *
     * @return application bytes taken from {@code source}.
     */
    int write(ByteBuffer source) throws IOException;

    /**
     * @return the socket itself when the connection's bytes go to it unchanged (plain TCP), for gathering writes
     * straight from the send ring; null when the transport transforms them (TLS) or is no socket.
     */
    default GatheringByteChannel gathering()
    {
        return null;
    }

    /** @return true while the transport has bytes of its own to send: watch for writability. */
    boolean wantsWrite();

    /** @return true once application bytes can flow (a TLS handshake is done; a plain socket always is). */
    boolean isReady();

    /**
     * @return true when bytes already taken from the socket wait to be read, so the selector will not say so:
     * read again on the next duty cycle.
     */
    boolean hasBufferedInput();

    /** @return true when what travels is encrypted (TLS). */
    boolean isEncrypted();

    /** @return the verified subject of the peer's certificate, or null when it showed none (or there is no TLS). */
    java.security.Principal peerPrincipal();

    /** @return the peer's address, or null once it is unknown. */
    InetSocketAddress remoteAddress();

    /** Close the transport now (a TLS close_notify is sent if the socket takes it at once). Never throws. */
    @Override
    void close();
}
