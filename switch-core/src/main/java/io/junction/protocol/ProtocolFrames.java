package io.junction.protocol;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.junction.protocol.codecs.AckDecoder;
import io.junction.protocol.codecs.CoalescedRefusalDecoder;
import io.junction.protocol.codecs.CreditDecoder;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ErrorDecoder;
import io.junction.protocol.codecs.HelloDecoder;
import io.junction.protocol.codecs.MessageDecoder;
import io.junction.protocol.codecs.MessageHeaderDecoder;
import io.junction.protocol.codecs.OutcomeDecoder;
import io.junction.protocol.codecs.PingDecoder;
import io.junction.protocol.codecs.PongDecoder;
import io.junction.protocol.codecs.PublishDecoder;
import io.junction.protocol.codecs.ReplayDecoder;
import io.junction.protocol.codecs.SubscribeDecoder;
import io.junction.protocol.codecs.SubscribedDecoder;
import io.junction.protocol.codecs.UnsubscribeDecoder;
import io.junction.protocol.codecs.UnsubscribedDecoder;
import io.junction.protocol.codecs.WelcomeDecoder;

/**
 * The framing of the Junction protocol ({@code junction-protocol.xml}) and the check that makes a frame safe to
 * decode: the header, the schema id and version (this version or the one before), the template's block length
 * for that version, and every variable-length field lying inside the frame within its maximum. The generated
 * decoders trust their input; this is what lets them.
 * <p>
 * Over a stream transport (TCP) each frame is preceded by {@value #LENGTH_PREFIX} bytes: its length as an int32,
 * little-endian, counting the SBE header and body.
 * <p>
 * Allocation-free, except {@link #describeRefusal} (for an ERROR's text: bad input only).
 */
public final class ProtocolFrames
{
    public static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    /** The version this build speaks and encodes. */
    public static final int VERSION = MessageHeaderDecoder.SCHEMA_VERSION;
    /** The oldest version this build accepts: version N accepts N-1. */
    public static final int MIN_VERSION = VERSION - 1;
    public static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    /** The int32 little-endian length before each frame on a stream. */
    public static final int LENGTH_PREFIX = 4;
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    /** Longest topic, pattern or name (varAsciiEncoding). */
    public static final int MAX_ASCII_LENGTH = 1024;
    /** Longest free text (varUtf8Encoding), in bytes. */
    public static final int MAX_UTF8_LENGTH = 4096;

    private static final int ASCII = 1;
    private static final int UTF8 = 2;
    private static final int DATA = 3;

    private static final int MAX_TEMPLATE_ID = 32;
    /** [version - MIN_VERSION][templateId]: the block length of that version, 0 for no such template. */
    private static final int[][] BLOCK_LENGTHS = new int[VERSION - MIN_VERSION + 1][MAX_TEMPLATE_ID];
    /** [version - MIN_VERSION][templateId]: the kinds of its variable-length fields, in order. */
    private static final int[][][] VAR_FIELDS = new int[VERSION - MIN_VERSION + 1][MAX_TEMPLATE_ID][];

    static
    {
        for (int version = MIN_VERSION; version <= VERSION; version++)
        {
            final boolean v2 = version >= 2;
            define(version, HelloDecoder.TEMPLATE_ID, HelloDecoder.BLOCK_LENGTH, ASCII, UTF8, DATA);
            define(version, WelcomeDecoder.TEMPLATE_ID, WelcomeDecoder.BLOCK_LENGTH, ASCII, ASCII);
            define(version, PingDecoder.TEMPLATE_ID, PingDecoder.BLOCK_LENGTH);
            define(version, PongDecoder.TEMPLATE_ID, PongDecoder.BLOCK_LENGTH);
            define(version, ErrorDecoder.TEMPLATE_ID, ErrorDecoder.BLOCK_LENGTH, UTF8);
            final boolean v3 = version >= 3;
            if (v2)
            {
                // Version 2: no PUBLISH.key (the last fixed field); MESSAGE is as in version 3.
                define(version, PublishDecoder.TEMPLATE_ID, v3 ? PublishDecoder.BLOCK_LENGTH :
                    PublishDecoder.keyEncodingOffset(), ASCII, DATA, ASCII);
                define(version, MessageDecoder.TEMPLATE_ID, MessageDecoder.BLOCK_LENGTH, ASCII, DATA, ASCII);
            }
            else
            {
                // Version 1: no correlationId (the last fixed field) and no replyTo (the last variable one).
                define(version, PublishDecoder.TEMPLATE_ID, PublishDecoder.correlationIdEncodingOffset(), ASCII, DATA);
                define(version, MessageDecoder.TEMPLATE_ID, MessageDecoder.correlationIdEncodingOffset(), ASCII, DATA);
            }
            define(version, OutcomeDecoder.TEMPLATE_ID, OutcomeDecoder.BLOCK_LENGTH);
            define(version, CoalescedRefusalDecoder.TEMPLATE_ID, CoalescedRefusalDecoder.BLOCK_LENGTH, UTF8);
            // Version 3: no initialCriticalCredit (the last fixed field); version 2 neither queueGroupDiscipline.
            final boolean v4 = version >= 4;
            define(version, SubscribeDecoder.TEMPLATE_ID, v4 ? SubscribeDecoder.BLOCK_LENGTH : v3 ?
                SubscribeDecoder.initialCriticalCreditEncodingOffset() :
                SubscribeDecoder.queueGroupDisciplineEncodingOffset(), ASCII, ASCII, ASCII);
            define(version, SubscribedDecoder.TEMPLATE_ID, SubscribedDecoder.BLOCK_LENGTH, ASCII);
            define(version, UnsubscribeDecoder.TEMPLATE_ID, UnsubscribeDecoder.BLOCK_LENGTH);
            define(version, UnsubscribedDecoder.TEMPLATE_ID, UnsubscribedDecoder.BLOCK_LENGTH);
            // Version 3: no criticalCredit (the last fixed field).
            define(version, CreditDecoder.TEMPLATE_ID, v4 ? CreditDecoder.BLOCK_LENGTH :
                CreditDecoder.criticalCreditEncodingOffset());
            define(version, ReplayDecoder.TEMPLATE_ID, ReplayDecoder.BLOCK_LENGTH);
            define(version, AckDecoder.TEMPLATE_ID, AckDecoder.BLOCK_LENGTH);
        }
    }

    private static void define(final int version, final int templateId, final int blockLength, final int... vars)
    {
        BLOCK_LENGTHS[version - MIN_VERSION][templateId] = blockLength;
        VAR_FIELDS[version - MIN_VERSION][templateId] = vars;
    }

    private ProtocolFrames()
    {
    }

    /**
     * Check a frame (header and body, without the length prefix) before any decoder reads it.
     *
     * @param maxFrameLength the longest frame accepted.
     * @return the template id of a well-formed frame, else minus the value of its {@link ErrorCode}:
     * FRAME_TOO_LARGE, MALFORMED_FRAME, UNKNOWN_SCHEMA, UNSUPPORTED_VERSION or UNKNOWN_TEMPLATE.
     */
    public static int check(final DirectBuffer buffer, final int offset, final int length, final int maxFrameLength)
    {
        if (length > maxFrameLength)
        {
            return -ErrorCode.FRAME_TOO_LARGE.value();
        }
        if (length < HEADER_LENGTH || offset < 0 || (long)offset + length > buffer.capacity())
        {
            return -ErrorCode.MALFORMED_FRAME.value();
        }
        final int schemaId = schemaId(buffer, offset);
        if (schemaId != SCHEMA_ID)
        {
            return -ErrorCode.UNKNOWN_SCHEMA.value();
        }
        final int version = version(buffer, offset);
        if (version < MIN_VERSION || version > VERSION)
        {
            return -ErrorCode.UNSUPPORTED_VERSION.value();
        }
        final int templateId = templateId(buffer, offset);
        final int minBlockLength = blockLength(templateId, version);
        if (minBlockLength <= 0)
        {
            return -ErrorCode.UNKNOWN_TEMPLATE.value();
        }
        final int blockLength = blockLength(buffer, offset);
        if (blockLength < minBlockLength)
        {
            return -ErrorCode.MALFORMED_FRAME.value();
        }

        final long end = (long)offset + length;
        long position = (long)offset + HEADER_LENGTH + blockLength;
        if (position > end)
        {
            return -ErrorCode.MALFORMED_FRAME.value();
        }
        for (final int kind : VAR_FIELDS[version - MIN_VERSION][templateId])
        {
            final int headerLength = kind == DATA ? 4 : 2;
            if (position + headerLength > end)
            {
                return -ErrorCode.MALFORMED_FRAME.value();
            }
            final long fieldLength = kind == DATA ?
                buffer.getInt((int)position, BYTE_ORDER) & 0xFFFF_FFFFL :
                buffer.getShort((int)position, BYTE_ORDER) & 0xFFFFL;
            if ((kind == ASCII && fieldLength > MAX_ASCII_LENGTH) || (kind == UTF8 && fieldLength > MAX_UTF8_LENGTH))
            {
                return -ErrorCode.MALFORMED_FRAME.value();
            }
            position += headerLength + fieldLength;
            if (position > end)
            {
                return -ErrorCode.MALFORMED_FRAME.value();
            }
        }
        return templateId;
    }

    /**
     * @return the block length of a template at a version this build accepts, or 0 if it has no such template.
     */
    public static int blockLength(final int templateId, final int version)
    {
        if (templateId < 0 || templateId >= MAX_TEMPLATE_ID || version < MIN_VERSION || version > VERSION)
        {
            return 0;
        }
        return BLOCK_LENGTHS[version - MIN_VERSION][templateId];
    }

    public static int blockLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset, BYTE_ORDER) & 0xFFFF;
    }

    public static int templateId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + 2, BYTE_ORDER) & 0xFFFF;
    }

    public static int schemaId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + 4, BYTE_ORDER) & 0xFFFF;
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + 6, BYTE_ORDER) & 0xFFFF;
    }

    /**
     * @return the template id of a frame long enough to have a header, else 0 (for ERROR's requestTemplateId).
     */
    public static int templateIdOrZero(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH || offset < 0 || (long)offset + HEADER_LENGTH > buffer.capacity())
        {
            return 0;
        }
        return templateId(buffer, offset);
    }

    /**
     * The text of the ERROR that answers a frame {@link #check} refused: for a schema id or version it names
     * both the frame's and this build's.
     *
     * @param error minus the value {@link #check} returned.
     */
    public static String describeRefusal(
        final int error, final DirectBuffer buffer, final int offset, final int length, final int maxFrameLength)
    {
        final boolean hasHeader = length >= HEADER_LENGTH && offset >= 0 && (long)offset + HEADER_LENGTH <= buffer.capacity();
        final String ours = "this server speaks schema " + SCHEMA_ID + " version " + MIN_VERSION + ".." + VERSION;
        if (error == ErrorCode.UNKNOWN_SCHEMA.value() && hasHeader)
        {
            return "unknown schema id " + schemaId(buffer, offset) + " (version " + version(buffer, offset) + "); " + ours;
        }
        if (error == ErrorCode.UNSUPPORTED_VERSION.value() && hasHeader)
        {
            return "unsupported version " + version(buffer, offset) + " of schema " + schemaId(buffer, offset) + "; " +
                ours;
        }
        if (error == ErrorCode.UNKNOWN_TEMPLATE.value() && hasHeader)
        {
            return "unknown template id " + templateId(buffer, offset) + " in version " + version(buffer, offset) +
                " of schema " + schemaId(buffer, offset);
        }
        if (error == ErrorCode.FRAME_TOO_LARGE.value())
        {
            return "frame of " + length + " bytes is longer than the maximum " + maxFrameLength;
        }
        return "malformed frame of " + length + " bytes" + (hasHeader ? " (template " + templateId(buffer, offset) +
            ", block length " + blockLength(buffer, offset) + ")" : "") +
            ": too short, or a length that runs past the frame";
    }

    /**
     * @return the longest frame (header and body) of a PUBLISH or MESSAGE with the longest topic and payload.
     */
    public static int maxFrameLength(final int maxPayloadLength, final int maxTopicLength)
    {
        return HEADER_LENGTH + Math.max(PublishDecoder.BLOCK_LENGTH, MessageDecoder.BLOCK_LENGTH) +
            2 + maxTopicLength + 4 + maxPayloadLength + 2 + maxTopicLength;
    }

    /**
     * @return the length prefix at {@code offset} of a stream (a signed int32; negative is bad input).
     */
    public static int frameLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset, BYTE_ORDER);
    }

    public static void frameLength(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        buffer.putInt(offset, length, BYTE_ORDER);
    }
}
