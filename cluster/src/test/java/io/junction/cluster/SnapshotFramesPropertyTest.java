package io.junction.cluster;

import io.junction.cluster.snapshot.codecs.MessageHeaderEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotAssignedDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotAssignedEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotDurablePositionDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotGroupMemberDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotGroupMemberEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotQueueGroupDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotQueueGroupEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotDurablePositionEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotEndDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotEndEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotHeaderDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotHeaderEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotProtocolSessionDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotProtocolSessionEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotPublisherDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotPublisherEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotSubscriptionDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotSubscriptionEncoder;
import io.junction.protocol.codecs.ErrorCode;
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
 * Seeded property test of every decoder of a member's snapshot behind {@link SnapshotFrames#check}: well-formed
 * frames of every template round-trip; every strict prefix of one is refused; random and mutated bytes never make the
 * check or a decoder that the check let through throw; frames longer than the limit are refused.
 * <p>
 * Each property runs a fixed number of tries; try {@code i} draws its input from a {@link SplittableRandom}
 * seeded with the property's first seed plus {@code i}, so every run checks the same inputs and the template of
 * a generated frame cycles through all of them. A failure names its seed; rerun with
 * {@code -Djunction.snapshotframes.seed=<seed>} to run only that try in every property.
 */
class SnapshotFramesPropertyTest
{
    private static final int MAX_FRAME = 64 * 1024;
    private static final MessageHeaderEncoder HEADER = new MessageHeaderEncoder();

    private static final String SEED_PROPERTY = "junction.snapshotframes.seed";

    private static final int MAX_TEXT_LENGTH = 200;
        private static final int MAX_RANDOM_LENGTH = 300;
    private static final int MAX_MUTATIONS = 8;
    private static final int MUTATION_HOT_ZONE = 64;
    private static final int FRAME_KINDS = 9;

    private static final long[] EDGE_LONGS =
    {
        0L, 1L, -1L, 2L, -2L, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1,
        Integer.MIN_VALUE, Integer.MAX_VALUE, 0xFFFF_FFFFL, 0xFFFFL
    };
    private static final byte[] EDGE_BYTES = { 0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE };
    @Test
    void wellFormedFramesOfEveryTemplateRoundTrip()
    {
        forAll(400, 0x1000_0000L, (seed, random) ->
        {
            final Frame frame = frame(seed, random);
            final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes);
            assertEquals(frame.templateId, SnapshotFrames.check(buffer, 0, frame.bytes.length, MAX_FRAME), frame::toString);
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
                final int result = SnapshotFrames.check(buffer, 0, prefixLength, MAX_FRAME);
                assertTrue(result < 0, () -> "prefix of " + prefixLength + " of " + frame + " accepted");
                assertNotEquals(ErrorCode.NULL_VAL, SnapshotFrames.errorCode(-result),
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
            final int result = SnapshotFrames.check(buffer, 0, bytes.length, MAX_FRAME);
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
            final int result = SnapshotFrames.check(buffer, 0, bytes.length, MAX_FRAME);
            if (result >= 0)
            {
                decodeAll(buffer, 0, bytes.length);
            }
            else
            {
                assertNotEquals(ErrorCode.NULL_VAL, SnapshotFrames.errorCode(-result),
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
                SnapshotFrames.check(buffer, 0, frame.bytes.length, frame.bytes.length - 1),
                frame::toString);
        });
    }

    @Test
    void aVersion1SnapshotFrameIsStillReadAndALaterVersionIsRefused()
    {
        // Version 2 added the queue-group templates; a frame a version 1 member wrote reads as before.
        final Frame frame = snapshotSubscription(new SplittableRandom(7));
        final UnsafeBuffer buffer = new UnsafeBuffer(frame.bytes.clone());
        buffer.putShort(6, (short)1, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(SnapshotSubscriptionDecoder.TEMPLATE_ID, SnapshotFrames.check(buffer, 0, frame.bytes.length,
            MAX_FRAME));
        assertEquals(frame.fields, decodeAll(buffer, 0, frame.bytes.length));
        buffer.putShort(6, (short)(SnapshotFrames.SCHEMA_VERSION + 1), java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(-ErrorCode.UNSUPPORTED_VERSION.value(), SnapshotFrames.check(buffer, 0, frame.bytes.length,
            MAX_FRAME));
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
            case 0: return snapshotHeader(random);
            case 1: return snapshotPublisher(random);
            case 2: return snapshotSubscription(random);
            case 3: return snapshotDurablePosition(random);
            case 4: return snapshotEnd(random);
            case 5: return snapshotProtocolSession(random);
            case 6: return snapshotGroupMember(random);
            case 7: return snapshotAssigned(random);
            case 8: return snapshotQueueGroup(random);
            default: throw new IllegalStateException("frame kind " + kind);
        }
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

    private static Frame snapshotProtocolSession(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        final String t = text(random);
        return encode((buffer) -> new SnapshotProtocolSessionEncoder().wrapAndApplyHeader(buffer, 0, HEADER)
            .sessionId(a).publisherId(b).publisherName(t),
            List.of(a, b, t));
    }

    private static Frame snapshotGroupMember(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final short d = (short)random.nextInt(256);
        final String t = text(random);
        return encode((buffer) -> new SnapshotGroupMemberEncoder().wrapAndApplyHeader(buffer, 0, HEADER)
            .subscriptionId(a).discipline(d).queueGroup(t),
            List.of(a, d, t));
    }

    private static Frame snapshotAssigned(final SplittableRandom random)
    {
        final long a = anyLong(random);
        final long b = anyLong(random);
        final long c = anyLong(random);
        return encode((buffer) -> new SnapshotAssignedEncoder().wrapAndApplyHeader(buffer, 0, HEADER)
            .subscriptionId(a).sequence(b).key(c),
            List.of(a, b, c));
    }

    private static Frame snapshotQueueGroup(final SplittableRandom random)
    {
        final int a = (int)anyLong(random);
        final short d = (short)random.nextInt(256);
        final String t = text(random);
        final String u = text(random);
        return encode((buffer) -> new SnapshotQueueGroupEncoder().wrapAndApplyHeader(buffer, 0, HEADER)
            .cursor(a).discipline(d).pattern(t).name(u),
            List.of(a, d, t, u));
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
     * Decode every field of a frame that {@link SnapshotFrames#check} accepted, as the snapshot loader does.
     */
    static List<Object> decodeAll(final DirectBuffer buffer, final int offset, final int length)
    {
        final int templateId = SnapshotFrames.check(buffer, offset, length, MAX_FRAME);
        final int body = offset + SnapshotFrames.HEADER_LENGTH;
        final int blockLength = SnapshotFrames.blockLength(buffer, offset);
        final int version = SnapshotFrames.version(buffer, offset);
        final List<Object> fields = new ArrayList<>();
        switch (templateId)
        {
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
            case SnapshotProtocolSessionDecoder.TEMPLATE_ID:
            {
                final SnapshotProtocolSessionDecoder d =
                    new SnapshotProtocolSessionDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.sessionId(), d.publisherId(), d.publisherName()));
                break;
            }
            case SnapshotGroupMemberDecoder.TEMPLATE_ID:
            {
                final SnapshotGroupMemberDecoder d =
                    new SnapshotGroupMemberDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.subscriptionId(), d.discipline(), d.queueGroup()));
                break;
            }
            case SnapshotAssignedDecoder.TEMPLATE_ID:
            {
                final SnapshotAssignedDecoder d =
                    new SnapshotAssignedDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.subscriptionId(), d.sequence(), d.key()));
                break;
            }
            case SnapshotQueueGroupDecoder.TEMPLATE_ID:
            {
                final SnapshotQueueGroupDecoder d =
                    new SnapshotQueueGroupDecoder().wrap(buffer, body, blockLength, version);
                fields.addAll(List.of(d.cursor(), d.discipline(), d.pattern(), d.name()));
                break;
            }
            default:
                throw new AssertionError("check returned " + templateId);
        }
        return fields;
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
