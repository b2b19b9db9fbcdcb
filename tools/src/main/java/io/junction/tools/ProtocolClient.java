package io.junction.tools;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Priority;

/**
 * A client of the daemon's {@link Frames} protocol. Writes from one thread, reads from one thread.
 */
public final class ProtocolClient implements AutoCloseable
{
    /**
     * What the daemon sent.
     */
    public interface FrameListener
    {
        default void onMessage(
            final long sequence, final Priority priority, final String topic, final UnsafeBuffer buffer,
            final int offset, final int length)
        {
        }

        default void onError(final int code, final String text)
        {
        }

        default void onPong()
        {
        }

        default void onSubscribed(final String pattern)
        {
        }

        /**
         * A guaranteed publish is journaled.
         */
        default void onDurable(final long sequence)
        {
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private byte[] frame = new byte[64 * 1024];
    private final UnsafeBuffer frameBuffer = new UnsafeBuffer(frame);

    public ProtocolClient(final String host, final int port) throws IOException
    {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
    }

    /**
     * Buffer a PUBLISH; {@link #flush()} sends.
     */
    public void publish(final String topic, final Priority priority, final byte[] payload, final int offset,
        final int length) throws IOException
    {
        publish(topic, priority, Frames.QOS_BEST_EFFORT, payload, offset, length);
    }

    /**
     * Buffer a PUBLISH with a quality of service ({@link Frames#QOS_GUARANTEED}: answered DURABLE or ERROR).
     */
    public void publish(final String topic, final Priority priority, final int qos, final byte[] payload,
        final int offset, final int length) throws IOException
    {
        final byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        out.writeInt(1 + 1 + 2 + topicBytes.length + length);
        out.writeByte(Frames.PUBLISH);
        out.writeByte(Frames.publishClass(priority.ordinal(), qos));
        out.writeShort(topicBytes.length);
        out.write(topicBytes);
        out.write(payload, offset, length);
    }

    public void subscribe(final String pattern) throws IOException
    {
        final byte[] bytes = pattern.getBytes(StandardCharsets.UTF_8);
        out.writeInt(1 + 2 + bytes.length);
        out.writeByte(Frames.SUBSCRIBE);
        out.writeShort(bytes.length);
        out.write(bytes);
        out.flush();
    }

    /**
     * Name this connection's publisher, for regulation rules by publisher.
     */
    public void hello(final String publisher) throws IOException
    {
        final byte[] bytes = publisher.getBytes(StandardCharsets.UTF_8);
        out.writeInt(1 + 2 + bytes.length);
        out.writeByte(Frames.HELLO);
        out.writeShort(bytes.length);
        out.write(bytes);
        out.flush();
    }

    public void ping() throws IOException
    {
        out.writeInt(1);
        out.writeByte(Frames.PING);
        out.flush();
    }

    /**
     * Send raw bytes (for testing the daemon's handling of bad frames).
     */
    public void writeRaw(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    public void flush() throws IOException
    {
        out.flush();
    }

    /**
     * Start a daemon thread that hands every frame to the listener until the connection ends.
     *
     * @return the started thread.
     */
    public Thread startReader(final String threadName, final FrameListener listener)
    {
        return startReader(threadName, listener, () -> {});
    }

    /**
     * Start a daemon thread that hands every frame to the listener until the connection ends (closed by
     * either side), then runs {@code onEnd}.
     *
     * @return the started thread.
     */
    public Thread startReader(final String threadName, final FrameListener listener, final Runnable onEnd)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                while (read(listener) != 0)
                {
                    // Until the end of the stream.
                }
            }
            catch (final IOException ex)
            {
                // Closed.
            }
            onEnd.run();
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Block until one frame arrives, and hand it to the listener.
     *
     * @return the frame's type, or 0 at the end of the stream.
     */
    public byte read(final FrameListener listener) throws IOException
    {
        final int length;
        try
        {
            length = in.readInt();
        }
        catch (final java.io.EOFException ex)
        {
            return 0;
        }
        if (length < 1 || length > 64 << 20)
        {
            throw new IOException("bad frame length from daemon: " + length);
        }
        if (length > frame.length)
        {
            frame = new byte[length];
            frameBuffer.wrap(frame);
        }
        in.readFully(frame, 0, length);
        final byte type = frame[0];
        switch (type)
        {
            case Frames.MESSAGE ->
            {
                final long sequence = frameBuffer.getLong(1, java.nio.ByteOrder.BIG_ENDIAN);
                final Priority priority = Priority.values()[frame[9]];
                final int topicLength = frameBuffer.getShort(10, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
                final String topic = new String(frame, 12, topicLength, StandardCharsets.UTF_8);
                final int payloadOffset = 12 + topicLength;
                listener.onMessage(sequence, priority, topic, frameBuffer, payloadOffset, length - payloadOffset);
            }
            case Frames.ERROR ->
            {
                final int code = frameBuffer.getInt(1, java.nio.ByteOrder.BIG_ENDIAN);
                final int textLength = frameBuffer.getShort(5, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
                listener.onError(code, new String(frame, 7, textLength, StandardCharsets.UTF_8));
            }
            case Frames.PONG -> listener.onPong();
            case Frames.DURABLE -> listener.onDurable(frameBuffer.getLong(1, java.nio.ByteOrder.BIG_ENDIAN));
            case Frames.SUBSCRIBED ->
            {
                final int patternLength = frameBuffer.getShort(1, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
                listener.onSubscribed(new String(frame, 3, patternLength, StandardCharsets.UTF_8));
            }
            default -> throw new IOException("unknown frame type from daemon: " + type);
        }
        return type;
    }

    public void shutdownOutput() throws IOException
    {
        out.flush();
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
