package io.junction.tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.AuthenticationMethodCode;
import io.junction.protocol.codecs.HelloEncoder;
import io.junction.protocol.codecs.MessageEncoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.SlowSubscriberPolicyCode;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribeEncoder;
import io.junction.protocol.codecs.SubscribedEncoder;
import io.junction.protocol.codecs.WelcomeEncoder;

/**
 * Many protocol connections from one thread, for measuring what connections cost the server: each says HELLO
 * and, if asked, SUBSCRIBEs to one pattern, then stays open and idle while {@link #poll} counts the WELCOME,
 * SUBSCRIBED and MESSAGE frames that come back (other frames are skipped). Used by the edge-connections harness
 * in perf/ and its bounded test; not a client library.
 */
public final class ConnectionFlood implements AutoCloseable
{
    private static final int READ_CAPACITY = 64 * 1024;

    private final Selector selector;
    private final List<SocketChannel> channels = new ArrayList<>();
    private final ByteBuffer read = ByteBuffer.allocateDirect(READ_CAPACITY).order(ByteOrder.LITTLE_ENDIAN);
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(read);
    private long welcomed;
    private long subscribed;
    private long messages;

    public ConnectionFlood() throws IOException
    {
        selector = Selector.open();
    }

    /**
     * Open {@code count} more connections, each saying HELLO as {@code prefix + i} and, unless {@code pattern} is
     * null, subscribing to it.
     */
    public void open(final String host, final int port, final int count, final String prefix, final String pattern)
        throws IOException
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final HelloEncoder hello = new HelloEncoder();
        final SubscribeEncoder subscribe = new SubscribeEncoder();
        for (int i = 0; i < count; i++)
        {
            final SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port));
            channels.add(channel);
            hello.wrapAndApplyHeader(scratch, ProtocolFrames.LENGTH_PREFIX, header)
                .protocolVersion(ProtocolFrames.VERSION)
                .authenticationMethod(AuthenticationMethodCode.NONE)
                .heartbeatIntervalMs(0)
                .instance(prefix + (channels.size() - 1))
                .user("")
                .putSecret(new byte[0], 0, 0);
            int length = frame(scratch, 0, hello.encodedLength());
            if (null != pattern)
            {
                subscribe.wrapAndApplyHeader(scratch, length + ProtocolFrames.LENGTH_PREFIX, header)
                    .subscriptionId(1)
                    .startPositionKind(StartPositionKind.NEW)
                    .startPositionValue(0)
                    .initialCredit(-1)
                    .initialCriticalCredit(0)
                    .slowSubscriberPolicy(SlowSubscriberPolicyCode.SERVER_DEFAULT)
                    .queueGroupDiscipline(io.junction.protocol.codecs.QueueGroupDisciplineCode.BALANCED)
                    .pattern(pattern)
                    .queueGroup("")
                    .durableName("");
                length += frame(scratch, length, subscribe.encodedLength());
            }
            final ByteBuffer bytes = ByteBuffer.wrap(scratch.byteArray(), 0, length);
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, new Partial());
            if ((i & 63) == 63)
            {
                poll(0); // Keep up with the answers while connecting.
            }
        }
    }

    private static int frame(final UnsafeBuffer scratch, final int at, final int bodyLength)
    {
        final int length = ProtocolFrames.HEADER_LENGTH + bodyLength;
        ProtocolFrames.frameLength(scratch, at, length);
        return ProtocolFrames.LENGTH_PREFIX + length;
    }

    /**
     * Read what has come, waiting up to {@code timeoutMs} for something (0: not at all).
     */
    public void poll(final long timeoutMs) throws IOException
    {
        final int ready = timeoutMs > 0 ? selector.select(timeoutMs) : selector.selectNow();
        if (0 == ready)
        {
            return;
        }
        for (final SelectionKey key : selector.selectedKeys())
        {
            readFrom(key);
        }
        selector.selectedKeys().clear();
    }

    private void readFrom(final SelectionKey key) throws IOException
    {
        final SocketChannel channel = (SocketChannel)key.channel();
        final Partial partial = (Partial)key.attachment();
        read.clear();
        read.put(partial.bytes, 0, partial.length);
        final int n;
        try
        {
            n = channel.read(read);
        }
        catch (final IOException ex)
        {
            key.cancel();
            return;
        }
        if (n < 0)
        {
            key.cancel();
            CloseHelper.quietClose(channel);
            return;
        }
        final int end = read.position();
        int at = 0;
        while (end - at >= ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH)
        {
            final int length = ProtocolFrames.frameLength(readBuffer, at);
            if (end - at < ProtocolFrames.LENGTH_PREFIX + length)
            {
                break;
            }
            final int templateId = readBuffer.getShort(at + ProtocolFrames.LENGTH_PREFIX + 2,
                ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            if (WelcomeEncoder.TEMPLATE_ID == templateId)
            {
                welcomed++;
            }
            else if (SubscribedEncoder.TEMPLATE_ID == templateId)
            {
                subscribed++;
            }
            else if (MessageEncoder.TEMPLATE_ID == templateId)
            {
                messages++;
            }
            at += ProtocolFrames.LENGTH_PREFIX + length;
        }
        partial.keep(readBuffer, at, end - at);
    }

    public int connections()
    {
        return channels.size();
    }

    public long welcomed()
    {
        return welcomed;
    }

    public long subscribed()
    {
        return subscribed;
    }

    public long messages()
    {
        return messages;
    }

    @Override
    public void close()
    {
        for (final SocketChannel channel : channels)
        {
            CloseHelper.quietClose(channel);
        }
        CloseHelper.quietClose(selector);
    }

    /**
     * The start of a frame not all read yet (the frames it counts are small; a larger one is read on as it comes,
     * in the shared buffer).
     */
    private static final class Partial
    {
        byte[] bytes = new byte[0];
        int length;

        void keep(final UnsafeBuffer buffer, final int at, final int count)
        {
            if (count > bytes.length)
            {
                bytes = new byte[Math.min(count, READ_CAPACITY)];
            }
            length = Math.min(count, bytes.length);
            buffer.getBytes(at, bytes, 0, length);
        }
    }
}
