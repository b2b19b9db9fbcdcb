package io.junction.client;

import java.io.IOException;
import java.nio.channels.SelectableChannel;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * How frames of the Junction protocol travel between the client and Junction: the seam where TCP, Aeron UDP/IPC and
 * a cluster's ingress/egress plug in without changing {@link JunctionClient}. Every method returns at once; the
 * client drives it from its duty cycle. One thread at a time.
 */
public interface Transport extends AutoCloseable
{
    /**
     * Receives whole frames (SBE header and body, no framing of the transport's own).
     */
    @FunctionalInterface
    interface FrameSink
    {
        void onFrame(DirectBuffer buffer, int offset, int length);
    }

    /**
     * What a transport tells the client beside frames (a cluster's): told from inside {@link #poll}.
     */
    interface Events
    {
        /**
         * The link stays up but nothing can become durable now (a cluster without quorum): the client reports
         * {@code state} and refuses publishes ({@link ClientResult#NOT_CONNECTED}) until {@link #onResumed}.
         */
        void onSuspended(ConnectionState state, String detail);

        /**
         * Usable again (a new leader, or quorum back); what was sent since the last answer may be lost, so the
         * client sends every guaranteed publish awaiting its outcome again, with its publisher sequence.
         */
        void onResumed(ConnectionState state, String detail);
    }

    /**
     * Called once by the client before it connects; a transport with no such events ignores it.
     */
    default void events(final Events events)
    {
    }

    /**
     * Begin connecting (non-blocking).
     */
    void connect() throws IOException;

    /**
     * @return true once connected; false while still connecting.
     * @throws IOException if the attempt failed.
     */
    boolean finishConnect() throws IOException;

    /**
     * Claim room for one frame of {@code length} bytes (header and body).
     *
     * @return the offset in {@link #buffer()} to encode the frame at, or -1 when there is no room now.
     */
    int claim(int length);

    /**
     * @return the buffer that {@link #claim} offsets point into.
     */
    MutableDirectBuffer buffer();

    /**
     * The claimed frame is encoded, {@code length} bytes (at most what was claimed): send it with the next flush.
     */
    void commit(int offset, int length);

    /**
     * @return bytes waiting to be sent.
     */
    int pendingBytes();

    /**
     * Send what it can without blocking.
     *
     * @return bytes sent.
     */
    int flush() throws IOException;

    /**
     * Hand every whole frame received so far to the sink.
     *
     * @return frames handed on.
     * @throws IOException when the connection ended or broke, or a frame's framing is bad.
     */
    int poll(FrameSink sink) throws IOException;

    /**
     * @return the connected socket whose readability announces input, for an idle agent thread to wait on; null when
     * there is none, or when readiness would not say all (TLS holds decrypted bytes the socket knows nothing of).
     */
    default SelectableChannel waitable()
    {
        return null;
    }

    /**
     * @return where it connects, for messages.
     */
    String describe();

    /**
     * Drop the connection (buffered frames are discarded); {@link #connect()} may be called again.
     */
    @Override
    void close();

    /**
     * Free what the transport keeps across reconnects (an Aeron client, an embedded media driver): the client is
     * closed for good.
     */
    default void release()
    {
        close();
    }
}
