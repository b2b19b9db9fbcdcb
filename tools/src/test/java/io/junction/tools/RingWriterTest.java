package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;

/**
 * The ring's frames written straight to a real loopback socket whose send buffer is small, so that writes stop
 * mid-frame and the ring wraps many times: the peer must receive exactly the staged bytes and the frames, in order.
 */
class RingWriterTest
{
    private static final int RING_CAPACITY = 16384;
    private static final int FRAMES = 3000;

    @Test
    void thePeerReceivesEveryFrameWholeAndInOrderThroughPartialWritesAndWraps() throws Exception
    {
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)));
        final RingWriter writer = RingWriter.over(ring);
        final ByteBuffer staged = ByteBuffer.allocateDirect(4096);
        final Random random = new Random(42);
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            try (SocketChannel sender = SocketChannel.open(server.getLocalAddress());
                 SocketChannel peer = server.accept())
            {
                sender.setOption(StandardSocketOptions.SO_SNDBUF, 2048);
                sender.setOption(StandardSocketOptions.TCP_NODELAY, true);
                sender.configureBlocking(false);
                peer.configureBlocking(false);
                final ByteBuffer in = ByteBuffer.allocate(1024);
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[1500]);
                int produced = 0;
                int partial = 0;
                long frames = 0;
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (received.size() < expected.size() || produced < FRAMES || ring.size() > 0 ||
                    staged.position() > 0)
                {
                    assertTrue(System.nanoTime() < deadlineNs, "not delivered within 60 s");
                    if (produced < FRAMES && random.nextInt(8) == 0 && staged.remaining() > 2 * 1024 + 8)
                    {
                        final byte[] control = new byte[1 + random.nextInt(8)]; // a control frame, staged
                        random.nextBytes(control);
                        if (0 == staged.position() && 0 == ring.size())
                        {
                            staged.put(control);
                            expected.write(control);
                        }
                    }
                    while (produced < FRAMES)
                    {
                        final int length = 9 + random.nextInt(1400);
                        for (int i = 0; i < length; i++)
                        {
                            frame.putByte(i, (byte)random.nextInt());
                        }
                        if (!ring.write(1, frame, 0, length))
                        {
                            break;
                        }
                        final byte[] bytes = new byte[length];
                        frame.getBytes(0, bytes);
                        expected.write(bytes);
                        produced++;
                    }
                    final int result = writer.write(sender, staged);
                    frames += writer.frames();
                    if (RingWriter.SOCKET_FULL == result && staged.position() > 0)
                    {
                        partial++;
                    }
                    in.clear();
                    if (peer.read(in) > 0)
                    {
                        received.write(in.array(), 0, in.position());
                    }
                }
                assertEquals(FRAMES, frames);
                assertTrue(partial > 0, "the socket never stopped a write mid-frame: the test proves less");
                assertEquals(expected.size(), received.size());
                assertArrayEquals(expected.toByteArray(), received.toByteArray());
            }
        }
    }

    @Test
    void aFrameLongerThanTheStagingBufferIsLeftToTheCopyingPath() throws Exception
    {
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)));
        final RingWriter writer = RingWriter.over(ring);
        final ByteBuffer staged = ByteBuffer.allocateDirect(ProtocolConnection.OUTPUT_RESERVE + 1000);
        assertTrue(ring.write(1, new UnsafeBuffer(new byte[1001]), 0, 1001));
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            try (SocketChannel sender = SocketChannel.open(server.getLocalAddress());
                 SocketChannel peer = server.accept())
            {
                sender.configureBlocking(false);
                assertEquals(RingWriter.TOO_LONG, writer.write(sender, staged));
                assertEquals(0, writer.frames());
                assertTrue(ring.size() > 0, "the frame stays in the ring for the copying path");
            }
        }
    }
}
