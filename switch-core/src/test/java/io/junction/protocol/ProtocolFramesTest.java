package io.junction.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.MessageHeaderDecoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.protocol.codecs.PublishDecoder;
import io.junction.protocol.codecs.PublishEncoder;
import io.junction.protocol.codecs.QualityOfServiceCode;

/**
 * The framing checks by example: a frame of this version and one of the version before pass and decode; another
 * schema, a newer version, an unknown template and a truncated frame are refused with the right code and a text
 * that names what was received and what this build speaks.
 */
class ProtocolFramesTest
{
    private static final int MAX = 64 * 1024;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);

    @Test
    void aPublishOfThisVersionPassesAndDecodes()
    {
        final int length = encodePublish();
        assertEquals(PublishDecoder.TEMPLATE_ID, ProtocolFrames.check(buffer, 0, length, MAX));
        final PublishDecoder decoder = new PublishDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder());
        assertEquals(42, decoder.publisherSequence());
        assertEquals(7, decoder.correlationId());
        assertEquals("orders.new", decoder.topic());
        assertEquals(3, decoder.payloadLength());
        decoder.skipPayload();
        assertEquals("replies.1", decoder.replyTo());
    }

    @Test
    void aPublishOfTheVersionBeforePassesAndDecodesWithoutTheNewFields()
    {
        // Version 2 as its encoder wrote it: the block stops before key (version 3's last fixed field).
        final int blockLength = PublishDecoder.keyEncodingOffset();
        new MessageHeaderEncoder().wrap(buffer, 0).blockLength(blockLength).templateId(PublishEncoder.TEMPLATE_ID)
            .schemaId(ProtocolFrames.SCHEMA_ID).version(ProtocolFrames.VERSION - 1);
        final PublishEncoder encoder = new PublishEncoder().wrap(buffer, ProtocolFrames.HEADER_LENGTH)
            .publisherSequence(9).priority(PriorityCode.HIGH).qualityOfService(QualityOfServiceCode.BEST_EFFORT).ttlNs(0)
            .correlationId(7);
        encoder.limit(ProtocolFrames.HEADER_LENGTH + blockLength);
        encoder.topic("a.b").putPayload(new byte[]{ 1, 2 }, 0, 2).replyTo("r.1");
        final int length = encoder.limit();

        assertEquals(PublishDecoder.TEMPLATE_ID, ProtocolFrames.check(buffer, 0, length, MAX));
        final PublishDecoder decoder = new PublishDecoder().wrap(buffer, ProtocolFrames.HEADER_LENGTH, blockLength,
            ProtocolFrames.VERSION - 1);
        assertEquals(9, decoder.publisherSequence());
        assertEquals(7, decoder.correlationId());
        assertEquals(PublishDecoder.keyNullValue(), decoder.key());
        assertEquals("a.b", decoder.topic());
        assertEquals(2, decoder.payloadLength());
        decoder.skipPayload();
        assertEquals("r.1", decoder.replyTo());
        assertEquals(length, decoder.limit());
    }

    @Test
    void anotherSchemaANewerVersionAnUnknownTemplateAndATruncatedFrameAreRefused()
    {
        final int length = encodePublish();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
        frame.putBytes(0, buffer, 0, length);

        frame.putShort(4, (short)4242, ProtocolFrames.BYTE_ORDER);
        assertEquals(-ErrorCode.UNKNOWN_SCHEMA.value(), ProtocolFrames.check(frame, 0, length, MAX));
        final String schemaText = ProtocolFrames.describeRefusal(ErrorCode.UNKNOWN_SCHEMA.value(), frame, 0, length, MAX);
        assertTrue(schemaText.contains("4242") && schemaText.contains(Integer.toString(ProtocolFrames.SCHEMA_ID)),
            schemaText);

        frame.putShort(4, (short)ProtocolFrames.SCHEMA_ID, ProtocolFrames.BYTE_ORDER);
        frame.putShort(6, (short)(ProtocolFrames.VERSION + 1), ProtocolFrames.BYTE_ORDER);
        assertEquals(-ErrorCode.UNSUPPORTED_VERSION.value(), ProtocolFrames.check(frame, 0, length, MAX));
        final String versionText =
            ProtocolFrames.describeRefusal(ErrorCode.UNSUPPORTED_VERSION.value(), frame, 0, length, MAX);
        assertTrue(versionText.contains("version " + (ProtocolFrames.VERSION + 1)) &&
            versionText.contains(ProtocolFrames.MIN_VERSION + ".." + ProtocolFrames.VERSION), versionText);

        frame.putShort(6, (short)ProtocolFrames.VERSION, ProtocolFrames.BYTE_ORDER);
        frame.putShort(2, (short)999, ProtocolFrames.BYTE_ORDER);
        assertEquals(-ErrorCode.UNKNOWN_TEMPLATE.value(), ProtocolFrames.check(frame, 0, length, MAX));

        frame.putShort(2, (short)PublishDecoder.TEMPLATE_ID, ProtocolFrames.BYTE_ORDER);
        for (int prefix = 0; prefix < length; prefix++)
        {
            assertEquals(-ErrorCode.MALFORMED_FRAME.value(), ProtocolFrames.check(frame, 0, prefix, MAX),
                "prefix of " + prefix);
        }
        assertEquals(-ErrorCode.FRAME_TOO_LARGE.value(), ProtocolFrames.check(frame, 0, length, length - 1));
        assertEquals(PublishDecoder.TEMPLATE_ID, ProtocolFrames.check(frame, 0, length, length));
    }

    private int encodePublish()
    {
        final PublishEncoder encoder = new PublishEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .publisherSequence(42).priority(PriorityCode.NORMAL).qualityOfService(QualityOfServiceCode.GUARANTEED)
            .ttlNs(0).correlationId(7);
        encoder.topic("orders.new").putPayload(new byte[]{ 1, 2, 3 }, 0, 3).replyTo("replies.1");
        return ProtocolFrames.HEADER_LENGTH + encoder.encodedLength();
    }
}
