package io.junction.perf.cluster;

import io.aeron.cluster.ElectionState;
import io.junction.cluster.ClusterNode;

/**
 * Where the time of one failover goes, from the leader's stop: the survivors notice (an election starts: the
 * leader heartbeat timeout, or the end of the leader's log), canvass and nominate (the election timeout), a new
 * leader is ready, the client hears of it, and the first delivery arrives after that. Times in ns, 0 until seen.
 */
public final class FailoverTimeline
{
    private long stopNs;
    private long electionNs;
    private long nominateNs;
    private long leaderReadyNs;
    private long newLeaderEventNs;
    private long publisherNewLeaderEventNs;
    private long firstDeliveryNs;
    private final StringBuilder states = new StringBuilder();
    private final ElectionState[] lastState = new ElectionState[8];

    void onStop(final long nowNs)
    {
        stopNs = nowNs;
    }

    /**
     * Look at the survivors' election state (members in this JVM).
     */
    void watch(final ClusterNode[] nodes, final int stopped, final long nowNs)
    {
        for (final ClusterNode node : nodes)
        {
            if (node.memberId() == stopped || node.isStopped())
            {
                continue;
            }
            final ElectionState state = node.electionState();
            final int id = node.memberId();
            if (id < lastState.length && state != lastState[id])
            {
                if (null != lastState[id])
                {
                    states.append(String.format(" %d:%s@%.0f", id, state, (nowNs - stopNs) / 1e6));
                }
                lastState[id] = state;
            }
            if (0 == electionNs && ElectionState.CLOSED != state)
            {
                electionNs = nowNs;
            }
            if (0 == nominateNs && 0 != electionNs && state.ordinal() >= ElectionState.NOMINATE.ordinal() &&
                ElectionState.CLOSED != state)
            {
                nominateNs = nowNs;
            }
            if (0 == leaderReadyNs && 0 != electionNs && ElectionState.CLOSED == state && node.isLeader())
            {
                leaderReadyNs = nowNs;
            }
        }
    }

    void onNewLeaderEvent(final long nowNs)
    {
        if (0 != stopNs && 0 == newLeaderEventNs)
        {
            newLeaderEventNs = nowNs;
        }
    }

    void onPublisherNewLeaderEvent(final long nowNs)
    {
        if (0 != stopNs && 0 == publisherNewLeaderEventNs)
        {
            publisherNewLeaderEventNs = nowNs;
        }
    }

    void onDelivery(final long nowNs)
    {
        if (0 != newLeaderEventNs && 0 == firstDeliveryNs)
        {
            firstDeliveryNs = nowNs;
        }
    }

    boolean isComplete()
    {
        return 0 != firstDeliveryNs;
    }

    /** ms from the stop to the survivors' election starting (NaN if not seen). */
    public double electionMs()
    {
        return ms(electionNs);
    }

    /** ms from the stop to a candidate nominating itself (the end of the canvass). */
    public double nominateMs()
    {
        return ms(nominateNs);
    }

    /** ms from the stop to the new leader's election closing. */
    public double leaderReadyMs()
    {
        return ms(leaderReadyNs);
    }

    /** ms from the stop to the client's new-leader event. */
    public double newLeaderEventMs()
    {
        return ms(newLeaderEventNs);
    }

    /** ms from the stop to the publishing client's new-leader event. */
    public double publisherNewLeaderEventMs()
    {
        return ms(publisherNewLeaderEventNs);
    }

    /** ms from the stop to the first delivery after the new-leader event. */
    public double firstDeliveryMs()
    {
        return ms(firstDeliveryNs);
    }

    private double ms(final long ns)
    {
        return 0 == ns ? Double.NaN : (ns - stopNs) / 1e6;
    }

    @Override
    public String toString()
    {
        return String.format("election starts %.0f ms, nominate %.0f ms, leader ready %.0f ms, subscriber's " +
            "new-leader event %.0f ms, publisher's %.0f ms, first delivery %.0f ms", electionMs(), nominateMs(),
            leaderReadyMs(), newLeaderEventMs(), publisherNewLeaderEventMs(), firstDeliveryMs()) +
            " (election states, member:state@ms:" + states + ")";
    }
}
