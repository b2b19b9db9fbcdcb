package io.junction.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.junction.protocol.codecs.CreditDecoder;
import io.junction.protocol.codecs.CreditEncoder;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.MessageHeaderDecoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.protocol.codecs.PublishDecoder;
import io.junction.protocol.codecs.PublishEncoder;
import io.junction.protocol.codecs.QualityOfServiceCode;
import io.junction.protocol.codecs.QueueGroupDisciplineCode;
import io.junction.protocol.codecs.SlowSubscriberPolicyCode;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribeDecoder;
import io.junction.protocol.codecs.SubscribeEncoder;

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
    void aSubscribeAndACreditOfTheVersionBeforePassAndDecodeWithoutTheNewFields()
    {
        // Version 3 as its encoder wrote it: the block stops before initialCriticalCredit (version 4's last fixed field).
        final int blockLength = SubscribeDecoder.initialCriticalCreditEncodingOffset();
        new MessageHeaderEncoder().wrap(buffer, 0).blockLength(blockLength).templateId(SubscribeEncoder.TEMPLATE_ID)
            .schemaId(ProtocolFrames.SCHEMA_ID).version(ProtocolFrames.VERSION - 1);
        final SubscribeEncoder encoder = new SubscribeEncoder().wrap(buffer, ProtocolFrames.HEADER_LENGTH)
            .subscriptionId(9).startPositionKind(StartPositionKind.NEW).startPositionValue(0).initialCredit(64)
            .slowSubscriberPolicy(SlowSubscriberPolicyCode.DROP_OLDEST).queueGroupDiscipline(QueueGroupDisciplineCode.KEYED);
        encoder.limit(ProtocolFrames.HEADER_LENGTH + blockLength);
        encoder.pattern("a.>").queueGroup("g").durableName("");
        final int length = encoder.limit();

        assertEquals(SubscribeDecoder.TEMPLATE_ID, ProtocolFrames.check(buffer, 0, length, MAX));
        final SubscribeDecoder decoder = new SubscribeDecoder().wrap(buffer, ProtocolFrames.HEADER_LENGTH, blockLength,
            ProtocolFrames.VERSION - 1);
        assertEquals(9, decoder.subscriptionId());
        assertEquals(64, decoder.initialCredit());
        assertEquals(QueueGroupDisciplineCode.KEYED, decoder.queueGroupDiscipline());
        assertEquals(SubscribeDecoder.initialCriticalCreditNullValue(), decoder.initialCriticalCredit());
        assertEquals("a.>", decoder.pattern());
        assertEquals("g", decoder.queueGroup());
        assertEquals("", decoder.durableName());
        assertEquals(length, decoder.limit());

        final int creditBlock = CreditDecoder.criticalCreditEncodingOffset();
        new MessageHeaderEncoder().wrap(buffer, 0).blockLength(creditBlock).templateId(CreditEncoder.TEMPLATE_ID)
            .schemaId(ProtocolFrames.SCHEMA_ID).version(ProtocolFrames.VERSION - 1);
        new CreditEncoder().wrap(buffer, ProtocolFrames.HEADER_LENGTH).subscriptionId(9).credit(32);
        assertEquals(CreditDecoder.TEMPLATE_ID,
            ProtocolFrames.check(buffer, 0, ProtocolFrames.HEADER_LENGTH + creditBlock, MAX));
        final CreditDecoder credit = new CreditDecoder().wrap(buffer, ProtocolFrames.HEADER_LENGTH, creditBlock,
            ProtocolFrames.VERSION - 1);
        assertEquals(32, credit.credit());
        assertEquals(CreditDecoder.criticalCreditNullValue(), credit.criticalCredit());
    }

    @Test
    void aSubscribeOfThisVersionCarriesItsCriticalCredit()
    {
        new MessageHeaderEncoder().wrap(buffer, 0).blockLength(SubscribeEncoder.BLOCK_LENGTH)
            .templateId(SubscribeEncoder.TEMPLATE_ID).schemaId(ProtocolFrames.SCHEMA_ID).version(ProtocolFrames.VERSION);
        final SubscribeEncoder encoder = new SubscribeEncoder().wrap(buffer, ProtocolFrames.HEADER_LENGTH)
            .subscriptionId(3).startPositionKind(StartPositionKind.NEW).startPositionValue(0).initialCredit(64)
            .slowSubscriberPolicy(SlowSubscriberPolicyCode.DROP_OLDEST)
            .queueGroupDiscipline(QueueGroupDisciplineCode.BALANCED).initialCriticalCredit(512);
        encoder.pattern("a.>").queueGroup("").durableName("");
        final int length = encoder.limit();
        assertEquals(SubscribeDecoder.TEMPLATE_ID, ProtocolFrames.check(buffer, 0, length, MAX));
        assertEquals(512, new SubscribeDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder())
            .initialCriticalCredit());
    }

    @Test
    void aFrameTwoVersionsBackIsRefused()
    {
        final int length = encodePublish();
        buffer.putShort(6, (short)(ProtocolFrames.MIN_VERSION - 1), ProtocolFrames.BYTE_ORDER);
        assertEquals(-ErrorCode.UNSUPPORTED_VERSION.value(), ProtocolFrames.check(buffer, 0, length, MAX));
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
