package io.junction.tools;

/**
 * The daemon's local client protocol: length-prefixed frames over TCP (loopback by default).
 * <p>
 * Every frame is {@code int32 length} (big-endian, of what follows, 1..{@link #maxFrameLength}) then
 * {@code uint8 type} then the body. Strings are {@code uint16 length} then UTF-8 bytes.
 * <pre>
 * client to daemon
 *   0x01 PUBLISH     uint8 priority (0 CRITICAL .. 3 BULK), string topic, payload (the rest of the frame)
 *   0x02 SUBSCRIBE   string pattern                  answered by SUBSCRIBED, or ERROR
 *   0x03 PING                                        answered by PONG, after every earlier frame was handled
 * daemon to client
 *   0x81 MESSAGE     int64 sequence, uint8 priority, string topic, payload
 *   0x82 ERROR       int32 code, string text         code: an OfferResult (negative) or a protocol error below
 *   0x83 PONG
 *   0x84 SUBSCRIBED  string pattern                  delivery of messages offered after this has begun
 * </pre>
 * A PUBLISH is answered only when it fails. A bad length loses the framing: the daemon sends ERROR and
 * closes the connection. Any other bad frame gets an ERROR and the connection carries on. Each is
 * counted ({@code protocol bad frames}).
 * <p>
 * Why this and not Aeron: it is what the daemon's tests and {@code loadgen} need today, with no media
 * driver; the clustered gateway (SBE over Aeron) replaces it as the remote protocol, behind the same
 * {@link ProtocolServer} role.
 */
public final class Frames
{
    public static final byte PUBLISH = 0x01;
    public static final byte SUBSCRIBE = 0x02;
    public static final byte PING = 0x03;
    public static final byte MESSAGE = (byte)0x81;
    public static final byte ERROR = (byte)0x82;
    public static final byte PONG = (byte)0x83;
    public static final byte SUBSCRIBED = (byte)0x84;

    /** A frame whose type is unknown. */
    public static final int ERROR_UNKNOWN_TYPE = 1;
    /** A frame whose body does not parse (short, bad priority, bad string). */
    public static final int ERROR_MALFORMED = 2;
    /** A frame length out of range; the connection is closed after this. */
    public static final int ERROR_BAD_LENGTH = 3;
    /** A subscription the switch refused (bad pattern). */
    public static final int ERROR_SUBSCRIBE_REFUSED = 4;

    private Frames()
    {
    }

    /**
     * The largest frame for a switch's limits: a PUBLISH or MESSAGE of the largest topic and payload.
     */
    public static int maxFrameLength(final int maxMessageLength, final int maxTopicLength)
    {
        return 1 + 8 + 1 + 2 + maxTopicLength * 4 + maxMessageLength;
    }
}
