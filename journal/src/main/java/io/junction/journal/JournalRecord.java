package io.junction.journal;

import java.nio.ByteOrder;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import net.openhft.chronicle.bytes.Bytes;

/**
 * The layout of one journaled message inside a Chronicle Queue document (little-endian, as Chronicle's
 * bytes): raw bytes rather than self-describing wire, cheaper to write and read, checked by a format byte at
 * the start and a trailer at the end.
 *
 * <pre>
 * format 2:
 * 0  format (1)         1  record number (8)   9  sequence (8)      17 timestampNs (8)   25 epochNs (8)
 * 33 priority (1)       34 shard index (2)     36 shard count (2)   38 topic length (2)  40 topic (ASCII)
 * .. payload (the rest of the document but the trailer)              .. trailer (4)
 * </pre>
 *
 * The payload's length is the document's length less the header, topic and trailer (Chronicle records the
 * document's length in its own header). The trailer is the low 31 bits of the record number with the top bit
 * set: never zero, so a record cut short (its tail reads as zeros) or a record of another number fails the
 * check. Format 1 (first byte 0x4A) also carried the payload length (4) and an 8-byte trailer.
 * <p>
 * The record is encoded into a scratch buffer (the topic only when it changes) and written to the queue with
 * one bounds-checked copy; the record number and trailer are filled in last, under the queue's write lock.
 */
final class JournalRecord
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    /**
     * The first byte of a format 1 record ('J'). Recovery refuses a journal written in it.
     */
    static final int FORMAT_1 = 0x4A;
    /**
     * The first byte of a record in the format this build writes and reads ('K': format 2).
     */
    static final int FORMAT = 0x4B;
    static final byte MAGIC = (byte)FORMAT;

    static final int RECORD_NUMBER_OFFSET = 1;
    static final int SEQUENCE_OFFSET = 9;
    static final int TIMESTAMP_OFFSET = 17;
    static final int EPOCH_OFFSET = 25;
    static final int PRIORITY_OFFSET = 33;
    static final int SHARD_INDEX_OFFSET = 34;
    static final int SHARD_COUNT_OFFSET = 36;
    static final int TOPIC_LENGTH_OFFSET = 38;
    static final int TOPIC_OFFSET = 40;
    static final int HEADER_LENGTH = TOPIC_OFFSET;
    static final int TRAILER_LENGTH = 4;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024]);
    private String encodedTopic;
    private int length;

    /**
     * @return format version (1, 2...) of a record's first byte, or 0 if it is no record format known.
     */
    static int formatVersion(final int firstByte)
    {
        return FORMAT_1 == firstByte ? 1 : FORMAT == firstByte ? 2 : 0;
    }

    static int trailer(final long recordNumber)
    {
        return (int)recordNumber | 0x8000_0000;
    }

    /**
     * Encode everything but the record number and the trailer: header, topic (only when it changes), payload.
     *
     * @return the record's length.
     */
    int encode(
        final long sequence,
        final long timestampNs,
        final long epochNs,
        final int priority,
        final int shardIndex,
        final int shardCount,
        final String topic,
        final DirectBuffer payload,
        final int offset,
        final int payloadLength)
    {
        final int topicLength = topic.length();
        final int payloadOffset = HEADER_LENGTH + topicLength;
        final int recordLength = payloadOffset + payloadLength + TRAILER_LENGTH;
        if (recordLength > scratch.capacity())
        {
            scratch.wrap(new byte[Math.max(recordLength, scratch.capacity() << 1)]);
            encodedTopic = null;
        }
        final UnsafeBuffer buffer = scratch;
        buffer.putByte(0, MAGIC);
        buffer.putLong(SEQUENCE_OFFSET, sequence, ORDER);
        buffer.putLong(TIMESTAMP_OFFSET, timestampNs, ORDER);
        buffer.putLong(EPOCH_OFFSET, epochNs, ORDER);
        buffer.putByte(PRIORITY_OFFSET, (byte)priority);
        buffer.putShort(SHARD_INDEX_OFFSET, (short)shardIndex, ORDER);
        buffer.putShort(SHARD_COUNT_OFFSET, (short)shardCount, ORDER);
        if (topic != encodedTopic) // Most batches repeat a topic: encode it once.
        {
            buffer.putShort(TOPIC_LENGTH_OFFSET, (short)topicLength, ORDER);
            for (int i = 0; i < topicLength; i++)
            {
                buffer.putByte(TOPIC_OFFSET + i, (byte)topic.charAt(i)); // Printable ASCII, validated by the switch.
            }
            encodedTopic = topic;
        }
        buffer.putBytes(payloadOffset, payload, offset, payloadLength);
        length = recordLength;
        return recordLength;
    }

    /**
     * Fill in the record number and the trailer, then write the record into a document with one bounds-checked
     * copy (measured cheaper than writing header, payload and trailer with three calls into the mapped file).
     */
    void write(final Bytes<?> out, final long recordNumber)
    {
        final UnsafeBuffer buffer = scratch;
        buffer.putLong(RECORD_NUMBER_OFFSET, recordNumber, ORDER);
        buffer.putInt(length - TRAILER_LENGTH, trailer(recordNumber), ORDER);
        out.unsafeWriteObject(buffer.byteArray(), (int)BufferUtil.ARRAY_BASE_OFFSET, length);
    }
}
