package io.junction.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.junction.journal.Journal;
import io.junction.journal.Retention;
import io.junction.security.PrincipalPermissions;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The replicated switch as an Aeron Cluster service, split the way Aeron splits its consensus module: the
 * {@link ProtocolIngress} decodes each request of the log (the Junction protocol, as the daemon speaks it), the {@link SwitchStateMachine} (the switch core, run
 * deterministically on cluster time) applies it, the {@link ProtocolEgress} answers and delivers from the leader
 * only, and {@link SnapshotTaker} / {@link SnapshotLoader} write and read the replicated state. This class wires
 * them to Aeron's callbacks and keeps what other threads may read (applied sequence, leader, counters).
 */
public final class SwitchService implements ClusteredService
{
    /** Subscribe with this to receive only messages sequenced after the subscription. */
    public static final long RESUME_NEW_ONLY = -1;
    /** Subscribe with this to resume from the durable position of the subscription's durable name. */
    public static final long RESUME_FROM_DURABLE = -2;
    /** The default of {@link Context#queueGroupWindow(int)}. */
    public static final int DEFAULT_QUEUE_GROUP_WINDOW = 1024;
    /** The default of {@link Context#purgeFollowerTimeoutNs(long)}: 1 h. */
    public static final long DEFAULT_PURGE_FOLLOWER_TIMEOUT_NS = TimeUnit.HOURS.toNanos(1);

    private static final int SWITCH_COUNTERS_CAPACITY = 8192;

    private final Context ctx;
    private Cluster cluster;
    private ReplicaJournal journal;
    private ServiceCounters counters;
    private SwitchStateMachine stateMachine;
    private ProtocolIngress ingress;
    private SnapshotSchedule snapshotSchedule;
    private LogPurger logPurger;
    private volatile long appliedSequence;
    private volatile boolean restoredFromSnapshot;
    private volatile int leaderMemberId = -1;
    private volatile long leadershipTermId = -1;
    private volatile String haltReason;

    public SwitchService(final Context ctx)
    {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
    }

    /**
     * @return the counters, once the service has started.
     */
    public ServiceCounters counters()
    {
        return counters;
    }

    /**
     * @return the last sequence this member has applied; safe to read from any thread.
     */
    public long appliedSequence()
    {
        return appliedSequence;
    }

    /**
     * @return true if this member started from a snapshot (rather than from an empty state).
     */
    public boolean restoredFromSnapshot()
    {
        return restoredFromSnapshot;
    }

    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        this.counters = new ServiceCounters(cluster.aeron(), ctx.memberId());
        // The switch's and the journal's own counters, on the cluster's clock (not the member's Aeron counters).
        final CountersManager switchCounters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(SWITCH_COUNTERS_CAPACITY * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(SWITCH_COUNTERS_CAPACITY * CountersReader.COUNTER_LENGTH)),
            StandardCharsets.US_ASCII,
            () -> TimeUnit.NANOSECONDS.toMillis(SwitchStateMachine.clusterTimeNs(cluster)),
            0);
        this.journal = null == ctx.journalFactory() ?
            new MemberJournal(ctx.journalDir(), () -> SwitchStateMachine.clusterTimeNs(cluster), switchCounters,
                cluster.context().countedErrorHandler(), ctx.journalMinFreeDiskBytes(), ctx.journalRetention()) :
            ctx.journalFactory().apply(cluster);
        final EgressPublisher egress = new EgressPublisher(cluster, counters);
        this.stateMachine = new SwitchStateMachine(ctx, cluster, journal, switchCounters, counters, egress);
        this.ingress = new ProtocolIngress(stateMachine, ctx.maxTopicLength(), ctx.maxPayloadLength());
        this.snapshotSchedule = new SnapshotSchedule(cluster, ctx.snapshotIntervalNs(), counters);
        if (ctx.snapshotsKept() > 0)
        {
            // Its own archive client on the service's Aeron client (no extra threads), answered on its own stream.
            this.logPurger = new LogPurger(cluster.context().clusterDir(),
                cluster.context().archiveContext().clone()
                    .aeron(cluster.aeron())
                    .ownsAeronClient(false)
                    .controlResponseStreamId(ctx.purgeResponseStreamId()),
                ctx.snapshotsKept(),
                new FollowerPositions(cluster.aeron(), cluster.context().controlChannel(),
                    cluster.context().consensusModuleStreamId(), cluster.context().serviceStreamId(),
                    ctx.purgeFollowerTimeoutNs()),
                cluster.context().countedErrorHandler(), counters);
        }
        if (null != snapshotImage)
        {
            new SnapshotLoader(stateMachine, ctx.queueGroupWindow()).load(snapshotImage, cluster.idleStrategy());
            restoredFromSnapshot = true;
            // The log after the snapshot has no new-term event while its term lasts: its leader is the snapshot's.
            leaderMemberId = stateMachine.leaderMemberId;
            leadershipTermId = stateMachine.leadershipTermId;
        }
        appliedSequence = stateMachine.lastSequence;
    }

    /**
     * @return why this member stopped applying the log (its journal cannot be written), or null while it runs.
     */
    public String haltReason()
    {
        return haltReason;
    }

    /**
     * The journal's housekeeping (disk check, retention) between log entries. Local work, not state: it runs at
     * different log positions on each member, and only stops this member when its journal cannot be written.
     */
    public int doBackgroundWork(final long nowNs)
    {
        final ReplicaJournal journal = this.journal;
        if (null == journal || null != haltReason)
        {
            return 0;
        }
        int work = journal.doWork();
        if (!journal.isWritable())
        {
            halt();
            return work + 1;
        }
        work += snapshotSchedule.doWork();
        if (null != logPurger)
        {
            work += logPurger.doWork(nowNs);
        }
        return work;
    }

    /**
     * @return true if the member must not apply the log any more: it has halted, or its journal has just become
     * unwritable. Applying nothing rather than a part keeps this member's state and journal a prefix of the others'.
     */
    private boolean halted()
    {
        if (null != haltReason)
        {
            return true;
        }
        if (!journal.isWritable())
        {
            halt();
            return true;
        }
        return false;
    }

    private void halt()
    {
        final String reason = "cluster member " + ctx.memberId() + " stops: " + journal.unwritableReason();
        haltReason = reason;
        counters.onHalted();
        cluster.context().countedErrorHandler().onError(new IllegalStateException(reason));
        final Consumer<String> handler = ctx.haltHandler();
        if (null != handler)
        {
            handler.accept(reason);
        }
    }

    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        if (halted())
        {
            return;
        }
        counters.onApplied(cluster.logPosition());
    }

    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        if (halted())
        {
            return;
        }
        counters.onApplied(cluster.logPosition());
        stateMachine.onSessionClose(session.id());
    }

    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (halted())
        {
            return;
        }
        counters.onApplied(cluster.logPosition());
        ingress.onSessionMessage(session, timestamp, buffer, offset, length);
        appliedSequence = stateMachine.lastSequence;
    }

    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        if (null != haltReason)
        {
            // The state stopped at the halt, behind the log position of this snapshot: never write it.
            throw new IllegalStateException("no snapshot: " + haltReason);
        }
        new SnapshotTaker(snapshotPublication, cluster.idleStrategy()).take(stateMachine);
        snapshotSchedule.onSnapshot(SwitchStateMachine.clusterTimeNs(cluster));
        if (null != logPurger)
        {
            logPurger.onSnapshot(cluster.logPosition());
        }
    }

    public void onRoleChange(final Cluster.Role newRole)
    {
    }

    public void onNewLeadershipTermEvent(
        final long leadershipTermId,
        final long logPosition,
        final long timestamp,
        final long termBaseLogPosition,
        final int leaderMemberId,
        final int logSessionId,
        final TimeUnit timeUnit,
        final int appVersion)
    {
        // The leader first: a reader that sees the new term (ClusterNode reads it first) sees its leader.
        this.leaderMemberId = leaderMemberId;
        this.leadershipTermId = leadershipTermId;
        if (null != stateMachine)
        {
            stateMachine.leadershipTermId = leadershipTermId;
            stateMachine.leaderMemberId = leaderMemberId;
        }
        if (null == haltReason)
        {
            counters.onApplied(logPosition);
        }
    }

    /**
     * @return the leader of the last leadership term this member's service applied from the log, -1 before the
     * first. Stale while a new election runs: {@link ClusterNode#leaderMemberId()} accounts for that.
     */
    public int leaderMemberId()
    {
        return leaderMemberId;
    }

    /**
     * @return the leadership term of {@link #leaderMemberId()}, -1 before the first.
     */
    public long leadershipTermId()
    {
        return leadershipTermId;
    }

    public void onTerminate(final Cluster cluster)
    {
        closeResources();
    }

    /**
     * Close the switch, the journal and the counters if {@link #onTerminate} did not (the container was closed
     * instead).
     */
    void closeResources()
    {
        final SwitchStateMachine stateMachine = this.stateMachine;
        final ReplicaJournal journal = this.journal;
        final LogPurger logPurger = this.logPurger;
        this.stateMachine = null;
        this.journal = null;
        this.logPurger = null;
        CloseHelper.closeAll(logPurger, stateMachine, journal, counters);
    }

    /**
     * What the service is made with: the member's id (Aeron's {@code Cluster.memberId()} is not yet set when
     * {@code onStart} runs), its journal, who may do what, and the limits of a request.
     */
    public static final class Context
    {
        private int memberId = -1;
        private File journalDir;
        private Function<Cluster, ReplicaJournal> journalFactory;
        private PrincipalPermissions permissions = PrincipalPermissions.ALLOW_ALL;
        private int maxTopicLength = 256;
        private int maxPayloadLength = 8 * 1024;
        private long maxReplay = 1_000_000;
        private int queueGroupWindow = DEFAULT_QUEUE_GROUP_WINDOW;
        private long journalMinFreeDiskBytes = Journal.Context.DEFAULT_MIN_FREE_DISK_BYTES;
        private Retention journalRetention = Retention.keepAll();
        private Consumer<String> haltHandler;
        private long snapshotIntervalNs;
        private int snapshotsKept;
        private int purgeResponseStreamId = -1;
        private long purgeFollowerTimeoutNs = DEFAULT_PURGE_FOLLOWER_TIMEOUT_NS;

        public Context memberId(final int memberId)
        {
            this.memberId = memberId;
            return this;
        }

        public int memberId()
        {
            return memberId;
        }

        /**
         * @param journalDir where the member's {@link MemberJournal} is, unless a journal factory is set.
         */
        public Context journalDir(final File journalDir)
        {
            this.journalDir = journalDir;
            return this;
        }

        public File journalDir()
        {
            return journalDir;
        }

        /**
         * @param journalFactory another journal than the {@link MemberJournal} (benchmarks); null for the default.
         */
        public Context journalFactory(final Function<Cluster, ReplicaJournal> journalFactory)
        {
            this.journalFactory = journalFactory;
            return this;
        }

        public Function<Cluster, ReplicaJournal> journalFactory()
        {
            return journalFactory;
        }

        public Context permissions(final PrincipalPermissions permissions)
        {
            this.permissions = Objects.requireNonNull(permissions, "permissions");
            return this;
        }

        public PrincipalPermissions permissions()
        {
            return permissions;
        }

        public Context maxTopicLength(final int maxTopicLength)
        {
            this.maxTopicLength = maxTopicLength;
            return this;
        }

        public int maxTopicLength()
        {
            return maxTopicLength;
        }

        public Context maxPayloadLength(final int maxPayloadLength)
        {
            this.maxPayloadLength = maxPayloadLength;
            return this;
        }

        public int maxPayloadLength()
        {
            return maxPayloadLength;
        }

        /**
         * @param maxReplay the most messages one resume request replays; the subscriber asks again for more.
         */
        public Context maxReplay(final long maxReplay)
        {
            this.maxReplay = maxReplay;
            return this;
        }

        /**
         * @param queueGroupWindow the most unconfirmed assignments a queue-group member holds (sent again after a
         *                         leader change, handed over when its session closes); past it the oldest is
         *                         forgotten, counted.
         */
        public Context queueGroupWindow(final int queueGroupWindow)
        {
            if (queueGroupWindow < 1)
            {
                throw new IllegalArgumentException("queueGroupWindow must be >= 1: " + queueGroupWindow);
            }
            this.queueGroupWindow = queueGroupWindow;
            return this;
        }

        public int queueGroupWindow()
        {
            return queueGroupWindow;
        }

        public long maxReplay()
        {
            return maxReplay;
        }

        /**
         * @param bytes the member journal stops the member when its file system has fewer usable bytes than this.
         */
        public Context journalMinFreeDiskBytes(final long bytes)
        {
            this.journalMinFreeDiskBytes = bytes;
            return this;
        }

        public long journalMinFreeDiskBytes()
        {
            return journalMinFreeDiskBytes;
        }

        /**
         * @param retention which of the member journal's roll cycles its housekeeping deletes (keep all by default).
         */
        public Context journalRetention(final Retention retention)
        {
            this.journalRetention = Objects.requireNonNull(retention, "retention");
            return this;
        }

        public Retention journalRetention()
        {
            return journalRetention;
        }

        /**
         * @param haltHandler told, on the service's thread, why the member stopped applying the log; it must stop
         *                    the member from another thread (closing joins the service's thread).
         */
        public Context haltHandler(final Consumer<String> haltHandler)
        {
            this.haltHandler = haltHandler;
            return this;
        }

        public Consumer<String> haltHandler()
        {
            return haltHandler;
        }

        /**
         * @param intervalNs as leader, ask for a snapshot when this much cluster time has passed since the last;
         *                   0 (the default here) for none.
         */
        public Context snapshotIntervalNs(final long intervalNs)
        {
            this.snapshotIntervalNs = intervalNs;
            return this;
        }

        public long snapshotIntervalNs()
        {
            return snapshotIntervalNs;
        }

        /**
         * @param snapshotsKept after each snapshot, purge the archive's log before the oldest of this many latest
         *                      snapshots and delete older snapshot recordings; 0 (the default here) purges nothing.
         */
        public Context snapshotsKept(final int snapshotsKept)
        {
            this.snapshotsKept = snapshotsKept;
            return this;
        }

        public int snapshotsKept()
        {
            return snapshotsKept;
        }

        /**
         * @param streamId the archive response stream of the purge's archive client; by default 3400 + member id.
         */
        public Context purgeResponseStreamId(final int streamId)
        {
            this.purgeResponseStreamId = streamId;
            return this;
        }

        public int purgeResponseStreamId()
        {
            return purgeResponseStreamId >= 0 ? purgeResponseStreamId : 3400 + memberId;
        }

        /**
         * @param timeoutNs a follower the leader has not heard from for longer no longer holds back the log purge
         *                  (it must then be seeded from a snapshot); one heard from within it keeps the log it needs.
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

        public long purgeFollowerTimeoutNs()
        {
            return purgeFollowerTimeoutNs;
        }
    }
}
