package io.junction.cluster;

import io.junction.cluster.codecs.AcknowledgeDecoder;
import io.junction.cluster.codecs.DeliverDecoder;
import io.junction.cluster.codecs.ErrorCode;
import io.junction.cluster.codecs.ErrorDecoder;
import io.junction.cluster.codecs.MessageHeaderDecoder;
import io.junction.cluster.codecs.PublishAckDecoder;
import io.junction.cluster.codecs.PublishDecoder;
import io.junction.cluster.codecs.ResumeDecoder;
import io.junction.cluster.codecs.SnapshotDurablePositionDecoder;
import io.junction.cluster.codecs.SnapshotEndDecoder;
import io.junction.cluster.codecs.SnapshotHeaderDecoder;
import io.junction.cluster.codecs.SnapshotProtocolSessionDecoder;
import io.junction.cluster.codecs.SnapshotPublisherDecoder;
import io.junction.cluster.codecs.SnapshotSubscriptionDecoder;
import io.junction.cluster.codecs.SubscribeAckDecoder;
import io.junction.cluster.codecs.SubscribeDecoder;
import io.junction.cluster.codecs.UnsubscribeAckDecoder;
import io.junction.cluster.codecs.UnsubscribeDecoder;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Checks that a frame of the Junction wire protocol can be decoded safely before any SBE decoder reads it:
 * the header, the schema id and version, the block length of the template, and every variable-length
 * field lying inside the frame. The generated decoders trust their input; this is what lets them.
 * <p>
 * Allocation-free: {@link #check} returns the template id, or a negative {@link ErrorCode} value.
 */
public final class WireFrames
{
    public static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    public static final int SCHEMA_VERSION = MessageHeaderDecoder.SCHEMA_VERSION;
    public static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private static final int ASCII_HEADER = 2;
    private static final int DATA_HEADER = 4;
    private static final int MAX_ASCII_LENGTH = 1024;

    private static final int[] NONE = {};
    private static final int[] TOPIC_PAYLOAD = { ASCII_HEADER, DATA_HEADER };
    private static final int[] TWO_TEXTS = { ASCII_HEADER, ASCII_HEADER };
    private static final int[] ONE_TEXT = { ASCII_HEADER };

    private WireFrames()
    {
    }

    /**
     * @param maxFrameLength longest frame accepted.
     * @return the template id of a well-formed frame, else minus the value of the {@link ErrorCode}.
     */
    public static int check(final DirectBuffer buffer, final int offset, final int length, final int maxFrameLength)
    {
        if (length > maxFrameLength)
        {
            return -ErrorCode.FRAME_TOO_LARGE.value();
        }
        if (length < HEADER_LENGTH || offset < 0 || offset + length > buffer.capacity())
        {
            return -ErrorCode.MALFORMED_FRAME.value();
        }

        final int blockLength = buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int templateId = buffer.getShort(offset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int schemaId = buffer.getShort(offset + 4, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int version = buffer.getShort(offset + 6, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;

        if (schemaId != SCHEMA_ID)
        {
            return -ErrorCode.UNKNOWN_MESSAGE.value();
        }
        if (version > SCHEMA_VERSION)
        {
            return -ErrorCode.UNSUPPORTED_VERSION.value();
        }

        final int minBlockLength = minBlockLength(templateId);
        if (minBlockLength < 0)
        {
            return -ErrorCode.UNKNOWN_MESSAGE.value();
        }
        if (blockLength < minBlockLength)
        {
            return -ErrorCode.MALFORMED_FRAME.value();
        }

        final int end = offset + length;
        long position = (long)offset + HEADER_LENGTH + blockLength;
        if (position > end)
        {
            return -ErrorCode.MALFORMED_FRAME.value();
        }

        for (final int headerLength : varFieldHeaders(templateId))
        {
            if (position + headerLength > end)
            {
                return -ErrorCode.MALFORMED_FRAME.value();
            }
            final long fieldLength = headerLength == ASCII_HEADER ?
                buffer.getShort((int)position, ByteOrder.LITTLE_ENDIAN) & 0xFFFFL :
                buffer.getInt((int)position, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            if (headerLength == ASCII_HEADER && fieldLength > MAX_ASCII_LENGTH)
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
     * @return the template id in the header of a frame long enough to hold one, else 0.
     */
    public static int templateIdOrZero(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH || offset < 0 || offset + HEADER_LENGTH > buffer.capacity())
        {
            return 0;
        }
        return buffer.getShort(offset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return the error code of a raw value, or {@link ErrorCode#NULL_VAL} for a value this version does not know
     * (the generated {@code ErrorCode.get} throws on those).
     */
    public static ErrorCode errorCode(final int raw)
    {
        for (final ErrorCode code : ErrorCode.values())
        {
            if (code.value() == raw)
            {
                return code;
            }
        }
        return ErrorCode.NULL_VAL;
    }

    public static int blockLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + 6, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static int minBlockLength(final int templateId)
    {
        switch (templateId)
        {
            case PublishDecoder.TEMPLATE_ID: return PublishDecoder.BLOCK_LENGTH;
            case PublishAckDecoder.TEMPLATE_ID: return PublishAckDecoder.BLOCK_LENGTH;
            case SubscribeDecoder.TEMPLATE_ID: return SubscribeDecoder.BLOCK_LENGTH;
            case SubscribeAckDecoder.TEMPLATE_ID: return SubscribeAckDecoder.BLOCK_LENGTH;
            case UnsubscribeDecoder.TEMPLATE_ID: return UnsubscribeDecoder.BLOCK_LENGTH;
            case UnsubscribeAckDecoder.TEMPLATE_ID: return UnsubscribeAckDecoder.BLOCK_LENGTH;
            case ResumeDecoder.TEMPLATE_ID: return ResumeDecoder.BLOCK_LENGTH;
            case AcknowledgeDecoder.TEMPLATE_ID: return AcknowledgeDecoder.BLOCK_LENGTH;
            case DeliverDecoder.TEMPLATE_ID: return DeliverDecoder.BLOCK_LENGTH;
            case ErrorDecoder.TEMPLATE_ID: return ErrorDecoder.BLOCK_LENGTH;
            case SnapshotHeaderDecoder.TEMPLATE_ID: return SnapshotHeaderDecoder.BLOCK_LENGTH;
            case SnapshotPublisherDecoder.TEMPLATE_ID: return SnapshotPublisherDecoder.BLOCK_LENGTH;
            case SnapshotSubscriptionDecoder.TEMPLATE_ID: return SnapshotSubscriptionDecoder.BLOCK_LENGTH;
            case SnapshotDurablePositionDecoder.TEMPLATE_ID: return SnapshotDurablePositionDecoder.BLOCK_LENGTH;
            case SnapshotEndDecoder.TEMPLATE_ID: return SnapshotEndDecoder.BLOCK_LENGTH;
            case SnapshotProtocolSessionDecoder.TEMPLATE_ID: return SnapshotProtocolSessionDecoder.BLOCK_LENGTH;
            default: return -1;
        }
    }

    private static int[] varFieldHeaders(final int templateId)
    {
        switch (templateId)
        {
            case PublishDecoder.TEMPLATE_ID:
            case DeliverDecoder.TEMPLATE_ID:
                return TOPIC_PAYLOAD;
            case SubscribeDecoder.TEMPLATE_ID:
            case SnapshotSubscriptionDecoder.TEMPLATE_ID:
                return TWO_TEXTS;
            case ErrorDecoder.TEMPLATE_ID:
            case SnapshotDurablePositionDecoder.TEMPLATE_ID:
            case SnapshotProtocolSessionDecoder.TEMPLATE_ID:
                return ONE_TEXT;
            default:
                return NONE;
        }
    }
}
