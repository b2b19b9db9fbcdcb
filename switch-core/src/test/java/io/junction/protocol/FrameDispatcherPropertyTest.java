package io.junction.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import io.junction.protocol.codecs.CreditDecoder;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.MessageDecoder;
import io.junction.protocol.codecs.PublishDecoder;
import io.junction.protocol.codecs.SubscribeDecoder;

/**
 * Properties of the decode path every party runs ({@link ProtocolFrames#check} then {@link FrameDispatcher}):
 * every template round-trips through the generated codecs; every strict prefix of a frame is refused; random
 * bytes, random bodies behind a valid header, and mutated frames never make it throw, and whatever it hands on
 * can be read field by field; a frame of the version before decodes without the newer fields.
 */
class FrameDispatcherPropertyTest
{
    private static final int MAX_FRAME = 64 * 1024;

    private final FrameDispatcher dispatcher = new FrameDispatcher(MAX_FRAME);
    private final ProtocolSamples.Reader reader = new ProtocolSamples.Reader();

    /** A frame of one template: its field values in schema order and its bytes. */
    record Frame(int templateId, List<Object> values, byte[] bytes)
    {
        @Override
        public String toString()
        {
            return "Frame{template " + templateId + ", " + values.size() + " fields, " + bytes.length + " bytes}";
        }
    }

    @Provide
    Arbitrary<Frame> frames()
    {
        final List<Arbitrary<Frame>> byTemplate = new ArrayList<>();
        for (final int templateId : ProtocolSamples.TEMPLATES)
        {
            final List<Arbitrary<Object>> fields = new ArrayList<>();
            for (final ProtocolSamples.Kind kind : ProtocolSamples.kinds(templateId))
            {
                fields.add(field(kind));
            }
            byTemplate.add(Combinators.combine(fields).as((values) ->
            {
                final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
                final int length = ProtocolSamples.encode(buffer, templateId, values);
                final byte[] bytes = new byte[length];
                buffer.getBytes(0, bytes);
                return new Frame(templateId, values, bytes);
            }));
        }
        return Arbitraries.oneOf(byTemplate);
    }

    private static Arbitrary<Object> field(final ProtocolSamples.Kind kind)
    {
        final Arbitrary<?> arbitrary = switch (kind)
        {
            case I64 -> Arbitraries.longs();
            case I32 -> Arbitraries.integers();
            case U32 -> Arbitraries.longs().between(0, 0xFFFF_FFFFL);
            case U16 -> Arbitraries.integers().between(0, 0xFFFE);
            case ASCII -> Arbitraries.strings().withCharRange((char)0, (char)127).ofMaxLength(120);
            case UTF8 -> Arbitraries.strings().withCharRange((char)0, (char)0xD7FF).ofMaxLength(120);
            case BYTES -> Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
            case PRIORITY -> Arbitraries.integers().between(0, 3);
            case QOS -> Arbitraries.integers().between(0, 1);
            case METHOD -> Arbitraries.integers().between(0, 3);
            case START, POLICY -> Arbitraries.integers().between(0, 4);
            case OUTCOME -> Arbitraries.integers().between(0, 9);
            case END_REASON -> Arbitraries.integers().between(0, 3);
            case ERROR_CODE -> Arbitraries.of(ErrorCode.values()).filter((c) -> c != ErrorCode.NULL_VAL)
                .map((c) -> (int)c.value());
        };
        return arbitrary.map((value) -> (Object)value);
    }

    @Property(tries = 1000)
    void everyTemplateRoundTrips(@ForAll("frames") final Frame frame)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes());
        reader.reset();
        assertEquals(frame.templateId(), dispatcher.dispatch(buffer, 0, frame.bytes().length, reader), reader.refusal);
        assertEquals(frame.templateId(), reader.templateId);
        assertEquals(frame.values().size(), reader.values.size());
        for (int i = 0; i < frame.values().size(); i++)
        {
            final Object expected = frame.values().get(i);
            final Object actual = reader.values.get(i);
            if (expected instanceof byte[])
            {
                assertArrayEquals((byte[])expected, (byte[])actual, "field " + i);
            }
            else
            {
                assertEquals(expected, actual instanceof Short ? (int)(Short)actual : actual, "field " + i);
            }
        }
    }

    @Property(tries = 500)
    void everyStrictPrefixIsRefused(@ForAll("frames") final Frame frame)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes());
        for (int length = 0; length < frame.bytes().length; length++)
        {
            reader.reset();
            assertEquals(-ErrorCode.MALFORMED_FRAME.value(), dispatcher.dispatch(buffer, 0, length, reader),
                "prefix " + length);
            assertNotNull(reader.refusal);
            assertEquals(-1, reader.templateId);
        }
    }

    @Property(tries = 1000)
    void randomBytesNeverThrow(@ForAll @Size(max = 400) final byte[] bytes)
    {
        reader.reset();
        final int result = dispatcher.dispatch(new UnsafeBuffer(bytes), 0, bytes.length, reader);
        assertTrue(result >= 0 ? reader.templateId == result : null != reader.refusal);
    }

    @Property(tries = 1000)
    void aValidHeaderOverRandomBytesNeverThrows(
        @ForAll("templates") final int templateId, @ForAll @Size(max = 300) final byte[] body,
        @ForAll("versions") final int version)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ProtocolFrames.HEADER_LENGTH + body.length]);
        final int blockLength = Math.max(0, ProtocolFrames.blockLength(templateId, version));
        buffer.putShort(0, (short)Math.min(blockLength, body.length), ProtocolFrames.BYTE_ORDER);
        buffer.putShort(2, (short)templateId, ProtocolFrames.BYTE_ORDER);
        buffer.putShort(4, (short)ProtocolFrames.SCHEMA_ID, ProtocolFrames.BYTE_ORDER);
        buffer.putShort(6, (short)version, ProtocolFrames.BYTE_ORDER);
        buffer.putBytes(ProtocolFrames.HEADER_LENGTH, body);
        reader.reset();
        final int result = dispatcher.dispatch(buffer, 0, buffer.capacity(), reader);
        assertTrue(result >= 0 ? reader.templateId == result : null != reader.refusal);
    }

    @Property(tries = 1000)
    void mutatedFramesNeverThrow(
        @ForAll("frames") final Frame frame,
        @ForAll @Size(min = 1, max = 8) final List<@net.jqwik.api.constraints.IntRange(min = 0, max = 65535) Integer> at,
        @ForAll @Size(min = 8, max = 8) final byte[] with,
        @ForAll @net.jqwik.api.constraints.IntRange(min = -16, max = 16) final int lengthChange)
    {
        final byte[] bytes = java.util.Arrays.copyOf(frame.bytes(), Math.max(0, frame.bytes().length + lengthChange));
        for (int i = 0; i < at.size() && bytes.length > 0; i++)
        {
            // Most mutations land in the header and the first fields, where the lengths are.
            final int position = i % 2 == 0 ? at.get(i) % Math.min(bytes.length, 64) : at.get(i) % bytes.length;
            bytes[position] = with[i];
        }
        reader.reset();
        final int result = dispatcher.dispatch(new UnsafeBuffer(bytes), 0, bytes.length, reader);
        assertTrue(result >= 0 ? reader.templateId == result : null != reader.refusal);
    }

    @Property(tries = 500)
    void aFrameOfTheVersionBeforeDecodesWithoutTheNewerFields(@ForAll("frames") final Frame frame)
    {
        if (frame.templateId() != PublishDecoder.TEMPLATE_ID && frame.templateId() != MessageDecoder.TEMPLATE_ID &&
            frame.templateId() != SubscribeDecoder.TEMPLATE_ID && frame.templateId() != CreditDecoder.TEMPLATE_ID)
        {
            return;
        }
        final byte[] bytes = olderVersion(frame);
        reader.reset();
        assertEquals(frame.templateId(), dispatcher.dispatch(new UnsafeBuffer(bytes), 0, bytes.length, reader),
            reader.refusal);
        // Version 3 lacks SUBSCRIBE.initialCriticalCredit and CREDIT.criticalCredit: its decoder answers their null.
        final List<Object> expected = new ArrayList<>(frame.values());
        if (frame.templateId() == SubscribeDecoder.TEMPLATE_ID)
        {
            expected.set(5, SubscribeDecoder.initialCriticalCreditNullValue());
        }
        else if (frame.templateId() == CreditDecoder.TEMPLATE_ID)
        {
            expected.set(2, CreditDecoder.criticalCreditNullValue());
        }
        for (int i = 0; i < expected.size(); i++)
        {
            if (expected.get(i) instanceof byte[])
            {
                assertArrayEquals((byte[])expected.get(i), (byte[])reader.values.get(i));
            }
            else
            {
                assertEquals(expected.get(i), reader.values.get(i), "field " + i);
            }
        }
    }

    /**
     * The frame as a version N-1 (3) encoder writes it: SUBSCRIBE's and CREDIT's blocks without their last fixed field
     * (initialCriticalCredit, criticalCredit); PUBLISH and MESSAGE as in version 4.
     */
    private static byte[] olderVersion(final Frame frame)
    {
        final int newBlock = ProtocolFrames.blockLength(frame.templateId(), ProtocolFrames.VERSION);
        final int oldBlock = ProtocolFrames.blockLength(frame.templateId(), ProtocolFrames.MIN_VERSION);
        final int oldLength = frame.bytes().length - (newBlock - oldBlock);
        final UnsafeBuffer source = new UnsafeBuffer(frame.bytes());
        final UnsafeBuffer target = new UnsafeBuffer(new byte[oldLength]);
        target.putBytes(0, source, 0, ProtocolFrames.HEADER_LENGTH + oldBlock);
        target.putBytes(ProtocolFrames.HEADER_LENGTH + oldBlock, source, ProtocolFrames.HEADER_LENGTH + newBlock,
            oldLength - ProtocolFrames.HEADER_LENGTH - oldBlock);
        target.putShort(0, (short)oldBlock, ProtocolFrames.BYTE_ORDER);
        target.putShort(6, (short)ProtocolFrames.MIN_VERSION, ProtocolFrames.BYTE_ORDER);
        return target.byteArray();
    }

    @Provide
    Arbitrary<Integer> templates()
    {
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(9, Arbitraries.of(java.util.Arrays.stream(ProtocolSamples.TEMPLATES).boxed().toList())),
            net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 0xFFFF)));
    }

    @Provide
    Arbitrary<Integer> versions()
    {
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(9, Arbitraries.integers().between(ProtocolFrames.MIN_VERSION, ProtocolFrames.VERSION)),
            net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 0xFFFF)));
    }
}
