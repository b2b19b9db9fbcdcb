package io.junction.cluster;

import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Frames on a client's egress (encoded by {@link ProtocolEgress}), from the leader only: egress is output, not
 * replicated state, so a follower sends nothing. Waits only briefly for back pressure: the service thread is the
 * whole cluster's, and a subscriber that falls behind is caught up from the journal later
 * ({@link SwitchStateMachine#catchUp}).
 */
final class EgressPublisher
{
    private static final int ATTEMPTS = 3;

    private final Cluster cluster;
    private final ServiceCounters counters;
    private final IdleStrategy idleStrategy;

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

    /**
     * Send a frame, from the leader only.
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

    private static boolean isFinal(final long result)
    {
        return result == Publication.NOT_CONNECTED || result == Publication.CLOSED ||
            result == Publication.MAX_POSITION_EXCEEDED;
    }
}
