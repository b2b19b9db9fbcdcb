package io.junction.perf.cluster;

import io.junction.cluster.ReplicaJournal;
import org.agrona.DirectBuffer;

/**
 * A journal that keeps only the last sequence: to measure what the journal append costs the clustered switch.
 * Replays find nothing, so it is for benchmarks only.
 */
final class DiscardingJournal implements ReplicaJournal
{
    private long lastSequence;

    public long lastSequence()
    {
        return lastSequence;
    }

    public boolean append(
        final long sequence,
        final long timestampNs,
        final int priority,
        final String topic,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength,
        final long publisherId,
        final long publisherSequence,
        final String replyTo,
        final long correlationId,
        final long expiryNs)
    {
        if (sequence <= lastSequence)
        {
            return false;
        }
        lastSequence = sequence;
        return true;
    }

    public long read(final long fromSequence, final long toSequence, final EntryHandler handler)
    {
        return 0;
    }

    public void close()
    {
    }
}
