package io.junction.tools;

import java.io.File;
import java.io.IOException;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import io.junction.cluster.ClusterNode;
import io.junction.cluster.MemberPorts;
import io.junction.cluster.RoleLog;

/**
 * The daemon's member of an Aeron Cluster running the clustered switch ({@link ClusterNode}), and its status in the
 * daemon's counters file: role, leader, elections, commit position, election and module state, read from the
 * consensus module's own counters (in the member's media driver) by {@link #update()} on the observer's thread.
 */
final class DaemonCluster implements AutoCloseable
{
    public static final int ROLE_TYPE_ID = 1600;
    public static final int LEADER_MEMBER_ID_TYPE_ID = 1601;
    public static final int ELECTIONS_TYPE_ID = 1602;
    public static final int COMMIT_POSITION_TYPE_ID = 1603;
    public static final int ELECTION_STATE_TYPE_ID = 1604;
    public static final int MODULE_STATE_TYPE_ID = 1605;
    public static final int LEADERSHIP_TERM_ID_TYPE_ID = 1606;
    public static final int MEMBER_ID_TYPE_ID = 1607;
    public static final int APPLIED_POSITION_TYPE_ID = 1621;
    public static final int LAG_TYPE_ID = 1622;

    private final ClusterConfig spec;
    private final File baseDir;
    private final ClusterNode node;
    private final ConsensusModule.Context consensus;
    private final AtomicCounter role;
    private final AtomicCounter leader;
    private final AtomicCounter elections;
    private final AtomicCounter commitPosition;
    private final AtomicCounter electionState;
    private final AtomicCounter moduleState;
    private final AtomicCounter leadershipTermId;
    private final AtomicCounter memberId;
    private final AtomicCounter appliedPosition;
    private final AtomicCounter lag;
    private final RoleLog roleLog;
    private volatile boolean closed;

    DaemonCluster(
        final ClusterConfig spec, final File dataDir, final CountersManager counters,
        final ErrorHandler errorHandler) throws IOException
    {
        this.spec = spec;
        this.baseDir = dir(dataDir, spec);
        refusePortsInUse(spec);
        role = counters.newCounter("cluster role (0 follower, 1 candidate, 2 leader)", ROLE_TYPE_ID);
        leader = counters.newCounter("cluster leader member id (-1 none)", LEADER_MEMBER_ID_TYPE_ID);
        elections = counters.newCounter("cluster elections", ELECTIONS_TYPE_ID);
        commitPosition = counters.newCounter("cluster commit position", COMMIT_POSITION_TYPE_ID);
        electionState = counters.newCounter("cluster election state (17 closed)", ELECTION_STATE_TYPE_ID);
        moduleState = counters.newCounter("cluster module state (1 active)", MODULE_STATE_TYPE_ID);
        leadershipTermId = counters.newCounter("cluster leadership term id", LEADERSHIP_TERM_ID_TYPE_ID);
        memberId = counters.newCounter("cluster member id", MEMBER_ID_TYPE_ID);
        appliedPosition = counters.newCounter("cluster applied log position", APPLIED_POSITION_TYPE_ID);
        lag = counters.newCounter("cluster lag (commit - applied position, bytes)", LAG_TYPE_ID);
        memberId.setRelease(spec.memberId());
        leader.setRelease(-1);
        try
        {
            node = ClusterNode.launch(new ClusterNode.Context()
                .memberId(spec.memberId())
                .memberCount(spec.memberCount())
                .hostname(spec.hostname())
                .basePort(spec.basePort())
                .members(spec.members().isEmpty() ? null : spec.members())
                .baseDir(baseDir)
                .cleanStart(spec.cleanStart())
                .leaderHeartbeatTimeoutNs(spec.leaderHeartbeatTimeout().toNanos())
                .leaderHeartbeatIntervalNs(spec.leaderHeartbeatInterval().toNanos())
                .electionTimeoutNs(spec.electionTimeout().toNanos())
                .startupCanvassTimeoutNs(spec.startupCanvassTimeout().toNanos())
                .snapshotIntervalNs(spec.snapshotInterval().toNanos())
                .snapshotsKept(spec.snapshotsKept())
                .purgeFollowerTimeoutNs(spec.purgeFollowerTimeout().toNanos())
                .journalMinFreeDiskBytes(spec.minFreeDisk())
                .recordChecksum(spec.recordChecksum())
                .errorHandler(errorHandler));
        }
        catch (final RuntimeException ex)
        {
            closeCounters();
            throw ex;
        }
        consensus = node.consensusModuleContext();
        roleLog = new RoleLog(node);
        update();
    }

    /**
     * @return the directory that holds the member's files (under it, member-ID).
     */
    static File dir(final File dataDir, final ClusterConfig spec)
    {
        return spec.dir().isEmpty() ? new File(dataDir, "cluster") : Daemon.resolve(dataDir, spec.dir());
    }

    /**
     * Aeron binds its UDP endpoints on its own threads, where a clash is only logged: check them first, naming the key.
     */
    private static void refusePortsInUse(final ClusterConfig spec)
    {
        try
        {
            MemberPorts.refuseInUse(spec.self());
        }
        catch (final IllegalStateException ex)
        {
            throw new ConfigException("key '" + (spec.members().isEmpty() ? "cluster.base-port" : "cluster.members") +
                "': " + ex.getMessage());
        }
    }

    /**
     * Copy the consensus module's counters into the daemon's; cheap (a few volatile reads), called each duty cycle
     * of the observer.
     */
    void update()
    {
        if (closed)
        {
            return;
        }
        role.setRelease(consensus.clusterNodeRoleCounter().get());
        electionState.setRelease(consensus.electionStateCounter().get());
        elections.setRelease(consensus.electionCounter().get());
        commitPosition.setRelease(consensus.commitPositionCounter().get());
        moduleState.setRelease(consensus.moduleStateCounter().get());
        leadershipTermId.setRelease(consensus.leadershipTermIdCounter().get());
        leader.setRelease(node.leaderMemberId());
        final long commit = consensus.commitPositionCounter().get();
        final long applied = node.appliedPosition();
        appliedPosition.setRelease(applied);
        lag.setRelease(applied < 0 ? 0 : Math.max(0, commit - applied));
        roleLog.poll();
    }

    /**
     * @return a gateway between the daemon's protocol and the cluster, a client of this member's media driver.
     */
    ClusterGateway newGateway(
        final io.junction.Junction junction, final CountersManager counters)
    {
        return new ClusterGateway(consensus.aeronDirectoryName(), node.context().ingressEndpoints(),
            "gateway-member-" + spec.memberId(), node.context().leaderHeartbeatTimeoutNs(), junction, counters, 1 << 20);
    }

    int leaderMemberId()
    {
        return closed ? -1 : node.leaderMemberId();
    }

    /**
     * @return 1 while this member knows no leader (no quorum, or an election running), else 0.
     */
    long noLeader()
    {
        return leaderMemberId() < 0 ? 1 : 0;
    }

    long elections()
    {
        return elections.get();
    }

    long role()
    {
        return role.get();
    }

    Cluster.Role currentRole()
    {
        return node.role();
    }

    ElectionState currentElectionState()
    {
        return node.electionState();
    }

    String describe()
    {
        final ClusterNode.Context ctx = node.context();
        return "cluster member " + spec.memberId() + " of " + spec.memberCount() + " in " + baseDir +
            ", members " + ctx.clusterMembers() + "; clients use ingress endpoints " + ctx.ingressEndpoints();
    }

    private void closeCounters()
    {
        CloseHelper.closeAll(role, leader, elections, commitPosition, electionState, moduleState, leadershipTermId,
            memberId, appliedPosition, lag);
    }

    /**
     * Close the member (its service, consensus module, archive and media driver); its counters keep their last values
     * in the counters file until the file is closed.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        node.closeGracefully(); // A leader's followers elect at once, not after the heartbeat timeout.
        leader.setRelease(-1);
    }
}
