package io.junction.cluster;

import io.aeron.Image;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.junction.QueueGroupDiscipline;
import io.junction.cluster.snapshot.codecs.SnapshotAssignedDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotDurablePositionDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotGroupMemberDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotQueueGroupDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotEndDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotHeaderDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotProtocolSessionDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotPublisherDecoder;
import io.junction.cluster.snapshot.codecs.SnapshotSubscriptionDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Reads the frames {@link SnapshotTaker} wrote back into a {@link SwitchStateMachine}'s replicated state, to the
 * end frame (whose last sequence must match the header's), then has it make its routes. A corrupt or cut-short
 * snapshot stops the member with a reason rather than start it with partial state.
 */
final class SnapshotLoader implements FragmentHandler
{
    private final SwitchStateMachine state;
    private final SnapshotHeaderDecoder headerDecoder = new SnapshotHeaderDecoder();
    private final SnapshotPublisherDecoder publisherDecoder = new SnapshotPublisherDecoder();
    private final SnapshotSubscriptionDecoder subscriptionDecoder = new SnapshotSubscriptionDecoder();
    private final SnapshotDurablePositionDecoder durableDecoder = new SnapshotDurablePositionDecoder();
    private final SnapshotEndDecoder endDecoder = new SnapshotEndDecoder();
    private final SnapshotProtocolSessionDecoder sessionDecoder = new SnapshotProtocolSessionDecoder();
    private final SnapshotGroupMemberDecoder groupMemberDecoder = new SnapshotGroupMemberDecoder();
    private final SnapshotAssignedDecoder assignedDecoder = new SnapshotAssignedDecoder();
    private final SnapshotQueueGroupDecoder queueGroupDecoder = new SnapshotQueueGroupDecoder();
    private final int queueGroupWindow;
    private boolean done;

    SnapshotLoader(final SwitchStateMachine state, final int queueGroupWindow)
    {
        this.state = state;
        this.queueGroupWindow = queueGroupWindow;
    }

    void load(final Image image, final IdleStrategy idleStrategy)
    {
        while (!done)
        {
            final int fragments = image.poll(this, 64);
            if (0 == fragments)
            {
                if (image.isEndOfStream() && !done)
                {
                    throw new IllegalStateException("snapshot ended before SnapshotEnd");
                }
                idleStrategy.idle();
            }
        }
        state.onSnapshotLoaded();
    }

    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int templateId = SnapshotFrames.check(buffer, offset, length, Integer.MAX_VALUE);
        if (templateId < 0)
        {
            throw new IllegalStateException("corrupt snapshot frame: " + SnapshotFrames.errorCode(-templateId));
        }
        final int body = offset + SnapshotFrames.HEADER_LENGTH;
        final int blockLength = SnapshotFrames.blockLength(buffer, offset);
        final int version = SnapshotFrames.version(buffer, offset);
        switch (templateId)
        {
            case SnapshotHeaderDecoder.TEMPLATE_ID:
                headerDecoder.wrap(buffer, body, blockLength, version);
                state.lastSequence = headerDecoder.lastSequence();
                state.nextSubscriptionId = headerDecoder.nextSubscriptionId();
                if (version >= SnapshotHeaderDecoder.leaderMemberIdSinceVersion())
                {
                    state.leadershipTermId = headerDecoder.leadershipTermId();
                    state.leaderMemberId = headerDecoder.leaderMemberId();
                }
                break;

            case SnapshotPublisherDecoder.TEMPLATE_ID:
                publisherDecoder.wrap(buffer, body, blockLength, version);
                state.lastSequenceByPublisher.put(publisherDecoder.publisherId(), publisherDecoder.lastPublisherSequence());
                break;

            case SnapshotSubscriptionDecoder.TEMPLATE_ID:
            {
                subscriptionDecoder.wrap(buffer, body, blockLength, version);
                final long subscriptionId = subscriptionDecoder.subscriptionId();
                final long sessionId = subscriptionDecoder.sessionId();
                final long correlationId = subscriptionDecoder.correlationId();
                final long count = subscriptionDecoder.count();
                final long last = subscriptionDecoder.lastSequence();
                final long start = subscriptionDecoder.startSequence();
                final ClusterSubscription subscription = new ClusterSubscription(
                    subscriptionId, sessionId, correlationId, subscriptionDecoder.pattern(),
                    subscriptionDecoder.durableName());
                subscription.count = count;
                subscription.lastSequence = last;
                subscription.startSequence = start;
                subscription.sentUpTo = last; // Output only: what the leader of the time sent, or will re-send.
                state.subscriptionsById.put(subscriptionId, subscription);
                break;
            }

            case SnapshotDurablePositionDecoder.TEMPLATE_ID:
            {
                durableDecoder.wrap(buffer, body, blockLength, version);
                final long sequence = durableDecoder.sequence();
                state.durablePositions.put(durableDecoder.name(), sequence);
                break;
            }

            case SnapshotProtocolSessionDecoder.TEMPLATE_ID:
            {
                sessionDecoder.wrap(buffer, body, blockLength, version);
                final long sessionId = sessionDecoder.sessionId();
                final long publisherId = sessionDecoder.publisherId();
                final String publisher = sessionDecoder.publisherName();
                final int slash = publisher.lastIndexOf('/');
                state.protocolSessions.put(sessionId, new ProtocolSession(sessionId, publisherId, publisher,
                    slash < 0 ? "" : publisher.substring(0, slash)));
                break;
            }

            case SnapshotGroupMemberDecoder.TEMPLATE_ID:
            {
                groupMemberDecoder.wrap(buffer, body, blockLength, version);
                final ClusterSubscription subscription = loaded(groupMemberDecoder.subscriptionId());
                final QueueGroupDiscipline discipline = discipline(groupMemberDecoder.discipline());
                subscription.joinGroup(groupMemberDecoder.queueGroup(), discipline, queueGroupWindow);
                break;
            }

            case SnapshotAssignedDecoder.TEMPLATE_ID:
            {
                assignedDecoder.wrap(buffer, body, blockLength, version);
                final ClusterSubscription subscription = loaded(assignedDecoder.subscriptionId());
                if (!subscription.isGroupMember())
                {
                    throw new IllegalStateException("snapshot assignment for subscription " +
                        subscription.subscriptionId + ", which is in no queue group");
                }
                subscription.assigned.add(assignedDecoder.sequence(), assignedDecoder.key());
                break;
            }

            case SnapshotQueueGroupDecoder.TEMPLATE_ID:
            {
                queueGroupDecoder.wrap(buffer, body, blockLength, version);
                final int cursor = queueGroupDecoder.cursor();
                final QueueGroupDiscipline discipline = discipline(queueGroupDecoder.discipline());
                final ClusterQueueGroup group = new ClusterQueueGroup(queueGroupDecoder.pattern(),
                    queueGroupDecoder.name(), discipline);
                group.cursor = cursor;
                state.queueGroups.put(group.key(), group);
                break;
            }

            case SnapshotEndDecoder.TEMPLATE_ID:
                endDecoder.wrap(buffer, body, blockLength, version);
                if (endDecoder.lastSequence() != state.lastSequence)
                {
                    throw new IllegalStateException("snapshot end does not match its header");
                }
                done = true;
                break;

            default:
                throw new IllegalStateException("unexpected snapshot template " + templateId);
        }
    }

    private ClusterSubscription loaded(final long subscriptionId)
    {
        final ClusterSubscription subscription = state.subscriptionsById.get(subscriptionId);
        if (null == subscription)
        {
            throw new IllegalStateException("snapshot names subscription " + subscriptionId + " before writing it");
        }
        return subscription;
    }

    private static QueueGroupDiscipline discipline(final short ordinal)
    {
        if (ordinal < 0 || ordinal >= QueueGroupDiscipline.values().length)
        {
            throw new IllegalStateException("snapshot queue group discipline " + ordinal + " is unknown");
        }
        return QueueGroupDiscipline.values()[ordinal];
    }
}
