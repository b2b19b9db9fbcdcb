package io.junction;

import java.util.EnumMap;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * The switch's counters, allocated in the {@link CountersManager} of its context so that another
 * process can read them. Type ids are stable: tools select counters by them.
 */
public final class SwitchCounters implements AutoCloseable
{
    public static final int SHARD_DISPATCHED_TYPE_ID = 1001;
    public static final int SHARD_BACK_PRESSURED_TYPE_ID = 1002;
    public static final int SHARD_STALLS_TYPE_ID = 1003;
    public static final int SHARD_JOURNALED_TYPE_ID = 1004;
    public static final int SHARD_JOURNAL_FAILED_TYPE_ID = 1005;
    public static final int SHARD_JOURNAL_REFUSED_TYPE_ID = 1006;
    public static final int OFFER_REJECTED_TYPE_ID = 1010;
    public static final int SUBSCRIBE_REJECTED_TYPE_ID = 1011;
    public static final int SUBSCRIPTIONS_ACTIVE_TYPE_ID = 1012;
    public static final int SUBSCRIPTION_DELIVERED_TYPE_ID = 1020;
    public static final int SUBSCRIPTION_DROPPED_TYPE_ID = 1021;
    public static final int SUBSCRIPTION_FAULTS_TYPE_ID = 1022;
    public static final int SUBSCRIPTION_RESTARTS_TYPE_ID = 1023;
    public static final int SUBSCRIPTIONS_TERMINATED_TYPE_ID = 1024;
    public static final int ERRORS_TYPE_ID = 1030;
    public static final int OFFER_SHED_TYPE_ID = 1040;
    public static final int SHARD_QUEUE_DELAY_TYPE_ID = 1041;
    public static final int SHARD_SHED_LEVEL_TYPE_ID = 1042;
    public static final int OFFER_BACK_PRESSURED_TYPE_ID = 1043;
    /** Messages dropped at subscribers' outboxes by their slow-subscriber policy, one counter per class. */
    public static final int SUBSCRIBER_DROPPED_TYPE_ID = 1044;
    /** Shared delivery agents retired because a handler blocked a turn longer than deliveryStallTimeoutNs. */
    public static final int DELIVERY_STALLS_TYPE_ID = 1045;
    /** Messages moved from a queue-group member that left to the members that remain. */
    public static final int QUEUE_GROUP_MOVED_TYPE_ID = 1046;
    /** Messages of a queue-group member that left which the member that was to take them dropped (its policy). */
    public static final int QUEUE_GROUP_DROPPED_ON_MOVE_TYPE_ID = 1049;
    /** Times a shard held a full outbox of a dropping (or DISCONNECT) subscriber for its drop grace. */
    public static final int SHARD_DROP_GRACE_WAITS_TYPE_ID = 1053;
    /** Drop graces that ran out with the outbox still full: the policy applied (a drop, or the disconnect). */
    public static final int SHARD_DROP_GRACE_EXPIRED_TYPE_ID = 1054;
    /** Subscribes refused because a shard had routeCommandQueueCapacity route additions not yet applied. */
    public static final int SHARD_ROUTE_ADDITIONS_REFUSED_TYPE_ID = 1055;

    private final CountersManager countersManager;
    private final EnumMap<RejectReason, AtomicCounter> offerRejected = new EnumMap<>(RejectReason.class);
    private final AtomicCounter[] offerRejectedByOrdinal;
    private final AtomicCounter subscribeRejected;
    private final AtomicCounter subscriptionsActive;
    private final AtomicCounter subscriptionsTerminated;
    private final AtomicCounter errors;
    private final AtomicCounter[] subscriberDropped;
    private final AtomicCounter queueGroupMoved;
    private final AtomicCounter queueGroupDroppedOnMove;

    SwitchCounters(final CountersManager countersManager)
    {
        this.countersManager = countersManager;
        final RejectReason[] reasons = RejectReason.values();
        offerRejectedByOrdinal = new AtomicCounter[reasons.length];
        for (final RejectReason reason : reasons)
        {
            final AtomicCounter counter = countersManager.newCounter(
                "offer rejected: " + reason.name(), OFFER_REJECTED_TYPE_ID);
            offerRejected.put(reason, counter);
            offerRejectedByOrdinal[reason.ordinal()] = counter;
        }
        subscribeRejected = countersManager.newCounter("subscribe rejected", SUBSCRIBE_REJECTED_TYPE_ID);
        subscriptionsActive = countersManager.newCounter("subscriptions active", SUBSCRIPTIONS_ACTIVE_TYPE_ID);
        subscriptionsTerminated = countersManager.newCounter(
            "subscriptions terminated", SUBSCRIPTIONS_TERMINATED_TYPE_ID);
        errors = countersManager.newCounter("errors", ERRORS_TYPE_ID);
        queueGroupMoved = countersManager.newCounter("queue group moved", QUEUE_GROUP_MOVED_TYPE_ID);
        queueGroupDroppedOnMove = countersManager.newCounter("queue group dropped on move",
            QUEUE_GROUP_DROPPED_ON_MOVE_TYPE_ID);
        final Priority[] classes = Priority.values();
        subscriberDropped = new AtomicCounter[classes.length];
        for (final Priority priority : classes)
        {
            subscriberDropped[priority.ordinal()] = countersManager.newCounter(
                "subscriber dropped: " + priority.name(), SUBSCRIBER_DROPPED_TYPE_ID);
        }
    }

    AtomicCounter queueGroupMoved()
    {
        return queueGroupMoved;
    }

    AtomicCounter queueGroupDroppedOnMove()
    {
        return queueGroupDroppedOnMove;
    }

    /**
     * @return messages of queue-group members that left which the members that were to take them dropped (their
     * slow-subscriber policy; also counted per class as subscriber drops).
     */
    public long queueGroupDroppedOnMoveCount()
    {
        return queueGroupDroppedOnMove.get();
    }

    /**
     * @return messages moved from queue-group members that left to the members that remained.
     */
    public long queueGroupMovedCount()
    {
        return queueGroupMoved.get();
    }

    void onSubscriberDropped(final Priority priority)
    {
        subscriberDropped[priority.ordinal()].increment();
    }

    /**
     * @return messages of this class dropped at subscribers' outboxes, across all subscriptions.
     */
    public long subscriberDropped(final Priority priority)
    {
        return subscriberDropped[priority.ordinal()].get();
    }

    CountersManager countersManager()
    {
        return countersManager;
    }

    AtomicCounter newCounter(final String label, final int typeId)
    {
        return countersManager.newCounter(label, typeId);
    }

    void onOfferRejected(final RejectReason reason)
    {
        offerRejectedByOrdinal[reason.ordinal()].increment();
    }

    public long offerRejected(final RejectReason reason)
    {
        return offerRejected.get(reason).get();
    }

    AtomicCounter subscribeRejected()
    {
        return subscribeRejected;
    }

    public long subscribeRejectedCount()
    {
        return subscribeRejected.get();
    }

    AtomicCounter subscriptionsActive()
    {
        return subscriptionsActive;
    }

    AtomicCounter subscriptionsTerminated()
    {
        return subscriptionsTerminated;
    }

    AtomicCounter errors()
    {
        return errors;
    }

    public long errorCount()
    {
        return errors.get();
    }

    @Override
    public void close()
    {
        offerRejected.values().forEach(AtomicCounter::close);
        subscribeRejected.close();
        subscriptionsActive.close();
        subscriptionsTerminated.close();
        errors.close();
        queueGroupMoved.close();
        for (final AtomicCounter counter : subscriberDropped)
        {
            counter.close();
        }
    }
}
