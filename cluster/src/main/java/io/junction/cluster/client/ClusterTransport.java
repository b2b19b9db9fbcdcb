package io.junction.cluster.client;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.Header;
import io.aeron.security.AuthenticationException;
import io.aeron.security.CredentialsSupplier;
import io.aeron.security.NullCredentialsSupplier;
import io.junction.client.ConnectionState;
import io.junction.client.EmbeddedMediaDriver;
import io.junction.client.Transport;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.AuthenticationMethodCode;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ErrorEncoder;
import io.junction.protocol.codecs.HelloDecoder;
import io.junction.protocol.codecs.HelloEncoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.PingEncoder;
import io.junction.protocol.codecs.PongDecoder;
import io.junction.protocol.codecs.PublishDecoder;
import io.junction.protocol.codecs.SubscribeDecoder;
import io.junction.protocol.codecs.UnsubscribeDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The Junction protocol over a cluster's ingress and egress ({@link AeronCluster}): plug it into
 * {@link io.junction.client.JunctionClient#connect(io.junction.client.ClientContext, Transport)} and an application
 * reaches a cluster with the same client API as a daemon. Every frame the client writes is one ingress message
 * (so one log entry); every egress message is one frame.
 * <p>
 * Connecting: the client's HELLO carries its credentials; this transport connects to the cluster with them as
 * Aeron Cluster's connect credentials (checked by the members' authenticator, e.g. {@code CredentialsAuthenticator}),
 * and sends the HELLO on without its secret, so no secret enters the replicated log. A refusal comes back to the
 * client as ERROR AUTHENTICATION_FAILED. The egress channel is derived from the client's own address (the local
 * address of the route to the first reachable member) unless set.
 * <p>
 * Quorum: a member answers a frame only once the log entry is committed, so silence means no commit. When nothing
 * has come back for {@link Context#probeIntervalNs} the transport sends a PING of its own (a negative value the
 * client never sees); with no answer within {@link Context#noQuorumTimeoutNs} (by default 1.5 x the leader
 * heartbeat timeout plus {@link Context#ELECTION_ALLOWANCE_NS}) the client is told {@link ConnectionState#NO_QUORUM} and refuses publishes with
 * NOT_CONNECTED, until an answer or a new leader comes: then {@link ConnectionState#LEADER_CHANGED} (or
 * CONNECTED) and every guaranteed publish awaiting its outcome is sent again with its publisher sequence (the
 * cluster drops the ones it has, by {@code principal/instance} and publisher sequence).
 * <p>
 * Publishes at a leader change: those still buffered here are dropped (see {@link #dropBufferedPublishes}); the
 * client resends the guaranteed ones in order.
 * <p>
 * Deliveries: a leader change can lose deliveries on their way (or never sent: entries the old leader committed
 * but did not apply), so the transport re-subscribes each subscription after the last sequence it handed to the
 * client ({@link SubscriptionPositions}); a SUBSCRIBE the client sends again after a reconnect starts there too.
 * A queue-group member keeps its place in its group across a leader change (re-made without leaving) and is sent
 * again what it was assigned after that sequence; its last sequence is confirmed to the cluster every
 * {@link Context#groupConfirmIntervalNs}.
 * <p>
 * Aeron Cluster itself notices a lost leader only after its new-leader or message timeout (5-10 s), and not at all
 * while the minority leader still reads ingress: that is why the probe exists. Single-threaded, as the client is.
 */
public final class ClusterTransport implements Transport
{
    private static final int LENGTH_PREFIX = 4;
    private static final int MAX_SECRET_LENGTH = 4096;

    private final Context ctx;
    private final UnsafeBuffer send;
    /** A queue-group member's UNSUBSCRIBE while its confirm is put before it. */
    private final org.agrona.ExpandableArrayBuffer moved = new org.agrona.ExpandableArrayBuffer(128);
    private int sendPosition;
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(1024);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final HelloDecoder helloDecoder = new HelloDecoder();
    private final HelloEncoder helloEncoder = new HelloEncoder();
    private final PingEncoder pingEncoder = new PingEncoder();
    private final PongDecoder pongDecoder = new PongDecoder();
    private final ErrorEncoder errorEncoder = new ErrorEncoder();
    private final Egress egress = new Egress();
    private final SubscriptionPositions positions;

    private Events events;
    private AeronCluster cluster;
    private AeronCluster.AsyncConnect asyncConnect;
    private byte[] hello;
    private FrameSink sink;
    private int received;
    private long lastAnswerNs;
    private long lastSentNs;
    private long probeValue;
    private long probeSentNs;
    private boolean probeOutstanding;
    private boolean suspended;
    private int leaderMemberId = -1;

    public ClusterTransport(final Context ctx)
    {
        this.ctx = ctx.conclude();
        send = new UnsafeBuffer(new byte[ctx.sendBufferBytes]);
        positions = new SubscriptionPositions(this, ctx.groupConfirmIntervalNs);
    }

    public Context context()
    {
        return ctx;
    }

    /**
     * @return the leader the egress last came from, -1 before the first connect.
     */
    public int leaderMemberId()
    {
        return leaderMemberId;
    }

    @Override
    public void events(final Events events)
    {
        this.events = events;
    }

    @Override
    public void connect()
    {
        close();
    }

    /**
     * Ready for the HELLO at once: the cluster connect starts when the HELLO (with its credentials) is committed.
     */
    @Override
    public boolean finishConnect()
    {
        return true;
    }

    @Override
    public int claim(final int length)
    {
        if (send.capacity() - sendPosition < LENGTH_PREFIX + length)
        {
            return -1;
        }
        return sendPosition + LENGTH_PREFIX;
    }

    @Override
    public MutableDirectBuffer buffer()
    {
        return send;
    }

    @Override
    public void commit(final int offset, final int length)
    {
        final int templateId = ProtocolFrames.templateIdOrZero(send, offset, length);
        if (null == cluster && null == asyncConnect && null == hello && HelloDecoder.TEMPLATE_ID == templateId)
        {
            startConnect(offset, length);
            return; // Sent once connected, without its secret.
        }
        if (SubscribeDecoder.TEMPLATE_ID == templateId)
        {
            positions.onSubscribe(send, offset, length);
        }
        else if (UnsubscribeDecoder.TEMPLATE_ID == templateId)
        {
            final int ackLength = positions.onUnsubscribe(send, offset);
            if (ackLength > 0 && send.capacity() - (offset + ackLength + LENGTH_PREFIX + length) >= 0)
            {
                // A queue-group member's confirm goes just before its UNSUBSCRIBE (see SubscriptionPositions).
                moved.putBytes(0, send, offset, length);
                send.putBytes(offset, positions.scratch(), 0, ackLength);
                send.putInt(offset - LENGTH_PREFIX, ackLength, ByteOrder.LITTLE_ENDIAN);
                final int unsubscribeAt = offset + ackLength + LENGTH_PREFIX;
                send.putBytes(unsubscribeAt, moved, 0, length);
                send.putInt(unsubscribeAt - LENGTH_PREFIX, length, ByteOrder.LITTLE_ENDIAN);
                sendPosition = unsubscribeAt + length;
                return;
            }
        }
        send.putInt(offset - LENGTH_PREFIX, length, ByteOrder.LITTLE_ENDIAN);
        sendPosition = offset + length;
    }

    /**
     * Queue a frame of the transport's own (not the client's) behind what is buffered.
     */
    boolean enqueue(final DirectBuffer frame, final int offset, final int length)
    {
        final int at = claim(length);
        if (at < 0)
        {
            return false;
        }
        send.putBytes(at, frame, offset, length);
        send.putInt(at - LENGTH_PREFIX, length, ByteOrder.LITTLE_ENDIAN);
        sendPosition = at + length;
        return true;
    }

    /**
     * At a leader change, forget the PUBLISH frames not yet sent: the client sends every guaranteed one awaiting
     * its outcome again, in order, and the cluster deduplicates by the publisher's highest sequence, so one of
     * these reaching the new leader before those resends would make it drop them as duplicates (acknowledged,
     * never logged). Best-effort ones are at most once. Other frames (subscriptions, acks) stay, in order.
     */
    void dropBufferedPublishes()
    {
        int read = 0;
        int write = 0;
        while (read < sendPosition)
        {
            final int length = send.getInt(read, ByteOrder.LITTLE_ENDIAN);
            final int frameLength = LENGTH_PREFIX + length;
            if (PublishDecoder.TEMPLATE_ID != ProtocolFrames.templateIdOrZero(send, read + LENGTH_PREFIX, length))
            {
                if (write != read)
                {
                    send.putBytes(write, send, read, frameLength);
                }
                write += frameLength;
            }
            read += frameLength;
        }
        sendPosition = write;
    }

    @Override
    public int pendingBytes()
    {
        return sendPosition + (null != hello ? hello.length : 0);
    }

    @Override
    public int flush() throws IOException
    {
        if (null == cluster)
        {
            return 0;
        }
        checkOpen();
        int sent = 0;
        if (null != hello)
        {
            scratch.putBytes(0, hello);
            if (cluster.offer(scratch, 0, hello.length) < 0)
            {
                return 0;
            }
            sent += hello.length;
            hello = null;
        }
        int offset = 0;
        while (offset < sendPosition)
        {
            final int length = send.getInt(offset, ByteOrder.LITTLE_ENDIAN);
            if (cluster.offer(send, offset + LENGTH_PREFIX, length) < 0)
            {
                break; // Back pressure or no leader now: the rest waits.
            }
            offset += LENGTH_PREFIX + length;
            sent += length;
        }
        if (offset > 0)
        {
            send.putBytes(0, send, offset, sendPosition - offset);
            sendPosition -= offset;
            lastSentNs = System.nanoTime();
        }
        return sent;
    }

    @Override
    public int poll(final FrameSink sink) throws IOException
    {
        final long nowNs = System.nanoTime();
        if (null != asyncConnect)
        {
            return pollConnect(sink, nowNs);
        }
        if (null == cluster)
        {
            return 0;
        }
        checkOpen();
        this.sink = sink;
        received = 0;
        try
        {
            cluster.pollEgress();
        }
        finally
        {
            this.sink = null;
        }
        checkOpen();
        keepQuorumWatch(nowNs);
        positions.confirmGroupMembers(nowNs);
        return received;
    }

    @Override
    public String describe()
    {
        return "cluster " + ctx.ingressEndpoints;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(asyncConnect, cluster);
        asyncConnect = null;
        cluster = null;
        hello = null;
        sendPosition = 0;
        probeOutstanding = false;
        suspended = false;
    }

    private void startConnect(final int offset, final int length)
    {
        helloDecoder.wrap(send, offset + ProtocolFrames.HEADER_LENGTH, ProtocolFrames.blockLength(send, offset),
            ProtocolFrames.version(send, offset));
        final AuthenticationMethodCode method = helloDecoder.authenticationMethod();
        final int protocolVersion = helloDecoder.protocolVersion();
        final long heartbeatIntervalMs = helloDecoder.heartbeatIntervalMs();
        final String instance = helloDecoder.instance();
        final String user = helloDecoder.user();
        final int secretLength = Math.min(MAX_SECRET_LENGTH, helloDecoder.secretLength());
        final byte[] secret = new byte[secretLength];
        helloDecoder.getSecret(secret, 0, secretLength);
        final byte[] credentials;
        if (AuthenticationMethodCode.PASSWORD == method)
        {
            credentials = join(user.getBytes(StandardCharsets.UTF_8), secret);
        }
        else if (AuthenticationMethodCode.TOKEN == method)
        {
            credentials = join(new byte[0], secret);
        }
        else
        {
            credentials = null;
        }
        java.util.Arrays.fill(secret, (byte)0);
        send.setMemory(offset, length, (byte)0);

        helloEncoder.wrapAndApplyHeader(scratch, 0, header)
            .protocolVersion(protocolVersion)
            .authenticationMethod(AuthenticationMethodCode.NONE)
            .heartbeatIntervalMs(heartbeatIntervalMs)
            .instance(instance)
            .user("")
            .putSecret(new byte[0], 0, 0);
        final int helloLength = MessageHeaderEncoder.ENCODED_LENGTH + helloEncoder.encodedLength();
        hello = new byte[helloLength];
        scratch.getBytes(0, hello);
        asyncConnect = AeronCluster.asyncConnect(newClusterContext(credentials));
    }

    private static byte[] join(final byte[] user, final byte[] secret)
    {
        // CredentialsAuthenticator's encoding: "user:password", or ":" and the token.
        final byte[] joined = new byte[user.length + 1 + secret.length];
        System.arraycopy(user, 0, joined, 0, user.length);
        joined[user.length] = ':';
        System.arraycopy(secret, 0, joined, user.length + 1, secret.length);
        return joined;
    }

    private int pollConnect(final FrameSink sink, final long nowNs) throws IOException
    {
        final AeronCluster connected;
        try
        {
            connected = asyncConnect.poll();
        }
        catch (final AuthenticationException ex)
        {
            CloseHelper.quietClose(asyncConnect);
            asyncConnect = null;
            hello = null;
            refuse(sink, ErrorCode.AUTHENTICATION_FAILED, "the cluster refused the credentials: " + ex.getMessage());
            return 1;
        }
        catch (final AeronException | IllegalStateException ex)
        {
            CloseHelper.quietClose(asyncConnect);
            asyncConnect = null;
            throw new IOException("no leader of " + describe() + " answered: " + ex.getMessage(), ex);
        }
        if (null == connected)
        {
            return 0;
        }
        asyncConnect = null;
        cluster = connected;
        leaderMemberId = connected.leaderMemberId();
        lastAnswerNs = nowNs;
        lastSentNs = nowNs;
        flush();
        return 1;
    }

    /**
     * An answer the client must see as the cluster's (authentication is Aeron Cluster's, not a frame).
     */
    private void refuse(final FrameSink sink, final ErrorCode code, final String text)
    {
        errorEncoder.wrapAndApplyHeader(scratch, 0, header)
            .code(code)
            .requestTemplateId(HelloDecoder.TEMPLATE_ID)
            .correlation(-1)
            .configuredLimit(-1)
            .text(text);
        sink.onFrame(scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + errorEncoder.encodedLength());
    }

    private void checkOpen() throws IOException
    {
        if (cluster.isClosed())
        {
            cluster = null;
            throw new IOException("the session with " + describe() + " ended (no leader within the new-leader " +
                "timeout, or the cluster closed it)");
        }
    }

    private void keepQuorumWatch(final long nowNs)
    {
        if (probeOutstanding && nowNs - probeSentNs > ctx.noQuorumTimeoutNs && nowNs - lastAnswerNs > ctx.noQuorumTimeoutNs)
        {
            if (!suspended)
            {
                suspended = true;
                events.onSuspended(ConnectionState.NO_QUORUM, "no answer from " + describe() + " for " +
                    TimeUnit.NANOSECONDS.toMillis(nowNs - lastAnswerNs) + " ms: it has no quorum (or no leader)");
            }
            probeOutstanding = false; // The probe may have gone to a leader that died: send another.
        }
        if (!probeOutstanding && nowNs - lastAnswerNs >= ctx.probeIntervalNs && nowNs - probeSentNs >= ctx.probeIntervalNs)
        {
            pingEncoder.wrapAndApplyHeader(scratch, 0, header).value(-(++probeValue));
            if (cluster.offer(scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + pingEncoder.encodedLength()) > 0)
            {
                probeOutstanding = true;
                probeSentNs = nowNs;
                lastSentNs = nowNs;
            }
            else if (!suspended && nowNs - lastAnswerNs > ctx.noQuorumTimeoutNs)
            {
                probeOutstanding = true; // Ingress refuses it (no leader): counts as unanswered.
                probeSentNs = nowNs - ctx.probeIntervalNs;
            }
        }
        if (nowNs - lastSentNs > ctx.keepaliveIntervalNs && cluster.sendKeepAlive())
        {
            lastSentNs = nowNs; // The members close a session silent for their session timeout.
        }
    }

    private void answered(final ConnectionState state, final String detail)
    {
        lastAnswerNs = System.nanoTime();
        if (suspended || ConnectionState.LEADER_CHANGED == state)
        {
            suspended = false;
            events.onResumed(state, detail);
        }
    }

    private AeronCluster.Context newClusterContext(final byte[] credentials)
    {
        final CredentialsSupplier credentialsSupplier = null == credentials ? new NullCredentialsSupplier() :
            new CredentialsSupplier()
            {
                public byte[] encodedCredentials()
                {
                    return credentials;
                }

                public byte[] onChallenge(final byte[] encodedChallenge)
                {
                    return credentials;
                }
            };
        return new AeronCluster.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName())
            .ingressChannel(ctx.ingressChannel)
            .ingressEndpoints(ctx.ingressEndpoints)
            .egressChannel(ctx.egressChannel)
            .messageTimeoutNs(ctx.messageTimeoutNs)
            .newLeaderTimeoutNs(ctx.newLeaderTimeoutNs)
            .credentialsSupplier(credentialsSupplier)
            .egressListener(egress);
    }

    private final class Egress implements EgressListener
    {
        public void onMessage(
            final long clusterSessionId, final long timestamp, final DirectBuffer buffer, final int offset,
            final int length, final Header header)
        {
            if (length >= ProtocolFrames.HEADER_LENGTH && PongDecoder.TEMPLATE_ID == ProtocolFrames.templateId(buffer, offset) &&
                ProtocolFrames.SCHEMA_ID == ProtocolFrames.schemaId(buffer, offset) &&
                length >= ProtocolFrames.HEADER_LENGTH + PongDecoder.BLOCK_LENGTH &&
                pongDecoder.wrap(buffer, offset + ProtocolFrames.HEADER_LENGTH, PongDecoder.BLOCK_LENGTH,
                    PongDecoder.SCHEMA_VERSION).value() < 0)
            {
                if (pongDecoder.value() == -probeValue)
                {
                    probeOutstanding = false;
                }
                answered(ConnectionState.CONNECTED, "the cluster answers again (leader " + leaderMemberId + ")");
                return; // Our probe: not the client's.
            }
            answered(ConnectionState.CONNECTED, "the cluster answers again (leader " + leaderMemberId + ")");
            if (!positions.onEgress(buffer, offset, length))
            {
                return; // A delivery the re-subscription after a leader change will replay.
            }
            received++;
            if (null != sink)
            {
                sink.onFrame(buffer, offset, length);
            }
        }

        public void onNewLeader(
            final long clusterSessionId, final long leadershipTermId, final int leaderMemberId, final String endpoints)
        {
            ClusterTransport.this.leaderMemberId = leaderMemberId;
            probeOutstanding = false;
            dropBufferedPublishes();
            positions.onLeaderChanged();
            answered(ConnectionState.LEADER_CHANGED, "member " + leaderMemberId + " leads " + describe() +
                " (term " + leadershipTermId + ")");
        }
    }

    /**
     * Where the cluster is and how to watch it. {@link #ingressEndpoints} is required.
     */
    public static final class Context
    {
        public static final long DEFAULT_LEADER_HEARTBEAT_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(250);
        /**
         * What the default no-quorum timeout allows beyond 1.5 heartbeat timeouts: the election after a leader's
         * loss and the clients' move to the new leader, which on a loaded 2-core machine take 0.25 s past the
         * heartbeat timeout at the median and up to ~1 s in the tail (perf/results/failover-curve-2026-12-03);
         * with 250 ms PlannedLeaderStopTest's clients were told NO_QUORUM in a planned stop at load ~15.
         */
        public static final long ELECTION_ALLOWANCE_NS = TimeUnit.MILLISECONDS.toNanos(750);

        private String ingressEndpoints;
        private String aeronDirectoryName;
        private String ingressChannel = "aeron:udp?term-length=128k";
        private String egressChannel;
        private String clientAddress;
        private long leaderHeartbeatTimeoutNs = DEFAULT_LEADER_HEARTBEAT_TIMEOUT_NS;
        private long noQuorumTimeoutNs;
        private long probeIntervalNs;
        private long keepaliveIntervalNs = TimeUnit.SECONDS.toNanos(1);
        private long messageTimeoutNs = TimeUnit.SECONDS.toNanos(5);
        private long newLeaderTimeoutNs = TimeUnit.SECONDS.toNanos(5);
        private int sendBufferBytes = 256 << 10;
        private long groupConfirmIntervalNs = TimeUnit.MILLISECONDS.toNanos(100);
        private boolean concluded;

        Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            if (null == ingressEndpoints || ingressEndpoints.isEmpty())
            {
                throw new IllegalArgumentException("ingressEndpoints must be set: id=host:port,...");
            }
            if (leaderHeartbeatTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("leaderHeartbeatTimeoutNs must be > 0: " + leaderHeartbeatTimeoutNs);
            }
            if (0 == noQuorumTimeoutNs)
            {
                noQuorumTimeoutNs = leaderHeartbeatTimeoutNs * 3 / 2 + ELECTION_ALLOWANCE_NS;
            }
            if (0 == probeIntervalNs)
            {
                probeIntervalNs = leaderHeartbeatTimeoutNs / 4;
            }
            if (null == egressChannel)
            {
                final String address = null != clientAddress ? LocalAddress.ofHost(clientAddress) :
                    LocalAddress.towardFirstReachable(ingressEndpoints);
                egressChannel = "aeron:udp?endpoint=" + address + ":0|term-length=128k";
            }
            concluded = true;
            return this;
        }

        /**
         * @param ingressEndpoints the members' ingress, {@code id=host:port,...} (ClusterMembers#ingressEndpoints).
         */
        public Context ingressEndpoints(final String ingressEndpoints)
        {
            this.ingressEndpoints = ingressEndpoints;
            return this;
        }

        public String ingressEndpoints()
        {
            return ingressEndpoints;
        }

        /**
         * @param aeronDirectoryName a running media driver's; null (the default): one embedded driver per
         *                           process, shared by its cluster transports, stopped at exit.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public String aeronDirectoryName()
        {
            return null != aeronDirectoryName ? aeronDirectoryName : EmbeddedDriver.directory();
        }

        public Context ingressChannel(final String ingressChannel)
        {
            this.ingressChannel = Objects.requireNonNull(ingressChannel, "ingressChannel");
            return this;
        }

        /**
         * @param egressChannel where the members send egress; by default {@code aeron:udp?endpoint=<client
         *                      address>:0}, see {@link #clientAddress}.
         */
        public Context egressChannel(final String egressChannel)
        {
            this.egressChannel = egressChannel;
            return this;
        }

        public String egressChannel()
        {
            return egressChannel;
        }

        /**
         * @param clientAddress this client's address (or host name) as the members reach it; by default the local
         *                      address of the route to the first reachable member.
         */
        public Context clientAddress(final String clientAddress)
        {
            this.clientAddress = clientAddress;
            return this;
        }

        /**
         * @param timeoutNs the members' leader heartbeat timeout: the client is told NO_QUORUM within twice it plus
         *                  {@link #ELECTION_ALLOWANCE_NS}.
         */
        public Context leaderHeartbeatTimeoutNs(final long timeoutNs)
        {
            this.leaderHeartbeatTimeoutNs = timeoutNs;
            return this;
        }

        /**
         * @param timeoutNs no answer for this long means no quorum; default 1.5 x the leader heartbeat timeout plus
         *                  {@link #ELECTION_ALLOWANCE_NS}.
         */
        public Context noQuorumTimeoutNs(final long timeoutNs)
        {
            this.noQuorumTimeoutNs = timeoutNs;
            return this;
        }

        public long noQuorumTimeoutNs()
        {
            return noQuorumTimeoutNs;
        }

        /**
         * @param intervalNs probe after this long without an answer; default a quarter of the heartbeat timeout.
         */
        public Context probeIntervalNs(final long intervalNs)
        {
            this.probeIntervalNs = intervalNs;
            return this;
        }

        /**
         * @param intervalNs how often a queue-group member's last sequence is confirmed to the cluster (an ACK, one log
         *                   entry, while it advances): what a closed session had seen is not handed to the others;
         *                   what came in its last interval may be (a duplicate). Default 100 ms.
         */
        public Context groupConfirmIntervalNs(final long intervalNs)
        {
            if (intervalNs < 0)
            {
                throw new IllegalArgumentException("groupConfirmIntervalNs must be >= 0: " + intervalNs);
            }
            this.groupConfirmIntervalNs = intervalNs;
            return this;
        }

        public Context keepaliveIntervalNs(final long intervalNs)
        {
            this.keepaliveIntervalNs = intervalNs;
            return this;
        }

        /**
         * @param timeoutNs Aeron Cluster's connect (and message) timeout.
         */
        public Context messageTimeoutNs(final long timeoutNs)
        {
            this.messageTimeoutNs = timeoutNs;
            return this;
        }

        public Context newLeaderTimeoutNs(final long timeoutNs)
        {
            this.newLeaderTimeoutNs = timeoutNs;
            return this;
        }

        /**
         * @param bytes frames buffered while the ingress is back pressured.
         */
        public Context sendBufferBytes(final int bytes)
        {
            this.sendBufferBytes = bytes;
            return this;
        }
    }

    /**
     * One media driver for the process's cluster transports that were given none, started on first use.
     */
    static final class EmbeddedDriver
    {
        private static EmbeddedMediaDriver driver;

        private EmbeddedDriver()
        {
        }

        static synchronized String directory()
        {
            if (null == driver)
            {
                final EmbeddedMediaDriver launched = EmbeddedMediaDriver.launch(new File(
                    System.getProperty("java.io.tmpdir"), "junction-cluster-client-" + ProcessHandle.current().pid()),
                    128 * 1024, false);
                driver = launched;
                Runtime.getRuntime().addShutdownHook(new Thread(launched::close, "junction-cluster-client-driver"));
            }
            return driver.directory();
        }
    }
}
