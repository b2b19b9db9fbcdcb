package io.junction.journal;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The layout of one journaled message inside a Chronicle Queue document (little-endian, as Chronicle's
 * bytes): raw bytes rather than self-describing wire, cheaper to write and read, checked by a magic byte at
 * the start and a trailer at the end.
 *
 * <pre>
 * 0  magic (1)          1  record number (8)   9  sequence (8)      17 timestampNs (8)   25 epochNs (8)
 * 33 priority (1)       34 shard index (2)     36 shard count (2)   38 topic length (2)  40 topic (ASCII)
 * .. payload length (4) .. payload             .. trailer: ~record number (8)
 * </pre>
 *
 * The record is encoded into a scratch buffer and written to the queue with one copy; the record number and
 * trailer are filled in last, under the queue's write lock.
 */
final class JournalRecord
{
    static final byte MAGIC = (byte)0x4A; // 'J', version 1
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    static final int RECORD_NUMBER_OFFSET = 1;
    static final int SEQUENCE_OFFSET = 9;
    static final int TIMESTAMP_OFFSET = 17;
    static final int EPOCH_OFFSET = 25;
    static final int PRIORITY_OFFSET = 33;
    static final int SHARD_INDEX_OFFSET = 34;
    static final int SHARD_COUNT_OFFSET = 36;
    static final int TOPIC_LENGTH_OFFSET = 38;
    static final int TOPIC_OFFSET = 40;
    static final int TRAILER_LENGTH = 8;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024]);
    private String encodedTopic;
    private int length;

    /**
     * Encode everything but the record number.
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
        final int payloadLengthOffset = TOPIC_OFFSET + topicLength;
        final int recordLength = payloadLengthOffset + 4 + payloadLength + TRAILER_LENGTH;
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
        buffer.putInt(payloadLengthOffset, payloadLength, ORDER);
        buffer.putBytes(payloadLengthOffset + 4, payload, offset, payloadLength);
        length = recordLength;
        return recordLength;
    }

    /**
     * Fill in the record number and the trailer (the complement of the record number, never all zeros: a
     * record cut short reads as zeros past the cut and fails the check).
     */
    void recordNumber(final long recordNumber)
    {
        scratch.putLong(RECORD_NUMBER_OFFSET, recordNumber, ORDER);
        scratch.putLong(length - TRAILER_LENGTH, ~recordNumber, ORDER);
    }

    byte[] array()
    {
        return scratch.byteArray();
    }
}
