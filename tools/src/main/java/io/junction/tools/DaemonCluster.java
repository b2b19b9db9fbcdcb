package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import io.junction.cluster.ClusterNode;

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

    private static final String[] PORT_NAMES = { "ingress", "consensus", "log", "catchup", "archive" };

    private final DaemonConfig.ClusterSpec spec;
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
    private volatile boolean closed;

    DaemonCluster(
        final DaemonConfig.ClusterSpec spec, final File dataDir, final CountersManager counters,
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
        memberId.setRelease(spec.memberId());
        leader.setRelease(-1);
        try
        {
            node = ClusterNode.launch(new ClusterNode.Context()
                .memberId(spec.memberId())
                .memberCount(spec.memberCount())
                .hostname(spec.hostname())
                .basePort(spec.basePort())
                .baseDir(baseDir)
                .cleanStart(spec.cleanStart())
                .leaderHeartbeatTimeoutNs(spec.leaderHeartbeatTimeout().toNanos())
                .electionTimeoutNs(spec.electionTimeout().toNanos())
                .startupCanvassTimeoutNs(spec.startupCanvassTimeout().toNanos())
                .errorHandler(errorHandler));
        }
        catch (final RuntimeException ex)
        {
            closeCounters();
            throw ex;
        }
        consensus = node.consensusModuleContext();
        update();
    }

    /**
     * @return the directory that holds the member's files (under it, member-ID).
     */
    static File dir(final File dataDir, final DaemonConfig.ClusterSpec spec)
    {
        return spec.dir().isEmpty() ? new File(dataDir, "cluster") : Daemon.resolve(dataDir, spec.dir());
    }

    /**
     * Aeron binds its UDP endpoints on its own threads, where a clash is only logged: check them first.
     */
    private static void refusePortsInUse(final DaemonConfig.ClusterSpec spec) throws IOException
    {
        final InetAddress address = InetAddress.getByName(spec.hostname());
        for (int offset = 0; offset < DaemonConfig.ClusterSpec.PORTS_USED; offset++)
        {
            final int port = spec.port(spec.memberId(), offset);
            try (DatagramSocket socket = new DatagramSocket(null))
            {
                socket.bind(new InetSocketAddress(address, port));
            }
            catch (final SocketException ex)
            {
                throw new ConfigException("key 'cluster.base-port': member " + spec.memberId() + "'s " +
                    PORT_NAMES[offset] + " port " + spec.hostname() + ":" + port + " (UDP) is in use: " +
                    ex.getMessage());
            }
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
    }

    /**
     * @return a gateway between the daemon's protocol and the cluster, a client of this member's media driver.
     */
    ClusterGateway newGateway(
        final io.junction.Junction junction, final CountersManager counters, final java.io.PrintStream out)
    {
        return new ClusterGateway(consensus.aeronDirectoryName(), node.context().ingressEndpoints(), junction,
            counters, 1 << 20, out);
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
            memberId);
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
        node.close();
        leader.setRelease(-1);
    }
}
