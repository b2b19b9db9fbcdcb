package io.junction.cluster;

import io.aeron.cluster.service.Cluster;

import java.io.PrintStream;

/**
 * Tells an operator who leads: one line each time a member's role, leadership term or known leader changes, read
 * from the consensus module's counters by {@link #poll()} (off the hot path, from a watcher or an observer thread).
 * A member cut off in a minority shows as CANDIDATE with leader -1, which the service's own events never show.
 */
public final class RoleLog
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("junction.cluster");

    private final ClusterNode node;
    private final PrintStream out;
    private Cluster.Role role;
    private int leader = Integer.MIN_VALUE;
    private long termId = Long.MIN_VALUE;

    /**
     * Lines to the {@code junction.cluster} logger (SLF4J), timestamped by the logging backend.
     */
    public RoleLog(final ClusterNode node)
    {
        this(node, null);
    }

    /**
     * @param out where the lines go, or null for the {@code junction.cluster} logger.
     */
    public RoleLog(final ClusterNode node, final PrintStream out)
    {
        this.node = node;
        this.out = out;
    }

    /**
     * @return true if something changed (and a line was printed).
     */
    public boolean poll()
    {
        final Cluster.Role nowRole = node.role();
        final int nowLeader = node.leaderMemberId();
        final long nowTermId = node.leadershipTermId();
        if (nowRole == role && nowLeader == leader && nowTermId == termId)
        {
            return false;
        }
        role = nowRole;
        leader = nowLeader;
        termId = nowTermId;
        final String line = line(node.memberId(), nowRole, nowTermId, nowLeader, node.commitPosition());
        if (null == out)
        {
            LOG.info(line);
        }
        else
        {
            out.println(line);
            out.flush();
        }
        return true;
    }

    static String line(final int memberId, final Cluster.Role role, final long termId, final int leader,
        final long commitPosition)
    {
        return "junction cluster member " + memberId + ": role " + role + ", term " + termId + ", leader " +
            (leader < 0 ? "none" : Integer.toString(leader)) + ", commit position " + commitPosition;
    }
}
