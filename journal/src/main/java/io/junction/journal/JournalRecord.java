package io.junction.journal;

import net.openhft.chronicle.bytes.Bytes;

/**
 * The layout of one journaled message inside a Chronicle Queue document, in the order written.
 * Raw bytes rather than self-describing wire: cheaper to write and read, and checked by a magic byte.
 */
final class JournalRecord
{
    static final byte MAGIC = (byte)0x4A; // 'J', version 1

    /** The number of the record in the journal: 0, 1, 2... without gaps; a gap means lost records. */
    static final int RECORD_NUMBER_LENGTH = 8;

    private JournalRecord()
    {
    }

    static void writeHeader(
        final Bytes<?> bytes,
        final long recordNumber,
        final long sequence,
        final long timestampNs,
        final long epochNs,
        final int priority,
        final int shardIndex,
        final int shardCount)
    {
        bytes.writeByte(MAGIC);
        bytes.writeLong(recordNumber);
        bytes.writeLong(sequence);
        bytes.writeLong(timestampNs);
        bytes.writeLong(epochNs);
        bytes.writeByte((byte)priority);
        bytes.writeShort((short)shardIndex);
        bytes.writeShort((short)shardCount);
    }

    /**
     * The last 8 bytes of a record: the complement of its record number, never all zeros. A record cut
     * short (a truncated file reads as zeros past the cut) fails this check.
     */
    static void writeTrailer(final Bytes<?> bytes, final long recordNumber)
    {
        bytes.writeLong(~recordNumber);
    }

    static void writeTopic(final Bytes<?> bytes, final String topic)
    {
        final int length = topic.length();
        bytes.writeShort((short)length);
        for (int i = 0; i < length; i++)
        {
            bytes.writeByte((byte)topic.charAt(i)); // Topics are printable ASCII (validated by the switch).
        }
    }
}
