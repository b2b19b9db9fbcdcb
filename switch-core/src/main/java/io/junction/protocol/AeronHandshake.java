package io.junction.protocol;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The first message of an Aeron client's publication to the daemon's ingress, before any protocol frame: where the
 * daemon is to send its frames back (the response channel and stream id). Aeron tells a subscriber who sent an
 * image but not where that sender listens, so the client says it once, as a cluster client's connect request does.
 * It is transport framing, as the TCP length prefix is; the protocol (HELLO first) starts with the next message.
 * <p>
 * Layout (little-endian): int32 {@link #MAGIC}, int32 response stream id, then the channel as ASCII to the end.
 */
public final class AeronHandshake
{
    /** "JNA1" read as a little-endian int. */
    public static final int MAGIC = 0x31414E4A;
    public static final int MAX_CHANNEL_LENGTH = 512;
    private static final int CHANNEL_OFFSET = 8;

    private AeronHandshake()
    {
    }

    /**
     * @return the encoded length.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final int responseStreamId, final String responseChannel)
    {
        final byte[] channel = responseChannel.getBytes(StandardCharsets.US_ASCII);
        if (channel.length > MAX_CHANNEL_LENGTH)
        {
            throw new IllegalArgumentException("response channel longer than " + MAX_CHANNEL_LENGTH + ": " +
                responseChannel);
        }
        buffer.putInt(offset, MAGIC, ProtocolFrames.BYTE_ORDER);
        buffer.putInt(offset + 4, responseStreamId, ProtocolFrames.BYTE_ORDER);
        buffer.putBytes(offset + CHANNEL_OFFSET, channel);
        return CHANNEL_OFFSET + channel.length;
    }

    /**
     * @return true if the message is a handshake of this version.
     */
    public static boolean isHandshake(final DirectBuffer buffer, final int offset, final int length)
    {
        return length > CHANNEL_OFFSET && length <= CHANNEL_OFFSET + MAX_CHANNEL_LENGTH &&
            MAGIC == buffer.getInt(offset, ProtocolFrames.BYTE_ORDER);
    }

    public static int responseStreamId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + 4, ProtocolFrames.BYTE_ORDER);
    }

    /**
     * @return the response channel, or null if it is not printable ASCII.
     */
    public static String responseChannel(final DirectBuffer buffer, final int offset, final int length)
    {
        final int channelLength = length - CHANNEL_OFFSET;
        final byte[] bytes = new byte[channelLength];
        buffer.getBytes(offset + CHANNEL_OFFSET, bytes);
        for (final byte b : bytes)
        {
            if (b <= ' ' || b > '~')
            {
                return null;
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
