package io.junction.cluster;

import io.aeron.ExclusivePublication;
import io.junction.cluster.snapshot.codecs.MessageHeaderEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotAssignedEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotDurablePositionEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotGroupMemberEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotQueueGroupEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotEndEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotHeaderEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotProtocolSessionEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotPublisherEncoder;
import io.junction.cluster.snapshot.codecs.SnapshotSubscriptionEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Writes the replicated state of a {@link SwitchStateMachine} as snapshot frames: a header, each publisher's last
 * sequence, each subscription, each queue-group member with its unconfirmed assignments, each queue group's turn,
 * each durable position, an end. Each offer is retried until it goes: a snapshot must
 * be complete.
 */
final class SnapshotTaker
{
    private final ExclusivePublication publication;
    private final IdleStrategy idleStrategy;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SnapshotHeaderEncoder headerBodyEncoder = new SnapshotHeaderEncoder();
    private final SnapshotPublisherEncoder publisherEncoder = new SnapshotPublisherEncoder();
    private final SnapshotSubscriptionEncoder subscriptionEncoder = new SnapshotSubscriptionEncoder();
    private final SnapshotDurablePositionEncoder durableEncoder = new SnapshotDurablePositionEncoder();
    private final SnapshotEndEncoder endEncoder = new SnapshotEndEncoder();
    private final SnapshotProtocolSessionEncoder sessionEncoder = new SnapshotProtocolSessionEncoder();
    private final SnapshotGroupMemberEncoder groupMemberEncoder = new SnapshotGroupMemberEncoder();
    private final SnapshotAssignedEncoder assignedEncoder = new SnapshotAssignedEncoder();
    private final SnapshotQueueGroupEncoder queueGroupEncoder = new SnapshotQueueGroupEncoder();

    SnapshotTaker(final ExclusivePublication publication, final IdleStrategy idleStrategy)
    {
        this.publication = publication;
        this.idleStrategy = idleStrategy;
    }

    /**
     * Write the state in key order (publisher id, subscription id, durable name), not the maps' iteration order: that
     * depends on the history of a map (a member restored from a snapshot holds the same entries in another order),
     * and the snapshot must be the same bytes on every member.
     */
    void take(final SwitchStateMachine state)
    {
        header(state);

        final long[] publisherIds = new long[state.lastSequenceByPublisher.size()];
        final Long2LongHashMap.KeyIterator publishers = state.lastSequenceByPublisher.keySet().iterator();
        for (int i = 0; i < publisherIds.length; i++)
        {
            publisherIds[i] = publishers.nextValue();
        }
        Arrays.sort(publisherIds);
        for (final long publisherId : publisherIds)
        {
            publisher(publisherId, state.lastSequenceByPublisher.get(publisherId));
        }

        final List<ClusterSubscription> subscriptions = new ArrayList<>(state.subscriptionsById.values());
        subscriptions.sort(Comparator.comparingLong((ClusterSubscription subscription) -> subscription.subscriptionId));
        for (final ClusterSubscription subscription : subscriptions)
        {
            subscription(subscription);
        }
        for (final ClusterSubscription subscription : subscriptions)
        {
            if (subscription.isGroupMember())
            {
                groupMember(subscription);
            }
        }
        final List<String> groupKeys = new ArrayList<>(state.queueGroups.keySet());
        Collections.sort(groupKeys);
        for (final String key : groupKeys)
        {
            queueGroup(state.queueGroups.get(key));
        }

        final List<String> names = new ArrayList<>(state.durablePositions.keySet());
        Collections.sort(names);
        for (final String name : names)
        {
            durablePosition(name, state.durablePositions.getValue(name));
        }

        final long[] sessionIds = new long[state.protocolSessions.size()];
        final org.agrona.collections.Long2ObjectHashMap<ProtocolSession>.KeyIterator sessions =
            state.protocolSessions.keySet().iterator();
        for (int i = 0; i < sessionIds.length; i++)
        {
            sessionIds[i] = sessions.nextLong();
        }
        Arrays.sort(sessionIds);
        for (final long sessionId : sessionIds)
        {
            protocolSession(state.protocolSessions.get(sessionId));
        }
        end(state.lastSequence);
    }

    private void protocolSession(final ProtocolSession session)
    {
        sessionEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(session.sessionId)
            .publisherId(session.publisherId)
            .publisherName(session.publisher);
        offer(MessageHeaderEncoder.ENCODED_LENGTH + sessionEncoder.encodedLength());
    }

    private void header(final SwitchStateMachine state)
    {
        headerBodyEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .lastSequence(state.lastSequence)
            .nextSubscriptionId(state.nextSubscriptionId)
            .leadershipTermId(state.leadershipTermId)
            .leaderMemberId(state.leaderMemberId);
        offer(MessageHeaderEncoder.ENCODED_LENGTH + headerBodyEncoder.encodedLength());
    }

    private void publisher(final long publisherId, final long lastPublisherSequence)
    {
        publisherEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .publisherId(publisherId)
            .lastPublisherSequence(lastPublisherSequence);
        offer(MessageHeaderEncoder.ENCODED_LENGTH + publisherEncoder.encodedLength());
    }

    private void subscription(final ClusterSubscription subscription)
    {
        subscriptionEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .subscriptionId(subscription.subscriptionId)
            .sessionId(subscription.sessionId)
            .correlationId(subscription.correlationId)
            .count(subscription.count)
            .lastSequence(subscription.lastSequence)
            .startSequence(subscription.startSequence)
            .pattern(subscription.pattern)
            .durableName(subscription.durableName);
        offer(MessageHeaderEncoder.ENCODED_LENGTH + subscriptionEncoder.encodedLength());
    }

    private void groupMember(final ClusterSubscription subscription)
    {
        groupMemberEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .subscriptionId(subscription.subscriptionId)
            .discipline((short)subscription.discipline.ordinal())
            .queueGroup(subscription.queueGroup);
        offer(MessageHeaderEncoder.ENCODED_LENGTH + groupMemberEncoder.encodedLength());
        final AssignedWindow assigned = subscription.assigned;
        for (int i = 0; i < assigned.size(); i++)
        {
            assignedEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .subscriptionId(subscription.subscriptionId)
                .sequence(assigned.sequence(i))
                .key(assigned.key(i));
            offer(MessageHeaderEncoder.ENCODED_LENGTH + assignedEncoder.encodedLength());
        }
    }

    private void queueGroup(final ClusterQueueGroup group)
    {
        queueGroupEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .cursor(group.cursor)
            .discipline((short)group.discipline.ordinal())
            .pattern(group.pattern)
            .name(group.name);
        offer(MessageHeaderEncoder.ENCODED_LENGTH + queueGroupEncoder.encodedLength());
    }

    private void durablePosition(final String name, final long sequence)
    {
        durableEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sequence(sequence)
            .name(name);
        offer(MessageHeaderEncoder.ENCODED_LENGTH + durableEncoder.encodedLength());
    }

    private void end(final long lastSequence)
    {
        endEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).lastSequence(lastSequence);
        offer(MessageHeaderEncoder.ENCODED_LENGTH + endEncoder.encodedLength());
    }

    private void offer(final int length)
    {
        idleStrategy.reset();
        while (true)
        {
            final long result = publication.offer(buffer, 0, length);
            if (result > 0)
            {
                return;
            }
            if (result == ExclusivePublication.CLOSED || result == ExclusivePublication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("snapshot publication failed: " + result);
            }
            idleStrategy.idle();
        }
    }
}
