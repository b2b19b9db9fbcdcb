package io.junction.cluster;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.logbuffer.BufferClaim;
import io.junction.cluster.codecs.BooleanType;
import io.junction.cluster.codecs.DeliverEncoder;
import io.junction.cluster.codecs.ErrorCode;
import io.junction.cluster.codecs.ErrorEncoder;
import io.junction.cluster.codecs.MessageHeaderEncoder;
import io.junction.cluster.codecs.PriorityCode;
import io.junction.cluster.codecs.PublishAckEncoder;
import io.junction.cluster.codecs.SubscribeAckEncoder;
import io.junction.cluster.codecs.UnsubscribeAckEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Replies and deliveries on a client's egress, from the leader only: egress is output, not replicated state, so a
 * follower encodes nothing. A frame that fits {@link #MAX_CLAIM_LENGTH} is encoded in place with
 * {@link ClientSession#tryClaim}; a longer one (a large delivery) is encoded in a buffer and offered. Waits only
 * briefly for back pressure: the service thread is the whole cluster's, and a subscriber that falls behind sees
 * a gap in its delivery count and asks for a resend from the journal.
 */
final class EgressPublisher
{
    /**
     * Below the largest claim of any egress publication with the default MTU (1408 bytes less the frame and
     * session headers).
     */
    static final int MAX_CLAIM_LENGTH = 1024;
    private static final int ATTEMPTS = 3;
    private static final int MAX_REASON_LENGTH = 512;

    private final Cluster cluster;
    private final ServiceCounters counters;
    private final IdleStrategy idleStrategy;
    private final BufferClaim claim = new BufferClaim();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PublishAckEncoder publishAckEncoder = new PublishAckEncoder();
    private final SubscribeAckEncoder subscribeAckEncoder = new SubscribeAckEncoder();
    private final UnsubscribeAckEncoder unsubscribeAckEncoder = new UnsubscribeAckEncoder();
    private final DeliverEncoder deliverEncoder = new DeliverEncoder();
    private final ErrorEncoder errorEncoder = new ErrorEncoder();

    EgressPublisher(final Cluster cluster, final ServiceCounters counters)
    {
        this.cluster = cluster;
        this.counters = counters;
        this.idleStrategy = cluster.idleStrategy();
    }

    boolean isLeader()
    {
        return cluster.role() == Cluster.Role.LEADER;
    }

    void publishAck(
        final ClientSession session,
        final long publisherId,
        final long publisherSequence,
        final long sequence,
        final boolean duplicate)
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + PublishAckEncoder.BLOCK_LENGTH;
        if (isLeader() && claim(session, length))
        {
            publishAckEncoder.wrapAndApplyHeader(claim.buffer(), claimOffset(), headerEncoder)
                .publisherId(publisherId)
                .publisherSequence(publisherSequence)
                .sequence(sequence)
                .duplicate(duplicate ? BooleanType.TRUE : BooleanType.FALSE);
            claim.commit();
        }
    }

    void subscribeAck(
        final ClientSession session, final long correlationId, final long subscriptionId, final long startSequence)
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + SubscribeAckEncoder.BLOCK_LENGTH;
        if (isLeader() && claim(session, length))
        {
            subscribeAckEncoder.wrapAndApplyHeader(claim.buffer(), claimOffset(), headerEncoder)
                .correlationId(correlationId)
                .subscriptionId(subscriptionId)
                .sequence(startSequence);
            claim.commit();
        }
    }

    void unsubscribeAck(final ClientSession session, final long correlationId, final long subscriptionId)
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + UnsubscribeAckEncoder.BLOCK_LENGTH;
        if (isLeader() && claim(session, length))
        {
            unsubscribeAckEncoder.wrapAndApplyHeader(claim.buffer(), claimOffset(), headerEncoder)
                .correlationId(correlationId)
                .subscriptionId(subscriptionId);
            claim.commit();
        }
    }

    /**
     * @return true if it was sent (or this member is not the leader), false if the subscriber's egress refused it.
     */
    boolean deliver(
        final ClientSession session,
        final long subscriptionId,
        final long count,
        final long sequence,
        final long timestamp,
        final int priorityCode,
        final String topic,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        if (!isLeader())
        {
            return true;
        }
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + DeliverEncoder.BLOCK_LENGTH +
            DeliverEncoder.topicHeaderLength() + topic.length() + DeliverEncoder.payloadHeaderLength() + payloadLength;
        boolean claimed = false;
        if (length <= MAX_CLAIM_LENGTH)
        {
            try
            {
                if (!claim(session, length))
                {
                    return false;
                }
                claimed = true;
            }
            catch (final IllegalArgumentException ex)
            {
                // The subscriber chose an egress MTU below MAX_CLAIM_LENGTH: offer, which fragments.
            }
        }
        final MutableDirectBuffer target = claimed ? claim.buffer() : buffer;
        deliverEncoder.wrapAndApplyHeader(target, claimed ? claimOffset() : 0, headerEncoder)
            .subscriptionId(subscriptionId)
            .count(count)
            .sequence(sequence)
            .timestamp(timestamp)
            .priority(PriorityCode.get((short)priorityCode))
            .topic(topic)
            .putPayload(payload, payloadOffset, payloadLength);
        if (claimed)
        {
            claim.commit();
            return true;
        }
        return offer(session, length);
    }

    void error(
        final ClientSession session,
        final long correlationId,
        final int requestTemplateId,
        final ErrorCode code,
        final String reason)
    {
        if (!isLeader())
        {
            return;
        }
        errorEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .requestTemplateId(requestTemplateId)
            .code(code)
            .reason(reason.length() > MAX_REASON_LENGTH ? reason.substring(0, MAX_REASON_LENGTH) : reason);
        offer(session, MessageHeaderEncoder.ENCODED_LENGTH + errorEncoder.encodedLength());
    }

    /**
     * Send a frame encoded elsewhere (a Junction protocol frame), from the leader only.
     *
     * @return true if it was sent (or this member is not the leader), false if the client's egress refused it.
     */
    boolean send(final ClientSession session, final DirectBuffer frame, final int offset, final int length)
    {
        if (!isLeader())
        {
            return true;
        }
        for (int i = 0; i < ATTEMPTS; i++)
        {
            final long result = session.offer(frame, offset, length);
            if (result > 0)
            {
                return true;
            }
            if (isFinal(result))
            {
                break;
            }
            idleStrategy.idle();
        }
        counters.onEgressDropped();
        return false;
    }

    private int claimOffset()
    {
        return claim.offset() + AeronCluster.SESSION_HEADER_LENGTH;
    }

    private boolean claim(final ClientSession session, final int length)
    {
        for (int i = 0; i < ATTEMPTS; i++)
        {
            final long result = session.tryClaim(length, claim);
            if (result > 0)
            {
                return true;
            }
            if (isFinal(result))
            {
                break;
            }
            idleStrategy.idle();
        }
        counters.onEgressDropped();
        return false;
    }

    private boolean offer(final ClientSession session, final int length)
    {
        for (int i = 0; i < ATTEMPTS; i++)
        {
            final long result = session.offer(buffer, 0, length);
            if (result > 0)
            {
                return true;
            }
            if (isFinal(result))
            {
                break;
            }
            idleStrategy.idle();
        }
        counters.onEgressDropped();
        return false;
    }

    private static boolean isFinal(final long result)
    {
        return result == Publication.NOT_CONNECTED || result == Publication.CLOSED ||
            result == Publication.MAX_POSITION_EXCEEDED;
    }
}
