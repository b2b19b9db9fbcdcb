package io.junction.cluster;

import io.junction.cluster.codecs.AcknowledgeDecoder;
import io.junction.cluster.codecs.AcknowledgeEncoder;
import io.junction.cluster.codecs.BooleanType;
import io.junction.cluster.codecs.DeliverDecoder;
import io.junction.cluster.codecs.DeliverEncoder;
import io.junction.cluster.codecs.ErrorCode;
import io.junction.cluster.codecs.ErrorDecoder;
import io.junction.cluster.codecs.ErrorEncoder;
import io.junction.cluster.codecs.MessageHeaderEncoder;
import io.junction.cluster.codecs.PriorityCode;
import io.junction.cluster.codecs.PublishAckDecoder;
import io.junction.cluster.codecs.PublishAckEncoder;
import io.junction.cluster.codecs.PublishDecoder;
import io.junction.cluster.codecs.PublishEncoder;
import io.junction.cluster.codecs.ResumeDecoder;
import io.junction.cluster.codecs.ResumeEncoder;
import io.junction.cluster.codecs.SnapshotDurablePositionDecoder;
import io.junction.cluster.codecs.SnapshotDurablePositionEncoder;
import io.junction.cluster.codecs.SnapshotEndDecoder;
import io.junction.cluster.codecs.SnapshotEndEncoder;
import io.junction.cluster.codecs.SnapshotHeaderDecoder;
import io.junction.cluster.codecs.SnapshotHeaderEncoder;
import io.junction.cluster.codecs.SnapshotPublisherDecoder;
import io.junction.cluster.codecs.SnapshotPublisherEncoder;
import io.junction.cluster.codecs.SnapshotSubscriptionDecoder;
import io.junction.cluster.codecs.SnapshotSubscriptionEncoder;
import io.junction.cluster.codecs.SubscribeAckDecoder;
import io.junction.cluster.codecs.SubscribeAckEncoder;
import io.junction.cluster.codecs.SubscribeDecoder;
import io.junction.cluster.codecs.SubscribeEncoder;
import io.junction.cluster.codecs.UnsubscribeAckDecoder;
import io.junction.cluster.codecs.UnsubscribeAckEncoder;
import io.junction.cluster.codecs.UnsubscribeDecoder;
import io.junction.cluster.codecs.UnsubscribeEncoder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of every decoder of the wire protocol behind {@link WireFrames#check}: well-formed frames of every
 * template round-trip; every strict prefix of one is refused; random and mutated bytes never make the check or
 * a decoder that the check let through throw.
 */
class WireFramesPropertyTest
{
    private static final int MAX_FRAME = 64 * 1024;
    private static final MessageHeaderEncoder HEADER = new MessageHeaderEncoder();

    @Property(tries = 400)
    void wellFormedFramesOfEveryTemplateRoundTrip(@ForAll("frames") final Frame frame)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes);
        assertEquals(frame.templateId, WireFrames.check(buffer, 0, frame.bytes.length, MAX_FRAME));
        assertEquals(frame.fields, decodeAll(buffer, 0, frame.bytes.length));
    }

    @Property(tries = 400)
    void everyStrictPrefixIsRefused(@ForAll("frames") final Frame frame, @ForAll @IntRange(min = 0, max = 100_000) final int cut)
    {
        final int length = cut % frame.bytes.length;
        final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes);
        final int result = WireFrames.check(buffer, 0, length, MAX_FRAME);
        assertTrue(result < 0, "prefix of " + length + " of " + frame.bytes.length + " accepted");
        assertTrue(WireFrames.errorCode(-result) != ErrorCode.NULL_VAL);
    }

    @Property(tries = 1000)
    void randomBytesNeverBreakTheCheckOrTheDecoders(@ForAll @Size(max = 300) final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int result = WireFrames.check(buffer, 0, bytes.length, MAX_FRAME);
        if (result >= 0)
        {
            decodeAll(buffer, 0, bytes.length);
        }
    }

    @Property(tries = 1000)
    void mutatedFramesNeverBreakTheCheckOrTheDecoders(
        @ForAll("frames") final Frame frame,
        @ForAll @Size(min = 1, max = 8) final List<@IntRange(min = 0, max = 100_000) Integer> positions,
        @ForAll @Size(min = 8, max = 8) final byte[] values)
    {
        final byte[] bytes = frame.bytes.clone();
        for (int i = 0; i < positions.size(); i++)
        {
            bytes[positions.get(i) % bytes.length] = values[i];
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int result = WireFrames.check(buffer, 0, bytes.length, MAX_FRAME);
        if (result >= 0)
        {
            decodeAll(buffer, 0, bytes.length);
        }
        else
        {
            assertTrue(WireFrames.errorCode(-result) != ErrorCode.NULL_VAL);
        }
    }

    @Property(tries = 200)
    void framesLongerThanTheLimitAreRefused(@ForAll("frames") final Frame frame)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes);
        assertEquals(-ErrorCode.FRAME_TOO_LARGE.value(), WireFrames.check(buffer, 0, frame.bytes.length, frame.bytes.length - 1));
    }

    @Provide
    Arbitrary<Frame> frames()
    {
        final Arbitrary<Long> longs = Arbitraries.longs();
        final Arbitrary<String> texts = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(200);
        final Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        final Arbitrary<PriorityCode> priorities = Arbitraries.of(PriorityCode.CRITICAL, PriorityCode.HIGH,
            PriorityCode.NORMAL, PriorityCode.BULK);
        final Arbitrary<ErrorCode> codes = Arbitraries.of(Arrays.stream(ErrorCode.values())
            .filter((c) -> c != ErrorCode.NULL_VAL).toArray(ErrorCode[]::new));

        return Arbitraries.oneOf(
            Combinators.combine(longs, longs, priorities, texts, payloads).as((a, b, p, t, d) -> encode((buffer) ->
                new PublishEncoder().wrapAndApplyHeader(buffer, 0, HEADER).publisherId(a).publisherSequence(b)
                    .priority(p).topic(t).putPayload(d, 0, d.length), List.of(a, b, p, t, List.of(box(d))))),
            Combinators.combine(longs, longs, longs).as((a, b, c) -> encode((buffer) ->
                new PublishAckEncoder().wrapAndApplyHeader(buffer, 0, HEADER).publisherId(a).publisherSequence(b)
                    .sequence(c).duplicate(BooleanType.TRUE), List.of(a, b, c, BooleanType.TRUE))),
            Combinators.combine(longs, longs, texts, texts).as((a, b, t, u) -> encode((buffer) ->
                new SubscribeEncoder().wrapAndApplyHeader(buffer, 0, HEADER).correlationId(a).resumeAfterSequence(b)
                    .pattern(t).durableName(u), List.of(a, b, t, u))),
            Combinators.combine(longs, longs, longs).as((a, b, c) -> encode((buffer) ->
                new SubscribeAckEncoder().wrapAndApplyHeader(buffer, 0, HEADER).correlationId(a).subscriptionId(b)
                    .sequence(c), List.of(a, b, c))),
            Combinators.combine(longs, longs).as((a, b) -> encode((buffer) ->
                new UnsubscribeEncoder().wrapAndApplyHeader(buffer, 0, HEADER).correlationId(a).subscriptionId(b),
                List.of(a, b))),
            Combinators.combine(longs, longs).as((a, b) -> encode((buffer) ->
                new UnsubscribeAckEncoder().wrapAndApplyHeader(buffer, 0, HEADER).correlationId(a).subscriptionId(b),
                List.of(a, b))),
            Combinators.combine(longs, longs, longs).as((a, b, c) -> encode((buffer) ->
                new ResumeEncoder().wrapAndApplyHeader(buffer, 0, HEADER).subscriptionId(a).afterSequence(b)
                    .afterCount(c), List.of(a, b, c))),
            Combinators.combine(longs, longs).as((a, b) -> encode((buffer) ->
                new AcknowledgeEncoder().wrapAndApplyHeader(buffer, 0, HEADER).subscriptionId(a).sequence(b),
                List.of(a, b))),
            Combinators.combine(longs, longs, longs, priorities, texts, payloads).as((a, b, c, p, t, d) ->
                encode((buffer) -> new DeliverEncoder().wrapAndApplyHeader(buffer, 0, HEADER).subscriptionId(a)
                    .count(b).sequence(c).timestamp(a ^ c).priority(p).topic(t).putPayload(d, 0, d.length),
                    List.of(a, b, c, a ^ c, p, t, List.of(box(d))))),
            Combinators.combine(longs, Arbitraries.integers().between(0, 65535), codes, texts).as((a, r, c, t) ->
                encode((buffer) -> new ErrorEncoder().wrapAndApplyHeader(buffer, 0, HEADER).correlationId(a)
                    .requestTemplateId(r).code(c).reason(t), List.of(a, r, c, t))),
            Combinators.combine(longs, longs).as((a, b) -> encode((buffer) ->
                new SnapshotHeaderEncoder().wrapAndApplyHeader(buffer, 0, HEADER).lastSequence(a)
                    .nextSubscriptionId(b), List.of(a, b))),
            Combinators.combine(longs, longs).as((a, b) -> encode((buffer) ->
                new SnapshotPublisherEncoder().wrapAndApplyHeader(buffer, 0, HEADER).publisherId(a)
                    .lastPublisherSequence(b), List.of(a, b))),
            Combinators.combine(longs, longs, longs, texts, texts).as((a, b, c, t, u) -> encode((buffer) ->
                new SnapshotSubscriptionEncoder().wrapAndApplyHeader(buffer, 0, HEADER).subscriptionId(a)
                    .sessionId(b).correlationId(c).count(a ^ b).lastSequence(b ^ c).startSequence(a ^ c).pattern(t)
                    .durableName(u),
                List.of(a, b, c, a ^ b, b ^ c, a ^ c, t, u))),
            Combinators.combine(longs, texts).as((a, t) -> encode((buffer) ->
                new SnapshotDurablePositionEncoder().wrapAndApplyHeader(buffer, 0, HEADER).sequence(a).name(t),
                List.of(a, t))),
            longs.map((a) -> encode((buffer) ->
                new SnapshotEndEncoder().wrapAndApplyHeader(buffer, 0, HEADER).lastSequence(a), List.of(a))));
    }

    /**
     * Decode every field of a frame that {@link WireFrames#check} accepted, as the service and client do.
     */
    static List<Object> decodeAll(final DirectBuffer buffer, final int offset, final int length)
    {
        final int templateId = WireFrames.check(buffer, offset, length, MAX_FRAME);
        final int body = offset + WireFrames.HEADER_LENGTH;
        final int blockLength = WireFrames.blockLength(buffer, offset);
        final int version = WireFrames.version(buffer, offset);
        final List<Object> fields = new ArrayList<>();
        switch (templateId)
        {
            case PublishDecoder.TEMPLATE_ID:
            {
                final PublishDecoder d = new PublishDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.publisherId(), d.publisherSequence(), priority(d.priorityRaw()), d.topic()));
                fields.add(payload(d.payloadLength(), d::getPayload));
                break;
            }
            case PublishAckDecoder.TEMPLATE_ID:
            {
                final PublishAckDecoder d = new PublishAckDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.publisherId(), d.publisherSequence(), d.sequence(), d.duplicateRaw() == 1 ? BooleanType.TRUE : Short.valueOf(d.duplicateRaw())));
                break;
            }
            case SubscribeDecoder.TEMPLATE_ID:
            {
                final SubscribeDecoder d = new SubscribeDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.correlationId(), d.resumeAfterSequence(), d.pattern(), d.durableName()));
                break;
            }
            case SubscribeAckDecoder.TEMPLATE_ID:
            {
                final SubscribeAckDecoder d = new SubscribeAckDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.correlationId(), d.subscriptionId(), d.sequence()));
                break;
            }
            case UnsubscribeDecoder.TEMPLATE_ID:
            {
                final UnsubscribeDecoder d = new UnsubscribeDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.correlationId(), d.subscriptionId()));
                break;
            }
            case UnsubscribeAckDecoder.TEMPLATE_ID:
            {
                final UnsubscribeAckDecoder d = new UnsubscribeAckDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.correlationId(), d.subscriptionId()));
                break;
            }
            case ResumeDecoder.TEMPLATE_ID:
            {
                final ResumeDecoder d = new ResumeDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.subscriptionId(), d.afterSequence(), d.afterCount()));
                break;
            }
            case AcknowledgeDecoder.TEMPLATE_ID:
            {
                final AcknowledgeDecoder d = new AcknowledgeDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.subscriptionId(), d.sequence()));
                break;
            }
            case DeliverDecoder.TEMPLATE_ID:
            {
                final DeliverDecoder d = new DeliverDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.subscriptionId(), d.count(), d.sequence(), d.timestamp(),
                    priority(d.priorityRaw()), d.topic()));
                fields.add(payload(d.payloadLength(), d::getPayload));
                break;
            }
            case ErrorDecoder.TEMPLATE_ID:
            {
                final ErrorDecoder d = new ErrorDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.correlationId(), d.requestTemplateId(), WireFrames.errorCode(d.codeRaw()), d.reason()));
                break;
            }
            case SnapshotHeaderDecoder.TEMPLATE_ID:
            {
                final SnapshotHeaderDecoder d = new SnapshotHeaderDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.lastSequence(), d.nextSubscriptionId()));
                break;
            }
            case SnapshotPublisherDecoder.TEMPLATE_ID:
            {
                final SnapshotPublisherDecoder d = new SnapshotPublisherDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.publisherId(), d.lastPublisherSequence()));
                break;
            }
            case SnapshotSubscriptionDecoder.TEMPLATE_ID:
            {
                final SnapshotSubscriptionDecoder d =
                    new SnapshotSubscriptionDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.subscriptionId(), d.sessionId(), d.correlationId(), d.count(),
                    d.lastSequence(), d.startSequence(), d.pattern(), d.durableName()));
                break;
            }
            case SnapshotDurablePositionDecoder.TEMPLATE_ID:
            {
                final SnapshotDurablePositionDecoder d =
                    new SnapshotDurablePositionDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.sequence(), d.name()));
                break;
            }
            case SnapshotEndDecoder.TEMPLATE_ID:
            {
                final SnapshotEndDecoder d = new SnapshotEndDecoder().wrap(buffer, body, blockLength, version);
                fields.add(d.lastSequence());
                break;
            }
            default:
                throw new AssertionError("check returned " + templateId);
        }
        return fields;
    }

    private static Object priority(final short raw)
    {
        // Out-of-range codes are refused by the service, not by the frame check: read them raw.
        return raw >= 0 && raw <= 3 ? PriorityCode.get(raw) : Short.valueOf(raw);
    }

    private interface PayloadReader
    {
        int get(byte[] dst, int dstOffset, int length);
    }

    private static List<Byte> payload(final int length, final PayloadReader reader)
    {
        final byte[] bytes = new byte[length];
        assertEquals(length, reader.get(bytes, 0, length));
        return List.of(box(bytes));
    }

    private static Byte[] box(final byte[] bytes)
    {
        final Byte[] boxed = new Byte[bytes.length];
        for (int i = 0; i < bytes.length; i++)
        {
            boxed[i] = bytes[i];
        }
        return boxed;
    }

    private interface Encoding
    {
        Object encode(MutableDirectBuffer buffer);
    }

    private static Frame encode(final Encoding encoding, final List<Object> fields)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
        final Object encoder = encoding.encode(buffer);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encodedLength(encoder);
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        final int templateId = buffer.getShort(2, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        return new Frame(templateId, bytes, fields);
    }

    private static int encodedLength(final Object encoder)
    {
        try
        {
            return (int)encoder.getClass().getMethod("encodedLength").invoke(encoder);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static final class Frame
    {
        final int templateId;
        final byte[] bytes;
        final List<Object> fields;

        Frame(final int templateId, final byte[] bytes, final List<Object> fields)
        {
            this.templateId = templateId;
            this.bytes = bytes;
            this.fields = fields;
        }

        public String toString()
        {
            return "Frame{template=" + templateId + ", length=" + bytes.length + ", fields=" + fields + "}";
        }
    }
}
