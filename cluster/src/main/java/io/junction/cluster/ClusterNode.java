package io.junction.cluster;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.checksum.Checksums;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.security.AuthenticatorSupplier;
import io.aeron.security.DefaultAuthenticatorSupplier;
import io.junction.agent.AgentPlacement;
import io.junction.journal.Journal;
import io.junction.journal.Retention;
import io.junction.security.PrincipalPermissions;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One member of a Junction cluster: a media driver, archive and consensus module (as a
 * {@link ClusteredMediaDriver}) and a service container running the {@link SwitchService}, placed by
 * {@link MemberPlacement} (through the switch's {@link AgentPlacement}) in SHARED
 * threading with backoff idle strategies and short failure-detection timeouts, so that three members fit
 * on a 2-core machine. Ports on one host are laid out from a base port (see {@link Context#port}).
 */
public final class ClusterNode implements AutoCloseable
{
    /**
     * With {@link Context#recordChecksum(boolean)} each recorded frame carries a CRC32 of itself (in its session id
     * field, which a replay rewrites): an archive restarted after a crash then tells a whole last fragment that
     * crosses a page boundary from a torn one by the checksum instead of by looking for a page of zeros, which a
     * payload ending in zeros also has, and so starts (ArchiveCrashRecoveryTest). Replays do not check it:
     * recordings made before it have none.
     */
    static final String RECORD_CHECKSUM = "io.aeron.archive.checksum.Crc32";

    private final Context ctx;
    private final ClusteredMediaDriver clusteredMediaDriver;
    private final ClusteredServiceContainer container;
    private final SwitchService service;
    private final MemberDirLock dirLock;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String stopReason;
    private volatile boolean stopped;

    private ClusterNode(final Context ctx)
    {
        this.ctx = ctx;
        final File nodeDir = ctx.nodeDir();
        final int id = ctx.memberId;
        final ClusterMembers.Member self = ctx.members().member(id);
        final String host = self.host();
        final ErrorHandler errorHandler = ctx.errorHandler;
        dirLock = MemberDirLock.acquire(nodeDir, new File(nodeDir, "archive"), new File(nodeDir, "cluster"));
        if (ctx.cleanStart)
        {
            IoUtil.delete(new File(nodeDir, "journal"), true);
        }

        final MemberPlacement placement = new MemberPlacement(
            ctx.threadingMode, ctx.archiveThreadingMode, ctx.idleStrategySupplier, ctx.cpuAffinity);
        final MediaDriver.Context driverCtx = placement.place(new MediaDriver.Context())
            .aeronDirectoryName(new File(nodeDir, "aeron").getAbsolutePath())
            .termBufferSparseFile(true)
            .publicationTermBufferLength(ctx.termLength)
            .ipcTermBufferLength(ctx.termLength)
            .ipcPublicationTermWindowLength(ctx.termLength)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .errorHandler(errorHandler);

        final Archive.Context archiveCtx = placement.place(new Archive.Context())
            .archiveId(id)
            .aeronDirectoryName(driverCtx.aeronDirectoryName())
            .archiveDir(new File(nodeDir, "archive"))
            .controlChannel("aeron:udp?endpoint=" + self.endpoint(Context.ARCHIVE_OFFSET))
            .localControlChannel("aeron:ipc")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .recordingEventsEnabled(false)
            .segmentFileLength(ctx.segmentFileLength)
            .recordChecksum(ctx.recordChecksum ? Checksums.newInstance(RECORD_CHECKSUM) : null)
            .deleteArchiveOnStart(ctx.cleanStart)
            .errorHandler(errorHandler);

        final AeronArchive.Context consensusArchiveCtx = new AeronArchive.Context()
            .aeronDirectoryName(driverCtx.aeronDirectoryName())
            .controlRequestChannel("aeron:ipc")
            .controlRequestStreamId(archiveCtx.localControlStreamId())
            .controlResponseChannel("aeron:ipc")
            .controlResponseStreamId(3100 + id);

        final File clusterDir = new File(nodeDir, "cluster");
        final ConsensusModule.Context consensusCtx = placement.place(new ConsensusModule.Context())
            .clusterMemberId(id)
            .clusterMembers(ctx.clusterMembers())
            .clusterDir(clusterDir)
            .ingressChannel(ctx.ingressChannel)
            .logChannel(ctx.logChannel)
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .archiveContext(consensusArchiveCtx)
            .leaderHeartbeatTimeoutNs(ctx.leaderHeartbeatTimeoutNs)
            .leaderHeartbeatIntervalNs(ctx.leaderHeartbeatIntervalNs)
            .electionTimeoutNs(ctx.electionTimeoutNs)
            .startupCanvassTimeoutNs(ctx.startupCanvassTimeoutNs)
            .sessionTimeoutNs(ctx.sessionTimeoutNs)
            .authenticatorSupplier(ctx.authenticatorSupplier)
            .deleteDirOnStart(ctx.cleanStart)
            .errorHandler(errorHandler);

        service = null != ctx.customService ? null : new SwitchService(new SwitchService.Context()
            .memberId(id)
            .journalDir(new File(nodeDir, "journal"))
            .journalFactory(null == ctx.journalFactory ? null :
                (cluster) -> ctx.journalFactory.apply(new File(nodeDir, "journal")))
            .permissions(ctx.permissions)
            .maxTopicLength(ctx.maxTopicLength)
            .maxPayloadLength(ctx.maxPayloadLength)
            .maxReplay(ctx.maxReplay)
            .queueGroupWindow(ctx.queueGroupWindow)
            .journalMinFreeDiskBytes(ctx.journalMinFreeDiskBytes)
            .journalRetention(ctx.journalRetention)
            .snapshotIntervalNs(ctx.snapshotIntervalNs)
            .snapshotsKept(ctx.snapshotsKept)
            .purgeFollowerTimeoutNs(ctx.purgeFollowerTimeoutNs)
            .haltHandler(this::stopAfterHalt));

        final ClusteredServiceContainer.Context containerCtx = placement.place(new ClusteredServiceContainer.Context())
            .aeronDirectoryName(driverCtx.aeronDirectoryName())
            .archiveContext(consensusArchiveCtx.clone().controlResponseStreamId(3200 + id))
            .clusterDir(clusterDir)
            .clusteredService(null != service ? service : ctx.customService.get())
            .errorHandler(errorHandler);

        ClusteredMediaDriver driver = null;
        try
        {
            driver = ClusteredMediaDriver.launch(driverCtx, archiveCtx, consensusCtx);
            clusteredMediaDriver = driver;
            container = ClusteredServiceContainer.launch(containerCtx);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            closeService();
            dirLock.close();
            throw ex;
        }
    }

    /**
     * Launch a member; with {@link Context#cleanStart(boolean)} false it recovers from its snapshot and log.
     */
    public static ClusterNode launch(final Context ctx)
    {
        ctx.conclude();
        return new ClusterNode(ctx);
    }

    public int memberId()
    {
        return ctx.memberId;
    }

    /**
     * @return the switch service, or null when the node runs a {@link Context#customService custom service}.
     */
    public SwitchService service()
    {
        return service;
    }

    public Context context()
    {
        return ctx;
    }

    public File journalDir()
    {
        return new File(ctx.nodeDir(), "journal");
    }

    public Cluster.Role role()
    {
        if (closed.get())
        {
            return Cluster.Role.FOLLOWER; // Its counters are unmapped once closed (a member that stopped itself).
        }
        return Cluster.Role.get(clusteredMediaDriver.consensusModule().context().clusterNodeRoleCounter());
    }

    public ElectionState electionState()
    {
        if (closed.get())
        {
            return ElectionState.INIT;
        }
        return ElectionState.get(clusteredMediaDriver.consensusModule().context().electionStateCounter());
    }

    /**
     * @return the member that leads the cluster as this member knows it: -1 while an election runs or until the
     * service has applied the current leadership term (from the log's new-term event, or from the snapshot it
     * started from when that was taken in this term); a custom service never reports followers' leader.
     */
    public int leaderMemberId()
    {
        if (electionState() != ElectionState.CLOSED)
        {
            return -1;
        }
        if (role() == Cluster.Role.LEADER)
        {
            return ctx.memberId;
        }
        if (null == service || service.leadershipTermId() != leadershipTermId())
        {
            return -1; // Not yet applied: the leader the service knows is of an older term.
        }
        return service.leaderMemberId();
    }

    /**
     * @return the log position this member has committed (the leader's commit position, as it last heard it).
     */
    public long commitPosition()
    {
        if (closed.get())
        {
            return -1;
        }
        return clusteredMediaDriver.consensusModule().context().commitPositionCounter().get();
    }

    /**
     * @return the leadership term this member is in (or is electing).
     */
    public long leadershipTermId()
    {
        if (closed.get())
        {
            return -1;
        }
        return clusteredMediaDriver.consensusModule().context().leadershipTermIdCounter().get();
    }

    /**
     * @return the log position up to which the switch service has applied entries, -1 for a custom service or
     * before the service has started.
     */
    public long appliedPosition()
    {
        final ServiceCounters counters = null == service || closed.get() ? null : service.counters();
        return null == counters ? -1 : counters.appliedPosition();
    }

    public boolean isLeader()
    {
        return role() == Cluster.Role.LEADER && electionState() == ElectionState.CLOSED;
    }

    /**
     * @return snapshots taken by this member since it started.
     */
    public long snapshotCount()
    {
        if (closed.get())
        {
            return -1;
        }
        return clusteredMediaDriver.consensusModule().context().snapshotCounter().get();
    }

    /**
     * @return true once {@link #close()} has finished.
     */
    public boolean isStopped()
    {
        return stopped;
    }

    /**
     * @return why the member stopped by itself (its journal could not be written), or null.
     */
    public String stopReason()
    {
        return stopReason;
    }

    /**
     * The service halted on its own thread: close the member from a thread of its own (closing joins the
     * service's thread), so that the others elect without it, then tell the {@link Context#stopHandler}.
     */
    private void stopAfterHalt(final String reason)
    {
        stopReason = reason;
        final Thread stopper = new Thread(() ->
        {
            close();
            final Consumer<String> handler = ctx.stopHandler;
            if (null != handler)
            {
                handler.accept(reason);
            }
        }, "junction-cluster-stop-" + ctx.memberId);
        stopper.setDaemon(true);
        stopper.start();
    }

    public ConsensusModule.Context consensusModuleContext()
    {
        return clusteredMediaDriver.consensusModule().context();
    }

    /**
     * Stop the member: the consensus module first, then the service, the archive and the media driver.
     * <p>
     * A leader's media driver closed at once takes the log's end of stream with it, so its followers elect only
     * after the heartbeat timeout, as after a crash: a planned stop uses {@link #closeGracefully()}.
     */
    public void close()
    {
        close(false);
    }

    /**
     * A planned stop (SIGTERM of ClusterNodeMain or the daemon): as {@link #close()}, but a leader's media driver
     * stays up after its consensus module and service have closed, for the leader heartbeat timeout, so that the
     * end of its log reaches the followers and they elect at once instead of waiting out the timeout
     * (perf/results/failover-curve-2026-12-03). The driver gives no sign that every follower has seen the end;
     * past the timeout they elect anyway. A follower closes at once.
     * <p>
     * Not what {@link #close()} does: with this linger in every close, ClusterRecoveryTest's whole-cluster stop
     * and restart and a ClusterAcceptanceTest resume failed (2 Dec, not understood).
     */
    public void closeGracefully()
    {
        close(true);
    }

    private void close(final boolean lingerIfLeading)
    {
        if (closed.get())
        {
            return;
        }
        final boolean leading = lingerIfLeading && isLeader();
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        try
        {
            // The service with the consensus module, before any linger: it must send nothing more (a delivery of
            // the old term arriving after the client followed the new leader would be out of order).
            CloseHelper.closeAll(clusteredMediaDriver.consensusModule(), container);
            if (leading)
            {
                lingerForLogEnd(ctx.leaderHeartbeatTimeoutNs);
            }
            CloseHelper.closeAll(clusteredMediaDriver.archive(), clusteredMediaDriver.mediaDriver());
            closeService();
        }
        finally
        {
            dirLock.close();
            stopped = true;
        }
    }

    /**
     * Keep the media driver running while it sends the log's end of stream (in its next heartbeat frame) and the
     * followers act on it.
     */
    private static void lingerForLogEnd(final long lingerNs)
    {
        final long deadlineNs = System.nanoTime() + lingerNs;
        long leftNs;
        while ((leftNs = deadlineNs - System.nanoTime()) > 0)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(leftNs);
        }
    }

    private void closeService()
    {
        if (null != service)
        {
            service.closeResources();
        }
    }

    public static final class Context
    {
        static final int INGRESS_OFFSET = 0;
        static final int CONSENSUS_OFFSET = 1;
        static final int LOG_OFFSET = 2;
        static final int CATCHUP_OFFSET = 3;
        static final int ARCHIVE_OFFSET = 4;
        static final int PORTS_PER_MEMBER = 10;
        /** One snapshot an hour of cluster time: a pause of the log of about the snapshot's size to write. */
        public static final long DEFAULT_SNAPSHOT_INTERVAL_NS = TimeUnit.HOURS.toNanos(1);
        /**
         * No purge by default: with the whole log a member that is new, or was down longer than the kept
         * snapshots span, catches up by a plain start (the election replicates the leader's log); after a purge it
         * must first be seeded from a snapshot ({@link MemberSeed}), so purging is the operator's choice.
         */
        public static final int DEFAULT_SNAPSHOTS_KEPT = 0;

        private int memberId;
        private int memberCount = 3;
        private ThreadingMode threadingMode = ThreadingMode.SHARED;
        private ArchiveThreadingMode archiveThreadingMode = ArchiveThreadingMode.SHARED;
        private String hostname = "localhost";
        private String members;
        private int basePort = 20_000;
        private File baseDir;
        private boolean cleanStart = true;
        private String ingressChannel = "aeron:udp?term-length=128k";
        private String logChannel = "aeron:udp?term-length=256k";
        private int termLength = 128 * 1024;
        private int segmentFileLength = 1024 * 1024;
        // From perf's FailoverCurve (perf/results/failover-curve-2026-12-03): crash failover (leader SIGKILL to the
        // first delivery from the new leader) is the heartbeat timeout plus ~0.25 s (election ~0.1 s, the new
        // leader's log and egress joined ~0.12 s, first delivery ~0.02 s): 0.50 s median at 250 ms at load ~13 on 2
        // cores. 200 ms and below lost the cluster to repeated elections at load 20-30; 250 ms had 1 spurious
        // election a minute at load ~13 (12 at load ~31), 500 ms 0-3. Aeron also gives a follower one heartbeat
        // timeout to join a new leader's log.
        private long leaderHeartbeatTimeoutNs = TimeUnit.MILLISECONDS.toNanos(250);
        // A tenth of the heartbeat timeout: several heartbeats may be lost or late before a follower gives up.
        private long leaderHeartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(25);
        // A fifth of the heartbeat timeout: after a crash the candidate's ballot waits the whole election timeout
        // for the dead member's vote (and nominating waits up to half of it), so it adds straight to failover.
        private long electionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(50);
        private long startupCanvassTimeoutNs = TimeUnit.SECONDS.toNanos(2);
        private long sessionTimeoutNs = TimeUnit.SECONDS.toNanos(10);
        private Supplier<IdleStrategy> idleStrategySupplier = AgentPlacement.BACKOFF_IDLE_STRATEGY;
        private int[] cpuAffinity = new int[0];
        private AuthenticatorSupplier authenticatorSupplier = new DefaultAuthenticatorSupplier();
        private PrincipalPermissions permissions = PrincipalPermissions.ALLOW_ALL;
        private int maxTopicLength = 256;
        private int maxPayloadLength = 8 * 1024;
        private long maxReplay = 1_000_000;
        private int queueGroupWindow = SwitchService.DEFAULT_QUEUE_GROUP_WINDOW;
        private ErrorHandler errorHandler;
        private Supplier<ClusteredService> customService;
        private Function<File, ReplicaJournal> journalFactory;
        private long journalMinFreeDiskBytes = Journal.Context.DEFAULT_MIN_FREE_DISK_BYTES;
        private Retention journalRetention = Retention.keepAll();
        private Consumer<String> stopHandler;
        private long snapshotIntervalNs = DEFAULT_SNAPSHOT_INTERVAL_NS;
        private int snapshotsKept = DEFAULT_SNAPSHOTS_KEPT;
        private long purgeFollowerTimeoutNs = SwitchService.DEFAULT_PURGE_FOLLOWER_TIMEOUT_NS;
        private boolean recordChecksum;

        public void conclude()
        {
            if (snapshotIntervalNs < 0 || snapshotsKept < 0)
            {
                throw new IllegalStateException("the snapshot interval (" + snapshotIntervalNs + " ns) and the " +
                    "snapshots kept (" + snapshotsKept + ") must not be negative");
            }
            if (null == baseDir)
            {
                throw new IllegalStateException("baseDir must be set");
            }
            final ClusterMembers list;
            try
            {
                list = members();
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalStateException("members: " + ex.getMessage(), ex);
            }
            if (!list.contains(memberId))
            {
                throw new IllegalStateException("member id " + memberId + " is not in the member list (ids " +
                    list.ids() + ")");
            }
            memberCount = list.size();
            if (leaderHeartbeatIntervalNs >= leaderHeartbeatTimeoutNs)
            {
                throw new IllegalStateException("the leader heartbeat interval (" +
                    TimeUnit.NANOSECONDS.toMillis(leaderHeartbeatIntervalNs) + " ms) must be shorter than the " +
                    "leader heartbeat timeout (" + TimeUnit.NANOSECONDS.toMillis(leaderHeartbeatTimeoutNs) + " ms)");
            }
            if (startupCanvassTimeoutNs < 2 * leaderHeartbeatTimeoutNs)
            {
                // Aeron's rule, checked here to say it plainly.
                throw new IllegalStateException("the startup canvass timeout (" +
                    TimeUnit.NANOSECONDS.toMillis(startupCanvassTimeoutNs) + " ms) must be at least twice the " +
                    "leader heartbeat timeout (" + TimeUnit.NANOSECONDS.toMillis(leaderHeartbeatTimeoutNs) + " ms)");
            }
            if (null == errorHandler)
            {
                // The embedding application's logging decides what to keep; the daemon gives its own handler.
                final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("junction.cluster");
                final int member = memberId;
                errorHandler = (ex) -> log.error("cluster member {}: {}", member, ex.toString());
            }
        }

        /**
         * @return the port of one endpoint of a member: basePort + memberId * 10 + offset.
         */
        public int port(final int memberId, final int offset)
        {
            return basePort + memberId * PORTS_PER_MEMBER + offset;
        }

        /**
         * @return where the members are: the {@link #members(String) member list}, or else the one-host layout of
         * {@link #hostname}, {@link #basePort} and {@link #memberCount}.
         * @throws IllegalArgumentException if the member list is not valid.
         */
        public ClusterMembers members()
        {
            return null != members ? ClusterMembers.parse(members) : ClusterMembers.layout(hostname, basePort, memberCount);
        }

        /**
         * @return the members string "id,ingress,consensus,log,catchup,archive|...".
         */
        public String clusterMembers()
        {
            return members().toAeronString();
        }

        /**
         * @return what a client passes as ingress endpoints: "0=host:port,1=host:port,...".
         */
        public String ingressEndpoints()
        {
            return members().ingressEndpoints();
        }

        public static String ingressEndpoints(final String hostname, final int basePort, final int memberCount)
        {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < memberCount; i++)
            {
                if (i > 0)
                {
                    sb.append(',');
                }
                sb.append(i).append('=').append(hostname).append(':')
                    .append(basePort + i * PORTS_PER_MEMBER + INGRESS_OFFSET);
            }
            return sb.toString();
        }

        File nodeDir()
        {
            return new File(baseDir, "member-" + memberId);
        }

        /**
         * Record a CRC32 in each archived frame ({@link #RECORD_CHECKSUM}), default off: without it a member
         * restarted after a crash refuses to start when the last fragment of its log recording crosses a page
         * boundary into a page of zeros ("potentially incomplete last fragment straddling page boundary"). Off
         * until its cost is known: with it PlannedLeaderStopTest's clients were told NO_QUORUM in 2 of 2 runs at
         * load ~20, without it in 0 of 2 (too few runs to say).
         */
        public Context recordChecksum(final boolean recordChecksum)
        {
            this.recordChecksum = recordChecksum;
            return this;
        }

        boolean recordChecksum()
        {
            return recordChecksum;
        }

        // What MemberSeed lays out the same way as the member it seeds.
        int memberId()
        {
            return memberId;
        }

        int termLength()
        {
            return termLength;
        }

        int segmentFileLength()
        {
            return segmentFileLength;
        }

        ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        public Context memberId(final int memberId)
        {
            this.memberId = memberId;
            return this;
        }

        public Context memberCount(final int memberCount)
        {
            this.memberCount = memberCount;
            return this;
        }

        /**
         * Members on hosts of their own (see {@link ClusterMembers} for the syntax: Aeron's cluster-members string,
         * or {@code id=host:port|...}); replaces the one-host layout of hostname, basePort and memberCount.
         */
        public Context members(final String members)
        {
            this.members = members;
            return this;
        }

        public Context hostname(final String hostname)
        {
            this.hostname = hostname;
            return this;
        }

        public Context basePort(final int basePort)
        {
            this.basePort = basePort;
            return this;
        }

        public Context baseDir(final File baseDir)
        {
            this.baseDir = baseDir;
            return this;
        }

        public Context cleanStart(final boolean cleanStart)
        {
            this.cleanStart = cleanStart;
            return this;
        }

        public Context ingressChannel(final String ingressChannel)
        {
            this.ingressChannel = ingressChannel;
            return this;
        }

        public Context logChannel(final String logChannel)
        {
            this.logChannel = logChannel;
            return this;
        }

        public Context termLength(final int termLength)
        {
            this.termLength = termLength;
            return this;
        }

        public Context leaderHeartbeatTimeoutNs(final long leaderHeartbeatTimeoutNs)
        {
            this.leaderHeartbeatTimeoutNs = leaderHeartbeatTimeoutNs;
            return this;
        }

        public long leaderHeartbeatTimeoutNs()
        {
            return leaderHeartbeatTimeoutNs;
        }

        /**
         * How often a leader sends a heartbeat when it has nothing to append (default 25 ms); keep it well under
         * the leader heartbeat timeout (a tenth of it by default).
         */
        public Context leaderHeartbeatIntervalNs(final long leaderHeartbeatIntervalNs)
        {
            this.leaderHeartbeatIntervalNs = leaderHeartbeatIntervalNs;
            return this;
        }

        public Context electionTimeoutNs(final long electionTimeoutNs)
        {
            this.electionTimeoutNs = electionTimeoutNs;
            return this;
        }

        public Context startupCanvassTimeoutNs(final long startupCanvassTimeoutNs)
        {
            this.startupCanvassTimeoutNs = startupCanvassTimeoutNs;
            return this;
        }

        public Context sessionTimeoutNs(final long sessionTimeoutNs)
        {
            this.sessionTimeoutNs = sessionTimeoutNs;
            return this;
        }

        /**
         * Media driver threading: SHARED (one thread, the default, right for 2 cores) or DEDICATED (conductor,
         * sender and receiver each on a core of their own, with a busy-spin idle strategy, on a machine with
         * cores to spare).
         */
        public Context threadingMode(final ThreadingMode threadingMode)
        {
            this.threadingMode = threadingMode;
            return this;
        }

        /**
         * Archive threading: SHARED (default) or DEDICATED (recorder and replayer on threads of their own).
         */
        public Context archiveThreadingMode(final ArchiveThreadingMode archiveThreadingMode)
        {
            this.archiveThreadingMode = archiveThreadingMode;
            return this;
        }

        /**
         * Idle strategy of every agent of the member (driver, archive, consensus module, service). The default
         * backs off from spinning to parking for up to 1 ms; use BusySpinIdleStrategy only with dedicated cores.
         */
        public Context idleStrategySupplier(final Supplier<IdleStrategy> idleStrategySupplier)
        {
            this.idleStrategySupplier = idleStrategySupplier;
            return this;
        }

        /**
         * @param cpus the cores to pin the member's threads to, spread as {@link AgentPlacement#cpuFor} does (the
         *             service container first, then the consensus module, the driver, the archive, the driver's
         *             sender and receiver); none (the default) leaves them to the operating system.
         */
        public Context cpuAffinity(final int... cpus)
        {
            this.cpuAffinity = cpus.clone();
            return this;
        }

        public Context authenticatorSupplier(final AuthenticatorSupplier authenticatorSupplier)
        {
            this.authenticatorSupplier = authenticatorSupplier;
            return this;
        }

        public Context permissions(final PrincipalPermissions permissions)
        {
            this.permissions = permissions;
            return this;
        }

        /**
         * @see SwitchService.Context#queueGroupWindow(int)
         */
        public Context queueGroupWindow(final int queueGroupWindow)
        {
            this.queueGroupWindow = queueGroupWindow;
            return this;
        }

        public Context maxPayloadLength(final int maxPayloadLength)
        {
            this.maxPayloadLength = maxPayloadLength;
            return this;
        }

        public Context maxTopicLength(final int maxTopicLength)
        {
            this.maxTopicLength = maxTopicLength;
            return this;
        }

        /**
         * How the member's journal is made from its directory; by default (null) a {@link MemberJournal}, in the
         * journal module's format.
         */
        public Context journalFactory(final Function<File, ReplicaJournal> journalFactory)
        {
            this.journalFactory = journalFactory;
            return this;
        }

        /**
         * Below this many usable bytes in the journal's file system the member stops (logged with the directory
         * and the free space, counter {@value ServiceCounters#HALTED_TYPE_ID}) rather than apply what it cannot
         * journal; default 256 MiB ({@code Journal.Context.DEFAULT_MIN_FREE_DISK_BYTES}). Checked every 100 ms.
         */
        public Context journalMinFreeDiskBytes(final long bytes)
        {
            this.journalMinFreeDiskBytes = bytes;
            return this;
        }

        /**
         * Which roll cycles of the member journal are deleted (oldest first, never the newest); keep all by default.
         * Local housekeeping: a resume that reaches into deleted cycles replays only what is left.
         */
        public Context journalRetention(final Retention retention)
        {
            this.journalRetention = retention;
            return this;
        }

        /**
         * As leader, take a snapshot each time this much cluster time has passed since the last one (cluster time
         * moves with the log: an idle cluster takes none); 0 for none. Default one hour.
         */
        public Context snapshotIntervalNs(final long intervalNs)
        {
            this.snapshotIntervalNs = intervalNs;
            return this;
        }

        /**
         * After each snapshot (scheduled or not) every member purges its archive's log recording before the oldest
         * of the last {@code snapshotsKept} snapshots (whole segments, {@link #segmentFileLength}) and deletes older
         * snapshot recordings; 0 (the default) keeps everything. Never past the lowest log position of a follower
         * the leader heard from within {@link #purgeFollowerTimeoutNs}: a follower down for longer, or a new member,
         * cannot catch up from the log once it is purged.
         */
        public Context snapshotsKept(final int snapshotsKept)
        {
            this.snapshotsKept = snapshotsKept;
            return this;
        }

        /**
         * @param timeoutNs how long a follower the leader no longer hears from still holds back the log purge
         *                  (default 1 h): the log it needs is kept, so it catches up when it comes back.
         */
        public Context purgeFollowerTimeoutNs(final long timeoutNs)
        {
            if (timeoutNs < 0)
            {
                throw new IllegalArgumentException("purge follower timeout must not be negative: " + timeoutNs);
            }
            this.purgeFollowerTimeoutNs = timeoutNs;
            return this;
        }

        /**
         * The archive's segment file length (default 1 MiB): the unit of the purge behind snapshots.
         */
        public Context segmentFileLength(final int segmentFileLength)
        {
            this.segmentFileLength = segmentFileLength;
            return this;
        }

        /**
         * @param stopHandler told (on a thread of the member's) why the member stopped by itself, once it is closed.
         */
        public Context stopHandler(final Consumer<String> stopHandler)
        {
            this.stopHandler = stopHandler;
            return this;
        }

        /**
         * Run another service instead of the switch on the same node setup (for baselines in benchmarks).
         */
        public Context customService(final Supplier<ClusteredService> customService)
        {
            this.customService = customService;
            return this;
        }

        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * @return a copy for another member of the same cluster.
         */
        public Context copyFor(final int memberId)
        {
            final Context copy = new Context();
            copy.memberId = memberId;
            copy.memberCount = memberCount;
            copy.threadingMode = threadingMode;
            copy.archiveThreadingMode = archiveThreadingMode;
            copy.hostname = hostname;
            copy.members = members;
            copy.basePort = basePort;
            copy.baseDir = baseDir;
            copy.cleanStart = cleanStart;
            copy.recordChecksum = recordChecksum;
            copy.ingressChannel = ingressChannel;
            copy.logChannel = logChannel;
            copy.termLength = termLength;
            copy.segmentFileLength = segmentFileLength;
            copy.leaderHeartbeatTimeoutNs = leaderHeartbeatTimeoutNs;
            copy.leaderHeartbeatIntervalNs = leaderHeartbeatIntervalNs;
            copy.electionTimeoutNs = electionTimeoutNs;
            copy.startupCanvassTimeoutNs = startupCanvassTimeoutNs;
            copy.sessionTimeoutNs = sessionTimeoutNs;
            copy.idleStrategySupplier = idleStrategySupplier;
            copy.cpuAffinity = cpuAffinity;
            copy.authenticatorSupplier = authenticatorSupplier;
            copy.permissions = permissions;
            copy.maxTopicLength = maxTopicLength;
            copy.maxPayloadLength = maxPayloadLength;
            copy.maxReplay = maxReplay;
            copy.queueGroupWindow = queueGroupWindow;
            copy.errorHandler = errorHandler;
            copy.customService = customService;
            copy.journalFactory = journalFactory;
            copy.journalMinFreeDiskBytes = journalMinFreeDiskBytes;
            copy.journalRetention = journalRetention;
            copy.stopHandler = stopHandler;
            copy.snapshotIntervalNs = snapshotIntervalNs;
            copy.snapshotsKept = snapshotsKept;
            copy.purgeFollowerTimeoutNs = purgeFollowerTimeoutNs;
            return copy;
        }
    }
}
