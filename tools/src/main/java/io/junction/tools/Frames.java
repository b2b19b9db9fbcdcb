package io.junction.tools;

/**
 * The daemon's local client protocol: length-prefixed frames over TCP (loopback by default).
 * <p>
 * Every frame is {@code int32 length} (big-endian, of what follows, 1..{@link #maxFrameLength}) then
 * {@code uint8 type} then the body. Strings are {@code uint16 length} then UTF-8 bytes.
 * <pre>
 * client to daemon
 *   0x01 PUBLISH     uint8 class, string topic, payload (the rest of the frame)
 *                    class: bits 0-3 priority (0 CRITICAL .. 3 BULK), bits 4-7 quality of service
 *                    (0 best-effort, 1 guaranteed); a class byte of 0..3 is a best-effort publish, as before
 *   0x02 SUBSCRIBE   string pattern                  answered by SUBSCRIBED, or ERROR
 *   0x03 PING                                        answered by PONG, after every earlier frame was handled
 *   0x04 HELLO       string publisher                the connection's later publishes are regulated as this
 *                                                    publisher (by default "conn-" and the client's port)
 * daemon to client
 *   0x81 MESSAGE     int64 sequence, uint8 priority, string topic, payload
 *   0x82 ERROR       int32 code, string text         code: an OfferResult (negative) or a protocol error below
 *   0x83 PONG
 *   0x84 SUBSCRIBED  string pattern                  delivery of messages offered after this has begun
 *   0x85 DURABLE     int64 sequence                  a guaranteed PUBLISH is journaled (flushed by the flush policy)
 * </pre>
 * A best-effort PUBLISH is answered only when it fails; a shed one gets ERROR with the shed code
 * ({@code OfferResult.shed}, -200 - reason) and the reason in the text. A guaranteed PUBLISH is answered
 * DURABLE once the journal has it, or ERROR: an OfferResult code (e.g. JOURNAL_UNAVAILABLE), or
 * {@link #ERROR_JOURNAL_FAILED} or {@link #ERROR_DURABLE_TIMEOUT}. Guaranteed publishes are pipelined (up to
 * 4096 awaiting their answer per connection) and answered in publish order; a PING is answered only after
 * them. An unknown quality of service is {@link #ERROR_BAD_QOS}, counted. A bad length loses the framing:
 * the daemon sends ERROR and closes the connection. Any other bad frame gets an ERROR and the connection carries on. Each is
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
    public static final byte HELLO = 0x04;
    public static final byte MESSAGE = (byte)0x81;
    public static final byte ERROR = (byte)0x82;
    public static final byte PONG = (byte)0x83;
    public static final byte SUBSCRIBED = (byte)0x84;
    public static final byte DURABLE = (byte)0x85;

    /** Quality of service in bits 4-7 of PUBLISH's class byte. */
    public static final int QOS_BEST_EFFORT = 0;
    public static final int QOS_GUARANTEED = 1;

    /** A frame whose type is unknown. */
    public static final int ERROR_UNKNOWN_TYPE = 1;
    /** A frame whose body does not parse (short, bad priority, bad string). */
    public static final int ERROR_MALFORMED = 2;
    /** A frame length out of range; the connection is closed after this. */
    public static final int ERROR_BAD_LENGTH = 3;
    /** A subscription the switch refused (bad pattern). */
    public static final int ERROR_SUBSCRIBE_REFUSED = 4;
    /** A PUBLISH whose quality of service is unknown; counted ({@code protocol bad qos}). */
    public static final int ERROR_BAD_QOS = 5;
    /** A guaranteed PUBLISH the journal failed before it was durable: treat it as not accepted. */
    public static final int ERROR_JOURNAL_FAILED = 6;
    /** A guaranteed PUBLISH not journaled within journal.durable-timeout: it may still become durable. */
    public static final int ERROR_DURABLE_TIMEOUT = 7;
    /** A HELLO with a bad publisher name. */
    public static final int ERROR_BAD_HELLO = 8;

    /**
     * @return PUBLISH's class byte.
     */
    public static int publishClass(final int priority, final int qos)
    {
        return (qos << 4) | priority;
    }

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
