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

        @Override
        void close();
    }
}
