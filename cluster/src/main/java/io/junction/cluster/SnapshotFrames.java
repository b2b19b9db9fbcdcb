package io.junction.cluster;

import io.junction.cluster.snapshot.codecs.MessageHeaderDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotAssignedDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotDurablePositionDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotGroupMemberDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotQueueGroupDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotEndDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotHeaderDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotProtocolSessionDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotPublisherDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotSubscriptionDecoder;
import io.junction.protocol.codecs.ErrorCode;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Checks that a frame of a member's snapshot ({@code junction-snapshot.xml}) can be decoded safely before any SBE
 * decoder reads it: the header, the schema id and version, the block length of the template, and every
 * variable-length field lying inside the frame. The generated decoders trust their input; this is what lets them.
 * <p>
 * Allocation-free: {@link #check} returns the template id, or minus the value of the Junction protocol's
 * {@link ErrorCode} that names the problem (FRAME_TOO_LARGE, MALFORMED_FRAME, UNKNOWN_SCHEMA, UNSUPPORTED_VERSION
 * or UNKNOWN_TEMPLATE).
 */
final class SnapshotFrames
{
    static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    static final int SCHEMA_VERSION = MessageHeaderDecoder.SCHEMA_VERSION;
    static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private static final int ASCII_HEADER = 2;
    private static final int MAX_ASCII_LENGTH = 1024;

    private static final int[] NONE = {};
    private static final int[] TWO_TEXTS = { ASCII_HEADER, ASCII_HEADER };
    private static final int[] ONE_TEXT = { ASCII_HEADER };

    private SnapshotFrames()
    {
    }

    /**
     * @param maxFrameLength longest frame accepted.
     * @return the template id of a well-formed frame, else minus the value of the {@link ErrorCode}.
     */
    static int check(final DirectBuffer buffer, final int offset, final int length, final int maxFrameLength)
    {
        if (length > maxFrameLength)
        {
            return -ErrorCode.FRAME_TOO_LARGE.value();
        }
        if (length < HEADER_LENGTH || offset < 0 || (long)offset + length > buffer.capacity())
        {
            return -ErrorCode.MALFORMED_FRAME.value();
        }

        final int blockLength = blockLength(buffer, offset);
        final int templateId = buffer.getShort(offset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int schemaId = buffer.getShort(offset + 4, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (schemaId != SCHEMA_ID)
        {
            return -ErrorCode.UNKNOWN_SCHEMA.value();
        }
        if (version(buffer, offset) > SCHEMA_VERSION)
        {
            return -ErrorCode.UNSUPPORTED_VERSION.value();
        }
        final int minBlockLength = minBlockLength(templateId);
        if (minBlockLength < 0)
        {
            return -ErrorCode.UNKNOWN_TEMPLATE.value();
        }
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
        for (final int headerLength : varFieldHeaders(templateId))
        {
            if (position + headerLength > end)
            {
                return -ErrorCode.MALFORMED_FRAME.value();
            }
            final long fieldLength = buffer.getShort((int)position, ByteOrder.LITTLE_ENDIAN) & 0xFFFFL;
            if (fieldLength > MAX_ASCII_LENGTH)
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
     * @return the error code of a raw value, or {@link ErrorCode#NULL_VAL} for a value this version does not know.
     */
    static ErrorCode errorCode(final int raw)
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

    static int blockLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + 6, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    private static int minBlockLength(final int templateId)
    {
        switch (templateId)
        {
            case SnapshotHeaderDecoder.TEMPLATE_ID: return SnapshotHeaderDecoder.BLOCK_LENGTH;
            case SnapshotPublisherDecoder.TEMPLATE_ID: return SnapshotPublisherDecoder.BLOCK_LENGTH;
            case SnapshotSubscriptionDecoder.TEMPLATE_ID: return SnapshotSubscriptionDecoder.BLOCK_LENGTH;
            case SnapshotDurablePositionDecoder.TEMPLATE_ID: return SnapshotDurablePositionDecoder.BLOCK_LENGTH;
            case SnapshotEndDecoder.TEMPLATE_ID: return SnapshotEndDecoder.BLOCK_LENGTH;
            case SnapshotProtocolSessionDecoder.TEMPLATE_ID: return SnapshotProtocolSessionDecoder.BLOCK_LENGTH;
            case SnapshotGroupMemberDecoder.TEMPLATE_ID: return SnapshotGroupMemberDecoder.BLOCK_LENGTH;
            case SnapshotAssignedDecoder.TEMPLATE_ID: return SnapshotAssignedDecoder.BLOCK_LENGTH;
            case SnapshotQueueGroupDecoder.TEMPLATE_ID: return SnapshotQueueGroupDecoder.BLOCK_LENGTH;
            default: return -1;
        }
    }

    private static int[] varFieldHeaders(final int templateId)
    {
        switch (templateId)
        {
            case SnapshotSubscriptionDecoder.TEMPLATE_ID:
            case SnapshotQueueGroupDecoder.TEMPLATE_ID:
                return TWO_TEXTS;
            case SnapshotDurablePositionDecoder.TEMPLATE_ID:
            case SnapshotProtocolSessionDecoder.TEMPLATE_ID:
            case SnapshotGroupMemberDecoder.TEMPLATE_ID:
                return ONE_TEXT;
            default:
                return NONE;
        }
    }
}
