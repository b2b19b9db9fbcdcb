package io.junction.cluster;

import io.junction.JournalSink;
import io.junction.Priority;
import io.junction.Publisher;
import io.junction.journal.Journal;
import io.junction.journal.JournalCursor;
import io.junction.journal.JournalMessage;
import io.junction.journal.Retention;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.status.CountersManager;
import net.openhft.chronicle.core.time.TimeProvider;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A member's {@link ReplicaJournal} in the journal module's format, in a directory of its own, so that
 * {@code junction journal list|dump|verify --dir} reads it as it reads a daemon's. One writer (shard 0 of 1),
 * one document per message; the journal's clock is the cluster's, so the files roll alike on every member.
 * Deduplication is the service's own (in its snapshot), so the journal does not rebuild it when it opens.
 */
public final class MemberJournal implements ReplicaJournal
{
    private final Journal journal;
    private final File dir;
    private final JournalSink.JournalWriter writer;
    private final JournalCursor cursor;
    private long lastSequence;

    /**
     * @param clusterTimeNs the cluster time of the log entry being applied, in nanoseconds.
     */
    public MemberJournal(
        final File dir, final LongSupplier clusterTimeNs, final CountersManager counters, final ErrorHandler errorHandler)
    {
        this(dir, clusterTimeNs, counters, errorHandler, Journal.Context.DEFAULT_MIN_FREE_DISK_BYTES, Retention.keepAll());
    }

    /**
     * @param minFreeDiskBytes below this many usable bytes in the directory's file system the journal refuses
     *                         appends (checked by {@link #doWork()}).
     * @param retention        which roll cycles {@link #doWork()} deletes.
     */
    public MemberJournal(
        final File dir,
        final LongSupplier clusterTimeNs,
        final CountersManager counters,
        final ErrorHandler errorHandler,
        final long minFreeDiskBytes,
        final Retention retention)
    {
        this.dir = dir;
        journal = Journal.launch(new Journal.Context()
            .directory(dir)
            .useInvoker(true)
            .minFreeDiskBytes(minFreeDiskBytes)
            .retention(retention)
            .recoverPublishers(false)
            .timeProvider(new ClusterTimeProvider(clusterTimeNs))
            .countersManager(counters)
            .errorHandler(errorHandler));
        if (null != journal.failure())
        {
            final Throwable failure = journal.failure();
            journal.close();
            throw new IllegalStateException("member journal in " + dir + " cannot be used: " + failure.getMessage(),
                failure);
        }
        writer = journal.newWriter(0, 1);
        cursor = journal.newCursor();
        lastSequence = Math.max(0, journal.lastSequence());
    }

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
        // The journal keeps the expiry as its clock (the cluster's, at this entry) plus what is left: expiryNs.
        final long ttlLeftNs = NO_EXPIRY == expiryNs ? Publisher.NO_TTL : expiryNs - timestampNs;
        writer.append(sequence, topic, Priority.get(priority), timestampNs, payload, payloadOffset, payloadLength,
            publisherId, publisherSequence, replyTo, correlationId, ttlLeftNs);
        writer.onEndOfBatch(); // One message per log entry: readable by a replay straight after.
        lastSequence = sequence;
        return true;
    }

    /**
     * The journal's housekeeping, on the service's thread between log entries: the disk check and retention.
     */
    public int doWork()
    {
        return journal.doWork();
    }

    public boolean isWritable()
    {
        return journal.isAvailable();
    }

    public String unwritableReason()
    {
        if (null != journal.failure())
        {
            return "member journal in " + dir + " failed: " + journal.failure().getMessage();
        }
        return "member journal disk full: " + dir.getUsableSpace() + " bytes usable in " + dir +
            ", below the minimum free " + journal.context().minFreeDiskBytes() + " bytes";
    }

    public long read(final long fromSequence, final long toSequence, final EntryHandler handler)
    {
        return cursor.read(fromSequence, toSequence, (JournalMessage message) -> handler.onEntry(
            message.sequence(), message.timestampNs(), message.priority().ordinal(), message.topic(), message.buffer(),
            message.offset(), message.length(), message.replyTo(), message.correlationId()));
    }

    public long readWithExpiry(final long fromSequence, final long toSequence, final ExpiringEntryHandler handler)
    {
        return cursor.read(fromSequence, toSequence, (JournalMessage message) -> handler.onEntry(
            message.sequence(), message.timestampNs(), message.priority().ordinal(), message.topic(), message.buffer(),
            message.offset(), message.length(), message.replyTo(), message.correlationId(), message.expiryEpochNs()));
    }

    public void close()
    {
        CloseHelper.closeAll(cursor, writer, journal);
    }

    /**
     * Chronicle's clock for the journal's documents and roll cycles: the cluster's time, never the wall clock.
     */
    private record ClusterTimeProvider(LongSupplier clusterTimeNs) implements TimeProvider
    {
        public long currentTimeMillis()
        {
            return TimeUnit.NANOSECONDS.toMillis(clusterTimeNs.getAsLong());
        }

        public long currentTimeMicros()
        {
            return TimeUnit.NANOSECONDS.toMicros(clusterTimeNs.getAsLong());
        }

        public long currentTimeNanos()
        {
            return clusterTimeNs.getAsLong();
        }
    }
}
