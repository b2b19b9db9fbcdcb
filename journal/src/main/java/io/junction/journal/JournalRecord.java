package io.junction.journal;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The layout of the journal's records (little-endian, as Chronicle's bytes), and the encoder of one batch of
 * them. Raw bytes rather than self-describing wire: cheaper to write and read, checked by a format byte at the
 * start of each document and a trailer at its end.
 * <p>
 * Format 3: one Chronicle document per batch of the journal stage (up to a size cap), holding the batch's
 * records back to back, so Chronicle's per-document work (write lock, header, index) is paid once per batch.
 *
 * <pre>
 * document:
 * 0  format (1)         1  first record number (8)   9  record count (4)   13 shard index (2)
 * 15 shard count (2)    17 epochNs (8): when the batch was journaled      25 records...
 * .. trailer (4)
 * record:
 * 0  record length (4, this field included)   4  sequence (8)   12 timestampNs (8)   20 priority (1)
 * 21 topic length (2)   23 topic (ASCII)      .. payload (the rest of the record)
 * </pre>
 *
 * Records are numbered 0, 1, 2... without gaps across the journal: a record's number is the document's first
 * record number plus its place in the document. The trailer is the low 31 bits of the document's last record
 * number with the top bit set: never zero, so a document cut short (its tail reads as zeros) fails the check,
 * and no record of it is delivered. The record lengths must also add up to the document's length exactly.
 * Format 2 (first byte 0x4B) was one document per record; format 1 (0x4A) its predecessor.
 * <p>
 * Format 4 (first byte 0x4D) is format 3 with an optional field per record, for idempotent publish: a record whose
 * priority byte has its top bit set carries the publisher id (8) and publisher sequence (8) right after its topic,
 * before the payload. A document is written in format 4 only when one of its records carries them, so journals
 * without idempotent publishers stay format 3; this build reads both.
 * <p>
 * Format 5 (first byte 0x4E) is format 4 with a second optional field per record, for request/reply: a record
 * whose priority byte has bit 0x40 set carries the request's correlation id (8), its reply topic's length (2) and
 * the reply topic (ASCII), after the publisher fields if it has them, before the payload. So a request replayed
 * from the journal still reaches its responder with the topic to answer on. A document is written in format 5
 * only when one of its records is a request.
 * <p>
 * Format 6 (first byte 0x4F) is format 5 with a third optional field per record, for a guaranteed publish with a
 * time-to-live: a record whose priority byte has bit 0x20 set carries its expiry (8: nanoseconds since the epoch,
 * on the journal's clock) after the publisher and request fields it has, before the payload. Durable delivery and
 * replay skip a record past its expiry (and count it). A document is written in format 6 only when one of its
 * records has an expiry; this build reads formats 3, 4, 5 and 6.
 */
final class JournalRecord
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    /**
     * The first byte of a format 1 record ('J'). Recovery refuses a journal written in it.
     */
    static final int FORMAT_1 = 0x4A;
    /**
     * The first byte of a format 2 record ('K': one document per record). Recovery refuses it.
     */
    static final int FORMAT_2 = 0x4B;
    /**
     * The first byte of a document in the format this build writes and reads ('L': format 3).
     */
    static final int FORMAT = 0x4C;
    static final int VERSION = 3;
    /**
     * The first byte of a document with at least one record carrying a publisher id and sequence ('M': format 4).
     */
    static final int FORMAT_4 = 0x4D;
    static final int VERSION_4 = 4;
    /** In a record's priority byte: the publisher id and sequence follow the topic. */
    static final int PUBLISHER_FLAG = 0x80;
    static final int PUBLISHER_FIELDS_LENGTH = 16;
    /**
     * The first byte of a document with at least one record carrying a request's fields ('N': format 5).
     */
    static final int FORMAT_5 = 0x4E;
    static final int VERSION_5 = 5;
    /** In a record's priority byte: a correlation id and a reply topic follow the topic (and publisher fields). */
    static final int REQUEST_FLAG = 0x40;
    /** The fixed part of a request's fields: correlation id (8) and reply topic length (2). */
    static final int REQUEST_FIXED_LENGTH = 10;
    /**
     * The first byte of a document with at least one record carrying an expiry ('O': format 6).
     */
    static final int FORMAT_6 = 0x4F;
    static final int VERSION_6 = 6;
    /** In a record's priority byte: its expiry (epoch ns) follows the topic (and publisher and request fields). */
    static final int EXPIRY_FLAG = 0x20;
    static final int EXPIRY_LENGTH = 8;
    /** A record's expiry when it has none. */
    static final long NO_EXPIRY = 0;
    /** The bits of a record's priority byte that are flags, not the priority. */
    static final int FLAGS = PUBLISHER_FLAG | REQUEST_FLAG | EXPIRY_FLAG;

    static final int FIRST_RECORD_NUMBER_OFFSET = 1;
    static final int RECORD_COUNT_OFFSET = 9;
    static final int SHARD_INDEX_OFFSET = 13;
    static final int SHARD_COUNT_OFFSET = 15;
    static final int EPOCH_OFFSET = 17;
    static final int DOCUMENT_HEADER_LENGTH = 25;
    static final int TRAILER_LENGTH = 4;

    static final int RECORD_LENGTH_OFFSET = 0;
    static final int SEQUENCE_OFFSET = 4;
    static final int TIMESTAMP_OFFSET = 12;
    static final int PRIORITY_OFFSET = 20;
    static final int TOPIC_LENGTH_OFFSET = 21;
    static final int TOPIC_OFFSET = 23;
    static final int RECORD_HEADER_LENGTH = TOPIC_OFFSET;

    private final int maxDocumentLength;
    private final UnsafeBuffer scratch;
    private byte[] topicBytes = new byte[64];
    private String encodedTopic;
    private int topicLength;
    private int position = DOCUMENT_HEADER_LENGTH;
    private int count;
    private boolean hasPublisherFields;
    private boolean hasRequestFields;
    private boolean hasExpiry;

    /**
     * @param maxDocumentLength the size cap of a document: a batch that would exceed it is split. A record
     *                          larger than it on its own gets a document of its own.
     */
    JournalRecord(final int maxDocumentLength)
    {
        this.maxDocumentLength = maxDocumentLength;
        this.scratch = new UnsafeBuffer(new byte[maxDocumentLength]);
    }

    /**
     * @return true for the first byte of a document this build reads (formats 3 to 6).
     */
    static boolean isReadable(final int firstByte)
    {
        return FORMAT == firstByte || FORMAT_4 == firstByte || FORMAT_5 == firstByte || FORMAT_6 == firstByte;
    }

    /**
     * @return the formats this build reads, for messages about one it does not.
     */
    static String readableVersions()
    {
        return VERSION + ", " + VERSION_4 + ", " + VERSION_5 + " and " + VERSION_6;
    }

    /**
     * @return format version (1 to 6) of a document's first byte, or 0 if it is no record format known.
     */
    static int formatVersion(final int firstByte)
    {
        switch (firstByte)
        {
            case FORMAT_1:
                return 1;
            case FORMAT_2:
                return 2;
            case FORMAT:
                return VERSION;
            case FORMAT_4:
                return VERSION_4;
            case FORMAT_5:
                return VERSION_5;
            case FORMAT_6:
                return VERSION_6;
            default:
                return 0;
        }
    }

    static int trailer(final long lastRecordNumber)
    {
        return (int)lastRecordNumber | 0x8000_0000;
    }

    static int recordLength(final int topicLength, final int payloadLength)
    {
        return RECORD_HEADER_LENGTH + topicLength + payloadLength;
    }

    int count()
    {
        return count;
    }

    /**
     * @return true if a record of this topic and payload length can join the pending document without taking it
     * over the size cap (always true for an empty one).
     */
    boolean fits(final String topic, final int payloadLength)
    {
        return 0 == count ||
            position + recordLength(topic.length(), payloadLength) + TRAILER_LENGTH <= maxDocumentLength;
    }

    /**
     * As {@link #fits(String, int)}, for a record that may carry a publisher id and sequence (0 for none).
     */
    boolean fits(final String topic, final int payloadLength, final long publisherId)
    {
        return fits(topic, payloadLength + (0 == publisherId ? 0 : PUBLISHER_FIELDS_LENGTH));
    }

    /**
     * As {@link #fits(String, int, long)}, for a record that may also carry a request's reply topic and
     * correlation id (null and 0 for none).
     */
    boolean fits(final String topic, final int payloadLength, final long publisherId, final String replyTo,
        final long correlationId)
    {
        return fits(topic, payloadLength + (0 == publisherId ? 0 : PUBLISHER_FIELDS_LENGTH) +
            requestFieldsLength(replyTo, correlationId));
    }

    /**
     * As {@link #fits(String, int, long, String, long)}, for a record that may also carry an expiry.
     */
    boolean fits(final String topic, final int payloadLength, final long publisherId, final String replyTo,
        final long correlationId, final long expiryEpochNs)
    {
        return fits(topic, payloadLength + (NO_EXPIRY == expiryEpochNs ? 0 : EXPIRY_LENGTH), publisherId, replyTo,
            correlationId);
    }

    static int requestFieldsLength(final String replyTo, final long correlationId)
    {
        return null == replyTo && 0 == correlationId ? 0 :
            REQUEST_FIXED_LENGTH + (null == replyTo ? 0 : replyTo.length());
    }

    /**
     * Add a plain record to the pending document (no publisher fields, no request, no expiry: as in format 3).
     */
    void add(
        final long sequence,
        final long timestampNs,
        final int priority,
        final String topic,
        final DirectBuffer payload,
        final int offset,
        final int payloadLength)
    {
        add(sequence, timestampNs, priority, topic, payload, offset, payloadLength, 0, 0, null, 0, NO_EXPIRY);
    }

    /**
     * Add a record to the pending document, with the publisher id and sequence of an idempotent publish (0 for none),
     * the reply topic and correlation id of a request (null and 0 for none), and the record's expiry in nanoseconds
     * since the epoch ({@link #NO_EXPIRY} for none). Without them the record is as in format 5, 4 or 3.
     */
    void add(
        final long sequence,
        final long timestampNs,
        final int priority,
        final String topic,
        final DirectBuffer payload,
        final int offset,
        final int payloadLength,
        final long publisherId,
        final long publisherSequence,
        final String replyTo,
        final long correlationId,
        final long expiryEpochNs)
    {
        if (topic != encodedTopic) // Most batches repeat a topic: encode it once.
        {
            encodeTopic(topic);
        }
        final boolean withPublisher = 0 != publisherId;
        final int requestLength = requestFieldsLength(replyTo, correlationId);
        final boolean withExpiry = NO_EXPIRY != expiryEpochNs;
        final int fieldsLength = (withPublisher ? PUBLISHER_FIELDS_LENGTH : 0) + requestLength +
            (withExpiry ? EXPIRY_LENGTH : 0);
        final int recordLength = recordLength(topicLength, payloadLength) + fieldsLength;
        final int at = position;
        if (at + recordLength + TRAILER_LENGTH > scratch.capacity())
        {
            grow(at + recordLength + TRAILER_LENGTH); // Only for a record larger than the cap.
        }
        final UnsafeBuffer buffer = scratch;
        final int flags = (withPublisher ? PUBLISHER_FLAG : 0) | (0 != requestLength ? REQUEST_FLAG : 0) |
            (withExpiry ? EXPIRY_FLAG : 0);
        buffer.putInt(at + RECORD_LENGTH_OFFSET, recordLength, ORDER);
        buffer.putLong(at + SEQUENCE_OFFSET, sequence, ORDER);
        buffer.putLong(at + TIMESTAMP_OFFSET, timestampNs, ORDER);
        buffer.putByte(at + PRIORITY_OFFSET, (byte)(priority | flags));
        buffer.putShort(at + TOPIC_LENGTH_OFFSET, (short)topicLength, ORDER);
        buffer.putBytes(at + TOPIC_OFFSET, topicBytes, 0, topicLength);
        int fieldAt = at + TOPIC_OFFSET + topicLength;
        if (withPublisher)
        {
            buffer.putLong(fieldAt, publisherId, ORDER);
            buffer.putLong(fieldAt + 8, publisherSequence, ORDER);
            fieldAt += PUBLISHER_FIELDS_LENGTH;
            hasPublisherFields = true;
        }
        if (0 != requestLength)
        {
            final int replyToLength = null == replyTo ? 0 : replyTo.length();
            buffer.putLong(fieldAt, correlationId, ORDER);
            buffer.putShort(fieldAt + 8, (short)replyToLength, ORDER);
            for (int i = 0; i < replyToLength; i++)
            {
                buffer.putByte(fieldAt + REQUEST_FIXED_LENGTH + i, (byte)replyTo.charAt(i)); // ASCII, validated
            }
            fieldAt += requestLength;
            hasRequestFields = true;
        }
        if (withExpiry)
        {
            buffer.putLong(fieldAt, expiryEpochNs, ORDER);
            fieldAt += EXPIRY_LENGTH;
            hasExpiry = true;
        }
        buffer.putBytes(fieldAt, payload, offset, payloadLength);
        position = at + recordLength;
        count++;
    }

    /**
     * Complete the pending document's header and trailer, once its first record number is known (under the
     * queue's write lock).
     *
     * @return the document's length; its bytes are {@link #array()} from 0.
     */
    int finish(final long firstRecordNumber, final long epochNs, final int shardIndex, final int shardCount)
    {
        final UnsafeBuffer buffer = scratch;
        buffer.putByte(0, (byte)(hasExpiry ? FORMAT_6 : hasRequestFields ? FORMAT_5 :
            hasPublisherFields ? FORMAT_4 : FORMAT));
        buffer.putLong(FIRST_RECORD_NUMBER_OFFSET, firstRecordNumber, ORDER);
        buffer.putInt(RECORD_COUNT_OFFSET, count, ORDER);
        buffer.putShort(SHARD_INDEX_OFFSET, (short)shardIndex, ORDER);
        buffer.putShort(SHARD_COUNT_OFFSET, (short)shardCount, ORDER);
        buffer.putLong(EPOCH_OFFSET, epochNs, ORDER);
        buffer.putInt(position, trailer(firstRecordNumber + count - 1), ORDER);
        return position + TRAILER_LENGTH;
    }

    byte[] array()
    {
        return scratch.byteArray();
    }

    /**
     * Start a new, empty document.
     */
    void reset()
    {
        position = DOCUMENT_HEADER_LENGTH;
        count = 0;
        hasPublisherFields = false;
        hasRequestFields = false;
        hasExpiry = false;
    }

    private void encodeTopic(final String topic)
    {
        final int length = topic.length();
        if (length > topicBytes.length)
        {
            topicBytes = new byte[length];
        }
        for (int i = 0; i < length; i++)
        {
            topicBytes[i] = (byte)topic.charAt(i); // Printable ASCII, validated by the switch.
        }
        topicLength = length;
        encodedTopic = topic;
    }

    private void grow(final int capacity)
    {
        final byte[] bigger = new byte[capacity];
        System.arraycopy(scratch.byteArray(), 0, bigger, 0, position);
        scratch.wrap(bigger);
    }
}
