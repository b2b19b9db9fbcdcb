package io.junction.cluster;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.cluster.codecs.ClusterMembersExtendedResponseDecoder;
import io.aeron.cluster.codecs.MessageHeaderDecoder;
import io.aeron.cluster.service.ConsensusModuleProxy;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Asks this member's consensus module where the other members' logs have got to (Aeron's cluster members query,
 * as {@code ClusterTool list-members} asks it, on the service's own Aeron client): on the leader, each follower's
 * last appended log position and when it was heard. A follower's consensus module does not follow the others'
 * positions (it answers 0 or -1), so on a follower nothing is held back. Non-blocking: {@link #doWork} sends the query and polls for its
 * answer; the control subscription is open only while a query is out, so that it never holds back the consensus
 * module's control stream. Local housekeeping input, never replicated state.
 */
final class FollowerPositions implements AutoCloseable
{
    /** {@link #floor()} when no follower holds anything back. */
    static final long NONE = Long.MAX_VALUE;
    private static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final int FRAGMENT_LIMIT = 10;

    private final Aeron aeron;
    private final String controlChannel;
    private final int consensusModuleStreamId;
    private final int serviceStreamId;
    private final long followerTimeoutNs;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ClusterMembersExtendedResponseDecoder responseDecoder = new ClusterMembersExtendedResponseDecoder();
    private final FragmentHandler handler = new FragmentAssembler(this::onFragment);
    private Publication publication;
    private ConsensusModuleProxy proxy;
    private Subscription subscription;
    private long correlationId;
    private boolean sent;
    private long deadlineNs;
    private boolean answered;
    private long floor = NONE;
    private int leaderMemberId = -1;

    /**
     * @param followerTimeoutNs a follower not heard from for longer holds nothing back (it must be seeded).
     */
    FollowerPositions(
        final Aeron aeron,
        final String controlChannel,
        final int consensusModuleStreamId,
        final int serviceStreamId,
        final long followerTimeoutNs)
    {
        this.aeron = aeron;
        this.controlChannel = controlChannel;
        this.consensusModuleStreamId = consensusModuleStreamId;
        this.serviceStreamId = serviceStreamId;
        this.followerTimeoutNs = followerTimeoutNs;
    }

    /**
     * Send a query (or go on with the one out) and take its answer.
     *
     * @return true once answered: {@link #floor()} and {@link #leaderMemberId()} are its result.
     */
    boolean doWork(final long nowNs)
    {
        if (answered)
        {
            return true;
        }
        if (null == subscription)
        {
            subscription = aeron.addSubscription(controlChannel, serviceStreamId);
            publication = aeron.addPublication(controlChannel, consensusModuleStreamId);
            proxy = new ConsensusModuleProxy(publication);
            correlationId = aeron.nextCorrelationId();
            sent = false;
            deadlineNs = nowNs + ANSWER_TIMEOUT_NS;
        }
        if (!sent && subscription.isConnected() && publication.isConnected())
        {
            sent = proxy.clusterMembersQuery(correlationId);
        }
        if (sent)
        {
            subscription.poll(handler, FRAGMENT_LIMIT);
        }
        if (answered || nowNs - deadlineNs > 0)
        {
            closeQuery(); // answered, or asked again on the next call
        }
        return answered;
    }

    /**
     * Ask again on the next {@link #doWork}.
     */
    void reset()
    {
        answered = false;
        floor = NONE;
        leaderMemberId = -1;
    }

    /**
     * @return on the leader, the lowest log position of a follower heard from within the timeout; {@link #NONE} if
     * none, or if the answer came from a follower.
     */
    long floor()
    {
        return floor;
    }

    /**
     * @return the leader the answering consensus module knows.
     */
    int leaderMemberId()
    {
        return leaderMemberId;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final io.aeron.logbuffer.Header header)
    {
        headerDecoder.wrap(buffer, offset);
        if (ClusterMembersExtendedResponseDecoder.TEMPLATE_ID != headerDecoder.templateId() ||
            MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId())
        {
            return; // the service's own control messages go by on this stream too
        }
        responseDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        if (responseDecoder.correlationId() != correlationId)
        {
            return;
        }
        final long currentTimeNs = responseDecoder.currentTimeNs();
        final int leader = responseDecoder.leaderMemberId();
        final int self = responseDecoder.memberId();
        long lowest = NONE;
        for (final ClusterMembersExtendedResponseDecoder.ActiveMembersDecoder member : responseDecoder.activeMembers())
        {
            final long position = member.logPosition();
            final long heardNs = member.timeOfLastAppendNs();
            final boolean follower = member.memberId() != self && self == leader;
            if (follower && position >= 0 && currentTimeNs - heardNs <= followerTimeoutNs)
            {
                lowest = Math.min(lowest, position);
            }
            member.skipIngressEndpoint();
            member.skipConsensusEndpoint();
            member.skipLogEndpoint();
            member.skipCatchupEndpoint();
            member.skipArchiveEndpoint();
        }
        floor = lowest;
        leaderMemberId = leader;
        answered = true;
    }

    private void closeQuery()
    {
        CloseHelper.closeAll(proxy, subscription);
        proxy = null;
        publication = null;
        subscription = null;
    }

    public void close()
    {
        closeQuery();
    }
}
