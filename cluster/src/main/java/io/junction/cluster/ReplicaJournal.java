package io.junction.cluster;

import org.agrona.DirectBuffer;

/**
 * The journal of one replica: every message the clustered service sequenced, in sequence order. It is derived
 * from the replicated log, so it is the same on every node. Appends are idempotent by sequence, because a node
 * replays the log after its last snapshot on restart.
 * <p>
 * Used only from the service thread.
 */
public interface ReplicaJournal extends AutoCloseable
{
    /** An entry's expiry when it has none (a publish without a time-to-live). */
    long NO_EXPIRY = 0;

    /**
     * @return the highest sequence in the journal, or 0 if it is empty.
     */
    long lastSequence();

    /**
     * Append a message unless its sequence is not above {@link #lastSequence()}.
     *
     * @param timestampNs       the cluster time of its log entry, in nanoseconds.
     * @param publisherId       who published it, kept with the record.
     * @param publisherSequence its number in that publisher's stream.
     * @param replyTo           a request's reply topic, or null: kept, so that a replayed request can be answered.
     * @param correlationId     a request's correlation id, or 0.
     * @param expiryNs          the cluster time (ns) from which the entry is expired (a later replay or hand-over
     *                          passes it over), or {@link #NO_EXPIRY}.
     * @return true if appended, false if it was already there.
     */
    boolean append(
        long sequence,
        long timestampNs,
        int priority,
        String topic,
        DirectBuffer payload,
        int payloadOffset,
        int payloadLength,
        long publisherId,
        long publisherSequence,
        String replyTo,
        long correlationId,
        long expiryNs);

    /**
     * As {@link #read(long, long, EntryHandler)}, with each entry's expiry ({@link #NO_EXPIRY} for none).
     */
    default long readWithExpiry(long fromSequence, long toSequence, ExpiringEntryHandler handler)
    {
        return read(fromSequence, toSequence,
            (sequence, timestampNs, priority, topic, payload, payloadOffset, payloadLength, replyTo, correlationId) ->
                handler.onEntry(sequence, timestampNs, priority, topic, payload, payloadOffset, payloadLength,
                    replyTo, correlationId, NO_EXPIRY));
    }

    /**
     * Read the entries with fromSequence &lt;= sequence &lt;= toSequence in order, until the handler returns false.
     *
     * @return the number of entries read.
     */
    long read(long fromSequence, long toSequence, EntryHandler handler);

    /**
     * Local housekeeping (disk check, retention), run from the service's duty cycle, never part of the state.
     *
     * @return work done.
     */
    default int doWork()
    {
        return 0;
    }

    /**
     * @return false once the journal may not be appended to (disk full, failed): the member must stop.
     */
    default boolean isWritable()
    {
        return true;
    }

    /**
     * @return why {@link #isWritable()} is false, naming the directory and the free space.
     */
    default String unwritableReason()
    {
        return "journal unavailable";
    }

    void close();

    /**
     * One journal entry; the buffer is valid only during the call.
     */
    @FunctionalInterface
    interface EntryHandler
    {
        /**
         * @param timestampNs   the cluster time of its log entry, in nanoseconds.
         * @param replyTo       a request's reply topic, or null.
         * @param correlationId a request's correlation id, or 0.
         * @return true to go on reading, false to stop.
         */
        boolean onEntry(
            long sequence,
            long timestampNs,
            int priority,
            String topic,
            DirectBuffer payload,
            int payloadOffset,
            int payloadLength,
            String replyTo,
            long correlationId);
    }

    /**
     * One journal entry with its expiry; the buffer is valid only during the call.
     */
    @FunctionalInterface
    interface ExpiringEntryHandler
    {
        /**
         * @param expiryNs the cluster time (ns) from which it is expired, or {@link #NO_EXPIRY}.
         * @return true to go on reading, false to stop.
         */
        boolean onEntry(
            long sequence,
            long timestampNs,
            int priority,
            String topic,
            DirectBuffer payload,
            int payloadOffset,
            int payloadLength,
            String replyTo,
            long correlationId,
            long expiryNs);
    }

    /**
     * @return true if an entry with this expiry is expired at the cluster time {@code nowNs}.
     */
    static boolean isExpired(final long expiryNs, final long nowNs)
    {
        return NO_EXPIRY != expiryNs && nowNs - expiryNs >= 0;
    }
}
