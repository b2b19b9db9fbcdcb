package io.junction.journal;

import static io.junction.journal.JournalRecord.ORDER;

import org.agrona.concurrent.UnsafeBuffer;

import net.openhft.chronicle.bytes.Bytes;

/**
 * A reused flyweight over one journal document (a batch of records, format 3; see {@link JournalRecord}): it
 * copies the document out of the queue, checks it whole (format, trailer, record lengths adding up) before any
 * record is read, then decodes its records one by one into a {@link JournalMessage}. A document that fails the
 * check yields no record at all, so a partly written batch never delivers a partial record.
 */
final class JournalDocument
{
    static final int VALID = 0;
    /** Not a journal document: cut short, corrupt, or empty. */
    static final int CORRUPT = 1;
    /** A document in another record format (see {@link #firstByte()}). */
    static final int OTHER_FORMAT = 2;

    private static final int PRIORITY_COUNT = io.junction.Priority.values().length;

    private byte[] bytes = new byte[4096];
    private final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
    private long index;
    private int length;
    private int firstByte;
    private long firstRecordNumber;
    private int count;
    private int shardIndex;
    private int shardCount;
    private long epochNs;
    private int nextOffset;
    private int nextInDocument;
    private String problem; // why the last wrap was not VALID: a constant, so wrapping allocates nothing

    /**
     * Copy and check the document at the tailer's reading position.
     *
     * @return {@link #VALID}, {@link #CORRUPT} or {@link #OTHER_FORMAT}.
     */
    int wrap(final long index, final Bytes<?> in)
    {
        this.index = index;
        count = 0;
        nextInDocument = 0;
        problem = null;
        final long remaining = in.readRemaining();
        if (remaining > Integer.MAX_VALUE - 8)
        {
            firstByte = -1;
            return corrupt("document longer than 2 GiB");
        }
        final int documentLength = (int)remaining;
        if (documentLength > bytes.length)
        {
            // Grows to the largest document seen, then stays: steady state allocates nothing.
            bytes = new byte[Math.max(documentLength, bytes.length << 1)];
            buffer.wrap(bytes);
        }
        if (in.read(bytes, 0, documentLength) != documentLength)
        {
            firstByte = -1;
            return corrupt("document cannot be read whole");
        }
        length = documentLength;
        firstByte = documentLength > 0 ? bytes[0] & 0xFF : 0;
        final boolean format6 = JournalRecord.FORMAT_6 == firstByte;
        final boolean format5 = JournalRecord.FORMAT_5 == firstByte || format6;
        final boolean format4 = JournalRecord.FORMAT_4 == firstByte || format5;
        if (!JournalRecord.isReadable(firstByte))
        {
            if (0 == firstByte) // Zero is what a document cut short reads as.
            {
                return corrupt(0 == documentLength ? "empty document" : "format byte is 0 (cut short)");
            }
            problem = "not in record format " + JournalRecord.readableVersions();
            return OTHER_FORMAT;
        }
        if (documentLength < JournalRecord.DOCUMENT_HEADER_LENGTH + JournalRecord.TRAILER_LENGTH)
        {
            return corrupt("shorter than a document header and trailer");
        }
        final UnsafeBuffer b = buffer;
        firstRecordNumber = b.getLong(JournalRecord.FIRST_RECORD_NUMBER_OFFSET, ORDER);
        final int recordCount = b.getInt(JournalRecord.RECORD_COUNT_OFFSET, ORDER);
        shardIndex = b.getShort(JournalRecord.SHARD_INDEX_OFFSET, ORDER);
        shardCount = b.getShort(JournalRecord.SHARD_COUNT_OFFSET, ORDER);
        epochNs = b.getLong(JournalRecord.EPOCH_OFFSET, ORDER);
        final int trailerAt = documentLength - JournalRecord.TRAILER_LENGTH;
        if (firstRecordNumber < 0 || recordCount < 1 || shardIndex < 0 || shardCount < 1 || shardIndex >= shardCount)
        {
            return corrupt("header out of range (record number, record count or shard)");
        }
        if (b.getInt(trailerAt, ORDER) != JournalRecord.trailer(firstRecordNumber + recordCount - 1))
        {
            return corrupt("trailer does not match the document's last record number");
        }
        int offset = JournalRecord.DOCUMENT_HEADER_LENGTH;
        for (int i = 0; i < recordCount; i++)
        {
            if (offset + JournalRecord.RECORD_HEADER_LENGTH > trailerAt)
            {
                return corrupt("records run past the trailer");
            }
            final int recordLength = b.getInt(offset + JournalRecord.RECORD_LENGTH_OFFSET, ORDER);
            final int topicLength = b.getShort(offset + JournalRecord.TOPIC_LENGTH_OFFSET, ORDER);
            final int priorityByte = b.getByte(offset + JournalRecord.PRIORITY_OFFSET) & 0xFF;
            final int priority = priorityByte & ~JournalRecord.FLAGS;
            final boolean withPublisher = 0 != (priorityByte & JournalRecord.PUBLISHER_FLAG);
            final boolean withRequest = 0 != (priorityByte & JournalRecord.REQUEST_FLAG);
            final boolean withExpiry = 0 != (priorityByte & JournalRecord.EXPIRY_FLAG);
            int fieldsLength = withPublisher ? JournalRecord.PUBLISHER_FIELDS_LENGTH : 0;
            if (recordLength < JournalRecord.RECORD_HEADER_LENGTH || recordLength > trailerAt - offset ||
                topicLength < 0 || JournalRecord.RECORD_HEADER_LENGTH + topicLength + fieldsLength > recordLength ||
                priority >= PRIORITY_COUNT || (withPublisher && !format4) || (withRequest && !format5) ||
                (withExpiry && !format6))
            {
                return corrupt("a record's length, topic length or priority is out of range");
            }
            if (withRequest)
            {
                final int requestAt = offset + JournalRecord.RECORD_HEADER_LENGTH + topicLength + fieldsLength;
                if (requestAt + JournalRecord.REQUEST_FIXED_LENGTH > offset + recordLength ||
                    requestAt + JournalRecord.REQUEST_FIXED_LENGTH +
                    (b.getShort(requestAt + 8, ORDER) & 0xFFFF) > offset + recordLength)
                {
                    return corrupt("a record's reply topic runs past its end");
                }
                fieldsLength += JournalRecord.REQUEST_FIXED_LENGTH + (b.getShort(requestAt + 8, ORDER) & 0xFFFF);
            }
            if (withExpiry && JournalRecord.RECORD_HEADER_LENGTH + topicLength + fieldsLength +
                JournalRecord.EXPIRY_LENGTH > recordLength)
            {
                return corrupt("a record's expiry runs past its end");
            }
            offset += recordLength;
        }
        if (offset != trailerAt)
        {
            return corrupt("record lengths do not add up to the document's length");
        }
        count = recordCount;
        nextOffset = JournalRecord.DOCUMENT_HEADER_LENGTH;
        return VALID;
    }

    private int corrupt(final String why)
    {
        problem = why;
        return CORRUPT;
    }

    /**
     * @return why the last {@link #wrap} was not {@link #VALID}, or null if it was.
     */
    String problem()
    {
        return problem;
    }

    /**
     * @return true while a valid document has records not yet read by {@link #next(JournalMessage)}.
     */
    boolean hasNext()
    {
        return nextInDocument < count;
    }

    /**
     * @return the record number the next {@link #next(JournalMessage)} reads.
     */
    long nextRecordNumber()
    {
        return firstRecordNumber + nextInDocument;
    }

    /**
     * Pass over the next record without decoding it.
     */
    void skip()
    {
        nextOffset += buffer.getInt(nextOffset + JournalRecord.RECORD_LENGTH_OFFSET, ORDER);
        nextInDocument++;
    }

    /**
     * @return the switch sequence of the next record, without reading it.
     */
    long peekSequence()
    {
        return buffer.getLong(nextOffset + JournalRecord.SEQUENCE_OFFSET, ORDER);
    }

    /**
     * Decode the next record into {@code message} and move past it.
     */
    void next(final JournalMessage message)
    {
        final int at = nextOffset;
        final int recordLength = buffer.getInt(at + JournalRecord.RECORD_LENGTH_OFFSET, ORDER);
        message.wrap(
            bytes,
            at,
            recordLength,
            index,
            firstRecordNumber + nextInDocument,
            epochNs,
            shardIndex,
            shardCount);
        nextOffset = at + recordLength;
        nextInDocument++;
    }

    long index()
    {
        return index;
    }

    int firstByte()
    {
        return firstByte;
    }

    long firstRecordNumber()
    {
        return firstRecordNumber;
    }

    /**
     * @return the number of records of a valid document (0 if it is not valid).
     */
    int count()
    {
        return count;
    }

    long lastRecordNumber()
    {
        return firstRecordNumber + count - 1;
    }

    int shardIndex()
    {
        return shardIndex;
    }

    int shardCount()
    {
        return shardCount;
    }

    long epochNs()
    {
        return epochNs;
    }

    int length()
    {
        return length;
    }
}
