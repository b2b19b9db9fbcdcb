package io.junction.cluster;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.junction.protocol.codecs.ErrorCode;
import org.agrona.CloseHelper;

/**
 * Counters of the clustered service, one per outcome, in the node's media driver counters file (so
 * {@code AeronStat} shows them). Type ids are stable: {@value #TYPE_ID_BASE} + the ordinal below.
 */
public final class ServiceCounters implements AutoCloseable
{
    public static final int TYPE_ID_BASE = 1500;
    /** The log position up to which the service has applied messages (lag = commit position - this). */
    public static final int APPLIED_POSITION_TYPE_ID = 1620;
    /** 1 once the member stopped because its journal could not be written (disk below its minimum free bytes). */
    public static final int HALTED_TYPE_ID = 1640;
    /** Snapshots this member asked for as leader on the snapshot schedule. */
    public static final int SNAPSHOTS_SCHEDULED_TYPE_ID = 1641;
    /** Bytes of the log recording purged from this member's archive behind its snapshots. */
    public static final int LOG_PURGED_BYTES_TYPE_ID = 1642;
    /** Snapshot recordings deleted from this member's archive (older than the snapshots kept). */
    public static final int SNAPSHOTS_DELETED_TYPE_ID = 1643;
    /** Frames of the Junction protocol refused (before HELLO, malformed, unknown subscription, unsupported). */
    public static final int PROTOCOL_REFUSALS_TYPE_ID = 1644;
    /** Queue-group assignments a leaver (UNSUBSCRIBE or closed session) had not confirmed, given to a remaining member. */
    public static final int QUEUE_GROUP_HANDED_OVER_TYPE_ID = 1650;
    /** Such assignments that went to no one: no member remained, or the journal no longer held the message. */
    public static final int QUEUE_GROUP_LOST_TYPE_ID = 1651;
    /** Unconfirmed assignments forgotten because a member's window was full (not sent again after a failover). */
    public static final int QUEUE_GROUP_FORGOTTEN_TYPE_ID = 1652;
    /**
     * Messages past their time-to-live at the log time of the entry that would have delivered them (a hand-over, a
     * new or resumed subscription's replay), or shed as admitted with one already run out: replicated, alike on
     * every member and on a member replaying the log.
     */
    public static final int EXPIRED_TYPE_ID = 1653;
    /** Messages past their time-to-live that the leader's catch-up or resend of a lagging subscriber passed over. */
    public static final int EXPIRED_UNSENT_TYPE_ID = 1654;
    /** KEYED messages kept with their key's earlier member (its earlier ones unconfirmed) after the membership changed. */
    public static final int QUEUE_GROUP_KEY_HELD_TYPE_ID = 1655;
    /** Log purges this member held back (in part) for a follower whose replication is behind the snapshots. */
    public static final int LOG_PURGE_HELD_TYPE_ID = 1656;

    private final Counter published;
    private final Counter delivered;
    private final Counter duplicatePublishes;
    private final Counter egressDropped;
    private final Counter replayed;
    private final Counter appliedPosition;
    private final Counter halted;
    private final Counter snapshotsScheduled;
    private final Counter logPurgedBytes;
    private final Counter snapshotsDeleted;
    private final Counter protocolRefusals;
    private final Counter queueGroupHandedOver;
    private final Counter queueGroupLost;
    private final Counter queueGroupForgotten;
    private final Counter expired;
    private final Counter expiredUnsent;
    private final Counter queueGroupKeyHeld;
    private final Counter logPurgeHeld;
    /** The codes the replicated switch refuses a publish or a subscribe with (after the frame decoded). */
    static final ErrorCode[] REFUSAL_CODES = {
        ErrorCode.INVALID_TOPIC, ErrorCode.INVALID_PATTERN, ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.INVALID_FIELD,
        ErrorCode.NOT_AUTHORISED, ErrorCode.TOO_MANY_SUBSCRIPTIONS };

    private final Counter[] errorsByCode = new Counter[ErrorCode.PUBLISHER_IN_USE.value() + 1];

    ServiceCounters(final Aeron aeron, final int memberId)
    {
        final String suffix = " member=" + memberId;
        published = aeron.addCounter(TYPE_ID_BASE, "junction-cluster published" + suffix);
        delivered = aeron.addCounter(TYPE_ID_BASE + 1, "junction-cluster delivered" + suffix);
        duplicatePublishes = aeron.addCounter(TYPE_ID_BASE + 2, "junction-cluster duplicate publishes" + suffix);
        egressDropped = aeron.addCounter(TYPE_ID_BASE + 3, "junction-cluster egress dropped" + suffix);
        replayed = aeron.addCounter(TYPE_ID_BASE + 4, "junction-cluster replayed deliveries" + suffix);
        appliedPosition = aeron.addCounter(APPLIED_POSITION_TYPE_ID, "junction-cluster applied log position" + suffix);
        halted = aeron.addCounter(HALTED_TYPE_ID, "junction-cluster halted: journal unwritable" + suffix);
        snapshotsScheduled = aeron.addCounter(SNAPSHOTS_SCHEDULED_TYPE_ID, "junction-cluster snapshots scheduled" + suffix);
        logPurgedBytes = aeron.addCounter(LOG_PURGED_BYTES_TYPE_ID, "junction-cluster log bytes purged" + suffix);
        snapshotsDeleted = aeron.addCounter(SNAPSHOTS_DELETED_TYPE_ID, "junction-cluster snapshot recordings deleted" + suffix);
        protocolRefusals = aeron.addCounter(PROTOCOL_REFUSALS_TYPE_ID, "junction-cluster protocol refusals" + suffix);
        queueGroupHandedOver = aeron.addCounter(QUEUE_GROUP_HANDED_OVER_TYPE_ID,
            "junction-cluster queue group handed over" + suffix);
        queueGroupLost = aeron.addCounter(QUEUE_GROUP_LOST_TYPE_ID, "junction-cluster queue group lost" + suffix);
        queueGroupForgotten = aeron.addCounter(QUEUE_GROUP_FORGOTTEN_TYPE_ID,
            "junction-cluster queue group window forgotten" + suffix);
        expired = aeron.addCounter(EXPIRED_TYPE_ID, "junction-cluster expired" + suffix);
        expiredUnsent = aeron.addCounter(EXPIRED_UNSENT_TYPE_ID, "junction-cluster expired unsent" + suffix);
        queueGroupKeyHeld = aeron.addCounter(QUEUE_GROUP_KEY_HELD_TYPE_ID,
            "junction-cluster queue group key held for drain" + suffix);
        logPurgeHeld = aeron.addCounter(LOG_PURGE_HELD_TYPE_ID, "junction-cluster log purge held for follower" + suffix);
        for (final ErrorCode code : REFUSAL_CODES)
        {
            errorsByCode[code.value()] = aeron.addCounter(
                TYPE_ID_BASE + 10 + code.value(), "junction-cluster error " + code.name() + suffix);
        }
    }

    public long published()
    {
        return published.get();
    }

    public long delivered()
    {
        return delivered.get();
    }

    public long duplicatePublishes()
    {
        return duplicatePublishes.get();
    }

    public long egressDropped()
    {
        return egressDropped.get();
    }

    public long replayed()
    {
        return replayed.get();
    }

    public long appliedPosition()
    {
        return appliedPosition.get();
    }

    public long halted()
    {
        return halted.get();
    }

    public long snapshotsScheduled()
    {
        return snapshotsScheduled.get();
    }

    public long logPurgedBytes()
    {
        return logPurgedBytes.get();
    }

    public long snapshotsDeleted()
    {
        return snapshotsDeleted.get();
    }

    public long protocolRefusals()
    {
        return protocolRefusals.get();
    }

    public long queueGroupHandedOver()
    {
        return queueGroupHandedOver.get();
    }

    public long queueGroupLost()
    {
        return queueGroupLost.get();
    }

    public long queueGroupForgotten()
    {
        return queueGroupForgotten.get();
    }

    public long expired()
    {
        return expired.get();
    }

    public long expiredUnsent()
    {
        return expiredUnsent.get();
    }

    public long queueGroupKeyHeld()
    {
        return queueGroupKeyHeld.get();
    }

    public long logPurgeHeld()
    {
        return logPurgeHeld.get();
    }

    void onExpired()
    {
        expired.incrementRelease();
    }

    void onExpiredUnsent()
    {
        expiredUnsent.incrementRelease();
    }

    void onQueueGroupKeyHeld()
    {
        queueGroupKeyHeld.incrementRelease();
    }

    void onLogPurgeHeld()
    {
        logPurgeHeld.incrementRelease();
    }

    void onQueueGroupHandedOver()
    {
        queueGroupHandedOver.incrementRelease();
    }

    void onQueueGroupLost()
    {
        queueGroupLost.incrementRelease();
    }

    void onQueueGroupForgotten()
    {
        queueGroupForgotten.incrementRelease();
    }

    public long errors(final ErrorCode code)
    {
        final Counter counter = errorsByCode[code.value()];
        return null == counter ? 0 : counter.get();
    }

    void onPublished()
    {
        published.incrementRelease();
    }

    void onDelivered()
    {
        delivered.incrementRelease();
    }

    void onDuplicate()
    {
        duplicatePublishes.incrementRelease();
    }

    void onEgressDropped()
    {
        egressDropped.incrementRelease();
    }

    void onReplayed()
    {
        replayed.incrementRelease();
    }

    void onApplied(final long logPosition)
    {
        appliedPosition.setRelease(logPosition);
    }

    void onHalted()
    {
        halted.setRelease(1);
    }

    void onSnapshotScheduled()
    {
        snapshotsScheduled.incrementRelease();
    }

    void onLogPurged(final long bytes)
    {
        logPurgedBytes.getAndAddRelease(bytes);
    }

    void onSnapshotDeleted()
    {
        snapshotsDeleted.incrementRelease();
    }

    void onProtocolRefusal()
    {
        protocolRefusals.incrementRelease();
    }

    void onError(final ErrorCode code)
    {
        final Counter counter = errorsByCode[code.value()];
        if (null != counter)
        {
            counter.incrementRelease();
        }
    }

    public void close()
    {
        CloseHelper.closeAll(published, delivered, duplicatePublishes, egressDropped, replayed, appliedPosition, halted);
        CloseHelper.closeAll(snapshotsScheduled, logPurgedBytes, snapshotsDeleted, protocolRefusals);
        CloseHelper.closeAll(queueGroupHandedOver, queueGroupLost, queueGroupForgotten);
        CloseHelper.closeAll(expired, expiredUnsent, queueGroupKeyHeld, logPurgeHeld);
        CloseHelper.closeAll(errorsByCode);
    }
}
