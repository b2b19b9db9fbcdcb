package io.junction.tools;

import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import io.junction.protocol.codecs.MessageDecoder;
import io.junction.protocol.codecs.PriorityCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import io.junction.Durability;
import io.junction.InvalidTopicException;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.Publisher;
import io.junction.QualityOfService;
import io.junction.QueueGroupDiscipline;
import io.junction.RejectReason;
import io.junction.SlowSubscriberPolicy;
import io.junction.Subscription;
import io.junction.SubscriptionOptions;
import io.junction.DeliveryThread;
import io.junction.observe.SlowSubscriberJfrEvent;
import io.junction.protocol.AsciiStringCache;
import io.junction.protocol.FrameHandler;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.QueueGroupNames;
import io.junction.protocol.codecs.AckDecoder;
import io.junction.protocol.codecs.CoalescedRefusalEncoder;
import io.junction.protocol.codecs.CreditDecoder;
import io.junction.protocol.codecs.EndReasonCode;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ErrorEncoder;
import io.junction.protocol.codecs.HelloDecoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.OutcomeCode;
import io.junction.protocol.codecs.OutcomeEncoder;
import io.junction.protocol.codecs.PingDecoder;
import io.junction.protocol.codecs.PingEncoder;
import io.junction.protocol.codecs.PongDecoder;
import io.junction.protocol.codecs.PongEncoder;
import io.junction.protocol.codecs.PublishDecoder;
import io.junction.protocol.codecs.ReplayDecoder;
import io.junction.protocol.codecs.SlowSubscriberPolicyCode;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribeDecoder;
import io.junction.protocol.codecs.SubscribedEncoder;
import io.junction.protocol.codecs.UnsubscribeDecoder;
import io.junction.protocol.codecs.UnsubscribedEncoder;
import io.junction.protocol.codecs.WelcomeEncoder;
import io.junction.security.AuthenticationMethod;
import io.junction.security.Inboxes;
import io.junction.security.AuthenticationOutcome;
import io.junction.security.CertificateSubjects;
import io.junction.security.Principal;
import io.junction.topic.Topics;

/**
 * One client of the protocol server, owned by one {@link IoAgent}: everything here runs on that agent's thread,
 * except what a remote subscription's handler does on a pipeline thread (it writes MESSAGE frames into
 * {@link #deliveries}, a many-to-one ring, and schedules the connection) and what the control worker does
 * (authenticate, subscribe) before it posts the result back. Nothing here blocks: a socket that cannot take more
 * leaves bytes in the send buffer for the next OP_WRITE, a full send buffer pauses reading this connection (TCP
 * holds the client back), a back-pressured publish is retried on later duty cycles until the publish timeout.
 * <p>
 * Receive: one buffer, grown up to the maximum frame; a length prefix over the maximum is refused before anything
 * is allocated for it. Send: a staging buffer (control frames, and MESSAGE frames copied from the ring) written
 * to the socket, plus the ring, whose capacity is the connection's bounded send buffer.
 */
final class ProtocolConnection implements FrameHandler
{
    static final int CONNECTED = 0;
    static final int AUTHENTICATING = 1;
    static final int OPEN = 2;
    static final int CLOSING = 3;
    static final int CLOSED = 4;

    /** Waiting for room in the staging buffer. */
    private static final int PAUSE_OUTPUT = 1;
    /** Retry the frame at the read position on the next duty cycle (back pressure, a full queue or window). */
    private static final int PAUSE_RETRY = 2;
    /** Waiting for the control worker's answer. */
    private static final int PAUSE_WORKER = 4;

    /** The largest control frame the server sends (texts are cut to fit). */
    static final int MAX_CONTROL_FRAME = 1024;
    /** Staging room kept for control frames: input is read only while there is this much. */
    static final int OUTPUT_RESERVE = 2 * MAX_CONTROL_FRAME;
    private static final int MAX_TEXT_CHARS = 400;
    private static final int MAX_TEXT_BYTES = 900;
    private static final int INITIAL_RECEIVE = BufferPool.RECEIVE_CAPACITY;
    private static final int LARGE_RECEIVE = BufferPool.LARGE_RECEIVE_CAPACITY;
    private static final int MAX_INSTANCE_LENGTH = 128;
    private static final int DURABLE_WINDOW = OutcomeWindow.CAPACITY; // guaranteed publishes awaiting their outcome
    private static final int MAX_DEFERRED_PONGS = 16;
    private static final long CLOSE_LINGER_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long MIN_HEARTBEAT_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long REFUSAL_LINGER_MS = 10;
    private static final long REFUSAL_LINGER_NS = TimeUnit.MILLISECONDS.toNanos(REFUSAL_LINGER_MS);
    private static final Priority[] PRIORITIES = Priority.values();
    private static final byte[] NO_BYTES = new byte[0];
    private static final ByteBuffer NO_OUTPUT = ByteBuffer.allocate(0);
    private static final long DUPLICATE = OfferResult.rejected(RejectReason.DUPLICATE);
    private static final long TOO_OLD = OfferResult.rejected(RejectReason.TOO_OLD_FOR_DEDUPLICATION);
    /** Duty cycles without input before a polled connection is left to the selector again. */
    private static final int HOT_IDLE_CYCLES = 4;

    private final ProtocolServer server;
    private final IoAgent agent;
    private final ConnectionChannel channel;
    private final SelectionKey key;
    private final String remote;
    private final boolean secureTransport;
    private final long acceptedNs;
    private volatile int state = CONNECTED;
    private int paused;

    private ByteBuffer in;
    private final UnsafeBuffer inBuffer = new UnsafeBuffer(0, 0);
    private int readPosition;
    private long partialSinceNs;
    private long lastInputNs;
    /** Frames taken and bytes written so far: its agent tells a retry that moved from one that did not. */
    private long progress;
    private boolean retrying;
    /** In {@link #onReadable}: the receive buffer stays, whatever a nested resume does. */
    private boolean reading;
    private boolean hot;
    private int hotIdleCycles;

    private long heartbeatIntervalNs;
    private long lastPingNs;
    private int pingsOut;

    private long sessionId = -1;
    volatile int sessionVersion = ProtocolFrames.VERSION;
    private Principal principal;
    private PrincipalConnections.Series principalSeries;
    private Publisher publisher;
    private String publisherName;
    /** Clustered: the regulation of this connection's publishes before the gateway. */
    private ClusterEdge clusterEdge;
    /** The idempotent stream of this connection's guaranteed publishes; 0 for none (a HELLO without instance). */
    private long publisherId;
    private boolean holdsStream;
    private boolean awaitingStream;
    private long awaitingStreamSinceNs;
    private ProtocolConnection takeOverAsked;

    private ByteBuffer out;
    private final UnsafeBuffer outBuffer = new UnsafeBuffer(0, 0);
    private volatile ManyToOneRingBuffer deliveries;
    /** CRITICAL's express lane, written to the socket before {@link #deliveries} (null: none). Made with it. */
    private volatile ExpressLane express;
    private RingWriter ringWriter; // plain TCP: MESSAGE frames go from the ring to the socket, not via staging
    private boolean ringBlocked; // the socket took none of the ring's frames: OP_WRITE says when to go on
    /** Queue-group members leaving on UNSUBSCRIBE, until their last MESSAGE is out (made on the first). */
    private LeavingMembers leavers;
    private final java.util.function.Predicate<RemoteSubscription> finishLeave = this::finishLeave;
    private final AtomicInteger drainLock = new AtomicInteger();
    final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicReference<RemoteSubscription> slowConsumer = new AtomicReference<>();
    private final ControlledMessageHandler copyDelivery = this::copyDelivery;
    private final org.agrona.concurrent.MessageHandler discardDelivery = this::discardDelivery;
    /** Drop-oldest making room for a CRITICAL message: the oldest is dropped whatever its class (CRITICAL counted). */
    private final org.agrona.concurrent.MessageHandler evictDelivery = this::evictDelivery;
    private final org.agrona.concurrent.ControlledMessageHandler discardBelowCritical = this::discardBelowCritical;
    private static final org.agrona.concurrent.MessageHandler DISCARD = (typeId, buffer, index, length) -> { };

    private long closeDeadlineNs;
    private ErrorCode finalErrorCode;
    private String finalErrorText;
    private int finalErrorTemplate;
    private long finalErrorLimit = -1;

    private RemoteSubscription[] slots = new RemoteSubscription[0];
    private final ConnectionDurables durables = new ConnectionDurables(this);
    private final Long2ObjectHashMap<RemoteSubscription> byId = new Long2ObjectHashMap<>();
    private int subscriptionCount;

    private TopicCache topics;
    private AsciiStringCache replyTopics; // made on the first request: 16 slots, most requesters name one inbox
    private long refusalCount;
    private long refusalFirst;
    private long refusalLast;
    private long refusalCode;
    private long refusalSinceNs;
    private long backPressuredSinceNs;

    /** Taken from the agent's pool on a guaranteed publish, given back once idle (see {@link #onTimer}). */
    private OutcomeWindow outcomeWindow;
    private long outcomeTailAtTick;
    private long[] pendingSequence;
    private long[] pendingPublisherSequence;
    private long[] pendingDeadline;
    private long pendingHead;
    private long pendingTail;
    private final long[] pongValue = new long[MAX_DEFERRED_PONGS];
    private final long[] pongAfter = new long[MAX_DEFERRED_PONGS];
    private int pongHead;
    private int pongTail;
    private boolean inBusyList;

    ProtocolConnection(
        final ProtocolServer server, final IoAgent agent, final ConnectionChannel channel, final SelectionKey key,
        final long nowNs)
    {
        this.server = server;
        this.agent = agent;
        this.channel = channel;
        this.key = key;
        this.acceptedNs = nowNs;
        this.lastInputNs = nowNs;
        this.heartbeatIntervalNs = server.network().heartbeatInterval().toNanos();
        String address = "?";
        boolean loopback = false;
        final InetSocketAddress peer = channel.remoteAddress();
        if (null != peer && null != peer.getAddress())
        {
            address = peer.getAddress().getHostAddress() + ":" + peer.getPort();
            loopback = peer.getAddress().isLoopbackAddress();
        } // else gone already: the first read says so.
        remote = address;
        // A password may travel only where no one else can read it (see ConfiguredAuthenticator).
        secureTransport = loopback || channel.isEncrypted();
        // No buffer yet: one is taken from the agent's pool when there is something to read (see releaseInput).
    }

    ProtocolServer server()
    {
        return server;
    }

    boolean isOpen()
    {
        return state < CLOSING;
    }

    int state()
    {
        return state;
    }

    ManyToOneRingBuffer deliveries()
    {
        return deliveries;
    }

    ExpressLane express()
    {
        return express;
    }

    // Hooks for this connection's durable subscriptions (ConnectionDurables), on its I/O thread.

    Principal principal()
    {
        return principal;
    }

    IoAgent agent()
    {
        return agent;
    }

    void sendErrorFrame(
        final ErrorCode code, final int requestTemplateId, final long correlation, final long limit, final String text)
    {
        sendError(code, requestTemplateId, correlation, limit, text);
    }

    void onDurableStopped(final RemoteDurableSubscription subscription, final String why)
    {
        server.onError(new IllegalStateException(subscription + " of " + remote + " stopped: " + why));
        if (state < CLOSING)
        {
            durables.onStopped(subscription);
        }
    }

    void retryLater()
    {
        retrying = true;
    }

    void subscriptionAdded(final int count)
    {
        subscriptionCount += count;
    }

    private boolean holdsDropOldest()
    {
        for (final RemoteSubscription subscription : slots)
        {
            if (null != subscription && SlowSubscriberPolicy.DROP_OLDEST == subscription.policy)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true once the connection has its send buffer (made at its first subscription), false if there was
     * no memory for it (answered INTERNAL).
     */
    boolean ensureDeliveries(final int template, final long id)
    {
        if (null == deliveries)
        {
            try
            {
                express = ExpressLane.of(server); // before the ring: a handler sees both (mapped at first use)
                deliveries = new ManyToOneRingBuffer(new UnsafeBuffer(server.sendBufferMemory()));
            }
            catch (final OutOfMemoryError | IllegalStateException ex)
            {
                sendError(ErrorCode.INTERNAL, template, id, server.sendBufferCapacity(),
                    "no memory for this connection's send buffer: " + ex.getMessage());
                return false;
            }
        }
        return true;
    }

    void sendSubscribedFrame(final long id, final String pattern)
    {
        final SubscribedEncoder subscribed = agent.encoders().subscribed;
        final int start = beginFrame(subscribed.sbeTemplateId(), SubscribedEncoder.BLOCK_LENGTH);
        subscribed.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH)
            .subscriptionId(id)
            .startSequence(-1)
            .pattern(pattern);
        endFrame(start, subscribed.encodedLength());
    }

    void sendUnsubscribedFrame(final long id, final EndReasonCode reason, final long delivered, final long dropped)
    {
        if (state < CLOSING && hasOutputRoom(MAX_CONTROL_FRAME))
        {
            final UnsubscribedEncoder unsubscribed = agent.encoders().unsubscribed;
            final int start = beginFrame(unsubscribed.sbeTemplateId(), UnsubscribedEncoder.BLOCK_LENGTH);
            unsubscribed.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH)
                .subscriptionId(id)
                .reason(reason)
                .delivered(delivered)
                .dropped(dropped);
            endFrame(start, unsubscribed.encodedLength());
        }
    }

    int subscriptionCount()
    {
        return subscriptionCount;
    }

    /**
     * @return bytes waiting to be sent: staged and in the ring.
     */
    /**
     * @return a count that grows whenever the connection takes a frame or writes bytes.
     */
    long progress()
    {
        return progress;
    }

    long bufferedBytes()
    {
        final ManyToOneRingBuffer ring = deliveries;
        return (null == out ? 0 : out.position()) + (null == ring ? 0 : ring.size()) + expressQueued();
    }

    private long expressQueued()
    {
        final ExpressLane lane = express;
        return null == lane ? 0 : lane.size();
    }

    boolean hasPendingOutput()
    {
        final ManyToOneRingBuffer ring = deliveries;
        return (null != out && out.position() > 0) || (null != ring && ring.size() > 0) || expressQueued() > 0;
    }

    boolean hasPendingDurable()
    {
        return pendingTail > pendingHead;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Input.

    /**
     * The socket is readable: read what it has (a bounded number of times, for fairness), then handle the
     * complete frames.
     *
     * @return bytes read.
     */
    int onReadable(final long nowNs)
    {
        reading = true;
        final int total;
        try
        {
            total = read(nowNs);
        }
        finally
        {
            reading = false;
        }
        if (!hot)
        {
            releaseInput();
        }
        return total;
    }

    private int read(final long nowNs)
    {
        if (state >= CLOSING || 0 != paused)
        {
            updateInterest();
            return 0;
        }
        if (null == in)
        {
            in = agent.pool().receive();
            inBuffer.wrap(in);
        }
        int total = 0;
        for (int reads = 0; reads < 4; reads++)
        {
            if (!in.hasRemaining() && !makeRoom())
            {
                break;
            }
            final int remainingBefore = in.remaining();
            final int n;
            try
            {
                n = channel.read(in);
            }
            catch (final IOException ex)
            {
                close(); // The client went away.
                return total;
            }
            if (n < 0)
            {
                onEndOfStream();
                return total;
            }
            if (n == 0)
            {
                break;
            }
            total += n;
            lastInputNs = nowNs;
            pingsOut = 0;
            agent.tally().received(n);
            if (n == remainingBefore && in.capacity() < LARGE_RECEIVE)
            {
                growInto(agent.pool().largeReceive()); // A busy reader: the pooled large size at once.
            }
            processInput(nowNs);
            if (state >= CLOSING || 0 != paused)
            {
                break;
            }
        }
        if (total > 0 || channel.hasBufferedInput())
        {
            hotIdleCycles = 0;
            if (!hot && state < CLOSING)
            {
                hot = true; // Read on every duty cycle from now on, until it goes quiet.
                agent.hot(this);
            }
        }
        updateInterest();
        return total;
    }

    /**
     * Give the receive buffer back to the agent's pool once everything in it was handled: an idle connection
     * holds no buffer.
     */
    private void releaseInput()
    {
        if (null != in && !reading && readPosition == in.position() && state < CLOSED)
        {
            agent.pool().release(in);
            in = null;
            inBuffer.wrap(NO_BYTES); // Not to keep a buffer the pool dropped from being collected.
            readPosition = 0;
            partialSinceNs = 0;
        }
    }

    /**
     * Give the staging buffer back once everything staged went to the socket and nothing is queued behind it.
     */
    private void releaseStaging()
    {
        final ManyToOneRingBuffer ring = deliveries;
        if (null != out && 0 == out.position() && state < CLOSING && (null == ring || 0 == ring.size()) &&
            0 == expressQueued())
        {
            agent.pool().release(out);
            out = null;
            outBuffer.wrap(NO_BYTES);
        }
    }

    /**
     * A duty cycle's read of a connection that was busy a moment ago.
     *
     * @return bytes read, or -1 once it is quiet (or closed): the selector watches it again.
     */
    int pollHot(final long nowNs)
    {
        if (state >= CLOSING)
        {
            hot = false;
            return -1;
        }
        if (0 != paused)
        {
            hot = false; // The selector watches it again once it resumes.
            return -1;
        }
        final int read = onReadable(nowNs);
        if (read == 0 && !channel.hasBufferedInput() && ++hotIdleCycles > HOT_IDLE_CYCLES && state < CLOSING)
        {
            hot = false;
            updateInterest();
            releaseInput();
            return -1;
        }
        return state >= CLOSING ? -1 : read;
    }

    /**
     * The agent is about to sleep in its selector: a polled connection goes back to it (OP_READ), so its next bytes
     * wake the agent rather than wait for a poll after a park.
     *
     * @return false if it must stay polled (decrypted bytes the selector knows nothing of).
     */
    boolean leavePolling()
    {
        if (channel.hasBufferedInput() && state < CLOSING && 0 == paused)
        {
            return false;
        }
        hot = false;
        updateInterest();
        releaseInput();
        return true;
    }

    private void onEndOfStream()
    {
        if (null != in && in.position() > readPosition)
        {
            server.countError(ErrorCode.MALFORMED_FRAME); // A partial frame cut off by the client: nothing to answer.
        }
        close();
    }

    private int receiveCapacity()
    {
        return ProtocolFrames.LENGTH_PREFIX + server.maxFrameLength();
    }

    /**
     * Free room in the receive buffer: move the unread bytes to the front, or grow it for a frame longer than it.
     *
     * @return true if there is room now.
     */
    private boolean makeRoom()
    {
        if (readPosition > 0)
        {
            compact();
            return in.hasRemaining();
        }
        if (in.capacity() < receiveCapacity())
        {
            grow(Math.min(receiveCapacity(), Math.max(in.capacity() << 1, INITIAL_RECEIVE)));
            return in.hasRemaining();
        }
        return false;
    }

    private void compact()
    {
        final int unread = in.position() - readPosition;
        if (unread > 0 && readPosition > 0)
        {
            inBuffer.putBytes(0, inBuffer, readPosition, unread);
        }
        in.position(unread);
        readPosition = 0;
    }

    private void grow(final int capacity)
    {
        if (capacity <= in.capacity())
        {
            return;
        }
        growInto(BufferPool.allocate(capacity, "receive"));
    }

    private void growInto(final ByteBuffer bigger)
    {
        final int unread = in.position() - readPosition;
        bigger.put(0, in, readPosition, unread); // absolute bulk copy: no view allocated
        bigger.position(unread);
        agent.pool().release(in);
        in = bigger;
        inBuffer.wrap(in);
        readPosition = 0;
    }

    /**
     * Handle every complete frame in the receive buffer, until one asks to wait.
     */
    void processInput(final long nowNs)
    {
        if (null == in)
        {
            if (state < CLOSING)
            {
                flush(); // Nothing unread: only what is staged.
            }
            return;
        }
        while (state < CLOSING && 0 == paused)
        {
            final int available = in.position() - readPosition;
            if (available < ProtocolFrames.LENGTH_PREFIX)
            {
                partialSinceNs = available > 0 ? (0 == partialSinceNs ? nowNs : partialSinceNs) : 0;
                break;
            }
            final int length = ProtocolFrames.frameLength(inBuffer, readPosition);
            if (length < ProtocolFrames.HEADER_LENGTH || length > server.maxFrameLength())
            {
                // The framing is lost: say why, then close, without reading (or allocating for) the rest.
                server.badFrames().increment();
                closeAfterError(length < 0 || length > server.maxFrameLength() ?
                    ErrorCode.FRAME_TOO_LARGE : ErrorCode.MALFORMED_FRAME, 0, -1, server.maxFrameLength(),
                    "frame length " + Integer.toUnsignedString(length) + " must be " + ProtocolFrames.HEADER_LENGTH +
                    ".." + server.maxFrameLength() + " (network.max-frame-length); closing");
                return;
            }
            if (available < ProtocolFrames.LENGTH_PREFIX + length)
            {
                partialSinceNs = 0 == partialSinceNs ? nowNs : partialSinceNs;
                if (in.capacity() < ProtocolFrames.LENGTH_PREFIX + length)
                {
                    grow(ProtocolFrames.LENGTH_PREFIX + length);
                }
                break;
            }
            partialSinceNs = 0;
            if (!hasOutputRoom(OUTPUT_RESERVE))
            {
                pause(PAUSE_OUTPUT);
                break;
            }
            retrying = false;
            agent.dispatcher().dispatch(inBuffer, readPosition + ProtocolFrames.LENGTH_PREFIX, length, this);
            if (retrying)
            {
                pause(PAUSE_RETRY);
                break;
            }
            readPosition += ProtocolFrames.LENGTH_PREFIX + length;
            progress++;
        }
        if (readPosition == in.position())
        {
            in.clear();
            readPosition = 0;
        }
        else if (readPosition > in.capacity() >> 1)
        {
            compact();
        }
        if (state < CLOSING)
        {
            flush();
        }
    }

    private void pause(final int reason)
    {
        if (reason == PAUSE_OUTPUT && 0 == (paused & PAUSE_OUTPUT))
        {
            server.outputPauses().increment();
        }
        paused |= reason;
        if (reason == PAUSE_RETRY)
        {
            agent.busy(this);
        }
        updateInterest();
    }

    private void resume(final int reason, final long nowNs)
    {
        if (0 == (paused & reason))
        {
            return;
        }
        paused &= ~reason;
        if (0 == paused && state < CLOSING)
        {
            processInput(nowNs);
            if (!hot && channel.hasBufferedInput())
            {
                hot = true; // Decrypted bytes wait that the selector knows nothing of.
                agent.hot(this);
            }
            updateInterest();
            if (!hot)
            {
                releaseInput(); // Its last frame waited for the worker or for room: the selector takes it from here.
            }
        }
    }

    private void updateInterest()
    {
        if (null == key || !key.isValid()) // No key: a transport its owner polls (Aeron).
        {
            return;
        }
        int ops = 0;
        if (state < CLOSING && 0 == paused && !hot)
        {
            ops |= SelectionKey.OP_READ;
        }
        if ((null != out && out.position() > 0 && channel.isReady()) || channel.wantsWrite() || ringBlocked)
        {
            ops |= SelectionKey.OP_WRITE;
        }
        if (key.interestOps() != ops)
        {
            key.interestOps(ops);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Frames from the client.

    @Override
    public void onInvalidFrame(final int errorCode, final DirectBuffer buffer, final int offset, final int length)
    {
        server.badFrames().increment();
        final ErrorCode code = io.junction.protocol.FrameDispatcher.errorCode(errorCode);
        sendError(code, ProtocolFrames.templateIdOrZero(buffer, offset, length), -1, -1,
            ProtocolFrames.describeRefusal(errorCode, buffer, offset, length, server.maxFrameLength()));
    }

    @Override
    public void onInvalidField(final int templateId, final String field, final long value)
    {
        server.badFrames().increment();
        if (templateId == PublishDecoder.TEMPLATE_ID && "qualityOfService".equals(field))
        {
            server.badQos().increment();
        }
        sendError(ErrorCode.INVALID_FIELD, templateId, -1, -1,
            "field '" + field + "' of template " + templateId + " has the unknown value " + value);
    }

    @Override
    public void onUnexpected(final int templateId)
    {
        server.badFrames().increment();
        sendError(ErrorCode.UNSUPPORTED, templateId, -1, -1,
            "template " + templateId + " is sent by a server, not by a client");
    }

    @Override
    public void onHello(final HelloDecoder hello)
    {
        if (CONNECTED != state)
        {
            sendError(ErrorCode.HELLO_REQUIRED, HelloDecoder.TEMPLATE_ID, -1, -1, "a second HELLO on this connection");
            return;
        }
        if (!server.isAdmitting())
        {
            closeAfterError(ErrorCode.SHUTTING_DOWN, HelloDecoder.TEMPLATE_ID, -1, -1, "the server is stopping");
            return;
        }
        final int clientVersion = hello.protocolVersion();
        if (clientVersion < ProtocolFrames.MIN_VERSION)
        {
            closeAfterError(ErrorCode.UNSUPPORTED_VERSION, HelloDecoder.TEMPLATE_ID, -1, -1,
                "the client speaks version " + clientVersion + " of schema " + ProtocolFrames.SCHEMA_ID +
                "; this server speaks versions " + ProtocolFrames.MIN_VERSION + ".." + ProtocolFrames.VERSION);
            return;
        }
        final AuthenticationMethod method = AuthenticationMethod.values()[hello.authenticationMethod().ordinal()];
        final long requestedHeartbeatMs = hello.heartbeatIntervalMs();
        final String instanceName = hello.instance();
        final String claimed = hello.user();
        // A certificate's principal is what TLS verified, never what the HELLO says.
        final String user = AuthenticationMethod.CLIENT_CERTIFICATE == method ?
            CertificateSubjects.commonName(channel.peerPrincipal()) : claimed;
        final byte[] secret = new byte[hello.secretLength()];
        hello.getSecret(secret, 0, secret.length);
        if (instanceName.length() > MAX_INSTANCE_LENGTH || !isPrintable(instanceName))
        {
            java.util.Arrays.fill(secret, (byte)0);
            closeAfterError(ErrorCode.INVALID_FIELD, HelloDecoder.TEMPLATE_ID, -1, MAX_INSTANCE_LENGTH,
                "instance name must be printable ASCII without spaces, at most " + MAX_INSTANCE_LENGTH + " characters");
            return;
        }
        final String instance = instanceName.isEmpty() ? "conn-" + remotePort() : instanceName;
        final boolean named = !instanceName.isEmpty();
        sessionVersion = Math.min(clientVersion, ProtocolFrames.VERSION);
        final long configuredNs = server.network().heartbeatInterval().toNanos();
        heartbeatIntervalNs = requestedHeartbeatMs <= 0 ? configuredNs :
            Math.max(MIN_HEARTBEAT_NS, Math.min(configuredNs, TimeUnit.MILLISECONDS.toNanos(requestedHeartbeatMs)));
        state = AUTHENTICATING;
        final boolean secure = secureTransport;
        if (!server.submit(() ->
        {
            AuthenticationOutcome outcome;
            try
            {
                outcome = server.authenticator().authenticate(method, user, secret, secure);
            }
            catch (final RuntimeException ex)
            {
                server.onError(ex);
                outcome = AuthenticationOutcome.refused(AuthenticationOutcome.Refusal.BAD_CREDENTIALS);
            }
            finally
            {
                java.util.Arrays.fill(secret, (byte)0);
            }
            final AuthenticationOutcome answer = outcome;
            agent.post(() -> onAuthenticated(answer, instance, named));
        }))
        {
            java.util.Arrays.fill(secret, (byte)0);
            state = CONNECTED;
            retrying = true; // The worker's queue is full: this HELLO again on the next duty cycle.
            return;
        }
        pause(PAUSE_WORKER);
    }

    private void onAuthenticated(final AuthenticationOutcome outcome, final String instance, final boolean named)
    {
        if (state != AUTHENTICATING)
        {
            return; // Closed meanwhile.
        }
        if (!outcome.isAccepted())
        {
            server.authenticationRefused(outcome.refusal());
            closeAfterError(ErrorCode.AUTHENTICATION_FAILED, HelloDecoder.TEMPLATE_ID, -1, -1,
                "HELLO refused: " + outcome.refusal());
            return;
        }
        principal = outcome.principal();
        principalSeries = server.principals().open(principal.name());
        publisherName = principal == Principal.ANONYMOUS ? instance : principal.name() + "/" + instance;
        publisher = server.junction().publisher(publisherName, principal.name()); // quotas per principal
        if (named)
        {
            // The instance the client chose names a stream that outlives this connection (see PublisherStreams).
            publisherId = PublisherStreams.publisherId(publisherName);
            if (!takeStream(agent.nowNs()))
            {
                return; // WELCOME once the connection holding it let it go (service retries).
            }
        }
        welcome();
    }

    /**
     * Hold this connection's publisher stream, or ask the connection holding it to close.
     *
     * @return true once this connection holds it.
     */
    private boolean takeStream(final long nowNs)
    {
        final PublisherStreams.Claim claim = server.publisherStreams().claim(publisherId, publisherName, this);
        if (null == claim)
        {
            holdsStream = true;
            awaitingStream = false;
            takeOverAsked = null;
            return true;
        }
        if (claim.collision())
        {
            closeAfterError(ErrorCode.PUBLISHER_IN_USE, HelloDecoder.TEMPLATE_ID, -1, -1, "publisher '" +
                publisherName + "' has the publisher id of another connected publisher (a hash collision); choose " +
                "another instance name; closing");
            return false;
        }
        if (!awaitingStream)
        {
            awaitingStream = true;
            awaitingStreamSinceNs = nowNs;
            agent.busy(this);
        }
        else if (nowNs - awaitingStreamSinceNs > server.network().helloTimeout().toNanos())
        {
            closeAfterError(ErrorCode.PUBLISHER_IN_USE, HelloDecoder.TEMPLATE_ID, -1,
                server.network().helloTimeout().toMillis(), "the connection holding publisher '" + publisherName +
                "' did not let it go within " + server.network().helloTimeout().toMillis() +
                " ms (network.hello-timeout); closing");
            return false;
        }
        final ProtocolConnection holder = claim.holder();
        if (holder != takeOverAsked)
        {
            takeOverAsked = holder;
            server.publisherTakeovers().increment();
            holder.takeOver(remote);
        }
        return false;
    }

    /**
     * A new connection said HELLO as this connection's principal/instance (any agent's thread): this one closes,
     * then lets the stream go once its guaranteed publishes in flight have their outcome.
     */
    private void takeOver(final String by)
    {
        agent.post(() -> closeAfterError(ErrorCode.PUBLISHER_IN_USE, HelloDecoder.TEMPLATE_ID, -1, -1,
            "a new connection from " + by + " said HELLO as publisher '" + publisherName + "' and takes it over; " +
            "closing"));
    }

    private void releaseStream()
    {
        if (holdsStream)
        {
            holdsStream = false;
            server.publisherStreams().release(publisherId, this);
        }
    }

    /**
     * A closed connection that holds its stream: forget its pending outcomes as they resolve (nobody can be told
     * any more), then let the stream go.
     *
     * @return true while some are still pending.
     */
    private boolean drainClosed(final long nowNs)
    {
        while (pendingTail > pendingHead)
        {
            final int index = (int)(pendingHead & (DURABLE_WINDOW - 1));
            final long sequence = pendingSequence[index];
            if (sequence >= 0 && Durability.PENDING == durabilityOf(sequence) &&
                nowNs - pendingDeadline[index] < 0)
            {
                return true;
            }
            pendingHead++;
        }
        releaseOutcomeWindow();
        releaseStream();
        return false;
    }

    private void welcome()
    {
        sessionId = server.nextSessionId();
        state = OPEN;
        final WelcomeEncoder welcome = agent.encoders().welcome;
        final int start = beginFrame(welcome.sbeTemplateId(), WelcomeEncoder.BLOCK_LENGTH);
        welcome.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH)
            .sessionId(sessionId)
            .protocolVersion(sessionVersion)
            .heartbeatIntervalMs(TimeUnit.NANOSECONDS.toMillis(heartbeatIntervalNs))
            .maxFrameLength(server.maxFrameLength())
            .maxPayloadLength(server.junction().context().maxMessageLength())
            .maxTopicLength(server.junction().context().maxTopicLength())
            .maxSubscriptions(server.network().maxSubscriptionsPerConnection())
            .sendBufferBytes(server.sendBufferCapacity())
            .principal(principal.name())
            .publisher(publisherName);
        endFrame(start, welcome.encodedLength());
        resume(PAUSE_WORKER, agent.nowNs());
    }

    private int remotePort()
    {
        final int colon = remote.lastIndexOf(':');
        try
        {
            return colon < 0 ? 0 : Integer.parseInt(remote.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }

    private static boolean isPrintable(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c <= ' ' || c > '~')
            {
                return false;
            }
        }
        return true;
    }

    private boolean requireOpen(final int templateId)
    {
        if (OPEN == state)
        {
            return true;
        }
        closeAfterError(ErrorCode.HELLO_REQUIRED, templateId, -1, -1,
            "the first frame of a connection must be HELLO; closing");
        return false;
    }

    @Override
    public void onPing(final PingDecoder ping)
    {
        if (!requireOpen(PingDecoder.TEMPLATE_ID))
        {
            return;
        }
        final long value = ping.value();
        if (pendingTail > pendingHead)
        {
            // A PONG means every earlier publish was answered: it waits for the outcomes still pending.
            if (pongTail - pongHead == MAX_DEFERRED_PONGS)
            {
                retrying = true;
                return;
            }
            final int index = pongTail++ % MAX_DEFERRED_PONGS;
            pongValue[index] = value;
            pongAfter[index] = pendingTail;
            agent.busy(this);
            return;
        }
        flushRefusal(false);
        sendPong(value);
    }

    private void sendPong(final long value)
    {
        final PongEncoder pong = agent.encoders().pong;
        final int start = beginFrame(pong.sbeTemplateId(), PongEncoder.BLOCK_LENGTH);
        pong.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH).value(value);
        endFrame(start, pong.encodedLength());
    }

    @Override
    public void onPong(final PongDecoder pong)
    {
        pingsOut = 0; // Any input resets it too; a PONG is the answer the heartbeat waits for.
    }

    @Override
    public void onPublish(final PublishDecoder publish)
    {
        if (!requireOpen(PublishDecoder.TEMPLATE_ID))
        {
            return;
        }
        final long publisherSequence = publish.publisherSequence();
        final int priority = publish.priorityRaw();
        final boolean guaranteed = publish.qualityOfServiceRaw() == 1;
        final long ttlNs = publish.ttlNs();
        final long correlationId = publish.correlationId();
        final long key = RequestFields.key(publish.key());
        final int topicOffset = publish.limit() + PublishDecoder.topicHeaderLength();
        final int topicLength = publish.topicLength();
        publish.skipTopic();
        final int payloadOffset = publish.limit() + PublishDecoder.payloadHeaderLength();
        final int payloadLength = publish.payloadLength();
        publish.skipPayload();
        final int replyToLength = publish.replyToLength();

        if (null == topics)
        {
            topics = new TopicCache();
        }
        final String topic = topics.lookup(inBuffer, topicOffset, topicLength);
        if (0 == backPressuredSinceNs)
        {
            agent.tally().offered(priority);
        }
        final String replyTo = replyToLength > 0 ? replyTopic(publish, replyToLength) : null;
        if (!server.isAdmitting())
        {
            refuse(publisherSequence, OfferResult.CLOSED);
            return;
        }
        if (!topics.mayPublish(principal))
        {
            server.publishesNotAuthorised().increment();
            refuse(publisherSequence, ProtocolServer.NOT_AUTHORISED);
            return;
        }
        if (guaranteed && pendingTail - pendingHead >= DURABLE_WINDOW)
        {
            retrying = true; // The outcome window is full: this PUBLISH again once an outcome went out.
            return;
        }
        final ClusterGateway gateway = server.clusterGateway();
        if (null != gateway)
        {
            if (null != replyTo || RequestFields.hasCorrelation(correlationId))
            {
                refuse(publisherSequence, ProtocolServer.UNSUPPORTED_REQUEST_REPLY);
                return;
            }
            publishToCluster(gateway, publisherSequence, topic, topicOffset, topicLength, priority, guaranteed,
                ttlNs, payloadOffset, payloadLength);
            return;
        }

        final long result;
        publisher.batchTime(agent.nowNs()); // the agent's clock for this duty cycle: no clock read per message
        if (guaranteed && 0 != publisherId)
        {
            // Idempotent, with its key and (for a request) reply topic journaled with it.
            result = publisher.offer(topic, key, PRIORITIES[priority], ttlNs == 0 ? Publisher.NO_TTL : ttlNs, inBuffer,
                payloadOffset, payloadLength, publisherId, publisherSequence, replyTo,
                RequestFields.correlation(correlationId));
            if (DUPLICATE == result || TOO_OLD == result)
            {
                onResend(result, publisherSequence);
                return;
            }
            if (null != replyTo && OfferResult.isAccepted(result))
            {
                server.requests().increment();
            }
        }
        else if (null != replyTo || RequestFields.hasCorrelation(correlationId) || Publisher.NO_KEY != key)
        {
            // A request (or a reply carrying its correlation id), or a keyed publish.
            result = publisher.offer(topic, key, PRIORITIES[priority], guaranteed ? QualityOfService.GUARANTEED :
                QualityOfService.BEST_EFFORT, ttlNs == 0 ? Publisher.NO_TTL : ttlNs, replyTo,
                RequestFields.correlation(correlationId), inBuffer, payloadOffset, payloadLength);
            if (null != replyTo && OfferResult.isAccepted(result))
            {
                server.requests().increment();
            }
        }
        else if (guaranteed)
        {
            result = publisher.offer(topic, PRIORITIES[priority], QualityOfService.GUARANTEED,
                ttlNs == 0 ? Publisher.NO_TTL : ttlNs, inBuffer, payloadOffset, payloadLength);
        }
        else if (ttlNs != 0)
        {
            result = publisher.offer(topic, PRIORITIES[priority], ttlNs, inBuffer, payloadOffset, payloadLength);
        }
        else
        {
            result = publisher.offer(topic, PRIORITIES[priority], inBuffer, payloadOffset, payloadLength);
        }
        onOfferResult(result, publisherSequence, priority, guaranteed);
    }

    private String replyTopic(final PublishDecoder publish, final int replyToLength)
    {
        if (null == replyTopics)
        {
            replyTopics = AsciiStringCache.keepingResidents(16, server.replyTopicsNotCached());
        }
        return replyTopics.get(inBuffer, publish.limit() + PublishDecoder.replyToHeaderLength(), replyToLength);
    }

    /**
     * A resend of an idempotent guaranteed publish the journal already has (answered DURABLE), or one older than its
     * deduplication window (answered REJECTED): an OUTCOME, in publish order with the others.
     */
    private void onResend(final long result, final long publisherSequence)
    {
        backPressuredSinceNs = 0;
        flushRefusal(false);
        (DUPLICATE == result ? server.resendsDurable() : server.resendsTooOld()).increment();
        // A resend of a publish of this connection still awaiting its outcome (the journal has it reserved, maybe
        // not written): answered as that one is, never DURABLE before the journal has it.
        final long original = DUPLICATE == result ? pendingJournalSequence(publisherSequence) : -1;
        enqueueDurable(original >= 0 ? original : result, publisherSequence);
    }

    /**
     * @return the journal sequence of this connection's publish with that publisher sequence if it still awaits its
     * outcome, else -1. A scan of at most the outcome window, on resends only.
     */
    private long pendingJournalSequence(final long publisherSequence)
    {
        for (long i = pendingHead; i < pendingTail; i++)
        {
            final int index = (int)(i & (DURABLE_WINDOW - 1));
            if (pendingPublisherSequence[index] == publisherSequence && pendingSequence[index] >= 0)
            {
                return pendingSequence[index];
            }
        }
        return -1;
    }

    private void onOfferResult(final long result, final long publisherSequence, final int priority,
        final boolean guaranteed)
    {
        if (OfferResult.isAccepted(result))
        {
            backPressuredSinceNs = 0;
            agent.tally().accepted(priority);
            flushRefusal(false); // A run of refusals ends at an accepted publish.
            if (guaranteed)
            {
                enqueueDurable(result, publisherSequence);
            }
            return;
        }
        if (OfferResult.BACK_PRESSURED == result && server.isAdmitting())
        {
            final long nowNs = agent.nowNs();
            if (0 == backPressuredSinceNs)
            {
                backPressuredSinceNs = nowNs;
            }
            if (nowNs - backPressuredSinceNs < server.publishTimeoutNs())
            {
                retrying = true; // Read nothing more from this client; try this PUBLISH again on the next cycle.
                return;
            }
        }
        backPressuredSinceNs = 0;
        refuse(publisherSequence, result);
    }

    /**
     * The clustered daemon: a publish goes to the cluster's ingress through the gateway, regulated here first
     * ({@link ClusterEdge}); the cluster sequences and replicates it, every member's daemon delivers it to its
     * subscribers. A guaranteed one is answered DURABLE once the cluster committed it (its gateway ticket).
     */
    private void publishToCluster(
        final ClusterGateway gateway, final long publisherSequence, final String topic, final int topicOffset,
        final int topicLength, final int priority, final boolean guaranteed, final long ttlNs, final int payloadOffset,
        final int payloadLength)
    {
        final RejectReason invalid = Topics.validateTopic(topic, server.junction().context().maxTopicLength(),
            server.junction().context().maxTopicTokens());
        if (null == clusterEdge && null == invalid)
        {
            clusterEdge = new ClusterEdge(server.junction().regulator(), publisherName, gateway);
        }
        final long result = null != invalid ? OfferResult.rejected(invalid) :
            clusterEdge.publish(topic, priority, guaranteed, ttlNs, inBuffer, topicOffset, topicLength, payloadOffset,
                payloadLength);
        onOfferResult(result, publisherSequence, priority, guaranteed);
    }

    /**
     * @return where a guaranteed publish awaiting its outcome stands: in the journal, or (clustered) in the cluster.
     */
    private Durability durabilityOf(final long sequence)
    {
        final ClusterGateway gateway = server.clusterGateway();
        return null != gateway ? gateway.durability(sequence) : server.junction().durability(sequence);
    }

    /**
     * One more publish refused: it joins the current run if it was refused alike, else the run so far is sent and
     * a new one starts. A run is sent when it ends (a publish accepted or refused otherwise), before a PONG, and
     * once it is {@value #REFUSAL_LINGER_MS} ms old: one COALESCED_REFUSAL per run, never one frame per publish, so
     * a publisher that is shed and does not read gets a frame every few milliseconds at most.
     */
    private void refuse(final long publisherSequence, final long code)
    {
        server.publishFailures().increment();
        if (refusalCount > 0 && code != refusalCode)
        {
            flushRefusal(false);
        }
        if (0 == refusalCount)
        {
            refusalFirst = publisherSequence;
            refusalCode = code;
            refusalSinceNs = agent.nowNs();
            agent.busy(this);
        }
        refusalLast = publisherSequence;
        refusalCount++;
    }

    /**
     * @param background true when not answering input (it may not use the room kept for input's answers).
     * @return false if a run is still pending (no room yet).
     */
    private boolean flushRefusal(final boolean background)
    {
        if (0 == refusalCount)
        {
            return true;
        }
        if (!hasOutputRoom(background ? OUTPUT_RESERVE + MAX_CONTROL_FRAME : MAX_CONTROL_FRAME))
        {
            return false;
        }
        final CoalescedRefusalEncoder refusal = agent.encoders().refusal;
        final int start = beginFrame(refusal.sbeTemplateId(), CoalescedRefusalEncoder.BLOCK_LENGTH);
        final byte[] text = ProtocolServer.describeRefusal(refusalCode);
        refusal.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH)
            .count(refusalCount)
            .firstPublisherSequence(refusalFirst)
            .lastPublisherSequence(refusalLast)
            .outcome(ProtocolServer.outcomeOf(refusalCode))
            .reasonCode((int)refusalCode)
            .putText(text, 0, text.length);
        endFrame(start, refusal.encodedLength());
        server.refusalFrames().increment();
        refusalCount = 0;
        return true;
    }

    private void enqueueDurable(final long sequence, final long publisherSequence)
    {
        if (null == outcomeWindow)
        {
            takeOutcomeWindow();
        }
        final int index = (int)(pendingTail & (DURABLE_WINDOW - 1));
        pendingSequence[index] = sequence;
        pendingPublisherSequence[index] = publisherSequence;
        pendingDeadline[index] = agent.nowNs() + server.durableTimeoutNs();
        pendingTail++;
        agent.busy(this);
    }

    private void takeOutcomeWindow()
    {
        outcomeWindow = agent.pool().outcomeWindow();
        pendingSequence = outcomeWindow.sequence;
        pendingPublisherSequence = outcomeWindow.publisherSequence;
        pendingDeadline = outcomeWindow.deadline;
        outcomeTailAtTick = pendingTail;
        server.outcomeWindows().increment();
    }

    /**
     * Every outcome went out: the window goes back to the agent's pool (the next guaranteed publish takes one again).
     */
    private void releaseOutcomeWindow()
    {
        if (null == outcomeWindow)
        {
            return;
        }
        agent.pool().release(outcomeWindow);
        outcomeWindow = null;
        pendingSequence = null;
        pendingPublisherSequence = null;
        pendingDeadline = null;
        server.outcomeWindows().decrement();
    }

    @Override
    public void onSubscribe(final SubscribeDecoder subscribe)
    {
        if (!requireOpen(SubscribeDecoder.TEMPLATE_ID))
        {
            return;
        }
        final long id = subscribe.subscriptionId();
        final StartPositionKind start = subscribe.startPositionKind();
        final long initialCredit = subscribe.initialCredit();
        // Version 3 has no CRITICAL credit (its decoder answers the null value): CRITICAL shares the credit.
        final long initialCriticalCredit = Math.max(0, subscribe.initialCriticalCredit());
        final SlowSubscriberPolicyCode policyCode = subscribe.slowSubscriberPolicy();
        final String pattern = subscribe.pattern();
        final String queueGroup = subscribe.queueGroup();
        final String durableName = subscribe.durableName();
        // Version 2 has no discipline (its decoder answers the null value): balanced, as version 2 groups were.
        final QueueGroupDiscipline discipline = 1 == subscribe.queueGroupDisciplineRaw() ?
            QueueGroupDiscipline.KEYED : QueueGroupDiscipline.BALANCED;
        final int template = SubscribeDecoder.TEMPLATE_ID;

        if (byId.containsKey(id) || durables.contains(id))
        {
            sendError(ErrorCode.DUPLICATE_SUBSCRIPTION, template, id, -1, "subscription id " + id + " is in use");
            return;
        }
        final int perConnection = server.network().maxSubscriptionsPerConnection();
        if (subscriptionCount >= perConnection)
        {
            sendError(ErrorCode.TOO_MANY_SUBSCRIPTIONS, template, id, perConnection, "this connection holds " +
                subscriptionCount + " subscriptions, the most network.max-subscriptions-per-connection allows");
            return;
        }
        final String groupProblem = queueGroup.isEmpty() ? null : QueueGroupNames.problem(queueGroup);
        if (null != groupProblem)
        {
            server.badFrames().increment();
            sendError(ErrorCode.INVALID_FIELD, template, id, QueueGroupNames.MAX_LENGTH,
                "field 'queueGroup' refused: the name " + groupProblem);
            return;
        }
        final RejectReason invalid = Topics.validatePattern(pattern, server.junction().context().maxTopicLength(),
            server.junction().context().maxTopicTokens());
        if (null != invalid)
        {
            sendError(ErrorCode.INVALID_PATTERN, template, id, -1, "pattern '" + pattern + "' refused: " +
                invalid.description());
            return;
        }
        if (!principal.permissions().maySubscribe(pattern) && !Inboxes.isOwnInbox(principal, pattern))
        {
            server.notAuthorised().increment();
            sendError(ErrorCode.NOT_AUTHORISED, template, id, -1, principal + " may not subscribe to '" + pattern + "'");
            return;
        }
        final SlowSubscriberPolicy asked = policyCode == SlowSubscriberPolicyCode.SERVER_DEFAULT ?
            server.defaultPolicy() : SlowSubscriberPolicy.values()[policyCode.value() - 1];
        if (!durableName.isEmpty() || StartPositionKind.NEW != start)
        {
            durables.subscribe(id, pattern, queueGroup, durableName, start, subscribe.startPositionValue(),
                initialCredit, asked, holdsDropOldest());
            return;
        }
        if (SlowSubscriberPolicy.DROP_OLDEST == asked && !durables.isEmpty())
        {
            sendError(ErrorCode.UNSUPPORTED, template, id, -1, "this connection holds a durable subscription or " +
                "replay, whose queued frames drop-oldest could discard: subscribe with drop-newest, disconnect or " +
                "back-pressure on this connection, or drop-oldest on another");
            return;
        }
        if (!server.reserveSubscription())
        {
            sendError(ErrorCode.TOO_MANY_SUBSCRIPTIONS_TOTAL, template, id, server.network().maxSubscriptions(),
                "the server holds " + server.network().maxSubscriptions() + " remote subscriptions, the most " +
                "network.max-subscriptions allows");
            return;
        }
        if (null == deliveries)
        {
            try
            {
                express = ExpressLane.of(server); // before the ring: a handler sees both (mapped at first use)
                deliveries = new ManyToOneRingBuffer(new UnsafeBuffer(server.sendBufferMemory()));
            }
            catch (final OutOfMemoryError | IllegalStateException ex)
            {
                server.releaseSubscription();
                sendError(ErrorCode.INTERNAL, template, id, server.sendBufferCapacity(),
                    "no memory for this connection's send buffer: " + ex.getMessage());
                return;
            }
        }
        final SlowSubscriberPolicy policy = policyCode == SlowSubscriberPolicyCode.SERVER_DEFAULT ?
            server.defaultPolicy() : SlowSubscriberPolicy.values()[policyCode.value() - 1];
        final RemoteSubscription subscription = new RemoteSubscription(this, freeSlot(), id, pattern, policy,
            initialCredit, initialCriticalCredit);
        slots[subscription.slot] = subscription;
        byId.put(id, subscription);
        subscriptionCount++;
        final SubscriptionOptions options = SubscriptionOptions.defaults()
            .slowSubscriberPolicy(policy)
            .deliveryThread(DeliveryThread.PIPELINE)
            .listener(SlowSubscriberJfrEvent.listener(subscription));
        if (!queueGroup.isEmpty())
        {
            // Delivered through the switch's shared delivery agents: an outbox in the switch lets the group balance
            // by depth (or drain a moved key first) and hand a leaver's queue to the others.
            options.queueGroup(queueGroup, discipline).deliveryThread(DeliveryThread.SHARED);
            subscription.queueGroupMember = true;
        }
        if (!server.submit(() ->
        {
            Subscription switchSubscription = null;
            String refusal = null;
            ErrorCode code = ErrorCode.SUBSCRIBE_REFUSED;
            try
            {
                switchSubscription = server.junction().subscribe(pattern, subscription, options);
            }
            catch (final InvalidTopicException ex)
            {
                code = ErrorCode.INVALID_PATTERN;
                refusal = ex.getMessage();
            }
            catch (final RuntimeException ex)
            {
                refusal = String.valueOf(ex.getMessage());
            }
            final Subscription result = switchSubscription;
            final ErrorCode errorCode = code;
            final String text = refusal;
            agent.post(() -> onSubscribed(subscription, result, errorCode, text));
        }))
        {
            forget(subscription);
            server.releaseSubscription();
            retrying = true; // The worker's queue is full: this SUBSCRIBE again on the next cycle.
            return;
        }
        pause(PAUSE_WORKER);
    }

    private int freeSlot()
    {
        for (int i = 0; i < slots.length; i++)
        {
            if (null == slots[i])
            {
                return i;
            }
        }
        final int slot = slots.length;
        slots = java.util.Arrays.copyOf(slots, Math.max(4, slots.length << 1));
        return slot;
    }

    private void forget(final RemoteSubscription subscription)
    {
        if (slots[subscription.slot] == subscription)
        {
            slots[subscription.slot] = null;
        }
        if (byId.get(subscription.id) == subscription)
        {
            byId.remove(subscription.id);
            subscriptionCount--;
        }
    }

    private void onSubscribed(
        final RemoteSubscription subscription, final Subscription result, final ErrorCode code, final String refusal)
    {
        if (null == result)
        {
            subscription.ended = true; // a group member given a message meanwhile stops waiting for SUBSCRIBED
            forget(subscription);
            server.releaseSubscription();
            if (state < CLOSING)
            {
                sendError(code, SubscribeDecoder.TEMPLATE_ID, subscription.id, -1,
                    "subscribe '" + subscription.pattern + "' refused: " + refusal);
                resume(PAUSE_WORKER, agent.nowNs());
            }
            return;
        }
        subscription.subscription = result;
        if (state < CLOSING && subscription.leaving && !subscription.ended)
        {
            // Left before its SUBSCRIBED: what the group handed it meanwhile still goes out, then UNSUBSCRIBED.
            server.remoteSubscriptions().increment();
            subscription.announced = true;
            leave(subscription);
            resume(PAUSE_WORKER, agent.nowNs());
            return;
        }
        if (state >= CLOSING || subscription.ended)
        {
            subscription.ended = true;
            CloseHelper.quietClose(result);
            if (byId.get(subscription.id) == subscription)
            {
                forget(subscription);
                server.releaseSubscription();
            }
            return;
        }
        server.remoteSubscriptions().increment();
        final SubscribedEncoder subscribed = agent.encoders().subscribed;
        final int start = beginFrame(subscribed.sbeTemplateId(), SubscribedEncoder.BLOCK_LENGTH);
        subscribed.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH)
            .subscriptionId(subscription.id)
            .startSequence(-1)
            .pattern(subscription.pattern);
        endFrame(start, subscribed.encodedLength());
        subscription.announced = true; // After SUBSCRIBED is staged: no MESSAGE of it can overtake it.
        resume(PAUSE_WORKER, agent.nowNs());
    }

    @Override
    public void onUnsubscribe(final UnsubscribeDecoder unsubscribe)
    {
        if (!requireOpen(UnsubscribeDecoder.TEMPLATE_ID))
        {
            return;
        }
        final long id = unsubscribe.subscriptionId();
        final RemoteSubscription subscription = byId.get(id);
        if (null == subscription && durables.onUnsubscribe(id))
        {
            return;
        }
        if (null == subscription)
        {
            sendError(ErrorCode.UNKNOWN_SUBSCRIPTION, UnsubscribeDecoder.TEMPLATE_ID, id, -1,
                "no subscription " + id + " on this connection");
            return;
        }
        if (subscription.queueGroupMember && state < CLOSING)
        {
            if (!subscription.leaving)
            {
                subscription.leaving = true;
                leave(subscription);
            }
            return; // UNSUBSCRIBED follows its last MESSAGE
        }
        end(subscription, EndReasonCode.UNSUBSCRIBED, true);
    }

    /**
     * A queue-group member leaves: its switch subscription closes first (its queue moves to the others); what the
     * switch still hands it goes out, and UNSUBSCRIBED after the last of it ({@link LeavingMembers}). One whose
     * SUBSCRIBE the worker has not answered yet leaves when it does.
     */
    private void leave(final RemoteSubscription subscription)
    {
        final Subscription switchSubscription = subscription.subscription;
        if (null == switchSubscription)
        {
            return;
        }
        CloseHelper.quietClose(switchSubscription);
        server.remoteSubscriptions().decrement();
        if (null == leavers)
        {
            leavers = new LeavingMembers();
        }
        leavers.add(subscription);
        onDelivered(); // the agent's next flush looks at it
    }

    /**
     * The switch hands a leaving member nothing more and its last frame is staged: UNSUBSCRIBED goes after it.
     *
     * @return false without room for it yet.
     */
    private boolean finishLeave(final RemoteSubscription subscription)
    {
        if (!hasOutputRoom(MAX_CONTROL_FRAME))
        {
            return false;
        }
        subscription.ended = true;
        forget(subscription);
        server.releaseSubscription();
        final UnsubscribedEncoder unsubscribed = agent.encoders().unsubscribed;
        final int start = beginFrame(unsubscribed.sbeTemplateId(), UnsubscribedEncoder.BLOCK_LENGTH);
        unsubscribed.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH)
            .subscriptionId(subscription.id)
            .reason(EndReasonCode.UNSUBSCRIBED)
            .delivered(subscription.delivered())
            .dropped(subscription.dropped.get());
        endFrame(start, unsubscribed.encodedLength());
        return true;
    }

    /**
     * End a subscription: close it in the switch, free its slot and limits, and (if asked) say UNSUBSCRIBED.
     */
    private void end(final RemoteSubscription subscription, final EndReasonCode reason, final boolean answer)
    {
        subscription.ended = true;
        final Subscription switchSubscription = subscription.subscription;
        if (null != switchSubscription && !subscription.leaving) // a leaver's is closed already
        {
            CloseHelper.quietClose(switchSubscription);
            server.remoteSubscriptions().decrement();
        }
        if (null != leavers)
        {
            leavers.remove(subscription);
        }
        forget(subscription);
        server.releaseSubscription();
        if (answer && state < CLOSING && hasOutputRoom(MAX_CONTROL_FRAME))
        {
            final UnsubscribedEncoder unsubscribed = agent.encoders().unsubscribed;
            final int start = beginFrame(unsubscribed.sbeTemplateId(), UnsubscribedEncoder.BLOCK_LENGTH);
            unsubscribed.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH)
                .subscriptionId(subscription.id)
                .reason(reason)
                .delivered(subscription.delivered())
                .dropped(subscription.dropped.get());
            endFrame(start, unsubscribed.encodedLength());
        }
    }

    /**
     * A remote subscription's handler failed more often than its restart intensity allows (pipeline thread).
     */
    void onSubscriptionFault(final RemoteSubscription subscription, final Throwable cause)
    {
        server.onError(new IllegalStateException(subscription + " of " + remote + " ended by faults", cause));
        agent.post(() ->
        {
            if (byId.get(subscription.id) == subscription)
            {
                end(subscription, EndReasonCode.FAULT, true);
                flush();
            }
        });
    }

    @Override
    public void onCredit(final CreditDecoder credit)
    {
        if (!requireOpen(CreditDecoder.TEMPLATE_ID))
        {
            return;
        }
        final RemoteSubscription subscription = byId.get(credit.subscriptionId());
        final long more = credit.credit();
        final long moreCritical = Math.max(0, credit.criticalCredit()); // version 3: none (the null value)
        if (null == subscription && durables.onCredit(credit.subscriptionId(), more, moreCritical))
        {
            return;
        }
        if (null == subscription)
        {
            sendError(ErrorCode.UNKNOWN_SUBSCRIPTION, CreditDecoder.TEMPLATE_ID, credit.subscriptionId(), -1,
                "no subscription " + credit.subscriptionId() + " on this connection");
            return;
        }
        subscription.addCredit(more, moreCritical);
    }

    @Override
    public void onReplay(final ReplayDecoder replay)
    {
        if (requireOpen(ReplayDecoder.TEMPLATE_ID))
        {
            durables.onReplay(replay);
        }
    }

    @Override
    public void onAck(final AckDecoder ack)
    {
        if (requireOpen(AckDecoder.TEMPLATE_ID))
        {
            durables.onAck(ack);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Work between reads: durable outcomes, deferred PONGs, retries.

    /**
     * Called on every duty cycle while the connection is in its agent's busy list.
     *
     * @return true to stay in the list.
     */
    boolean service(final long nowNs)
    {
        if (state >= CLOSING)
        {
            // Saying why and closing: nothing more is answered; the final ERROR goes out with what is staged.
            flush();
            final boolean draining = CLOSED == state && holdsStream && drainClosed(nowNs);
            inBusyList = draining;
            return draining;
        }
        if (awaitingStream && AUTHENTICATING == state && takeStream(nowNs))
        {
            welcome();
        }
        answerDurable(nowNs);
        if (0 != (paused & PAUSE_RETRY))
        {
            resume(PAUSE_RETRY, nowNs);
        }
        if (refusalCount > 0 && nowNs - refusalSinceNs >= REFUSAL_LINGER_NS)
        {
            flushRefusal(true);
        }
        flush();
        final boolean stay = state < CLOSED && (pendingTail > pendingHead || pongTail > pongHead ||
            0 != (paused & PAUSE_RETRY) || refusalCount > 0 || awaitingStream);
        inBusyList = stay;
        return stay;
    }

    boolean markBusy()
    {
        if (inBusyList)
        {
            return false;
        }
        inBusyList = true;
        return true;
    }

    private void answerDurable(final long nowNs)
    {
        while (pendingTail > pendingHead && hasOutputRoom(OUTPUT_RESERVE + MAX_CONTROL_FRAME))
        {
            final int index = (int)(pendingHead & (DURABLE_WINDOW - 1));
            final long sequence = pendingSequence[index];
            final Durability durability = sequence < 0 ? Durability.UNKNOWN : durabilityOf(sequence);
            final OutcomeCode outcome;
            int reasonCode = 0;
            if (sequence < 0)
            {
                // A resend (onResend): the journal had it (DURABLE), or cannot tell (REJECTED TOO_OLD...).
                outcome = DUPLICATE == sequence ? OutcomeCode.DURABLE : OutcomeCode.REJECTED;
                reasonCode = (int)sequence;
            }
            else if (Durability.JOURNALED == durability)
            {
                outcome = OutcomeCode.DURABLE;
                server.durableAcks().increment();
            }
            else if (Durability.PENDING == durability && nowNs - pendingDeadline[index] < 0)
            {
                break; // Answers go out in publish order.
            }
            else
            {
                outcome = Durability.PENDING == durability ? OutcomeCode.TIMED_OUT : OutcomeCode.FAILED;
                server.publishFailures().increment();
            }
            final OutcomeEncoder encoder = agent.encoders().outcome;
            final int start = beginFrame(encoder.sbeTemplateId(), OutcomeEncoder.BLOCK_LENGTH);
            encoder.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH)
                .publisherSequence(pendingPublisherSequence[index])
                .sequence(sequence < 0 ? -1 : null != server.clusterGateway() ?
                    server.clusterGateway().clusterSequence(sequence) : sequence)
                .outcome(outcome)
                .reasonCode(reasonCode);
            endFrame(start, encoder.encodedLength());
            pendingHead++;
        }
        while (pongTail > pongHead && pongAfter[pongHead % MAX_DEFERRED_PONGS] <= pendingHead &&
            hasOutputRoom(OUTPUT_RESERVE + 2 * MAX_CONTROL_FRAME))
        {
            flushRefusal(true);
            sendPong(pongValue[pongHead++ % MAX_DEFERRED_PONGS]);
        }
    }

    /**
     * Timeouts: HELLO, half a frame, the heartbeat, a close that lingers.
     */
    void onTimer(final long nowNs)
    {
        final int current = state;
        if (CLOSING == current)
        {
            if (nowNs - closeDeadlineNs >= 0)
            {
                close();
            }
            return;
        }
        if (CLOSED == current)
        {
            return;
        }
        if (null != outcomeWindow && pendingTail == pendingHead)
        {
            if (pendingTail == outcomeTailAtTick)
            {
                releaseOutcomeWindow(); // idle: every outcome out, and no guaranteed publish for a whole interval
            }
            outcomeTailAtTick = pendingTail;
        }
        final ServerTls tls = server.tls();
        if (null != tls && !channel.isReady() && nowNs - acceptedNs > tls.handshakeTimeoutNs())
        {
            tls.onFailure(TlsFailure.HANDSHAKE_TIMEOUT); // Nothing can be said to it before the handshake: just close.
            close();
            return;
        }
        if (CONNECTED == current && nowNs - acceptedNs > server.network().helloTimeout().toNanos())
        {
            closeAfterError(ErrorCode.HELLO_TIMEOUT, 0, -1, server.network().helloTimeout().toMillis(),
                "no HELLO within " + server.network().helloTimeout().toMillis() + " ms (network.hello-timeout); closing");
            return;
        }
        if (0 != partialSinceNs && 0 == paused && nowNs - partialSinceNs > server.network().readTimeout().toNanos())
        {
            closeAfterError(ErrorCode.PARTIAL_FRAME_TIMEOUT, 0, -1, server.network().readTimeout().toMillis(),
                "half a frame (" + (in.position() - readPosition) + " bytes) held for over " +
                server.network().readTimeout().toMillis() + " ms (network.read-timeout); closing");
            return;
        }
        if (OPEN == current && nowNs - lastInputNs > heartbeatIntervalNs && nowNs - lastPingNs > heartbeatIntervalNs)
        {
            if (pingsOut >= server.network().maxPingsOut())
            {
                closeAfterError(ErrorCode.HEARTBEAT_TIMEOUT, 0, -1, server.network().maxPingsOut(),
                    pingsOut + " PINGs unanswered (network.max-pings-out); closing");
                return;
            }
            if (hasOutputRoom(OUTPUT_RESERVE + MAX_CONTROL_FRAME))
            {
                final PingEncoder ping = agent.encoders().ping;
                final int start = beginFrame(ping.sbeTemplateId(), PingEncoder.BLOCK_LENGTH);
                ping.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH).value(nowNs);
                endFrame(start, ping.encodedLength());
                server.pingsSent().increment();
                flush();
            }
            // A PING that found no room counts as unanswered too: a client that reads nothing is let go after
            // max-pings-out intervals, as a write deadline would.
            pingsOut++;
            lastPingNs = nowNs;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Output.

    /**
     * A remote subscription's handler put a MESSAGE in the ring (any thread): make sure the agent sends it.
     */
    void onDelivered()
    {
        if (!scheduled.get() && scheduled.compareAndSet(false, true))
        {
            agent.schedule(this);
        }
    }

    /**
     * A disconnect-policy subscription could not keep up (any thread): the agent says why, then closes.
     */
    void onSlowConsumer(final RemoteSubscription subscription)
    {
        if (slowConsumer.compareAndSet(null, subscription))
        {
            onDelivered();
        }
    }

    /**
     * Drop-oldest (any thread): discard the oldest queued MESSAGE frames, each counted as a drop of its
     * subscription, until the new one fits. The agent's drain takes the same lock, for as long as a copy.
     *
     * @return the claimed index, or negative if it still does not fit.
     */
    int claimDroppingOldest(final int typeId, final int length)
    {
        return claimDroppingOldest(typeId, length, true);
    }

    /**
     * As above, class-aware: a message below CRITICAL may use the send buffer only up to its CRITICAL reserve, and
     * makes room only by dropping older messages below CRITICAL; when the oldest is CRITICAL it is not dropped, and
     * the newcomer is refused instead (-1). A CRITICAL message makes room by dropping the oldest, whatever its class.
     */
    int claimDroppingOldest(final int typeId, final int length, final boolean critical)
    {
        final ManyToOneRingBuffer ring = deliveries;
        while (!drainLock.compareAndSet(0, 1))
        {
            if (state >= CLOSED)
            {
                return -1;
            }
            Thread.onSpinWait();
        }
        try
        {
            while (true)
            {
                final int index = critical || fitsBelowCriticalReserve(length) ? ring.tryClaim(typeId, length) : -1;
                if (index >= 0)
                {
                    return index;
                }
                final long position = ring.consumerPosition();
                final int discarded = critical ? ring.read(evictDelivery, 1) :
                    ring.controlledRead(discardBelowCritical, 1);
                if (0 == discarded && ring.consumerPosition() == position)
                {
                    // Nothing left to discard (a padding record at the end of the buffer is skipped), or the oldest
                    // is CRITICAL and the newcomer is not.
                    return -1;
                }
            }
        }
        finally
        {
            drainLock.set(0);
        }
    }

    /**
     * Drop the oldest message in the send buffer if it is below CRITICAL (counted, its credit given back).
     *
     * @return false if there was none to drop, or the oldest is CRITICAL.
     */
    boolean discardOldestBelowCritical()
    {
        final ManyToOneRingBuffer ring = deliveries;
        while (!drainLock.compareAndSet(0, 1))
        {
            if (state >= CLOSED)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        try
        {
            final long position = ring.consumerPosition();
            return ring.controlledRead(discardBelowCritical, 1) > 0 || ring.consumerPosition() != position;
        }
        finally
        {
            drainLock.set(0);
        }
    }

    /**
     * @return true if a message below CRITICAL of this record length leaves the send buffer's CRITICAL reserve
     * ({@code network.critical-reserve} percent of it) free.
     */
    boolean fitsBelowCriticalReserve(final int length)
    {
        final ManyToOneRingBuffer ring = deliveries;
        final long reserve = (long)ring.capacity() * server.network().criticalReservePercent() / 100;
        return ring.size() + length + RecordDescriptor.HEADER_LENGTH <= ring.capacity() - reserve;
    }

    private org.agrona.concurrent.ControlledMessageHandler.Action discardBelowCritical(
        final int typeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int frame = index + ProtocolFrames.LENGTH_PREFIX;
        if (length >= ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH + MessageDecoder.BLOCK_LENGTH &&
            MessageDecoder.TEMPLATE_ID == ProtocolFrames.templateId(buffer, frame) &&
            PriorityCode.CRITICAL.value() == buffer.getByte(
                frame + ProtocolFrames.HEADER_LENGTH + MessageDecoder.priorityEncodingOffset()))
        {
            return org.agrona.concurrent.ControlledMessageHandler.Action.ABORT; // kept: CRITICAL is not dropped
        }
        discardDelivery(typeId, buffer, index, length);
        return org.agrona.concurrent.ControlledMessageHandler.Action.CONTINUE;
    }

    private void evictDelivery(final int typeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int frame = index + ProtocolFrames.LENGTH_PREFIX;
        if (length >= ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH + MessageDecoder.BLOCK_LENGTH &&
            MessageDecoder.TEMPLATE_ID == ProtocolFrames.templateId(buffer, frame) &&
            PriorityCode.CRITICAL.value() == buffer.getByte(
                frame + ProtocolFrames.HEADER_LENGTH + MessageDecoder.priorityEncodingOffset()))
        {
            server.onCriticalDrop(CriticalDrop.EVICTED);
        }
        discardDelivery(typeId, buffer, index, length);
    }

    private void discardDelivery(final int typeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final RemoteSubscription[] current = slots;
        final int slot = typeId - 1;
        final RemoteSubscription owner = slot >= 0 && slot < current.length ? current[slot] : null;
        final int frame = index + ProtocolFrames.LENGTH_PREFIX;
        final int priority = length >= ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH +
            MessageDecoder.BLOCK_LENGTH && MessageDecoder.TEMPLATE_ID == ProtocolFrames.templateId(buffer, frame) ?
            buffer.getByte(frame + ProtocolFrames.HEADER_LENGTH + MessageDecoder.priorityEncodingOffset()) : -1;
        final int priorityOrdinal = priority >= 0 && priority < PRIORITIES.length ? priority : Priority.NORMAL.ordinal();
        if (null != owner)
        {
            owner.drop(1, priorityOrdinal);
            owner.refundCredit(priorityOrdinal); // it was never sent: back to the credit of its class
        }
        else
        {
            server.onSubscriberDrops(1, priorityOrdinal);
        }
    }

    void onWritable()
    {
        flush();
    }

    /**
     * Send what is staged and what the ring holds, as far as the socket takes it; what it does not take waits for
     * OP_WRITE. Bounded per call, so one busy connection cannot hold its agent.
     */
    void flush()
    {
        if (state >= CLOSED)
        {
            return;
        }
        final RemoteSubscription slow = slowConsumer.get();
        if (null != slow && state < CLOSING)
        {
            onSlowConsumerDisconnect(slow); // closeAfterError flushes
            return;
        }
        if (channel.wantsWrite() && !flushTransport())
        {
            return;
        }
        for (int round = 0; round < 8; round++)
        {
            final int direct = writeDirect();
            if (state >= CLOSED)
            {
                return; // The client went away.
            }
            if (RingWriter.SOCKET_FULL == direct ||
                (RingWriter.ALL_WRITTEN == direct && 0 == deliveries.size() && 0 == expressQueued()))
            {
                break; // The socket is full (OP_WRITE says when to go on), or everything went.
            }
            if (RingWriter.ALL_WRITTEN == direct)
            {
                if (round == 7)
                {
                    onDelivered(); // More queued: come back after the other connections had their turn.
                }
                continue;
            }
            copyDeliveries();
            if (CLOSING == state && null != finalErrorCode)
            {
                stageFinalError();
            }
            if (null == out || 0 == out.position())
            {
                break;
            }
            out.flip();
            final int n;
            try
            {
                n = channel.write(out);
            }
            catch (final IOException ex)
            {
                out.clear();
                close(); // The client went away.
                return;
            }
            out.compact();
            server.bytesSent(n);
            progress += n;
            if (out.position() > 0)
            {
                break; // The socket is full: OP_WRITE says when to go on.
            }
            final ManyToOneRingBuffer ring = deliveries;
            if (null == ring || (0 == ring.size() && 0 == expressQueued()))
            {
                break;
            }
            if (round == 7)
            {
                onDelivered(); // More queued: come back after the other connections had their turn.
            }
        }
        if (CLOSING == state && null == finalErrorCode && (null == out || 0 == out.position()))
        {
            close();
            return;
        }
        if (null != leavers && !leavers.isEmpty() && state < CLOSING && leavers.poll(deliveries, finishLeave))
        {
            onDelivered(); // a leaver's turn is under way, or its UNSUBSCRIBED is staged: come back next cycle
        }
        if (0 != (paused & PAUSE_OUTPUT) && hasOutputRoom(OUTPUT_RESERVE))
        {
            resume(PAUSE_OUTPUT, agent.nowNs());
        }
        updateInterest();
        releaseStaging();
    }

    /**
     * Send the transport's own bytes (a TLS handshake step, records not yet written).
     *
     * @return false when the connection closed.
     */
    private boolean flushTransport()
    {
        try
        {
            channel.write(NO_OUTPUT);
            return true;
        }
        catch (final IOException ex)
        {
            close(); // The client went away, or its TLS failed (counted by the channel).
            return false;
        }
    }

    /**
     * Plain TCP: the staged control frames and the ring's MESSAGE frames in one gathering write, with no copy
     * ({@link RingWriter}).
     *
     * @return a {@link RingWriter} result, or -1 when this connection copies instead (TLS, Aeron, no ring, closing,
     * the drain lock taken by a drop-oldest producer, a frame longer than the staging buffer).
     */
    private int writeDirect()
    {
        final ManyToOneRingBuffer ring = deliveries;
        if (null == ring || state >= CLOSING || null == channel.gathering())
        {
            return -1;
        }
        if (null == ringWriter)
        {
            ringWriter = RingWriter.over(ring);
            if (null == ringWriter)
            {
                return -1;
            }
        }
        if (!drainLock.compareAndSet(0, 1))
        {
            return -1; // A drop-oldest producer holds it for a moment: the copying path says come back.
        }
        int result = -1;
        long n = 0;
        int frames = 0;
        final ExpressLane lane = express;
        try
        {
            ensureStaging();
            // CRITICAL's express lane first (behind what is staged, so the stream stays whole), then the send buffer.
            result = RingWriter.ALL_WRITTEN;
            if (null != lane && lane.size() > 0)
            {
                result = lane.write(channel.gathering(), out);
                n += lane.written();
                frames += lane.frames();
            }
            // Only once the lane is empty: a CRITICAL message that spilled into the send buffer follows every earlier
            // one in the lane (the flush's next round writes the rest of the lane first).
            if (RingWriter.ALL_WRITTEN == result && (null == lane || 0 == lane.size()))
            {
                result = ringWriter.write(channel.gathering(), out);
                n += ringWriter.written();
                frames += ringWriter.frames();
            }
        }
        catch (final IOException ex)
        {
            out.clear(); // The client went away.
            result = -1;
        }
        finally
        {
            drainLock.set(0);
        }
        if (result < 0)
        {
            close(); // After the lock is let go: the close discards the ring under it (it would wait for itself).
            return RingWriter.SOCKET_FULL;
        }
        ringBlocked = RingWriter.SOCKET_FULL == result;
        server.bytesSent((int)n);
        progress += n;
        if (frames > 0)
        {
            server.messagesSent().getAndAdd(frames);
        }
        return RingWriter.TOO_LONG == result ? -1 : result;
    }

    private void copyDeliveries()
    {
        final ManyToOneRingBuffer ring = deliveries;
        if (null == ring || state >= CLOSING)
        {
            return;
        }
        if (!drainLock.compareAndSet(0, 1))
        {
            onDelivered(); // A drop-oldest producer holds it for a moment: next cycle.
            return;
        }
        try
        {
            ensureStaging();
            final ExpressLane lane = express;
            if (null != lane)
            {
                lane.copy(copyDelivery); // CRITICAL's express lane first; the send buffer once it is empty
            }
            // One read stops at the end of the ring's buffer (after skipping its padding): read on from the start.
            for (int i = 0; i < 3 && (null == lane || 0 == lane.size()); i++)
            {
                final long position = ring.consumerPosition();
                ring.controlledRead(copyDelivery);
                if (ring.consumerPosition() == position)
                {
                    break;
                }
            }
        }
        finally
        {
            drainLock.set(0);
        }
    }

    private ControlledMessageHandler.Action copyDelivery(
        final int typeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (out.remaining() - OUTPUT_RESERVE < length)
        {
            if (0 == out.position() && out.capacity() - OUTPUT_RESERVE < length)
            {
                growStaging(length + OUTPUT_RESERVE);
            }
            else
            {
                return ControlledMessageHandler.Action.ABORT;
            }
        }
        outBuffer.putBytes(out.position(), buffer, index, length);
        out.position(out.position() + length);
        server.messagesSent().increment();
        return ControlledMessageHandler.Action.CONTINUE;
    }

    private void ensureStaging()
    {
        if (null == out)
        {
            out = agent.pool().staging();
            outBuffer.wrap(out);
        }
    }

    private void growStaging(final int capacity)
    {
        final ByteBuffer bigger = BufferPool.allocate(capacity, "staging");
        out.flip();
        bigger.put(out);
        agent.pool().release(out);
        out = bigger;
        outBuffer.wrap(out);
    }

    private boolean hasOutputRoom(final int bytes)
    {
        ensureStaging();
        return out.remaining() >= bytes;
    }

    private void onSlowConsumerDisconnect(final RemoteSubscription subscription)
    {
        server.slowConsumers().increment();
        discardRing(discardDelivery); // each counted a drop of its subscription, by class
        closeAfterError(ErrorCode.SLOW_CONSUMER, SubscribeDecoder.TEMPLATE_ID, subscription.id,
            server.sendBufferCapacity(), subscription + " could not keep up: this connection's send buffer of " +
            server.sendBufferCapacity() + " bytes (network.send-buffer) was full and its policy is disconnect; closing");
    }

    /**
     * Say why, then close: no more input is read; the ERROR goes out after what is already staged, and the
     * connection closes once it is written, or after a short linger whatever the client does.
     */
    void closeAfterError(
        final ErrorCode code, final int requestTemplateId, final long correlation, final long limit, final String text)
    {
        if (state >= CLOSING)
        {
            return;
        }
        server.countError(code);
        final boolean hadSubscriptions = subscriptionCount > 0;
        state = CLOSING;
        closeDeadlineNs = agent.nowNs() + CLOSE_LINGER_NS;
        finalErrorCode = code;
        finalErrorTemplate = requestTemplateId;
        finalErrorLimit = limit;
        finalErrorText = text;
        endSubscriptions();
        if (hadSubscriptions && null != deliveries)
        {
            discardRing();
        }
        flush();
    }

    private void stageFinalError()
    {
        ensureStaging();
        if (out.remaining() >= MAX_CONTROL_FRAME)
        {
            encodeError(finalErrorCode, finalErrorTemplate, -1, finalErrorLimit, finalErrorText);
            finalErrorCode = null;
            finalErrorText = null;
        }
    }

    /**
     * Answer with an ERROR (counted by its code); input's answers always have room (see {@link #OUTPUT_RESERVE}).
     */
    private void sendError(
        final ErrorCode code, final int requestTemplateId, final long correlation, final long limit, final String text)
    {
        server.countError(code);
        if (hasOutputRoom(MAX_CONTROL_FRAME))
        {
            encodeError(code, requestTemplateId, correlation, limit, text);
        }
    }

    private void encodeError(
        final ErrorCode code, final int requestTemplateId, final long correlation, final long limit, final String text)
    {
        final ErrorEncoder error = agent.encoders().error;
        final int start = beginFrame(error.sbeTemplateId(), ErrorEncoder.BLOCK_LENGTH);
        final byte[] bytes = (text.length() > MAX_TEXT_CHARS ? text.substring(0, MAX_TEXT_CHARS) : text)
            .getBytes(StandardCharsets.UTF_8);
        error.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX + ProtocolFrames.HEADER_LENGTH)
            .code(code)
            .requestTemplateId(requestTemplateId)
            .correlation(correlation)
            .configuredLimit(limit)
            .putText(bytes, 0, Math.min(bytes.length, MAX_TEXT_BYTES));
        endFrame(start, error.encodedLength());
    }

    /**
     * Write the length prefix's place and the header of a control frame at the end of the staging buffer.
     *
     * @return where the frame starts (its length prefix).
     */
    private int beginFrame(final int templateId, final int blockLength)
    {
        ensureStaging();
        final int start = out.position();
        final MessageHeaderEncoder header = agent.encoders().header;
        header.wrap(outBuffer, start + ProtocolFrames.LENGTH_PREFIX)
            .blockLength(blockLength)
            .templateId(templateId)
            .schemaId(ProtocolFrames.SCHEMA_ID)
            .version(sessionVersion);
        return start;
    }

    private void endFrame(final int start, final int bodyLength)
    {
        final int length = ProtocolFrames.HEADER_LENGTH + bodyLength;
        ProtocolFrames.frameLength(outBuffer, start, length);
        out.position(start + ProtocolFrames.LENGTH_PREFIX + length);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Closing.

    private void endSubscriptions()
    {
        durables.closeAll();
        for (final RemoteSubscription subscription : slots)
        {
            if (null != subscription)
            {
                end(subscription, EndReasonCode.SERVER_CLOSED, false);
            }
        }
    }

    /**
     * @return the MESSAGE frames that were still queued (discarded). Any thread: the drain lock makes each frame
     * counted by exactly one caller.
     */
    private long discardRing()
    {
        return discardRing(DISCARD);
    }

    private long discardRing(final org.agrona.concurrent.MessageHandler handler)
    {
        final ManyToOneRingBuffer ring = deliveries;
        if (null == ring)
        {
            return 0;
        }
        while (!drainLock.compareAndSet(0, 1))
        {
            Thread.onSpinWait();
        }
        try
        {
            final ExpressLane lane = express;
            return drainAll(ring, handler) + (null == lane ? 0 : lane.discard(handler));
        }
        finally
        {
            drainLock.set(0);
        }
    }

    /**
     * Read every record, across the end of the ring's buffer (one read stops there).
     *
     * @return the MESSAGE frames read (padding is not one).
     */
    private static long drainAll(final ManyToOneRingBuffer ring, final org.agrona.concurrent.MessageHandler handler)
    {
        long frames = 0;
        while (true)
        {
            final long position = ring.consumerPosition();
            frames += ring.read(handler, Integer.MAX_VALUE);
            if (ring.consumerPosition() == position)
            {
                return frames;
            }
        }
    }

    /**
     * Discard what the send ring holds once the connection closed, counted lost at its end: by the close, and
     * again by a handler that committed a MESSAGE and then found the connection closed (any thread,
     * {@link RemoteSubscription}), whose frame the close's discard may have run too early to see.
     */
    void discardAfterClose()
    {
        final long lost = discardRing();
        if (lost > 0)
        {
            server.onLostAtEnd(lost);
        }
    }

    /**
     * @return MESSAGE frames queued and not yet staged (for the count of what a stop could not deliver).
     */
    long queuedMessages()
    {
        return null == deliveries ? 0 : discardRing();
    }

    /**
     * Close now: no lock, no wait. Subscriptions end, limits are released, queued messages are discarded.
     */
    void close()
    {
        if (state == CLOSED)
        {
            return;
        }
        state = CLOSED;
        if (null != principalSeries)
        {
            server.principals().close(principalSeries);
            principalSeries = null;
        }
        endSubscriptions();
        if (null != leavers)
        {
            leavers.clear();
        }
        discardAfterClose(); // (a stop counted its own first, as undelivered at stop)
        if (null != key)
        {
            key.cancel();
        }
        CloseHelper.quietClose(channel);
        agent.onClosed(this);
        pongHead = pongTail;
        awaitingStream = false;
        if (holdsStream && pendingTail > pendingHead)
        {
            agent.busy(this); // No answer can reach the client any more; the stream is let go once they resolve.
        }
        else
        {
            pendingHead = pendingTail;
            releaseOutcomeWindow();
            releaseStream();
        }
    }

    @Override
    public String toString()
    {
        return "connection " + remote + (null == publisherName ? "" : " (" + publisherName + ")");
    }

    /**
     * Topics of one connection's publishes as Strings, looked up by their bytes: a direct-mapped cache, so a
     * publish on a topic seen before allocates nothing.
     */
    static final class TopicCache
    {
        private static final int SIZE = 256;
        private static final byte UNKNOWN = 0;
        private static final byte ALLOWED = 1;
        private static final byte DENIED = 2;
        private final String[] topics = new String[SIZE];
        /** The same topics' bytes, compared eight at a time with what arrives. */
        private final UnsafeBuffer[] bytes = new UnsafeBuffer[SIZE];
        /** Whether the connection's principal may publish to the topic in the same slot, asked once. */
        private final byte[] publish = new byte[SIZE];
        private int lastSlot;

        /**
         * @return whether the principal may publish to the topic of the last {@link #lookup}, asked of its
         * permissions once per topic (while the topic stays in the cache).
         */
        boolean mayPublish(final Principal principal)
        {
            byte answer = publish[lastSlot];
            if (UNKNOWN == answer)
            {
                answer = principal.permissions().mayPublish(topics[lastSlot]) ? ALLOWED : DENIED;
                publish[lastSlot] = answer;
            }
            return ALLOWED == answer;
        }

        String lookup(final DirectBuffer buffer, final int offset, final int length)
        {
            final int hash = TopicBytes.hash(buffer, offset, length);
            final int slot = (hash ^ (hash >>> 16)) & (SIZE - 1);
            lastSlot = slot;
            final String cached = topics[slot];
            if (null != cached && cached.length() == length && TopicBytes.equal(bytes[slot], buffer, offset, length))
            {
                return cached;
            }
            final String topic = buffer.getStringWithoutLengthAscii(offset, length);
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            topics[slot] = topic;
            bytes[slot] = new UnsafeBuffer(copy);
            publish[slot] = UNKNOWN;
            return topic;
        }
    }
}
