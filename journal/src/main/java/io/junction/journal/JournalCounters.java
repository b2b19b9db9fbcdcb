package io.junction.journal;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The journal's counters, in the counters manager of its context (share the switch's to see both in one
 * counters file). Type ids are stable: tools select counters by them.
 */
public final class JournalCounters implements AutoCloseable
{
    public static final int APPENDED_TYPE_ID = 1400;
    public static final int FAULTS_TYPE_ID = 1401;
    public static final int DISK_FULL_TYPE_ID = 1402;
    public static final int CORRUPT_RECORDS_TYPE_ID = 1403;
    public static final int RETENTION_DELETED_CYCLES_TYPE_ID = 1404;
    public static final int BEHIND_RETENTION_TYPE_ID = 1405;
    public static final int DURABLE_DELIVERED_TYPE_ID = 1406;
    /** Gauge: the record number of the last record journaled (-1 before the first); records are numbered 0, 1, 2... */
    public static final int LAST_RECORD_NUMBER_TYPE_ID = 1407;
    /** Gauge: bytes of the journal's roll-cycle files (their apparent length, as retention counts them). */
    public static final int SIZE_BYTES_TYPE_ID = 1408;
    /** Gauge: roll-cycle files held. */
    public static final int ROLL_CYCLES_TYPE_ID = 1409;
    /** Gauge: usable bytes on the journal directory's file system. */
    public static final int DISK_FREE_BYTES_TYPE_ID = 1410;
    public static final int POSITION_MISMATCH_TYPE_ID = 1411;
    /** Gauge: idempotent publishers whose deduplication window the journal holds. */
    public static final int IDEMPOTENT_PUBLISHERS_TYPE_ID = 1412;
    /** Guaranteed messages past their expiry that a named durable subscription passed over rather than delivered. */
    public static final int EXPIRED_DURABLE_TYPE_ID = 1413;
    /** Guaranteed messages past their expiry that a replay (an unnamed journal subscription) passed over. */
    public static final int EXPIRED_REPLAY_TYPE_ID = 1414;

    private final AtomicCounter appended;
    private final AtomicCounter faults;
    private final AtomicCounter diskFull;
    private final AtomicCounter corruptRecords;
    private final AtomicCounter retentionDeletedCycles;
    private final AtomicCounter behindRetention;
    private final AtomicCounter durableDelivered;
    private final AtomicCounter lastRecordNumber;
    private final AtomicCounter sizeBytes;
    private final AtomicCounter rollCycles;
    private final AtomicCounter diskFreeBytes;
    private final AtomicCounter positionMismatch;
    private final AtomicCounter idempotentPublishers;
    private final AtomicCounter expiredDurable;
    private final AtomicCounter expiredReplay;

    JournalCounters(final CountersManager manager)
    {
        appended = manager.newCounter("journal appended", APPENDED_TYPE_ID);
        faults = manager.newCounter("journal faults", FAULTS_TYPE_ID);
        diskFull = manager.newCounter("journal disk full events", DISK_FULL_TYPE_ID);
        corruptRecords = manager.newCounter("journal corrupt or truncated records", CORRUPT_RECORDS_TYPE_ID);
        retentionDeletedCycles = manager.newCounter(
            "journal roll cycles deleted by retention", RETENTION_DELETED_CYCLES_TYPE_ID);
        behindRetention = manager.newCounter("durable subscribers behind retention", BEHIND_RETENTION_TYPE_ID);
        durableDelivered = manager.newCounter("durable messages delivered", DURABLE_DELIVERED_TYPE_ID);
        lastRecordNumber = manager.newCounter("journal last record number", LAST_RECORD_NUMBER_TYPE_ID);
        lastRecordNumber.setRelease(-1);
        sizeBytes = manager.newCounter("journal size bytes", SIZE_BYTES_TYPE_ID);
        rollCycles = manager.newCounter("journal roll cycles", ROLL_CYCLES_TYPE_ID);
        diskFreeBytes = manager.newCounter("journal disk free bytes", DISK_FREE_BYTES_TYPE_ID);
        positionMismatch = manager.newCounter(
            "durable subscribers whose stored position does not match the journal", POSITION_MISMATCH_TYPE_ID);
        idempotentPublishers = manager.newCounter("journal idempotent publishers", IDEMPOTENT_PUBLISHERS_TYPE_ID);
        expiredDurable = manager.newCounter("journal expired: durable", EXPIRED_DURABLE_TYPE_ID);
        expiredReplay = manager.newCounter("journal expired: replay", EXPIRED_REPLAY_TYPE_ID);
    }

    AtomicCounter lastRecordNumberCounter()
    {
        return lastRecordNumber;
    }

    AtomicCounter sizeBytesCounter()
    {
        return sizeBytes;
    }

    AtomicCounter rollCyclesCounter()
    {
        return rollCycles;
    }

    AtomicCounter diskFreeBytesCounter()
    {
        return diskFreeBytes;
    }

    /**
     * @return the record number of the last record journaled, -1 before the first (refreshed by the journal's agent).
     */
    public long lastRecordNumber()
    {
        return lastRecordNumber.get();
    }

    /**
     * @return bytes of the roll-cycle files, as last measured by the journal's agent (about once a second).
     */
    public long sizeBytes()
    {
        return sizeBytes.get();
    }

    public long rollCycles()
    {
        return rollCycles.get();
    }

    public long diskFreeBytes()
    {
        return diskFreeBytes.get();
    }

    AtomicCounter appendedCounter()
    {
        return appended;
    }

    AtomicCounter faultsCounter()
    {
        return faults;
    }

    AtomicCounter diskFullCounter()
    {
        return diskFull;
    }

    AtomicCounter corruptRecordsCounter()
    {
        return corruptRecords;
    }

    AtomicCounter retentionDeletedCyclesCounter()
    {
        return retentionDeletedCycles;
    }

    AtomicCounter behindRetentionCounter()
    {
        return behindRetention;
    }

    AtomicCounter durableDeliveredCounter()
    {
        return durableDelivered;
    }

    AtomicCounter positionMismatchCounter()
    {
        return positionMismatch;
    }

    AtomicCounter idempotentPublishersCounter()
    {
        return idempotentPublishers;
    }

    /**
     * @return publisher ids whose deduplication window the journal holds (rebuilt from the journal at start).
     */
    public long idempotentPublishers()
    {
        return idempotentPublishers.get();
    }

    /**
     * @return durable subscriptions that could not resume because the record at their stored position is not the
     * one they acknowledged.
     */
    public long positionMismatches()
    {
        return positionMismatch.get();
    }

    public long appended()
    {
        return appended.get();
    }

    public long faults()
    {
        return faults.get();
    }

    public long diskFullEvents()
    {
        return diskFull.get();
    }

    public long corruptRecords()
    {
        return corruptRecords.get();
    }

    public long retentionDeletedCycles()
    {
        return retentionDeletedCycles.get();
    }

    public long behindRetention()
    {
        return behindRetention.get();
    }

    public long durableDelivered()
    {
        return durableDelivered.get();
    }

    /**
     * @param durable true for a named durable subscription, false for a replay.
     */
    AtomicCounter expiredCounter(final boolean durable)
    {
        return durable ? expiredDurable : expiredReplay;
    }

    /**
     * @return guaranteed messages past their expiry passed over by durable subscriptions (true) or replays.
     */
    public long expired(final boolean durable)
    {
        return expiredCounter(durable).get();
    }

    @Override
    public void close()
    {
        expiredDurable.close();
        expiredReplay.close();
        appended.close();
        faults.close();
        diskFull.close();
        corruptRecords.close();
        retentionDeletedCycles.close();
        behindRetention.close();
        durableDelivered.close();
        lastRecordNumber.close();
        sizeBytes.close();
        rollCycles.close();
        diskFreeBytes.close();
        positionMismatch.close();
        idempotentPublishers.close();
    }
}
