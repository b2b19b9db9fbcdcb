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
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded property test of every decoder of the wire protocol behind {@link WireFrames#check}: well-formed frames
 * of every template round-trip; every strict prefix of one is refused; random and mutated bytes never make the
 * check or a decoder that the check let through throw; frames longer than the limit are refused.
 * <p>
 * Each property runs a fixed number of tries; try {@code i} draws its input from a {@link SplittableRandom}
 * seeded with the property's first seed plus {@code i}, so every run checks the same inputs and the template of
 * a generated frame cycles through all of them. A failure names its seed; rerun with
 * {@code -Djunction.wireframes.seed=<seed>} to run only that try in every property.
 */
class WireFramesPropertyTest
{
    private static final int MAX_FRAME = 64 * 1024;
    private static final MessageHeaderEncoder HEADER = new MessageHeaderEncoder();

    private static final String SEED_PROPERTY = "junction.wireframes.seed";

    private static final int MAX_TEXT_LENGTH = 200;
    private static final int MAX_PAYLOAD_LENGTH = 600;
    private static final int MAX_RANDOM_LENGTH = 300;
    private static final int MAX_MUTATIONS = 8;
    private static final int MUTATION_HOT_ZONE = 64;
    private static final int FRAME_KINDS = 15;

    private static final long[] EDGE_LONGS =
    {
        0L, 1L, -1L, 2L, -2L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1,
        Integer.MIN_VALUE, Integer.MAX_VALUE, 0xFFFF_FFFFL, 0xFFFFL
    };
    private static final byte[] EDGE_BYTES = { 0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE };
    private static final PriorityCode[] PRIORITIES =
    {
        PriorityCode.CRITICAL, PriorityCode.HIGH, PriorityCode.NORMAL, PriorityCode.BULK
    };
    private static final ErrorCode[] ERROR_CODES = Arrays.stream(ErrorCode.values())
        .filter((c) -> c != ErrorCode.NULL_VAL)
        .toArray(ErrorCode[]::new);

    @Test
    void wellFormedFramesOfEveryTemplateRoundTrip()
    {
        forAll(400, 0x1000_0000L, (seed, random) ->
        {
            final Frame frame = frame(seed, random);
            final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes);
            assertEquals(frame.templateId, WireFrames.check(buffer, 0, frame.bytes.length, MAX_FRAME), frame::toString);
            assertEquals(frame.fields, decodeAll(buffer, 0, frame.bytes.length), frame::toString);
        });
    }

    @Test
    void everyStrictPrefixIsRefused()
    {
        forAll(400, 0x2000_0000L, (seed, random) ->
        {
            final Frame frame = frame(seed, random);
            final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes);
            for (int length = 0; length < frame.bytes.length; length++)
            {
                final int prefixLength = length;
                final int result = WireFrames.check(buffer, 0, prefixLength, MAX_FRAME);
                assertTrue(result < 0, () -> "prefix of " + prefixLength + " of " + frame + " accepted");
                assertNotEquals(ErrorCode.NULL_VAL, WireFrames.errorCode(-result),
                    () -> "prefix of " + prefixLength + " of " + frame + " refused with unknown code " + result);
            }
        });
    }

    @Test
    void randomBytesNeverBreakTheCheckOrTheDecoders()
    {
        forAll(1000, 0x3000_0000L, (seed, random) ->
        {
            final byte[] bytes = bytes(random, 0, MAX_RANDOM_LENGTH);
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            final int result = WireFrames.check(buffer, 0, bytes.length, MAX_FRAME);
            if (result >= 0)
            {
                decodeAll(buffer, 0, bytes.length);
            }
        });
    }

    @Test
    void mutatedFramesNeverBreakTheCheckOrTheDecoders()
    {
        forAll(1000, 0x4000_0000L, (seed, random) ->
        {
            final Frame frame = frame(seed, random);
            final byte[] bytes = mutate(random, frame.bytes);
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            final int result = WireFrames.check(buffer, 0, bytes.length, MAX_FRAME);
            if (result >= 0)
            {
                decodeAll(buffer, 0, bytes.length);
            }
            else
            {
                assertNotEquals(ErrorCode.NULL_VAL, WireFrames.errorCode(-result),
                    () -> "mutation of " + frame + " refused with unknown code " + result);
            }
        });
    }

    @Test
    void framesLongerThanTheLimitAreRefused()
    {
        forAll(200, 0x5000_0000L, (seed, random) ->
        {
            final Frame frame = frame(seed, random);
            final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes);
            assertEquals(
                -ErrorCode.FRAME_TOO_LARGE.value(),
                WireFrames.check(buffer, 0, frame.bytes.length, frame.bytes.length - 1),
                frame::toString);
        });
    }

    @FunctionalInterface
    private interface Property
    {
        void check(long seed, SplittableRandom random);
    }

    /**
     * Run a property for seeds {@code firstSeed} to {@code firstSeed + tries - 1}, or only for the seed given by
     * the system property {@value #SEED_PROPERTY} when it is set. A failure of any kind names its seed.
     */
    private static void forAll(final int tries, final long firstSeed, final Property property)
    {
        final String replaySeed = System.getProperty(SEED_PROPERTY);
        if (null != replaySeed && !replaySeed.isBlank())
        {
            runTry(Long.decode(replaySeed.trim()), 0, 1, property);
            return;
        }

        for (int i = 0; i < tries; i++)
        {
            runTry(firstSeed + i, i, tries, property);
        }
    }

    private static void runTry(final long seed, final int index, final int tries, final Property property)
    {
        try
        {
            property.check(seed, new SplittableRandom(seed));
        }
        catch (final Throwable ex)
        {
            throw new AssertionError(
                "falsified at try " + (index + 1) + " of " + tries + " with seed " + seed +
                " (rerun with -D" + SEED_PROPERTY + "=" + seed + "): " + ex, ex);
        }
    }

    /**
     * A well-formed frame; its template is chosen by the seed so that consecutive seeds cycle through all of them.
     */
    private static Frame frame(final long seed, final SplittableRandom random)
    {
        final int kind = (int)Math.floorMod(seed, (long)FRAME_KINDS);
        switch (kind)
        {
            case 0: return publish(random);
            case 1: return publishAck(random);
            case 2: return subscribe(random);
            case 3: return subscribeAck(random);
            case 4: return unsubscribe(random);
            case 5: return unsubscribeAck(random);
            case 6: return resume(random);
            case 7: return acknowledge(random);
            case 8: return deliver(random);
            case 9: return error(random);
            case 10: return snapshotHeader(random);
            case 11: return snapshotPublisher(random);
            case 12: return snapshotSubscription(random);
            case 13: return snapshotDurablePosition(random);
            case 14: return snapshotEnd(random);
            default: throw new IllegalStateException("frame kind " + kind);
        }
    }

    private static Frame publish(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        final PriorityCode p = priority(random);
        final String t = text(random);
        final byte[] d = bytes(random, 0, MAX_PAYLOAD_LENGTH);
        return encode((buffer) -> new PublishEncoder().wrapAndApplyHeader(buffer, 0, HEADER).publisherId(a)
            .publisherSequence(b).priority(p).topic(t).putPayload(d, 0, d.length),
            List.of(a, b, p, t, List.of(box(d))));
    }

    private static Frame publishAck(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        final long c = anyLong(random);
        return encode((buffer) -> new PublishAckEncoder().wrapAndApplyHeader(buffer, 0, HEADER).publisherId(a)
            .publisherSequence(b).sequence(c).duplicate(BooleanType.TRUE),
            List.of(a, b, c, BooleanType.TRUE));
    }

    private static Frame subscribe(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        final String t = text(random);
        final String u = text(random);
        return encode((buffer) -> new SubscribeEncoder().wrapAndApplyHeader(buffer, 0, HEADER).correlationId(a)
            .resumeAfterSequence(b).pattern(t).durableName(u),
            List.of(a, b, t, u));
    }

    private static Frame subscribeAck(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        final long c = anyLong(random);
        return encode((buffer) -> new SubscribeAckEncoder().wrapAndApplyHeader(buffer, 0, HEADER).correlationId(a)
            .subscriptionId(b).sequence(c),
            List.of(a, b, c));
    }

    private static Frame unsubscribe(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        return encode((buffer) -> new UnsubscribeEncoder().wrapAndApplyHeader(buffer, 0, HEADER).correlationId(a)
            .subscriptionId(b),
            List.of(a, b));
    }

    private static Frame unsubscribeAck(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        return encode((buffer) -> new UnsubscribeAckEncoder().wrapAndApplyHeader(buffer, 0, HEADER).correlationId(a)
            .subscriptionId(b),
            List.of(a, b));
    }

    private static Frame resume(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        final long c = anyLong(random);
        return encode((buffer) -> new ResumeEncoder().wrapAndApplyHeader(buffer, 0, HEADER).subscriptionId(a)
            .afterSequence(b).afterCount(c),
            List.of(a, b, c));
    }

    private static Frame acknowledge(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        return encode((buffer) -> new AcknowledgeEncoder().wrapAndApplyHeader(buffer, 0, HEADER).subscriptionId(a)
            .sequence(b),
            List.of(a, b));
    }

    private static Frame deliver(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        final long c = anyLong(random);
        final PriorityCode p = priority(random);
        final String t = text(random);
        final byte[] d = bytes(random, 0, MAX_PAYLOAD_LENGTH);
        return encode((buffer) -> new DeliverEncoder().wrapAndApplyHeader(buffer, 0, HEADER).subscriptionId(a)
            .count(b).sequence(c).timestamp(a ^ c).priority(p).topic(t).putPayload(d, 0, d.length),
            List.of(a, b, c, a ^ c, p, t, List.of(box(d))));
    }

    private static Frame error(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final int r = requestTemplateId(random);
        final ErrorCode c = ERROR_CODES[random.nextInt(ERROR_CODES.length)];
        final String t = text(random);
        return encode((buffer) -> new ErrorEncoder().wrapAndApplyHeader(buffer, 0, HEADER).correlationId(a)
            .requestTemplateId(r).code(c).reason(t),
            List.of(a, r, c, t));
    }

    private static Frame snapshotHeader(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        return encode((buffer) -> new SnapshotHeaderEncoder().wrapAndApplyHeader(buffer, 0, HEADER).lastSequence(a)
            .nextSubscriptionId(b),
            List.of(a, b));
    }

    private static Frame snapshotPublisher(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        return encode((buffer) -> new SnapshotPublisherEncoder().wrapAndApplyHeader(buffer, 0, HEADER)
            .publisherId(a).lastPublisherSequence(b),
            List.of(a, b));
    }

    private static Frame snapshotSubscription(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        final long c = anyLong(random);
        final String t = text(random);
        final String u = text(random);
        return encode((buffer) -> new SnapshotSubscriptionEncoder().wrapAndApplyHeader(buffer, 0, HEADER)
            .subscriptionId(a).sessionId(b).correlationId(c).count(a ^ b).lastSequence(b ^ c).startSequence(a ^ c)
            .pattern(t).durableName(u),
            List.of(a, b, c, a ^ b, b ^ c, a ^ c, t, u));
    }

    private static Frame snapshotDurablePosition(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final String t = text(random);
        return encode((buffer) -> new SnapshotDurablePositionEncoder().wrapAndApplyHeader(buffer, 0, HEADER)
            .sequence(a).name(t),
            List.of(a, t));
    }

    private static Frame snapshotEnd(final SplittableRandom random)
    {
        final long a = anyLong(random);
        return encode((buffer) -> new SnapshotEndEncoder().wrapAndApplyHeader(buffer, 0, HEADER).lastSequence(a),
            List.of(a));
    }

    /**
     * Any long, an edge value one time in eight and a small one one time in eight.
     */
    private static long anyLong(final SplittableRandom random)
    {
        final int choice = random.nextInt(8);
        if (0 == choice)
        {
            return EDGE_LONGS[random.nextInt(EDGE_LONGS.length)];
        }
        if (1 == choice)
        {
            return random.nextLong(-1000L, 1001L);
        }
        return random.nextLong();
    }

    private static int requestTemplateId(final SplittableRandom random)
    {
        final int choice = random.nextInt(8);
        if (0 == choice)
        {
            return 0;
        }
        if (1 == choice)
        {
            return 65535;
        }
        return random.nextInt(65536);
    }

    private static PriorityCode priority(final SplittableRandom random)
    {
        return PRIORITIES[random.nextInt(PRIORITIES.length)];
    }

    /**
     * Printable ASCII of 0 to {@value #MAX_TEXT_LENGTH} characters, empty or longest one time in eight each.
     */
    private static String text(final SplittableRandom random)
    {
        final int length = length(random, 0, MAX_TEXT_LENGTH);
        final char[] chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = (char)random.nextInt(' ', '~' + 1);
        }
        return new String(chars);
    }

    /**
     * Random bytes of {@code minLength} to {@code maxLength}, shortest or longest one time in eight each and
     * all the same edge value one time in eight.
     */
    private static byte[] bytes(final SplittableRandom random, final int minLength, final int maxLength)
    {
        final byte[] bytes = new byte[length(random, minLength, maxLength)];
        if (0 == random.nextInt(8))
        {
            Arrays.fill(bytes, EDGE_BYTES[random.nextInt(EDGE_BYTES.length)]);
        }
        else
        {
            random.nextBytes(bytes);
        }
        return bytes;
    }

    private static int length(final SplittableRandom random, final int minLength, final int maxLength)
    {
        final int choice = random.nextInt(8);
        if (0 == choice)
        {
            return minLength;
        }
        if (1 == choice)
        {
            return maxLength;
        }
        return random.nextInt(minLength, maxLength + 1);
    }

    /**
     * A copy of a frame with 1 to {@value #MAX_MUTATIONS} bytes overwritten, half of them within its first
     * {@value #MUTATION_HOT_ZONE} bytes, where the header, the fixed fields and the first length fields lie.
     */
    private static byte[] mutate(final SplittableRandom random, final byte[] frame)
    {
        final byte[] bytes = frame.clone();
        final int mutations = random.nextInt(1, MAX_MUTATIONS + 1);
        for (int i = 0; i < mutations; i++)
        {
            final int bound = random.nextBoolean() ? Math.min(bytes.length, MUTATION_HOT_ZONE) : bytes.length;
            final int position = random.nextInt(bound);
            bytes[position] = 0 == random.nextInt(4) ?
                EDGE_BYTES[random.nextInt(EDGE_BYTES.length)] : (byte)random.nextInt(256);
        }
        return bytes;
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
