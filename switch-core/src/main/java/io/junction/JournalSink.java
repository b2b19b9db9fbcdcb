package io.junction;

/**
 * Where the switch journals its {@link QualityOfService#GUARANTEED} messages; implemented outside
 * switch-core (the {@code journal} module, on Chronicle Queue). Set it with
 * {@link Junction.Context#journalSink(JournalSink)}; the application owns it and closes it after the switch.
 */
public interface JournalSink
{
    /**
     * Create the writer for one shard. Called once per shard, on the thread that will then use the
     * writer, before its first message.
     *
     * @throws RuntimeException if the journal cannot be written; the shard then fails its guaranteed
     *                          messages and keeps serving best-effort ones.
     */
    JournalWriter newWriter(int shardIndex, int shardCount);

    /**
     * @return the highest message sequence found in the journal when it was opened, or -1 if none: the
     * switch numbers its messages after it, so sequences keep increasing across restarts.
     */
    long lastSequence();

    /**
     * @return false when the journal cannot accept appends (not writable, disk full, failed): guaranteed
     * offers are then refused with {@link OfferResult#JOURNAL_UNAVAILABLE}. Read on every guaranteed
     * offer, so it must be cheap (a volatile read).
     */
    boolean isAvailable();

    /**
     * Idempotent guaranteed publish: reserve a publisher's sequence unless it was accepted before. Called by the
     * offering thread before the message is queued; one thread at a time per publisher id.
     *
     * @return 0 if it is new (now reserved), else a negative {@link OfferResult}: rejected
     * {@link RejectReason#DUPLICATE} or {@link RejectReason#TOO_OLD_FOR_DEDUPLICATION}, or
     * {@link OfferResult#JOURNAL_UNAVAILABLE} for a journal that does not deduplicate.
     */
    default long reservePublisherSequence(long publisherId, long publisherSequence)
    {
        return OfferResult.JOURNAL_UNAVAILABLE;
    }

    /**
     * Undo {@link #reservePublisherSequence} for an offer that was then not queued (back pressure...).
     */
    default void releasePublisherSequence(long publisherId, long publisherSequence)
    {
    }

    /**
     * Appends one shard's guaranteed messages. Used by one thread only.
     */
    interface JournalWriter extends AutoCloseable
    {
        /**
         * Append one message. Must not block for long and should not allocate.
         *
         * @throws RuntimeException if the append failed; the message and every later guaranteed
         *                          message of the shard is then {@link Durability#FAILED}.
         */
        void append(
            long sequence,
            String topic,
            Priority priority,
            long timestampNs,
            org.agrona.DirectBuffer buffer,
            int offset,
            int length);

        /**
         * The end of a batch of appends: flush as the journal's flush policy says. The messages of the
         * batch become {@link Durability#JOURNALED} only after this returns.
         *
         * @throws RuntimeException if the flush failed; the batch is then {@link Durability#FAILED}.
         */
        void onEndOfBatch();

        /**
         * As {@link #append(long, String, Priority, long, org.agrona.DirectBuffer, int, int)}, with the publisher
         * id and sequence of an idempotent publish (both 0 for none), which the journal keeps with the record.
         */
        default void append(
            long sequence,
            String topic,
            Priority priority,
            long timestampNs,
            org.agrona.DirectBuffer buffer,
            int offset,
            int length,
            long publisherId,
            long publisherSequence)
        {
            append(sequence, topic, priority, timestampNs, buffer, offset, length);
        }

        /**
         * As {@link #append(long, String, Priority, long, org.agrona.DirectBuffer, int, int, long, long)}, with the
         * reply topic and correlation id of a request (null and 0 for none), which the journal keeps with the record
         * so that a replayed request can still be answered.
         */
        default void append(
            long sequence,
            String topic,
            Priority priority,
            long timestampNs,
            org.agrona.DirectBuffer buffer,
            int offset,
            int length,
            long publisherId,
            long publisherSequence,
            String replyTo,
            long correlationId)
        {
            append(sequence, topic, priority, timestampNs, buffer, offset, length, publisherId, publisherSequence);
        }

        /**
         * As {@link #append(long, String, Priority, long, org.agrona.DirectBuffer, int, int, long, long, String,
         * long)}, for a guaranteed publish with a time-to-live: {@code ttlLeftNs} is what it has left now
         * ({@link Publisher#NO_TTL} for none; 0 or less if it already ran out), which the journal keeps as an
         * expiry so that durable delivery and replay skip it once passed. A journal without expiries ignores it.
         */
        default void append(
            long sequence,
            String topic,
            Priority priority,
            long timestampNs,
            org.agrona.DirectBuffer buffer,
            int offset,
            int length,
            long publisherId,
            long publisherSequence,
            String replyTo,
            long correlationId,
            long ttlLeftNs)
        {
            append(sequence, topic, priority, timestampNs, buffer, offset, length, publisherId, publisherSequence,
                replyTo, correlationId);
        }

        @Override
        void close();
    }
}
