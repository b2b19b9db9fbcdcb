package io.junction.tools;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.RejectReason;
import io.junction.ShedReason;
import io.junction.SlowSubscriberPolicy;
import io.junction.agent.AgentPlacement;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ErrorEncoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.OutcomeCode;
import io.junction.security.AuthenticationOutcome;
import io.junction.security.Authenticator;

/**
 * The daemon's protocol server: the Junction protocol ({@code io.junction.protocol}, SBE frames behind an int32
 * length) over TCP, served by {@code network.io-agents} {@link IoAgent}s polling NIO selectors on Agrona duty
 * cycles, and one small control worker for what may take long (authenticating a HELLO, applying a SUBSCRIBE in
 * every shard). No thread per connection or per subscription, and no thread ever blocks on a socket: a remote
 * subscription delivers on the switch's pipeline into its connection's bounded send buffer
 * ({@link RemoteSubscription}), where a slow subscriber meets its policy at once.
 * <p>
 * Every bound of {@link NetworkConfig} is enforced here and in {@link ProtocolConnection}; every
 * refusal is counted ({@code protocol errors sent: <CODE>}) and named in the ERROR that answers it.
 */
public final class ProtocolServer implements AutoCloseable
{
    public static final int CONNECTIONS_TYPE_ID = 1300;
    /** Principals with connection series of their own unless the daemon says otherwise. */
    static final int DEFAULT_MAX_PRINCIPAL_SERIES = 100;
    public static final int PUBLISHES_TYPE_ID = 1301;
    public static final int BAD_FRAMES_TYPE_ID = 1302;
    public static final int PUBLISH_FAILURES_TYPE_ID = 1303;
    public static final int OFFERED_BY_CLASS_TYPE_ID = 1304;
    public static final int ACCEPTED_BY_CLASS_TYPE_ID = 1305;
    public static final int BAD_QOS_TYPE_ID = 1306;
    public static final int DURABLE_ACKS_TYPE_ID = 1307;
    public static final int CONNECTIONS_ACCEPTED_TYPE_ID = 1308;
    public static final int REMOTE_SUBSCRIPTIONS_TYPE_ID = 1309;
    public static final int ERRORS_SENT_TYPE_ID = 1310;
    public static final int SUBSCRIBER_DROPS_TYPE_ID = 1311;
    public static final int SLOW_CONSUMERS_TYPE_ID = 1312;
    public static final int REFUSAL_FRAMES_TYPE_ID = 1313;
    public static final int UNDELIVERED_AT_STOP_TYPE_ID = 1314;
    public static final int MESSAGES_SENT_TYPE_ID = 1315;
    public static final int BYTES_RECEIVED_TYPE_ID = 1316;
    public static final int BYTES_SENT_TYPE_ID = 1317;
    public static final int PINGS_SENT_TYPE_ID = 1318;
    public static final int ACCEPT_FAILURES_TYPE_ID = 1319;
    public static final int AUTHENTICATION_REFUSED_TYPE_ID = 1320;
    public static final int NOT_AUTHORISED_TYPE_ID = 1321;
    public static final int AGENT_ERRORS_TYPE_ID = 1322;
    public static final int OUTPUT_PAUSES_TYPE_ID = 1323;
    public static final int PUBLISHES_NOT_AUTHORISED_TYPE_ID = 1324;
    public static final int RESENDS_DURABLE_TYPE_ID = 1325;
    public static final int RESENDS_TOO_OLD_TYPE_ID = 1326;
    public static final int PUBLISHER_TAKEOVERS_TYPE_ID = 1327;
    /** Request/reply: PUBLISHes whose reply topic the connection's bounded cache refused (a String each). */
    public static final int REPLY_TOPICS_NOT_CACHED_TYPE_ID = 1328;
    /** Request/reply: PUBLISHes carrying a reply topic (requests) the switch accepted. */
    public static final int REQUESTS_TYPE_ID = 1329;
    /** Messages lost with a connection that closed: queued in its send buffer, or handed to a member as it ended. */
    public static final int LOST_AT_END_TYPE_ID = 1343;
    /** Gauge: connections holding an outcome window (96 KiB each) for guaranteed publishes awaiting their OUTCOME. */
    public static final int OUTCOME_WINDOWS_TYPE_ID = 1344;
    /** Messages the switch handed a subscription (not in a queue group) after its end: never sent, counted here. */
    public static final int AFTER_END_TYPE_ID = 1345;
    /** Messages a remote subscriber's policy dropped, by class (the total is {@link #SUBSCRIBER_DROPS_TYPE_ID}). */
    public static final int SUBSCRIBER_DROPS_BY_CLASS_TYPE_ID = 1346;
    /** CRITICAL messages that found their connection's express lane full and went in its send buffer instead. */
    public static final int EXPRESS_SPILLS_TYPE_ID = 1347;
    /** CRITICAL messages a remote subscriber's policy dropped, by cause ({@link CriticalDrop}). */
    public static final int CRITICAL_DROPS_TYPE_ID = 1330;

    /** A PUBLISH with request/reply fields to a clustered daemon: the cluster does not carry them. */
    static final long UNSUPPORTED_REQUEST_REPLY = -901;
    // -902 was a guaranteed PUBLISH with a time to live to a clustered daemon: the gateway carries it now; kept unused.
    /** A PUBLISH its principal may not make. */
    static final long NOT_AUTHORISED = -904;

    private static final Long2ObjectHashMap<byte[]> REFUSAL_TEXTS = new Long2ObjectHashMap<>();
    private static final long CLOSE_FLUSH_NS = TimeUnit.SECONDS.toNanos(1);
    /** The least a close waits for the agents to count what was undelivered (more, up to the stop's deadline). */
    static final long CLOSE_COUNT_MIN_NS = TimeUnit.MILLISECONDS.toNanos(500);

    static
    {
        for (final long code : new long[]{ OfferResult.BACK_PRESSURED, OfferResult.CLOSED, OfferResult.JOURNAL_UNAVAILABLE })
        {
            REFUSAL_TEXTS.put(code, ascii(OfferResult.describe(code)));
        }
        for (final RejectReason reason : RejectReason.values())
        {
            REFUSAL_TEXTS.put(OfferResult.rejected(reason), ascii(OfferResult.describe(OfferResult.rejected(reason))));
        }
        for (final ShedReason reason : ShedReason.values())
        {
            REFUSAL_TEXTS.put(OfferResult.shed(reason), ascii(OfferResult.describe(OfferResult.shed(reason))));
        }
        REFUSAL_TEXTS.put(UNSUPPORTED_REQUEST_REPLY, ascii("UNSUPPORTED: a clustered daemon does not carry " +
            "correlationId and replyTo to the cluster; publish without them"));
        REFUSAL_TEXTS.put(NOT_AUTHORISED, ascii("NOT_AUTHORISED: the principal may not publish to that topic"));
    }

    private final Junction junction;
    private final NetworkConfig network;
    private final SlowSubscriberPolicy defaultPolicy;
    private final long publishTimeoutNs;
    private volatile long durableTimeoutNs;
    private final Authenticator authenticator;
    private final ErrorHandler errorHandler;
    private final Consumer<String> log;
    private final int maxFrameLength;
    private final int sendBufferCapacity;
    private final ServerSocketChannel acceptChannel;
    private final IoAgent[] agents;
    private final AgentRunner[] runners;
    private final Thread worker;
    private final BlockingQueue<Runnable> workerQueue = new ArrayBlockingQueue<>(1024);
    private final byte[] tooManyConnections;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger reservedSubscriptions = new AtomicInteger();
    private final AtomicLong sessionIds = new AtomicLong();
    private int nextAgent;
    private volatile boolean admitting = true;
    private volatile boolean closed;
    private volatile long drainDeadlineNs = Long.MAX_VALUE;
    private volatile boolean acceptorFailed;
    private volatile ClusterGateway clusterGateway;
    private volatile DurableSubscriptions durableSubscriptions;

    private final AtomicCounter connectionsCounter;
    private final PrincipalConnections principals;
    private final AtomicCounter publishesCounter;
    private final AtomicCounter badFramesCounter;
    private final AtomicCounter publishFailuresCounter;
    private final AtomicCounter badQosCounter;
    private final AtomicCounter durableAcksCounter;
    private final AtomicCounter[] offeredByClass;
    private final AtomicCounter[] acceptedByClass;
    private final AtomicCounter connectionsAccepted;
    private final AtomicCounter remoteSubscriptions;
    private final AtomicCounter[] errorsSent = new AtomicCounter[256];
    private final AtomicCounter subscriberDrops;
    private final AtomicCounter slowConsumers;
    private final AtomicCounter refusalFrames;
    private final AtomicCounter undeliveredAtStop;
    private final AtomicCounter messagesSent;
    private final AtomicCounter lostAtEnd;
    private final AtomicCounter afterEnd;
    private final AtomicCounter[] subscriberDropsByClass;
    private final AtomicCounter expressSpills;
    private final AtomicCounter[] criticalDrops;
    private final AtomicCounter outcomeWindows;
    private final AtomicCounter bytesReceived;
    private final AtomicCounter bytesSent;
    private final AtomicCounter pingsSent;
    private final AtomicCounter acceptFailures;
    private final AtomicCounter[] authenticationRefused;
    private final AtomicCounter notAuthorised;
    private final AtomicCounter agentErrors;
    private final AtomicCounter outputPauses;
    private final AtomicCounter publishesNotAuthorised;
    private final AtomicCounter replyTopicsNotCached;
    private final AtomicCounter requests;
    private final AtomicCounter resendsDurable;
    private final AtomicCounter resendsTooOld;
    private final AtomicCounter publisherTakeovers;
    private final PublisherStreams publisherStreams = new PublisherStreams();
    private final ServerTls tls;
    private final SendBufferMemory sendBufferMemory;
    /** The connections' CRITICAL express lanes ({@code network.express-send-buffer}), or null for none. */
    private final SendBufferMemory expressMemory;
    private final int expressCapacity;
    private final List<AtomicCounter> allCounters = new ArrayList<>();

    /**
     * @param idleStrategy the daemon's idle-strategy: backoff parks the agents in their selectors; yielding and
     *                     busy-spin are used as they are.
     */
    public ProtocolServer(
        final Junction junction,
        final CountersManager counters,
        final NetworkConfig network,
        final String host,
        final int port,
        final SlowSubscriberPolicy defaultPolicy,
        final long publishTimeoutNs,
        final long durableTimeoutNs,
        final Supplier<IdleStrategy> idleStrategy,
        final Authenticator authenticator,
        final ErrorHandler errorHandler,
        final Consumer<String> log) throws IOException
    {
        this(junction, counters, network, host, port, defaultPolicy, publishTimeoutNs, durableTimeoutNs, idleStrategy,
            authenticator, errorHandler, log, null);
    }

    /**
     * @param tls TLS on the port ({@code security.tls}); null: plain TCP.
     */
    public ProtocolServer(
        final Junction junction,
        final CountersManager counters,
        final NetworkConfig network,
        final String host,
        final int port,
        final SlowSubscriberPolicy defaultPolicy,
        final long publishTimeoutNs,
        final long durableTimeoutNs,
        final Supplier<IdleStrategy> idleStrategy,
        final Authenticator authenticator,
        final ErrorHandler errorHandler,
        final Consumer<String> log,
        final ServerTls.Settings tls) throws IOException
    {
        this.junction = junction;
        this.network = network;
        this.defaultPolicy = defaultPolicy;
        this.publishTimeoutNs = publishTimeoutNs;
        this.durableTimeoutNs = durableTimeoutNs;
        this.authenticator = authenticator;
        this.errorHandler = errorHandler;
        this.log = log;
        this.maxFrameLength = network.maxFrameLength();
        this.sendBufferCapacity = BitUtil.findNextPositivePowerOfTwo(
            Math.max(network.sendBufferBytes(), RingBufferDescriptor.TRAILER_LENGTH));
        this.sendBufferMemory = new SendBufferMemory(sendBufferCapacity + RingBufferDescriptor.TRAILER_LENGTH);
        this.expressCapacity = 0 == network.expressSendBufferBytes() ? 0 :
            BitUtil.findNextPositivePowerOfTwo(network.expressSendBufferBytes());
        this.expressMemory = 0 == expressCapacity ? null :
            new SendBufferMemory(expressCapacity + RingBufferDescriptor.TRAILER_LENGTH);

        connectionsCounter = counter(counters, "protocol connections", CONNECTIONS_TYPE_ID);
        principals = new PrincipalConnections(counters, DEFAULT_MAX_PRINCIPAL_SERIES);
        publishesCounter = counter(counters, "protocol publishes accepted", PUBLISHES_TYPE_ID);
        badFramesCounter = counter(counters, "protocol bad frames", BAD_FRAMES_TYPE_ID);
        publishFailuresCounter = counter(counters, "protocol publishes failed", PUBLISH_FAILURES_TYPE_ID);
        badQosCounter = counter(counters, "protocol bad qos", BAD_QOS_TYPE_ID);
        durableAcksCounter = counter(counters, "protocol guaranteed publishes journaled", DURABLE_ACKS_TYPE_ID);
        final Priority[] classes = Priority.values();
        offeredByClass = new AtomicCounter[classes.length];
        acceptedByClass = new AtomicCounter[classes.length];
        for (final Priority priority : classes)
        {
            offeredByClass[priority.ordinal()] = counter(counters, "protocol offered: " + priority,
                OFFERED_BY_CLASS_TYPE_ID);
            acceptedByClass[priority.ordinal()] = counter(counters, "protocol accepted: " + priority,
                ACCEPTED_BY_CLASS_TYPE_ID);
        }
        connectionsAccepted = counter(counters, "protocol connections accepted", CONNECTIONS_ACCEPTED_TYPE_ID);
        remoteSubscriptions = counter(counters, "protocol remote subscriptions", REMOTE_SUBSCRIPTIONS_TYPE_ID);
        for (final ErrorCode code : ErrorCode.values())
        {
            if (code != ErrorCode.NULL_VAL)
            {
                errorsSent[code.value()] = counter(counters, "protocol errors sent: " + code, ERRORS_SENT_TYPE_ID);
            }
        }
        subscriberDrops = counter(counters, "protocol subscriber messages dropped", SUBSCRIBER_DROPS_TYPE_ID);
        slowConsumers = counter(counters, "protocol slow consumers disconnected", SLOW_CONSUMERS_TYPE_ID);
        refusalFrames = counter(counters, "protocol coalesced refusals sent", REFUSAL_FRAMES_TYPE_ID);
        undeliveredAtStop = counter(counters, "protocol messages undelivered at stop", UNDELIVERED_AT_STOP_TYPE_ID);
        messagesSent = counter(counters, "protocol messages sent", MESSAGES_SENT_TYPE_ID);
        lostAtEnd = counter(counters, "protocol messages lost at a connection's end", LOST_AT_END_TYPE_ID);
        afterEnd = counter(counters, "protocol messages after a subscription's end", AFTER_END_TYPE_ID);
        subscriberDropsByClass = new AtomicCounter[classes.length];
        for (final Priority priority : classes)
        {
            subscriberDropsByClass[priority.ordinal()] = counter(counters, "protocol subscriber drops: " + priority,
                SUBSCRIBER_DROPS_BY_CLASS_TYPE_ID);
        }
        expressSpills = counter(counters, "protocol express lane spills", EXPRESS_SPILLS_TYPE_ID);
        criticalDrops = new AtomicCounter[CriticalDrop.values().length];
        for (final CriticalDrop cause : CriticalDrop.values())
        {
            criticalDrops[cause.ordinal()] = counter(counters, "protocol critical drops: " + cause, CRITICAL_DROPS_TYPE_ID);
        }
        outcomeWindows = counter(counters, "protocol outcome windows held", OUTCOME_WINDOWS_TYPE_ID);
        bytesReceived = counter(counters, "protocol bytes received", BYTES_RECEIVED_TYPE_ID);
        bytesSent = counter(counters, "protocol bytes sent", BYTES_SENT_TYPE_ID);
        pingsSent = counter(counters, "protocol pings sent", PINGS_SENT_TYPE_ID);
        acceptFailures = counter(counters, "protocol accept failures", ACCEPT_FAILURES_TYPE_ID);
        final AuthenticationOutcome.Refusal[] refusals = AuthenticationOutcome.Refusal.values();
        authenticationRefused = new AtomicCounter[refusals.length];
        for (final AuthenticationOutcome.Refusal refusal : refusals)
        {
            authenticationRefused[refusal.ordinal()] = counter(counters, "protocol authentication refused: " + refusal,
                AUTHENTICATION_REFUSED_TYPE_ID);
        }
        notAuthorised = counter(counters, "protocol subscriptions not authorised", NOT_AUTHORISED_TYPE_ID);
        agentErrors = counter(counters, "protocol agent errors", AGENT_ERRORS_TYPE_ID);
        outputPauses = counter(counters, "protocol reads paused: send buffer full", OUTPUT_PAUSES_TYPE_ID);
        publishesNotAuthorised = counter(counters, "protocol publishes not authorised", PUBLISHES_NOT_AUTHORISED_TYPE_ID);
        replyTopicsNotCached = counter(counters, "protocol reply topics not cached", REPLY_TOPICS_NOT_CACHED_TYPE_ID);
        requests = counter(counters, "protocol requests", REQUESTS_TYPE_ID);
        resendsDurable = counter(counters, "protocol resends already journaled", RESENDS_DURABLE_TYPE_ID);
        resendsTooOld = counter(counters, "protocol resends too old to deduplicate", RESENDS_TOO_OLD_TYPE_ID);
        publisherTakeovers = counter(counters, "protocol publisher takeovers", PUBLISHER_TAKEOVERS_TYPE_ID);
        this.tls = null == tls ? null : new ServerTls(tls, (label, typeId) -> counter(counters, label, typeId));

        tooManyConnections = errorFrame(ErrorCode.TOO_MANY_CONNECTIONS, network.maxConnections(),
            "the server holds " + network.maxConnections() + " connections, the most network.max-connections " +
            "allows; closing");

        acceptChannel = ServerSocketChannel.open();
        try
        {
            acceptChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            acceptChannel.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1024);
            acceptChannel.configureBlocking(false);
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(acceptChannel);
            CloseHelper.quietCloseAll(allCounters);
            throw ex;
        }

        worker = new Thread(this::runWorker, "junction-network-control");
        worker.setDaemon(true);
        worker.start();

        agents = new IoAgent[network.ioAgents()];
        runners = new AgentRunner[agents.length];
        for (int i = 0; i < agents.length; i++)
        {
            final IoAgent agent = new IoAgent(this, i, 0 == i ? acceptChannel : null, network.maxConnections());
            agents[i] = agent;
            final IdleStrategy idle = null == idleStrategy ? IoAgentSignal.idleStrategy(agent) : idleStrategy.get();
            runners[i] = AgentPlacement.onThread(
                agent, idle, AgentPlacement.ANY_CPU, (error) -> onAgentError(agent, error));
        }
    }

    /**
     * {@code network.inline-shard}: the one I/O agent runs the switch (built in INVOKER mode) on its duty cycle.
     */
    void driveSwitch(final InlineShard inline)
    {
        if (agents.length != 1)
        {
            throw new IllegalStateException("network.inline-shard needs one I/O agent, there are " + agents.length);
        }
        final IoAgent agent = agents[0];
        agent.post(() -> agent.drive(inline));
    }

    private AtomicCounter counter(final CountersManager counters, final String label, final int typeId)
    {
        final AtomicCounter counter = counters.newCounter(label, typeId);
        allCounters.add(counter);
        return counter;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @return a whole ERROR frame, length prefix included.
     */
    private static byte[] errorFrame(final ErrorCode code, final long limit, final String text)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ProtocolConnection.MAX_CONTROL_FRAME]);
        final ErrorEncoder encoder = new ErrorEncoder().wrapAndApplyHeader(buffer, ProtocolFrames.LENGTH_PREFIX,
            new MessageHeaderEncoder()).code(code).requestTemplateId(0).correlation(-1).configuredLimit(limit)
            .text(text);
        final int length = ProtocolFrames.HEADER_LENGTH + encoder.encodedLength();
        ProtocolFrames.frameLength(buffer, 0, length);
        final byte[] frame = new byte[ProtocolFrames.LENGTH_PREFIX + length];
        buffer.getBytes(0, frame);
        return frame;
    }

    /**
     * @return the least {@code network.send-buffer} for frames up to {@code maxFrameLength}: the ring takes
     * records up to an eighth of its capacity.
     */
    static long minSendBufferBytes(final int maxFrameLength)
    {
        return 8L * (ProtocolFrames.LENGTH_PREFIX + maxFrameLength + 8 + 8);
    }

    private void onAgentError(final IoAgent agent, final Throwable error)
    {
        agentErrors.increment();
        if (error instanceof Error)
        {
            agent.markDead(); // The runner rethrows it: the agent's thread ends, and health says so.
        }
        errorHandler.onError(error);
    }

    void onAcceptorFailed(final Throwable error)
    {
        acceptorFailed = true;
        onError(error);
    }

    void onError(final Throwable error)
    {
        agentErrors.increment();
        errorHandler.onError(error);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The control worker: a HELLO's authentication and a SUBSCRIBE's application, off the I/O agents.

    private void runWorker()
    {
        while (!closed)
        {
            final Runnable task;
            try
            {
                task = workerQueue.take();
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            try
            {
                task.run();
            }
            catch (final RuntimeException ex)
            {
                onError(ex);
            }
        }
    }

    /**
     * @return false if the worker's queue is full (the caller retries later).
     */
    boolean submit(final Runnable task)
    {
        return !closed && workerQueue.offer(task);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Connections.

    /**
     * A connection was accepted (on the first agent): refuse it over the limit, else hand it to an agent.
     */
    void onAccepted(final SocketChannel channel)
    {
        if (!admitting)
        {
            CloseHelper.quietClose(channel);
            return;
        }
        if (openConnections.incrementAndGet() > network.maxConnections())
        {
            openConnections.decrementAndGet();
            countError(ErrorCode.TOO_MANY_CONNECTIONS);
            try
            {
                channel.configureBlocking(false);
                channel.write(ByteBuffer.wrap(tooManyConnections)); // A new socket takes it at once, or never.
            }
            catch (final IOException ex)
            {
                // Gone already.
            }
            CloseHelper.quietClose(channel);
            return;
        }
        connectionsCounter.increment();
        connectionsAccepted.increment();
        final IoAgent agent = agents[nextAgent++ % agents.length];
        if (!agent.handOff(channel))
        {
            onConnectionGone();
            CloseHelper.quietClose(channel);
        }
    }

    /**
     * A connection over another transport (an Aeron session) asks to be let in: the same bound as TCP's.
     *
     * @return false if admitting it would pass network.max-connections (counted as TOO_MANY_CONNECTIONS) or the
     * server no longer admits.
     */
    boolean admitConnection()
    {
        if (!admitting)
        {
            return false;
        }
        if (openConnections.incrementAndGet() > network.maxConnections())
        {
            openConnections.decrementAndGet();
            countError(ErrorCode.TOO_MANY_CONNECTIONS);
            return false;
        }
        connectionsCounter.increment();
        connectionsAccepted.increment();
        return true;
    }

    /**
     * @return the ERROR TOO_MANY_CONNECTIONS frame, length prefix included.
     */
    byte[] tooManyConnectionsFrame()
    {
        return tooManyConnections;
    }

    /**
     * Serve the Aeron edge on the first I/O agent.
     */
    void attachAeron(final AeronEdge edge)
    {
        final IoAgent agent = agents[0];
        agent.post(() -> agent.attach(edge));
    }

    /** Connections by principal ({@link PrincipalConnections}), bounded as the daemon's config says. */
    PrincipalConnections principals()
    {
        return principals;
    }

    void onConnectionGone()
    {
        openConnections.decrementAndGet();
        connectionsCounter.decrement();
    }

    boolean reserveSubscription()
    {
        while (true)
        {
            final int current = reservedSubscriptions.get();
            if (current >= network.maxSubscriptions())
            {
                return false;
            }
            if (reservedSubscriptions.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    void releaseSubscription()
    {
        reservedSubscriptions.decrementAndGet();
    }

    long nextSessionId()
    {
        return sessionIds.incrementAndGet();
    }

    // ---------------------------------------------------------------------------------------------------------
    // What connections need.

    Junction junction()
    {
        return junction;
    }

    NetworkConfig network()
    {
        return network;
    }

    int maxFrameLength()
    {
        return maxFrameLength;
    }

    int sendBufferCapacity()
    {
        return sendBufferCapacity;
    }

    SlowSubscriberPolicy defaultPolicy()
    {
        return defaultPolicy;
    }

    /** @return TLS on the port, or null for plain TCP. */
    ServerTls tls()
    {
        return tls;
    }

    Authenticator authenticator()
    {
        return authenticator;
    }

    long publishTimeoutNs()
    {
        return publishTimeoutNs;
    }

    /**
     * Applied by a reload: guaranteed publishes accepted from now on wait this long for their OUTCOME.
     */
    void durableTimeoutNs(final long timeoutNs)
    {
        durableTimeoutNs = timeoutNs;
    }

    long durableTimeoutNs()
    {
        return durableTimeoutNs;
    }

    /**
     * Route best-effort publishes into the cluster through this gateway instead of the local switch.
     */
    void clusterGateway(final ClusterGateway gateway)
    {
        clusterGateway = gateway;
    }

    ClusterGateway clusterGateway()
    {
        return clusterGateway;
    }

    /**
     * Serve durable subscriptions and replays from the daemon's journal (none without one).
     */
    void durableSubscriptions(final DurableSubscriptions subscriptions)
    {
        durableSubscriptions = subscriptions;
    }

    DurableSubscriptions durableSubscriptions()
    {
        return durableSubscriptions;
    }

    boolean isAdmitting()
    {
        return admitting;
    }

    /**
     * @return true once a stop's drain deadline has passed: back-pressured deliveries give up then.
     */
    boolean drainExpired()
    {
        return closed || (!admitting && System.nanoTime() - drainDeadlineNs >= 0);
    }

    /**
     * @return the agreed outcome of a refusal code.
     */
    static OutcomeCode outcomeOf(final long code)
    {
        if (OfferResult.isShed(code))
        {
            return OutcomeCode.SHED;
        }
        if (OfferResult.isRejected(code))
        {
            return OutcomeCode.REJECTED;
        }
        if (code == OfferResult.BACK_PRESSURED)
        {
            return OutcomeCode.BACK_PRESSURED;
        }
        if (code == OfferResult.JOURNAL_UNAVAILABLE)
        {
            return OutcomeCode.UNAVAILABLE;
        }
        if (code == OfferResult.CLOSED)
        {
            return OutcomeCode.CLOSED;
        }
        if (code == NOT_AUTHORISED)
        {
            return OutcomeCode.NOT_AUTHORISED;
        }
        return OutcomeCode.UNSUPPORTED;
    }

    /**
     * @return the refusal's text, ASCII, pre-encoded (no allocation on the refusal path).
     */
    static byte[] describeRefusal(final long code)
    {
        final byte[] text = REFUSAL_TEXTS.get(code);
        return null == text ? ascii("UNKNOWN(" + code + ")") : text;
    }

    void countError(final ErrorCode code)
    {
        final AtomicCounter counter = errorsSent[code.value()];
        if (null != counter)
        {
            counter.increment();
        }
    }

    void authenticationRefused(final AuthenticationOutcome.Refusal refusal)
    {
        authenticationRefused[refusal.ordinal()].increment();
    }

    void onSubscriberDrops(final long count)
    {
        subscriberDrops.getAndAdd(count);
    }

    /**
     * @param priorityOrdinal the dropped messages' class ({@link Priority#ordinal()}).
     */
    void onSubscriberDrops(final long count, final int priorityOrdinal)
    {
        subscriberDrops.getAndAdd(count);
        subscriberDropsByClass[priorityOrdinal].getAndAdd(count);
    }

    /** A CRITICAL message a remote subscriber's policy dropped (also counted in the drops by class): why. */
    void onCriticalDrop(final CriticalDrop cause)
    {
        criticalDrops[cause.ordinal()].increment();
    }

    void onExpressSpill()
    {
        expressSpills.increment();
    }

    void onLostAtEnd(final long count)
    {
        lostAtEnd.getAndAdd(count);
    }

    void onAfterEnd(final long count)
    {
        afterEnd.getAndAdd(count);
    }

    void onUndelivered(final long count)
    {
        undeliveredAtStop.getAndAdd(count);
    }

    void bytesReceived(final long bytes, final boolean singleWriter)
    {
        if (0 == bytes)
        {
            return;
        }
        if (singleWriter)
        {
            bytesReceived.getAndAddOrdered(bytes);
        }
        else
        {
            bytesReceived.getAndAdd(bytes);
        }
    }

    /**
     * @return true with one I/O agent: it is the only writer of the counters it tallies ({@link PublishTally}).
     */
    boolean singleIoAgent()
    {
        return 1 == network.ioAgents();
    }

    void bytesSent(final long bytes)
    {
        bytesSent.getAndAdd(bytes);
    }

    AtomicCounter badFrames()
    {
        return badFramesCounter;
    }

    AtomicCounter badQos()
    {
        return badQosCounter;
    }

    AtomicCounter publishesAccepted()
    {
        return publishesCounter;
    }

    AtomicCounter publishFailures()
    {
        return publishFailuresCounter;
    }

    AtomicCounter durableAcks()
    {
        return durableAcksCounter;
    }

    AtomicCounter[] offeredByClass()
    {
        return offeredByClass;
    }

    AtomicCounter[] acceptedByClass()
    {
        return acceptedByClass;
    }

    AtomicCounter remoteSubscriptions()
    {
        return remoteSubscriptions;
    }

    AtomicCounter slowConsumers()
    {
        return slowConsumers;
    }

    AtomicCounter refusalFrames()
    {
        return refusalFrames;
    }

    AtomicCounter outcomeWindows()
    {
        return outcomeWindows;
    }

    AtomicCounter messagesSent()
    {
        return messagesSent;
    }

    AtomicCounter pingsSent()
    {
        return pingsSent;
    }

    AtomicCounter acceptFailures()
    {
        return acceptFailures;
    }

    AtomicCounter notAuthorised()
    {
        return notAuthorised;
    }

    AtomicCounter outputPauses()
    {
        return outputPauses;
    }

    AtomicCounter replyTopicsNotCached()
    {
        return replyTopicsNotCached;
    }

    AtomicCounter requests()
    {
        return requests;
    }

    AtomicCounter publishesNotAuthorised()
    {
        return publishesNotAuthorised;
    }

    AtomicCounter resendsDurable()
    {
        return resendsDurable;
    }

    AtomicCounter resendsTooOld()
    {
        return resendsTooOld;
    }

    AtomicCounter publisherTakeovers()
    {
        return publisherTakeovers;
    }

    /**
     * @return the memory of a connection's send buffer (its delivery ring and trailer), committed as used.
     */
    ByteBuffer sendBufferMemory()
    {
        return sendBufferMemory.allocate();
    }

    /**
     * @return the memory of a connection's CRITICAL express lane, or null when {@code network.express-send-buffer}
     * is 0.
     */
    ByteBuffer expressLaneMemory()
    {
        return null == expressMemory ? null : expressMemory.allocate();
    }

    /** @return bytes of each connection's CRITICAL express lane, or 0 for none. */
    int expressLaneCapacity()
    {
        return expressCapacity;
    }

    boolean sendBuffersMapped()
    {
        return sendBufferMemory.isMapped();
    }

    PublisherStreams publisherStreams()
    {
        return publisherStreams;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The daemon's view.

    public int port()
    {
        return acceptChannel.socket().getLocalPort();
    }

    /**
     * @return true while the acceptor and every I/O agent run (health: {@code /health/ready}).
     */
    public boolean isHealthy()
    {
        if (acceptorFailed)
        {
            return false;
        }
        for (final IoAgent agent : agents)
        {
            if (!agent.isAlive())
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return an I/O agent, for tests that need to reach one.
     */
    IoAgent agent(final int index)
    {
        return agents[index];
    }

    /**
     * @return the most bytes any connection had waiting to be sent (a gauge, refreshed every 20 ms).
     */
    public long maxBufferedBytes()
    {
        long max = 0;
        for (final IoAgent agent : agents)
        {
            max = Math.max(max, agent.maxBufferedBytes());
        }
        return max;
    }

    /**
     * @return remote subscriptions held.
     */
    public long subscriptions()
    {
        return reservedSubscriptions.get();
    }

    /**
     * Stop admitting: no new connections, and every further PUBLISH is refused CLOSED; subscribers keep receiving
     * until {@link #close()}, and a back-pressured delivery waits no longer than {@code drainDeadlineNs}.
     */
    public void stopAdmitting(final long drainDeadlineNs)
    {
        this.drainDeadlineNs = drainDeadlineNs;
        admitting = false;
        CloseHelper.quietClose(acceptChannel);
        for (final IoAgent agent : agents)
        {
            agent.wake();
        }
    }

    /**
     * Wait (bounded) until the guaranteed publishes already accepted have their OUTCOME staged, so a stop after
     * the switch drained tells each remote publisher which of its messages are durable. The agents answer; this
     * only waits.
     */
    public void awaitDurableAnswers(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final CountDownLatch answered = new CountDownLatch(agents.length);
            final boolean[] pending = new boolean[1];
            for (final IoAgent agent : agents)
            {
                if (!agent.isAlive())
                {
                    answered.countDown();
                    continue;
                }
                agent.post(() ->
                {
                    if (agent.hasBusyConnections())
                    {
                        pending[0] = true;
                    }
                    answered.countDown();
                });
            }
            try
            {
                if (!answered.await(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    return;
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            if (!pending[0])
            {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * Close: give clients that read at most a second to take what their send buffers hold, then close every
     * connection without waiting on any, count and log what was not delivered, and stop the threads.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        final long stopDeadlineNs = admitting ? Long.MAX_VALUE : drainDeadlineNs; // the stop's (shutdown-timeout)
        stopAdmitting(System.nanoTime());
        final long flushDeadlineNs = System.nanoTime() + CLOSE_FLUSH_NS;
        while (System.nanoTime() - flushDeadlineNs < 0 && !allFlushed(flushDeadlineNs))
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        closed = true;
        final AtomicLongArray undelivered = new AtomicLongArray(3);
        final CountDownLatch closedAll = new CountDownLatch(agents.length);
        for (final IoAgent agent : agents)
        {
            if (!agent.isAlive())
            {
                closedAll.countDown();
                continue;
            }
            agent.post(() ->
            {
                final long[] counts = agent.closeAll();
                for (int i = 0; i < counts.length; i++)
                {
                    undelivered.addAndGet(i, counts[i]);
                }
                closedAll.countDown();
            });
        }
        try
        {
            closedAll.await(countWaitNs(stopDeadlineNs, System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        undeliveredAtStop.getAndAdd(undelivered.get(0));
        final long total = undeliveredAtStop.get();
        if (total > 0 || undelivered.get(2) > 0)
        {
            log.accept("protocol: " + total + " message(s) could not be delivered at stop (" + undelivered.get(1) +
                " connection(s) still had " + undelivered.get(0) + " queued and " + undelivered.get(2) +
                " byte(s) unsent; the rest gave up waiting on a back-pressured subscriber)");
        }
        for (final AgentRunner runner : runners)
        {
            CloseHelper.quietClose(runner);
        }
        worker.interrupt();
        try
        {
            worker.join(1000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        CloseHelper.quietCloseAll(allCounters);
        sendBufferMemory.close();
        CloseHelper.quietClose(expressMemory);
    }

    /**
     * How long a close waits for the agents' count of what was undelivered: until the stop's deadline (set from
     * {@code shutdown-timeout} by {@link #stopAdmitting}), and never less than {@link #CLOSE_COUNT_MIN_NS}, so a
     * loaded machine still logs the count while a stop stays bounded.
     *
     * @param stopDeadlineNs the deadline given to {@link #stopAdmitting}, or {@code Long.MAX_VALUE} for none.
     */
    static long countWaitNs(final long stopDeadlineNs, final long nowNs)
    {
        if (Long.MAX_VALUE == stopDeadlineNs)
        {
            return CLOSE_COUNT_MIN_NS;
        }
        return Math.max(CLOSE_COUNT_MIN_NS, stopDeadlineNs - nowNs);
    }

    private boolean allFlushed(final long deadlineNs)
    {
        final CountDownLatch answered = new CountDownLatch(agents.length);
        final boolean[] flushed = { true };
        for (final IoAgent agent : agents)
        {
            if (!agent.isAlive())
            {
                answered.countDown();
                continue;
            }
            agent.post(() ->
            {
                if (!agent.isFlushed())
                {
                    flushed[0] = false;
                }
                answered.countDown();
            });
        }
        try
        {
            return answered.await(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS) && flushed[0];
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
