package io.junction.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Message;
import io.junction.MessageHandler;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.RejectReason;
import io.junction.RemoteMessages;
import io.junction.protocol.AsciiStringCache;
import io.junction.protocol.FrameDispatcher;
import io.junction.protocol.FrameHandler;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.AuthenticationMethodCode;
import io.junction.protocol.codecs.CoalescedRefusalDecoder;
import io.junction.protocol.codecs.CreditEncoder;
import io.junction.protocol.codecs.EndReasonCode;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ErrorDecoder;
import io.junction.protocol.codecs.HelloEncoder;
import io.junction.protocol.codecs.AckEncoder;
import io.junction.protocol.codecs.ReplayEncoder;
import io.junction.protocol.codecs.MessageDecoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.OutcomeCode;
import io.junction.protocol.codecs.OutcomeDecoder;
import io.junction.protocol.codecs.PingDecoder;
import io.junction.protocol.codecs.PingEncoder;
import io.junction.protocol.codecs.PongDecoder;
import io.junction.protocol.codecs.PongEncoder;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.protocol.codecs.PublishEncoder;
import io.junction.protocol.codecs.QualityOfServiceCode;
import io.junction.protocol.codecs.SlowSubscriberPolicyCode;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribeDecoder;
import io.junction.protocol.codecs.SubscribeEncoder;
import io.junction.protocol.codecs.SubscribedDecoder;
import io.junction.protocol.codecs.UnsubscribeEncoder;
import io.junction.protocol.codecs.UnsubscribedDecoder;
import io.junction.protocol.codecs.WelcomeDecoder;

/**
 * A Junction daemon from another process, with the shapes of the embedded {@link io.junction.Junction}: {@link
 * #offer} returns at once with a positive publisher sequence or a negative {@link ClientResult} code, {@link
 * #subscribe} takes the same {@link MessageHandler} and hands it the same {@link Message} flyweight.
 * <p>
 * Non-blocking and single-threaded, as Aeron's clients are: nothing happens on the socket outside {@link #poll()},
 * the duty cycle the application calls (connect, read, write, heartbeats, timeouts and reconnects all progress
 * from it), or the agent thread of {@link #startAgent}; handlers and listeners run inside it. Call every method
 * from that one thread.
 * <p>
 * A lost connection is re-established with backoff; every open subscription is subscribed again and every
 * guaranteed publish still awaiting its outcome is sent again with its original publisher sequence, in order, so
 * that a daemon that deduplicates by {@code principal/instance} and publisher sequence journals it once. Publish
 * and receive allocate nothing per message once warm.
 */
public final class JunctionClient implements AutoCloseable
{
    private static final int DISCONNECTED = 0;
    private static final int CONNECTING = 1;
    private static final int AWAITING_WELCOME = 2;
    private static final int CONNECTED = 3;
    private static final int CLOSED = 4;

    private static final PriorityCode[] PRIORITY_CODES = {
        PriorityCode.CRITICAL, PriorityCode.HIGH, PriorityCode.NORMAL, PriorityCode.BULK };
    private static final Priority[] PRIORITIES = Priority.values();
    private static final int PUBLISH_FIXED_LENGTH = ProtocolFrames.HEADER_LENGTH + PublishEncoder.BLOCK_LENGTH + 2 + 4 + 2;
    private static final int CONTROL_FRAME_LENGTH = 64;
    private static final int DUPLICATE_CODE = (int)OfferResult.rejected(RejectReason.DUPLICATE);
    /** How much longer than the close timeout close() from another thread waits for the polling thread. */
    private static final long HAND_OVER_MARGIN_NS = TimeUnit.SECONDS.toNanos(1);

    private final ClientContext ctx;
    private final Transport transport;
    private final FrameDispatcher dispatcher;
    private final Frames frames = new Frames();
    private final Transport.FrameSink sink = this::onFrame;
    private final InFlightPublishes inFlight;
    private final Long2ObjectHashMap<ClientSubscription> subscriptions = new Long2ObjectHashMap<>();
    /** Closed queue-group members awaiting UNSUBSCRIBED: their handlers still take what comes meanwhile. */
    private final Long2ObjectHashMap<ClientSubscription> draining = new Long2ObjectHashMap<>();
    /** Subscriptions closed from another thread than the polling one, not yet unsubscribed by it. */
    private final java.util.concurrent.atomic.AtomicInteger closeRequests = new java.util.concurrent.atomic.AtomicInteger();
    private Thread pollThread;
    private final ClientStatistics statistics = new ClientStatistics();
    private final ConnectionListener connectionListener;
    private final PublishOutcomeListener outcomeListener;
    private final RefusalListener refusalListener;

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final HelloEncoder hello = new HelloEncoder();
    private final PublishEncoder publish = new PublishEncoder();
    private final SubscribeEncoder subscribe = new SubscribeEncoder();
    private final UnsubscribeEncoder unsubscribe = new UnsubscribeEncoder();
    private final CreditEncoder credit = new CreditEncoder();
    private final AckEncoder ack = new AckEncoder();
    private final ReplayEncoder replay = new ReplayEncoder();
    private final PingEncoder ping = new PingEncoder();
    private final PongEncoder pong = new PongEncoder();

    private final Message message = new Message();
    private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
    private final AsciiStringCache topics = new AsciiStringCache(512); // no String per message for steady topics
    private final AsciiStringCache replyTopics = new AsciiStringCache(512);
    private final OutstandingRequests outstanding;
    private final MessageHandler inboxHandler = this::onReply;
    private String inbox; // this client's reply topic, made with its inbox subscription on the first request
    private long nextCorrelationId = 1;
    private long nextKey; // the key of the publish being encoded (0: none), set by offer with a key
    private long nextTtlNs; // the time-to-live of the publish being encoded (0: none), set by offer with one

    private int state = DISCONNECTED;
    private long nextAttemptNs;
    private long backoffNs;
    private long deadlineNs;
    private long lastReceivedNs;
    private long lastPingNs;
    private long nextPublisherSequence;
    private long subscriptionIds;
    private long resendCursor = -1;
    private int unsentSubscribes;
    private long sessionId = -1;
    private String principal = "";
    private String publisher = "";
    private int maxPayloadLength;
    private int maxTopicLength = ProtocolFrames.MAX_ASCII_LENGTH;
    private String lastError = "";
    private DisconnectReason disconnectReason = DisconnectReason.NONE;
    private AgentRunner agentRunner;
    private long syncsRequested;
    private long syncedUpTo;
    /** The transport said nothing can become durable now (a cluster without quorum). */
    private boolean suspended;
    /** Inside {@link #poll()}: a close() from a handler is carried out by the polls that follow. */
    private boolean polling;
    private final ClientClose closing;
    /** The subscription whose handler runs now, and its message's sequence (see unsubscribeHere). */
    private ClientSubscription delivering;
    private long deliveringSequence;
    /** The expressCritical subscriptions, open or with messages still kept, visited round robin. */
    private final ArrayList<ClientSubscription> express = new ArrayList<>();
    private int expressCursor;
    /** Decodes a kept frame for its handler (the dispatcher's flyweight may be mid-frame meanwhile). */
    private final MessageDecoder keptMessage = new MessageDecoder();
    /** The frame being dispatched, for an express subscription to keep a copy of. */
    private DirectBuffer frameBuffer;
    private int frameOffset;
    private int frameLength;

    private JunctionClient(final ClientContext ctx, final Transport transport)
    {
        this.ctx = ctx;
        this.transport = transport;
        dispatcher = new FrameDispatcher(ctx.maxFrameLength());
        inFlight = new InFlightPublishes(ctx.maxInFlight(), ctx.inFlightBufferBytes());
        outstanding = new OutstandingRequests(ctx.maxOutstandingRequests());
        connectionListener = ctx.connectionListener();
        outcomeListener = ctx.outcomeListener();
        refusalListener = ctx.refusalListener();
        nextPublisherSequence = ctx.initialPublisherSequence();
        maxPayloadLength = ctx.maxFrameLength();
        backoffNs = ctx.reconnectMinNs();
        closing = new ClientClose(ctx.closeTimeoutNs());
    }

    /**
     * A client of the daemon at {@link ClientContext#url} (TCP, or Aeron UDP/IPC): the first connect attempt begins
     * at once and progresses in {@link #poll()}; nothing blocks, except that over Aeron the first attempt connects
     * to the media driver (or launches the embedded one) once.
     *
     * @throws IllegalArgumentException for a setting that is wrong.
     */
    public static JunctionClient connect(final ClientContext ctx)
    {
        ctx.conclude();
        return connect(ctx, ctx.isAeron() ? new AeronTransport(ctx) :
            new TcpTransport(ctx.host(), ctx.port(), ctx.sendBufferBytes(), ctx.maxFrameLength(), ctx.tlsContext()));
    }

    /**
     * A client over another transport (Aeron, a cluster).
     */
    public static JunctionClient connect(final ClientContext ctx, final Transport transport)
    {
        ctx.conclude();
        final JunctionClient client = new JunctionClient(ctx, transport);
        transport.events(client.new TransportEvents());
        client.nextAttemptNs = System.nanoTime();
        return client;
    }

    public ClientContext context()
    {
        return ctx;
    }

    /**
     * @return true between WELCOME and the loss of the connection.
     */
    public boolean isConnected()
    {
        return CONNECTED == state && !suspended && !closing.isClosing();
    }

    public boolean isClosed()
    {
        return CLOSED == state;
    }

    /**
     * @return why the client is not connected ({@link DisconnectReason#NONE} while connected or before the first
     * attempt ended).
     */
    public DisconnectReason disconnectReason()
    {
        return disconnectReason;
    }

    /**
     * @return the text of the last ERROR the daemon sent, or of the last failure, "" if none.
     */
    public String lastError()
    {
        return lastError;
    }

    /**
     * @return the session id of the current connection (WELCOME's), -1 before the first.
     */
    public long sessionId()
    {
        return sessionId;
    }

    /**
     * @return who the daemon authenticated this client as.
     */
    public String principal()
    {
        return principal;
    }

    /**
     * @return the daemon's publisher identity for this client: {@code principal/instance} (or the instance).
     */
    public String publisher()
    {
        return publisher;
    }

    public ClientStatistics statistics()
    {
        return statistics;
    }

    /**
     * @return guaranteed publishes awaiting their outcome.
     */
    public int inFlight()
    {
        return inFlight.pending();
    }

    /**
     * @return bytes encoded but not yet written to the connection (what the next {@link #poll()} tries to write).
     */
    public int pendingBytes()
    {
        return transport.pendingBytes();
    }

    /**
     * @return the publisher sequence the next offer will carry.
     */
    public long nextPublisherSequence()
    {
        return nextPublisherSequence;
    }

    /**
     * Publish best-effort: at most once (lost if the connection or the daemon fails first).
     *
     * @return its publisher sequence ({@code > 0}), or a negative {@link ClientResult} code.
     */
    public long offer(
        final String topic, final Priority priority, final DirectBuffer buffer, final int offset, final int length)
    {
        return offer(topic, priority, QualityOfService.BEST_EFFORT, buffer, offset, length);
    }

    /**
     * Publish with a quality of service. A {@link QualityOfService#GUARANTEED} one is reported once to the
     * {@link PublishOutcomeListener} (durable with its journal sequence, or why not), and kept until then to be
     * sent again after a reconnect.
     *
     * @return its publisher sequence ({@code > 0}), or a negative {@link ClientResult} code: nothing was sent.
     */
    public long offer(
        final String topic, final Priority priority, final QualityOfService qos, final DirectBuffer buffer,
        final int offset, final int length)
    {
        return send(topic, priority, qos, null, 0, buffer, offset, length);
    }

    /**
     * As {@link #offer(String, Priority, QualityOfService, DirectBuffer, int, int)}, with a time-to-live: the daemon
     * drops the message, counted as shed EXPIRED, for any subscriber that has not had it within {@code ttlNs} of the
     * daemon taking it. A {@link QualityOfService#GUARANTEED} one is journaled with its expiry, so a durable
     * subscriber or a replay that reaches it later does not get it either (counted {@code journal expired}); it is
     * still answered DURABLE. A resend after a reconnect carries the same time-to-live, from when it arrives.
     *
     * @param ttlNs how long it may wait for delivery, {@code > 0}; 0 means none.
     */
    public long offer(
        final String topic, final Priority priority, final QualityOfService qos, final long ttlNs,
        final DirectBuffer buffer, final int offset, final int length)
    {
        nextTtlNs = ttlNs;
        return send(topic, priority, qos, null, 0, buffer, offset, length);
    }

    /**
     * Publish best-effort with a key: a {@link io.junction.QueueGroupDiscipline#KEYED} queue group hands all
     * messages of one key to the same member, in order (other subscriptions ignore it).
     *
     * @param key any value but 0 (0 means none: the topic is then the key).
     * @return its publisher sequence ({@code > 0}), or a negative {@link ClientResult} code.
     */
    public long offer(
        final String topic, final long key, final Priority priority, final DirectBuffer buffer, final int offset,
        final int length)
    {
        nextKey = key;
        return send(topic, priority, QualityOfService.BEST_EFFORT, null, 0, buffer, offset, length);
    }

    /**
     * As {@link #offer(String, long, Priority, DirectBuffer, int, int)}, with a quality of service: a guaranteed
     * keyed publish is journaled with its key and answered by an outcome, like any guaranteed one.
     */
    public long offer(
        final String topic, final long key, final Priority priority, final QualityOfService qos,
        final DirectBuffer buffer, final int offset, final int length)
    {
        nextKey = key;
        return send(topic, priority, qos, null, 0, buffer, offset, length);
    }

    /**
     * Publish a request best-effort, naming the topic to reply on and a correlation id of the application's; a
     * subscriber sees them in {@link Message#replyTo()} and {@link Message#correlationId()}. For the usual case,
     * with this client's own inbox and the reply matched for you, use {@link #request}.
     *
     * @param replyTo       a topic, or null for none (then a message that carries only {@code correlationId}).
     * @return its publisher sequence ({@code > 0}), or a negative {@link ClientResult} code.
     */
    public long offer(
        final String topic, final Priority priority, final String replyTo, final long correlationId,
        final DirectBuffer buffer, final int offset, final int length)
    {
        return send(topic, priority, QualityOfService.BEST_EFFORT, replyTo, correlationId, buffer, offset, length);
    }

    /**
     * Answer a request received by a handler: publish on its {@link Message#replyTo()}, carrying its
     * {@link Message#correlationId()}.
     *
     * @return its publisher sequence ({@code > 0}), or a negative {@link ClientResult} code; rejected
     * {@link RejectReason#INVALID_REPLY_TO} if the message is not a request.
     */
    public long reply(
        final Message request, final Priority priority, final DirectBuffer buffer, final int offset, final int length)
    {
        final String replyTo = request.replyTo();
        if (null == replyTo)
        {
            return OfferResult.rejected(RejectReason.INVALID_REPLY_TO);
        }
        return send(replyTo, priority, QualityOfService.BEST_EFFORT, null, request.correlationId(), buffer, offset,
            length);
    }

    /**
     * Send a request, as NATS does: to whoever subscribes to {@code topic}, with this client's private inbox as its
     * reply topic (one subscription per client, {@code _INBOX.<principal>.<random>.>}, made on the first request
     * and kept), and a correlation id of its own. The listener is told, from {@link #poll()}, of the first reply,
     * or that none came within {@code timeoutNs} (or before the connection was lost); later replies are discarded.
     * Allocates nothing once the inbox exists.
     *
     * @return the request's id ({@code > 0}, its correlation id, as the listener is told), or a negative
     * {@link ClientResult} code: {@link ClientResult#TOO_MANY_REQUESTS} when {@link
     * ClientContext#maxOutstandingRequests} await their reply; nothing was sent.
     */
    public long request(
        final String topic, final Priority priority, final DirectBuffer buffer, final int offset, final int length,
        final long timeoutNs, final ReplyListener listener)
    {
        java.util.Objects.requireNonNull(listener, "listener");
        if (CONNECTED != state || closing.isClosing())
        {
            return CLOSED == state || closing.isClosing() ? ClientResult.CLOSED : notConnected();
        }
        if (outstanding.isFull())
        {
            statistics.requestsRefused++;
            return ClientResult.TOO_MANY_REQUESTS;
        }
        final String replyTo = null == inbox ? openInbox() : inbox;
        final long id = nextCorrelationId;
        final long result = send(topic, priority, QualityOfService.BEST_EFFORT, replyTo, id, buffer, offset, length);
        if (result < 0)
        {
            return result;
        }
        nextCorrelationId = id + 1;
        outstanding.add(id, System.nanoTime() + Math.max(0, timeoutNs), listener);
        statistics.requests++;
        return id;
    }

    /**
     * The blocking form of {@link #request(String, Priority, DirectBuffer, int, int, long, ReplyListener)}, for
     * scripts and tools: polls this client itself (so no agent may be running it) until the reply comes, the
     * timeout passes, or it cannot be sent. Allocates.
     *
     * @return the reply's payload, or null if none came within the timeout (or it could not be sent: see
     * {@link #lastError()}).
     */
    public byte[] request(final String topic, final byte[] payload, final java.time.Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        final byte[][] reply = new byte[1][];
        final boolean[] done = new boolean[1];
        final ReplyListener listener = new ReplyListener()
        {
            @Override
            public void onReply(final long requestId, final Message message)
            {
                final byte[] bytes = new byte[message.length()];
                message.buffer().getBytes(message.offset(), bytes);
                reply[0] = bytes;
                done[0] = true;
            }

            @Override
            public void onTimedOut(final long requestId)
            {
                done[0] = true;
            }
        };
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        long id = 0;
        final org.agrona.concurrent.IdleStrategy idle = new BackoffIdleStrategy();
        while (!done[0] && System.nanoTime() - deadlineNs < 0 && CLOSED != state)
        {
            if (id <= 0)
            {
                id = request(topic, Priority.NORMAL, buffer, 0, payload.length, deadlineNs - System.nanoTime(),
                    listener);
                if (id < 0 && ClientResult.NOT_CONNECTED != id && ClientResult.BACK_PRESSURED != id &&
                    ClientResult.TOO_MANY_REQUESTS != id)
                {
                    lastError = "request refused: " + ClientResult.describe(id);
                    return null;
                }
            }
            idle.idle(poll());
        }
        if (!done[0] && id > 0 && null != outstanding.remove(id))
        {
            statistics.requestsTimedOut++; // timed out here, before the poll that would have told the listener
        }
        if (null == reply[0] && (id > 0 || lastError.isEmpty()))
        {
            lastError = "no reply within " + timeout.toMillis() + " ms";
        }
        return reply[0];
    }

    /**
     * @return requests awaiting their reply.
     */
    public int outstandingRequests()
    {
        return outstanding.size();
    }

    private long notConnected()
    {
        statistics.notConnected++;
        return ClientResult.NOT_CONNECTED;
    }

    private String openInbox()
    {
        final byte[] random = new byte[8];
        new java.security.SecureRandom().nextBytes(random);
        final StringBuilder prefix = new StringBuilder(io.junction.security.Inboxes.prefixOf(principal));
        for (final byte b : random)
        {
            prefix.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        prefix.append('.');
        subscribe(prefix + ">", inboxHandler, ClientSubscriptionOptions.defaults());
        inbox = prefix + "r";
        return inbox;
    }

    private void onReply(final Message reply)
    {
        final ReplyListener listener = outstanding.remove(reply.correlationId());
        if (null == listener)
        {
            statistics.lateReplies++;
            return;
        }
        statistics.replies++;
        listener.onReply(reply.correlationId(), reply);
    }

    private long send(
        final String topic, final Priority priority, final QualityOfService qos, final String replyTo,
        final long correlationId, final DirectBuffer buffer, final int offset, final int length)
    {
        final long key = nextKey;
        nextKey = 0;
        final long ttlNs = nextTtlNs;
        nextTtlNs = 0;
        if (CONNECTED != state || suspended || closing.isClosing())
        {
            if (CLOSED == state || closing.isClosing())
            {
                return ClientResult.CLOSED;
            }
            statistics.notConnected++;
            return ClientResult.NOT_CONNECTED;
        }
        if (null == topic || topic.isEmpty())
        {
            return OfferResult.rejected(RejectReason.EMPTY_TOPIC);
        }
        if (topic.length() > maxTopicLength)
        {
            return OfferResult.rejected(RejectReason.TOPIC_TOO_LONG);
        }
        if (null == priority)
        {
            return OfferResult.rejected(RejectReason.MISSING_PRIORITY);
        }
        if (length > maxPayloadLength)
        {
            return OfferResult.rejected(RejectReason.PAYLOAD_TOO_LARGE);
        }
        if (offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            return OfferResult.rejected(RejectReason.INVALID_BUFFER_RANGE);
        }
        if (resendCursor >= 0)
        {
            statistics.backPressured++;
            return ClientResult.BACK_PRESSURED; // Resends go first, in order.
        }
        if (null != replyTo && (replyTo.isEmpty() || replyTo.length() > maxTopicLength))
        {
            return OfferResult.rejected(RejectReason.INVALID_REPLY_TO);
        }
        final boolean guaranteed = QualityOfService.GUARANTEED == qos;
        final int frameLength = PUBLISH_FIXED_LENGTH + topic.length() + length + (null == replyTo ? 0 : replyTo.length());
        final long sequence = nextPublisherSequence;
        if (guaranteed)
        {
            final long refused = inFlight.check(sequence, frameLength);
            if (refused < 0)
            {
                if (ClientResult.IN_FLIGHT_FULL == refused)
                {
                    statistics.inFlightFull++;
                }
                else
                {
                    statistics.inFlightBufferFull++;
                }
                return refused;
            }
        }
        final int at = claim(frameLength);
        if (at < 0)
        {
            statistics.backPressured++;
            return ClientResult.BACK_PRESSURED;
        }
        final MutableDirectBuffer out = transport.buffer();
        publish.wrapAndApplyHeader(out, at, header)
            .publisherSequence(sequence)
            .priority(PRIORITY_CODES[priority.ordinal()])
            .qualityOfService(guaranteed ? QualityOfServiceCode.GUARANTEED : QualityOfServiceCode.BEST_EFFORT)
            .ttlNs(ttlNs)
            .correlationId(correlationId)
            .key(key)
            .topic(topic)
            .putPayload(buffer, offset, length)
            .replyTo(replyTo);
        final int encoded = ProtocolFrames.HEADER_LENGTH + publish.encodedLength();
        transport.commit(at, encoded);
        if (guaranteed)
        {
            inFlight.add(sequence, System.nanoTime(), out, at, encoded);
            statistics.guaranteedPublished++;
        }
        statistics.published++;
        nextPublisherSequence = sequence + 1;
        return sequence;
    }

    /**
     * Ask the daemon to confirm that it has answered every publish sent before (a PING, whose PONG the daemon sends
     * after every earlier publish of the connection was answered): for an application that must know its
     * best-effort publishes were taken, e.g. before it exits.
     *
     * @return the sync's number ({@code > 0}) for {@link #isSynced}, or a negative {@link ClientResult} code.
     */
    public long sync()
    {
        if (CONNECTED != state)
        {
            return CLOSED == state ? ClientResult.CLOSED : ClientResult.NOT_CONNECTED;
        }
        final int at = claim(ProtocolFrames.HEADER_LENGTH + PingEncoder.BLOCK_LENGTH);
        if (at < 0)
        {
            return ClientResult.BACK_PRESSURED;
        }
        final long id = ++syncsRequested;
        ping.wrapAndApplyHeader(transport.buffer(), at, header).value(id);
        transport.commit(at, ProtocolFrames.HEADER_LENGTH + ping.encodedLength());
        return id;
    }

    /**
     * @return true once the daemon answered the sync (on the connection it was sent on; after a reconnect, ask
     * again).
     */
    public boolean isSynced(final long sync)
    {
        return sync > 0 && syncedUpTo >= sync;
    }

    /**
     * Subscribe to a pattern ({@code *} one token, {@code >} the rest) with the daemon's defaults.
     */
    public ClientSubscription subscribe(final String pattern, final MessageHandler handler)
    {
        return subscribe(pattern, handler, ClientSubscriptionOptions.defaults());
    }

    /**
     * Subscribe: SUBSCRIBE is sent now if connected, else on connecting, and again on every reconnect, until the
     * subscription is closed. {@link ClientSubscription#isInEffect()} once the daemon answered.
     */
    public ClientSubscription subscribe(
        final String pattern, final MessageHandler handler, final ClientSubscriptionOptions options)
    {
        if (CLOSED == state || closing.isClosing())
        {
            throw new IllegalStateException("the client is closed");
        }
        if (null == pattern || pattern.isEmpty() || pattern.length() > ProtocolFrames.MAX_ASCII_LENGTH)
        {
            throw new IllegalArgumentException("pattern must have 1 to " + ProtocolFrames.MAX_ASCII_LENGTH +
                " characters: " + pattern);
        }
        if (options.expressCritical() && (options.initialCredit() < 1 || options.fromJournal()))
        {
            throw new IllegalArgumentException("expressCritical needs flow control (initialCredit >= 1) and a live " +
                "subscription (neither durable nor started in the journal, which keep strict order): " + pattern);
        }
        final ClientSubscription subscription = new ClientSubscription(this, ++subscriptionIds, pattern,
            java.util.Objects.requireNonNull(handler, "handler"), options.copy());
        subscriptions.put(subscription.id(), subscription);
        if (null != subscription.backlog)
        {
            express.add(subscription);
        }
        unsentSubscribes++;
        if (CONNECTED == state)
        {
            sendSubscribes();
        }
        return subscription;
    }

    /**
     * @return the open subscriptions.
     */
    public List<ClientSubscription> subscriptions()
    {
        return new ArrayList<>(subscriptions.values());
    }

    /**
     * The duty cycle: connect or reconnect when due, read and dispatch what arrived (handlers and listeners run
     * here), send what is buffered, keep the heartbeat, time out what waited too long. Never blocks.
     *
     * @return how much work was done (0 when idle), for an {@link IdleStrategy}.
     */
    public int poll()
    {
        polling = true;
        try
        {
            return doPoll();
        }
        finally
        {
            polling = false;
        }
    }

    private int doPoll()
    {
        final long nowNs = System.nanoTime();
        int work = 0;
        final Thread current = Thread.currentThread();
        if (current != pollThread)
        {
            pollThread = current;
        }
        if (closing.isRequested() && closing.take())
        {
            beginClose(nowNs); // close() from another thread
            work++;
        }
        if (closeRequests.get() > 0)
        {
            work += applyCloseRequests();
        }
        switch (state)
        {
            case DISCONNECTED:
                if (nowNs - nextAttemptNs >= 0 && !closing.isClosing())
                {
                    beginConnect(nowNs);
                    work++;
                }
                break;
            case CONNECTING:
                work += finishConnect(nowNs);
                break;
            case AWAITING_WELCOME:
            case CONNECTED:
                work += receive(nowNs);
                if (CONNECTED == state || AWAITING_WELCOME == state)
                {
                    work += timers(nowNs);
                }
                break;
            default:
                return 0;
        }
        if (!express.isEmpty())
        {
            work += deliverKept();
        }
        if (CONNECTED == state)
        {
            if (resendCursor >= 0)
            {
                work += resend();
            }
            if (unsentSubscribes > 0)
            {
                work += sendSubscribes();
            }
        }
        if (!draining.isEmpty())
        {
            work += drains(nowNs);
        }
        work += flush();
        work += expireOutcomes(nowNs);
        work += expireRequests(nowNs);
        if (closing.isClosing())
        {
            work += progressClose(nowNs);
        }
        return work;
    }

    /**
     * Run {@link #poll()} on an agent thread, together with the application's own agent: as every method of the
     * client must be called from one thread, the application's publishing belongs in {@code work}'s {@code doWork}
     * (or in handlers and listeners). The default idle strategy spins and yields briefly, then: without {@code work},
     * waits in a selector on the client's TCP socket for up to 1 ms, woken at once by a message; with {@code work}
     * (or over TLS or Aeron), parks for 10 µs doubling to 1 ms ({@link BackoffIdleStrategy}).
     *
     * @param work the application's duty cycle on the same thread, or null.
     * @param idleStrategy null for the default above.
     * @return the started runner ({@link #close()} stops it).
     */
    public AgentRunner startAgent(final Agent work, final IdleStrategy idleStrategy)
    {
        if (null != agentRunner)
        {
            throw new IllegalStateException("the agent is already running");
        }
        // Alone on its thread the client has no work but its socket's and its timers': it waits on the socket.
        // The application's own agent may be given work by anything, so beside one it parks on a timer.
        final InputIdleStrategy inputWait = null == idleStrategy && null == work ? new InputIdleStrategy(transport) : null;
        final Agent clientAgent = new Agent()
        {
            @Override
            public int doWork()
            {
                final int work = poll();
                if (CLOSED == state)
                {
                    throw new AgentTerminationException(); // closed (from a handler, or on request): the thread ends
                }
                return work;
            }

            @Override
            public void onClose()
            {
                if (null != inputWait)
                {
                    inputWait.close();
                }
            }

            @Override
            public String roleName()
            {
                return "junction-client";
            }
        };
        final Agent agent = null == work ? clientAgent : new CompositeAgent(clientAgent, work);
        agentRunner = new AgentRunner(null != idleStrategy ? idleStrategy : null != inputWait ? inputWait :
            new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(InputIdleStrategy.MIN_PARK_US),
            TimeUnit.MILLISECONDS.toNanos(InputIdleStrategy.MAX_WAIT_MS)),
            (error) ->
            {
                if (!(error instanceof AgentTerminationException))
                {
                    lastError = String.valueOf(error);
                }
            }, null, agent);
        AgentRunner.startOnThread(agentRunner);
        return agentRunner;
    }

    /**
     * Close, gracefully and within {@link ClientContext#closeTimeoutNs}: every open subscription is unsubscribed (a
     * queue-group member goes on taking what the daemon had handed it until its UNSUBSCRIBED), then a sync whose
     * PONG says the daemon answered all of it, and gave the outcomes of the guaranteed publishes in flight (told to
     * the outcome listener); then the connection is dropped. A durable name or a queue-group place is free for
     * another client when close() returns, over Aeron as over TCP. What is not answered by the deadline is not
     * waited for ({@link ClientStatistics#closesTimedOut()}), and guaranteed publishes still without an outcome
     * are not reported. A timeout of 0 drops the connection at once (what is buffered is flushed once).
     * <p>
     * From a handler, or from the application's agent on the client's agent thread, it begins the close and
     * returns: the polls that follow finish it ({@link #isClosed()}; the agent thread then ends). From another
     * thread than the polling one it hands the close to the polling thread and waits for it, at most the close
     * timeout and a second, without a lock; if that thread did not poll meanwhile, the caller closes at once.
     */
    @Override
    public void close()
    {
        if (closing.isDone())
        {
            return;
        }
        final Thread current = Thread.currentThread();
        final AgentRunner runner = agentRunner;
        if (null != runner)
        {
            if (current == runner.thread())
            {
                beginClose(System.nanoTime()); // the agent's next duty cycles finish it, then end the thread
                return;
            }
            closing.request();
            closing.awaitDone(closing.timeoutNs() + HAND_OVER_MARGIN_NS);
            agentRunner = null;
            runner.close(); // ended already, or stopped now: from here this thread owns the client
            closeHere();
            return;
        }
        if (polling && current == pollThread)
        {
            beginClose(System.nanoTime()); // from a handler: the polls that follow finish it
            return;
        }
        final Thread poller = pollThread;
        if (null != poller && current != poller)
        {
            closing.request();
            if (closing.awaitDone(closing.timeoutNs() + HAND_OVER_MARGIN_NS) || !closing.take())
            {
                return; // done, or under way on the polling thread (which finishes it by the deadline)
            }
            // The polling thread does not poll: close at once from here, as before graceful closes.
            finishClose();
            return;
        }
        closeHere();
    }

    /**
     * On the thread that owns the client: begin the close and poll until it is done (within the close timeout).
     */
    private void closeHere()
    {
        beginClose(System.nanoTime());
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(10),
            TimeUnit.MILLISECONDS.toNanos(1));
        while (CLOSED != state)
        {
            idle.idle(poll());
        }
    }

    private void beginClose(final long nowNs)
    {
        if (closing.isClosing() || CLOSED == state)
        {
            return;
        }
        closing.begin(nowNs);
        if (CONNECTED != state || 0 == closing.timeoutNs())
        {
            finishClose();
            return;
        }
        for (final ClientSubscription subscription : subscriptions())
        {
            unsubscribeHere(subscription);
        }
        progressClose(nowNs);
    }

    /**
     * Send what found no room, then the sync; done once the sync is answered and every leaving member had its
     * UNSUBSCRIBED, or at the deadline, or when the connection went meanwhile.
     */
    private int progressClose(final long nowNs)
    {
        if (CONNECTED != state)
        {
            finishClose();
            return 1;
        }
        if (closing.isPastDeadline(nowNs))
        {
            statistics.closesTimedOut++;
            finishClose();
            return 1;
        }
        int work = 0;
        while (closing.hasUnsent() && sendUnsubscribe(closing.nextUnsent()))
        {
            closing.sentNext();
            work++;
        }
        if (!closing.hasUnsent() && 0 == closing.sync())
        {
            final long sync = sync(); // after every UNSUBSCRIBE: its PONG follows their answers
            if (sync > 0)
            {
                closing.sync(sync);
                work++;
            }
        }
        if (closing.sync() > 0 && isSynced(closing.sync()) && draining.isEmpty())
        {
            finishClose();
            work++;
        }
        return work;
    }

    private void finishClose()
    {
        final boolean wasUp = DISCONNECTED != state && CLOSED != state;
        try
        {
            if (CONNECTED == state)
            {
                flush();
            }
            transport.release();
            state = CLOSED;
            disconnectReason = DisconnectReason.CLOSED;
            for (final ClientSubscription member : draining.values())
            {
                member.draining = false;
            }
            draining.clear();
            for (int i = 0; i < express.size(); i++)
            {
                statistics.discarded += express.get(i).backlog.clear(); // kept, never to be handed over
            }
            express.clear();
            if (wasUp)
            {
                connectionListener.onConnectionState(ConnectionState.DISCONNECTED, DisconnectReason.CLOSED,
                    "closed by the application");
            }
        }
        finally
        {
            closing.end();
        }
    }

    boolean sendCredit(final ClientSubscription subscription, final long amount, final long criticalAmount)
    {
        if (CONNECTED != state || !(subscription.active || subscription.draining) || subscription.subscribeSentNs == 0 ||
            amount < 0 || criticalAmount < 0 || (0 == amount && 0 == criticalAmount))
        {
            return false;
        }
        final int at = claim(ProtocolFrames.HEADER_LENGTH + CreditEncoder.BLOCK_LENGTH);
        if (at < 0)
        {
            return false;
        }
        credit.wrapAndApplyHeader(transport.buffer(), at, header).subscriptionId(subscription.id()).credit(amount)
            .criticalCredit(criticalAmount);
        transport.commit(at, ProtocolFrames.HEADER_LENGTH + credit.encodedLength());
        statistics.creditsGranted++;
        return true;
    }

    boolean sendAck(final ClientSubscription subscription, final long sequence)
    {
        if (CONNECTED != state || !subscription.active || null == subscription.options().durable() ||
            subscription.subscribeSentNs == 0)
        {
            return false;
        }
        final int at = claim(ProtocolFrames.HEADER_LENGTH + AckEncoder.BLOCK_LENGTH);
        if (at < 0)
        {
            return false;
        }
        ack.wrapAndApplyHeader(transport.buffer(), at, header).subscriptionId(subscription.id()).sequence(sequence);
        transport.commit(at, ProtocolFrames.HEADER_LENGTH + ack.encodedLength());
        return true;
    }

    boolean sendReplay(final ClientSubscription subscription, final StartAt start)
    {
        if (CONNECTED != state || !subscription.active || !subscription.options().fromJournal() ||
            !subscription.inEffect)
        {
            return false;
        }
        final int at = claim(ProtocolFrames.HEADER_LENGTH + ReplayEncoder.BLOCK_LENGTH);
        if (at < 0)
        {
            return false;
        }
        replay.wrapAndApplyHeader(transport.buffer(), at, header).subscriptionId(subscription.id())
            .startPositionKind(start.kind()).startPositionValue(start.value()).endSequence(-1);
        transport.commit(at, ProtocolFrames.HEADER_LENGTH + replay.encodedLength());
        return true;
    }

    void unsubscribe(final ClientSubscription subscription)
    {
        final AgentRunner runner = agentRunner;
        final Thread poller = null != runner ? runner.thread() : pollThread;
        final Thread current = Thread.currentThread();
        if ((null != runner || null != poller) && poller != current)
        {
            // Another thread: the polling one owns the client's state, so it unsubscribes on its next poll; no
            // lock, no wait (a handler on the polling thread may be what this thread waits for).
            if (!subscription.closeRequested)
            {
                subscription.closeRequested = true;
                closeRequests.incrementAndGet();
            }
            return;
        }
        unsubscribeHere(subscription);
    }

    private void unsubscribeHere(final ClientSubscription subscription)
    {
        if (null == subscriptions.remove(subscription.id()))
        {
            return;
        }
        final boolean sent = subscription.subscribeSentNs != 0;
        if (!sent)
        {
            unsentSubscribes--;
        }
        if (CONNECTED == state && sent && subscription == delivering && subscription.options().autoAck() &&
            null != subscription.options().durable())
        {
            // Closed by its own handler (or the client's close from it): the message it took counts as consumed,
            // so its ACK goes before the UNSUBSCRIBE (after it the daemon would know no such subscription).
            sendAck(subscription, deliveringSequence);
        }
        subscription.active = false;
        subscription.inEffect = false;
        if (CONNECTED == state && sent)
        {
            final boolean unsubscribed = sendUnsubscribe(subscription);
            final String group = subscription.options().queueGroup();
            if (null != group && !group.isEmpty())
            {
                // A member: what the daemon handed it before its leave took effect is its alone (no other member
                // gets it), so its handler goes on taking it until UNSUBSCRIBED, which follows the last of it.
                subscription.draining = true;
                subscription.unsubscribeSent = unsubscribed;
                subscription.drainDeadlineNs = System.nanoTime() + ctx.leaveDrainTimeoutNs();
                draining.put(subscription.id(), subscription);
            }
            else if (!unsubscribed && closing.isClosing())
            {
                closing.unsent(subscription.id()); // the close sends it once there is room, before its sync
            }
            // Otherwise (best effort) its MESSAGE frames already on their way are discarded, counted.
        }
    }

    private boolean sendUnsubscribe(final ClientSubscription subscription)
    {
        return sendUnsubscribe(subscription.id());
    }

    private boolean sendUnsubscribe(final long subscriptionId)
    {
        final int at = claim(ProtocolFrames.HEADER_LENGTH + UnsubscribeEncoder.BLOCK_LENGTH);
        if (at < 0)
        {
            return false;
        }
        unsubscribe.wrapAndApplyHeader(transport.buffer(), at, header).subscriptionId(subscriptionId);
        transport.commit(at, ProtocolFrames.HEADER_LENGTH + unsubscribe.encodedLength());
        return true;
    }

    private int applyCloseRequests()
    {
        closeRequests.set(0); // before the scan: a request made during it is seen on the next poll
        int work = 0;
        for (final ClientSubscription subscription : subscriptions())
        {
            if (subscription.closeRequested)
            {
                unsubscribeHere(subscription);
                work++;
            }
        }
        return work;
    }

    /**
     * Closed members awaiting UNSUBSCRIBED: send an UNSUBSCRIBE that found no room, give up past the deadline.
     */
    private int drains(final long nowNs)
    {
        int work = 0;
        final Long2ObjectHashMap<ClientSubscription>.ValueIterator members = draining.values().iterator();
        while (members.hasNext())
        {
            final ClientSubscription member = members.next();
            if (!member.unsubscribeSent && CONNECTED == state)
            {
                member.unsubscribeSent = sendUnsubscribe(member);
                work++;
            }
            if (nowNs - member.drainDeadlineNs > 0)
            {
                member.draining = false; // what comes for it from now on is discarded, counted
                members.remove();
                statistics.leavesTimedOut++;
                work++;
            }
        }
        return work;
    }

    private int claim(final int length)
    {
        int at = transport.claim(length);
        if (at < 0 && transport.pendingBytes() > 0)
        {
            flush();
            at = transport.claim(length);
        }
        return at;
    }

    private void beginConnect(final long nowNs)
    {
        try
        {
            transport.connect();
            state = CONNECTING;
            deadlineNs = nowNs + ctx.connectTimeoutNs();
        }
        catch (final IOException | RuntimeException ex)
        {
            fail(DisconnectReason.CONNECT_FAILED, "cannot connect to " + transport.describe() + ": " + describe(ex));
        }
    }

    private int finishConnect(final long nowNs)
    {
        try
        {
            if (!transport.finishConnect())
            {
                if (nowNs - deadlineNs > 0)
                {
                    fail(DisconnectReason.CONNECT_FAILED, "no connection to " + transport.describe() + " within " +
                        TimeUnit.NANOSECONDS.toMillis(ctx.connectTimeoutNs()) + " ms");
                }
                return 0;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            fail(DisconnectReason.CONNECT_FAILED, "cannot connect to " + transport.describe() + ": " + describe(ex));
            return 1;
        }
        sendHello();
        state = AWAITING_WELCOME;
        deadlineNs = nowNs + ctx.connectTimeoutNs();
        lastReceivedNs = nowNs;
        lastPingNs = nowNs;
        return 1;
    }

    private void sendHello()
    {
        final byte[] token = ctx.token();
        final byte[] password = ctx.password();
        final AuthenticationMethodCode method = null != token ? AuthenticationMethodCode.TOKEN :
            null != password ? AuthenticationMethodCode.PASSWORD :
            ctx.clientCertificate() ? AuthenticationMethodCode.CLIENT_CERTIFICATE : AuthenticationMethodCode.NONE;
        final byte[] secret = null != token ? token : null != password ? password : new byte[0];
        final String user = AuthenticationMethodCode.PASSWORD == method ? ctx.user() : "";
        final int length = ProtocolFrames.HEADER_LENGTH + HelloEncoder.BLOCK_LENGTH + 2 + ctx.instance().length() +
            2 + user.length() * 3 + 4 + secret.length;
        final int at = transport.claim(length);
        hello.wrapAndApplyHeader(transport.buffer(), at, header)
            .protocolVersion(ProtocolFrames.VERSION)
            .authenticationMethod(method)
            .heartbeatIntervalMs(TimeUnit.NANOSECONDS.toMillis(ctx.heartbeatIntervalNs()))
            .instance(ctx.instance())
            .user(user)
            .putSecret(secret, 0, secret.length);
        transport.commit(at, ProtocolFrames.HEADER_LENGTH + hello.encodedLength());
    }

    private int receive(final long nowNs)
    {
        try
        {
            final int received = transport.poll(sink);
            if (received > 0)
            {
                lastReceivedNs = nowNs;
            }
            return received;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (CLOSED != state && DISCONNECTED != state)
            {
                fail(DisconnectReason.CONNECTION_LOST, describe(ex));
            }
            return 1;
        }
    }

    private int timers(final long nowNs)
    {
        if (AWAITING_WELCOME == state && nowNs - deadlineNs > 0)
        {
            fail(DisconnectReason.HELLO_TIMEOUT, "no WELCOME from " + transport.describe() + " within " +
                TimeUnit.NANOSECONDS.toMillis(ctx.connectTimeoutNs()) + " ms");
            return 1;
        }
        final long intervalNs = ctx.heartbeatIntervalNs();
        if (nowNs - lastReceivedNs > intervalNs * ctx.maxPingsOut())
        {
            fail(DisconnectReason.HEARTBEAT_TIMEOUT, "nothing from " + transport.describe() + " for " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - lastReceivedNs) + " ms");
            return 1;
        }
        if (CONNECTED == state && nowNs - lastReceivedNs >= intervalNs && nowNs - lastPingNs >= intervalNs)
        {
            final int at = claim(ProtocolFrames.HEADER_LENGTH + PingEncoder.BLOCK_LENGTH);
            if (at >= 0)
            {
                ping.wrapAndApplyHeader(transport.buffer(), at, header).value(0); // 0: a heartbeat, not a sync
                transport.commit(at, ProtocolFrames.HEADER_LENGTH + ping.encodedLength());
                lastPingNs = nowNs;
                return 1;
            }
        }
        return 0;
    }

    private int expireRequests(final long nowNs)
    {
        final int expired = outstanding.expire(nowNs);
        statistics.requestsTimedOut += expired;
        return expired;
    }

    private int flush()
    {
        if ((CONNECTED != state && AWAITING_WELCOME != state) || 0 == transport.pendingBytes())
        {
            return 0;
        }
        try
        {
            return transport.flush() > 0 ? 1 : 0;
        }
        catch (final IOException | RuntimeException ex)
        {
            fail(DisconnectReason.CONNECTION_LOST, "cannot send to " + transport.describe() + ": " + describe(ex));
            return 1;
        }
    }

    /**
     * A guaranteed publish with no outcome within the outcome timeout is reported TIMED_OUT and no longer resent.
     */
    private int expireOutcomes(final long nowNs)
    {
        final long timeoutNs = ctx.outcomeTimeoutNs();
        if (0 == timeoutNs || 0 == inFlight.pending())
        {
            return 0;
        }
        int expired = 0;
        for (long entry = inFlight.head(), tail = inFlight.tail(); entry < tail; entry++)
        {
            if (nowNs - inFlight.offeredNs(entry) < timeoutNs)
            {
                break;
            }
            if (inFlight.isPending(entry))
            {
                final long sequence = inFlight.sequence(entry);
                inFlight.answer(sequence);
                statistics.timedOut++;
                expired++;
                outcomeListener.onOutcome(sequence, PublishOutcome.TIMED_OUT, -1, 0);
            }
        }
        return expired;
    }

    private static String describe(final Throwable error)
    {
        return null != error.getMessage() ? error.getMessage() : error.getClass().getSimpleName();
    }

    private void fail(final DisconnectReason reason, final String detail)
    {
        transport.close();
        final boolean wasConnected = CONNECTED == state;
        state = DISCONNECTED;
        disconnectReason = reason;
        lastError = detail;
        resendCursor = -1;
        suspended = false;
        unsentSubscribes = 0;
        if (!draining.isEmpty())
        {
            // Their leave is done by the daemon as the connection closes; what it had sent them is lost with it.
            statistics.leavesCut += draining.size();
            for (final ClientSubscription member : draining.values())
            {
                member.draining = false;
            }
            draining.clear();
        }
        for (final ClientSubscription subscription : subscriptions.values())
        {
            subscription.inEffect = false;
            subscription.subscribeSentNs = 0;
            subscription.consumedSinceGrant = 0;
            subscription.consumedCriticalSinceGrant = 0;
            if (null != subscription.backlog)
            {
                subscription.uncredited = subscription.backlog.size(); // still handed over, not granted again
            }
            unsentSubscribes++;
        }
        nextAttemptNs = System.nanoTime() + (ctx.reconnect() ? backoffNs : Long.MAX_VALUE / 2);
        backoffNs = Math.min(ctx.reconnectMaxNs(), backoffNs * 2);
        if (wasConnected)
        {
            statistics.disconnects++;
        }
        statistics.requestsTimedOut += outstanding.expireAll(); // their replies went to the lost connection
        connectionListener.onConnectionState(ConnectionState.DISCONNECTED, reason, detail);
    }

    private void onWelcome(final WelcomeDecoder welcome)
    {
        sessionId = welcome.sessionId();
        maxPayloadLength = (int)Math.min(Integer.MAX_VALUE, welcome.maxPayloadLength());
        maxTopicLength = Math.min(ProtocolFrames.MAX_ASCII_LENGTH, welcome.maxTopicLength());
        principal = welcome.principal();
        publisher = welcome.publisher();
        state = CONNECTED;
        disconnectReason = DisconnectReason.NONE;
        backoffNs = ctx.reconnectMinNs();
        statistics.connects++;
        resendCursor = inFlight.pending() > 0 ? inFlight.head() : -1;
        sendSubscribes();
        resend();
        connectionListener.onConnectionState(ConnectionState.CONNECTED, DisconnectReason.NONE,
            "connected to " + transport.describe() + " as " + publisher + " (session " + sessionId + ")");
    }

    /**
     * Send the guaranteed publishes awaiting an outcome again, in order, with their original publisher sequences.
     */
    private int resend()
    {
        int sent = 0;
        final long tail = inFlight.tail();
        while (resendCursor >= 0 && resendCursor < tail)
        {
            final long entry = Math.max(resendCursor, inFlight.head());
            if (entry >= tail)
            {
                break;
            }
            if (inFlight.isPending(entry))
            {
                final int length = inFlight.frameLength(entry);
                final int at = claim(length);
                if (at < 0)
                {
                    resendCursor = entry;
                    return sent;
                }
                transport.buffer().putBytes(at, inFlight.frames(), inFlight.frameOffsetOf(entry), length);
                transport.commit(at, length);
                statistics.resent++;
                sent++;
            }
            resendCursor = entry + 1;
        }
        resendCursor = -1;
        return sent;
    }

    private int sendSubscribes()
    {
        int sent = 0;
        final long nowNs = System.nanoTime();
        for (final ClientSubscription subscription : subscriptions.values())
        {
            if (subscription.subscribeSentNs != 0)
            {
                continue;
            }
            final String pattern = subscription.pattern();
            final ClientSubscriptionOptions options = subscription.options();
            final String group = null == options.queueGroup() ? "" : options.queueGroup();
            final String durableName = null == options.durable() ? "" : options.durable();
            final int at = claim(ProtocolFrames.HEADER_LENGTH + SubscribeEncoder.BLOCK_LENGTH + 6 + pattern.length() +
                group.length() + durableName.length());
            if (at < 0)
            {
                break;
            }
            // A durable one asks for its first start each time: the daemon resumes it after its acknowledged
            // position if it has one. A replay without a name resumes after the last message it was handed.
            StartPositionKind startKind = options.startAt().kind();
            long startValue = options.startAt().value();
            if (durableName.isEmpty() && options.fromJournal() && subscription.lastSequence >= 0)
            {
                startKind = StartPositionKind.AFTER_SEQUENCE;
                startValue = subscription.lastSequence;
            }
            subscribe.wrapAndApplyHeader(transport.buffer(), at, header)
                .subscriptionId(subscription.id())
                .startPositionKind(startKind)
                .startPositionValue(startValue)
                .initialCredit(options.initialCredit())
                .initialCriticalCredit(options.initialCredit() > 0 ? options.criticalCredit() : 0)
                .slowSubscriberPolicy(null == options.slowSubscriberPolicy() ? SlowSubscriberPolicyCode.SERVER_DEFAULT :
                    SlowSubscriberPolicyCode.get((short)(options.slowSubscriberPolicy().ordinal() + 1)))
                .queueGroupDiscipline(io.junction.QueueGroupDiscipline.KEYED == options.queueGroupDiscipline() ?
                    io.junction.protocol.codecs.QueueGroupDisciplineCode.KEYED :
                    io.junction.protocol.codecs.QueueGroupDisciplineCode.BALANCED)
                .pattern(pattern)
                .queueGroup(group)
                .durableName(durableName);
            transport.commit(at, ProtocolFrames.HEADER_LENGTH + subscribe.encodedLength());
            subscription.subscribeSentNs = nowNs;
            subscription.consumedSinceGrant = 0;
            subscription.consumedCriticalSinceGrant = 0;
            unsentSubscribes--;
            sent++;
        }
        return sent;
    }

    private void onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        if (CLOSED == state || DISCONNECTED == state)
        {
            return; // A handler closed the client, or an answer ended the session, earlier in this read.
        }
        frameBuffer = buffer;
        frameOffset = offset;
        frameLength = length;
        if (dispatcher.dispatch(buffer, offset, length, frames) < 0 && CLOSED != state && DISCONNECTED != state)
        {
            fail(DisconnectReason.PROTOCOL_ERROR, "a frame from " + transport.describe() + " did not decode: " +
                frames.refusal);
        }
    }

    private void onMessage(final MessageDecoder decoded)
    {
        ClientSubscription subscription = subscriptions.get(decoded.subscriptionId());
        if (null == subscription && (draining.isEmpty() || null == (subscription = draining.get(decoded.subscriptionId()))))
        {
            statistics.discarded++; // Closed: frames already on their way.
            return;
        }
        final ExpressBacklog backlog = subscription.backlog;
        if (null != backlog && Priority.CRITICAL != PRIORITIES[decoded.priorityRaw()])
        {
            keep(subscription, backlog, decoded);
            return;
        }
        deliver(subscription, decoded, true);
    }

    /**
     * An express subscription's message below CRITICAL is kept, to be handed over after the CRITICAL ones read with
     * it or before its turn. A full store makes room by handing over its oldest at once (counted).
     */
    private void keep(final ClientSubscription subscription, final ExpressBacklog backlog, final MessageDecoder decoded)
    {
        if (backlog.offer(frameBuffer, frameOffset, frameLength))
        {
            return;
        }
        statistics.expressBacklogFull++;
        while (!backlog.isEmpty())
        {
            deliverOldest(subscription);
            if (backlog.offer(frameBuffer, frameOffset, frameLength))
            {
                return;
            }
        }
        deliver(subscription, decoded, true); // longer than the store's bound: in its turn, at once
    }

    /**
     * Hand the express subscriptions' kept messages to their handlers, round robin, until none is left or the express
     * poll interval has passed (at least one message): the next duty cycle reads the connection first, so a CRITICAL
     * message that came meanwhile goes before the rest. Subscriptions that ended have what they kept discarded
     * (counted), and leave the list.
     *
     * @return messages handed over.
     */
    private int deliverKept()
    {
        if (CLOSED == state)
        {
            return 0;
        }
        final long startNs = System.nanoTime();
        final long intervalNs = ctx.expressPollIntervalNs();
        int delivered = 0;
        int emptyInARow = 0;
        while (emptyInARow < express.size())
        {
            if (expressCursor >= express.size())
            {
                expressCursor = 0;
            }
            final ClientSubscription subscription = express.get(expressCursor);
            final ExpressBacklog backlog = subscription.backlog;
            if (!(subscription.active || subscription.draining))
            {
                statistics.discarded += backlog.clear(); // ended: as for its messages still on their way
                subscription.uncredited = 0;
                express.remove(expressCursor); // no allocation; the next one takes this index
                continue;
            }
            expressCursor++;
            if (backlog.isEmpty())
            {
                emptyInARow++;
                continue;
            }
            emptyInARow = 0;
            deliverOldest(subscription);
            delivered++;
            if (CLOSED == state || System.nanoTime() - startNs >= intervalNs)
            {
                break;
            }
        }
        return delivered;
    }

    /**
     * Hand over an express subscription's oldest kept message; credit is granted for it unless it came on a
     * connection since lost.
     */
    private void deliverOldest(final ClientSubscription subscription)
    {
        final ExpressBacklog backlog = subscription.backlog;
        final DirectBuffer buffer = backlog.buffer();
        final int offset = backlog.headOffset();
        backlog.pop(); // its bytes stay as they are until the next offer, after the handler returned
        final boolean creditable = 0 == subscription.uncredited;
        if (!creditable)
        {
            subscription.uncredited--;
        }
        keptMessage.wrap(buffer, offset + ProtocolFrames.HEADER_LENGTH, ProtocolFrames.blockLength(buffer, offset),
            ProtocolFrames.version(buffer, offset));
        deliver(subscription, keptMessage, creditable);
    }

    /**
     * Hand a message to its subscription's handler and, with auto-credit, grant what was consumed back when due.
     *
     * @param creditable false for a kept message of a connection since lost (the daemon's credit is new since).
     */
    private void deliver(final ClientSubscription subscription, final MessageDecoder decoded, final boolean creditable)
    {
        final long sequence = decoded.sequence();
        final long timestampNs = decoded.timestampNs();
        final Priority priority = PRIORITIES[decoded.priorityRaw()];
        final DirectBuffer buffer = decoded.buffer();
        final int topicOffset = decoded.limit() + MessageDecoder.topicHeaderLength();
        final String topic = topics.get(buffer, topicOffset, decoded.topicLength());
        decoded.skipTopic();
        final int payloadLength = decoded.payloadLength();
        payloadView.wrap(buffer, decoded.limit() + MessageDecoder.payloadHeaderLength(), payloadLength);
        RemoteMessages.wrap(message, topic, sequence, priority, timestampNs, payloadView, payloadLength);
        decoded.skipPayload();
        final int replyToLength = decoded.replyToLength();
        final long correlationId = decoded.correlationId();
        RemoteMessages.request(message, 0 == replyToLength ? null :
            replyTopics.get(buffer, decoded.limit() + MessageDecoder.replyToHeaderLength(), replyToLength),
            MessageDecoder.correlationIdNullValue() == correlationId ? 0 : correlationId);
        subscription.delivered++;
        subscription.lastSequence = sequence;
        statistics.received++;
        final ClientSubscriptionOptions options = subscription.options();
        try
        {
            delivering = subscription;
            deliveringSequence = sequence;
            subscription.handler().onMessage(message);
            if (options.autoAck() && null != options.durable())
            {
                sendAck(subscription, sequence);
            }
        }
        catch (final Exception ex)
        {
            subscription.faults++; // Isolated: counted, the next message is delivered.
            statistics.handlerFaults++;
        }
        finally
        {
            delivering = null;
        }
        if (creditable && options.autoCredit() && options.initialCredit() > 0 &&
            (subscription.active || subscription.draining))
        {
            // With a CRITICAL window a CRITICAL message is granted back as CRITICAL credit, the pool it spent.
            final long criticalWindow = options.criticalCredit();
            if (criticalWindow > 0 && Priority.CRITICAL == priority)
            {
                subscription.consumedCriticalSinceGrant++;
            }
            else
            {
                subscription.consumedSinceGrant++;
            }
            final long consumed = subscription.consumedSinceGrant;
            final long consumedCritical = subscription.consumedCriticalSinceGrant;
            if ((consumed >= Math.max(1, options.initialCredit() >> 1) ||
                (criticalWindow > 0 && consumedCritical >= Math.max(1, criticalWindow >> 1))) &&
                sendCredit(subscription, consumed, consumedCritical))
            {
                subscription.consumedSinceGrant = 0;
                subscription.consumedCriticalSinceGrant = 0;
            }
        }
    }

    private void onOutcome(final OutcomeDecoder outcome)
    {
        final long publisherSequence = outcome.publisherSequence();
        if (!inFlight.answer(publisherSequence))
        {
            return; // Answered already (timed out in the client, or a resend's second answer).
        }
        final PublishOutcome what = PublishOutcome.of(outcome.outcome());
        final int reasonCode = outcome.reasonCode();
        if (PublishOutcome.DURABLE == what)
        {
            statistics.durable++;
            if (DUPLICATE_CODE == reasonCode)
            {
                statistics.duplicatesAcknowledged++;
            }
        }
        else
        {
            statistics.guaranteedRefused++;
        }
        outcomeListener.onOutcome(publisherSequence, what, outcome.sequence(), reasonCode);
    }

    private void onRefusal(final CoalescedRefusalDecoder refusal)
    {
        final long count = refusal.count();
        final long first = refusal.firstPublisherSequence();
        final long last = refusal.lastPublisherSequence();
        final OutcomeCode code = refusal.outcome();
        final int reasonCode = refusal.reasonCode();
        final PublishOutcome what = PublishOutcome.of(code);
        long guaranteed = 0;
        // Publisher sequences are unique and every pending publish was sent on this connection, in order: the
        // pending ones numbered first..last are exactly the guaranteed publishes of the run.
        for (long entry = inFlight.head(), tail = inFlight.tail(); entry < tail; entry++)
        {
            final long sequence = inFlight.sequence(entry);
            if (sequence > last)
            {
                break;
            }
            if (sequence >= first && inFlight.isPending(entry) && inFlight.answer(sequence))
            {
                guaranteed++;
                statistics.guaranteedRefused++;
                outcomeListener.onOutcome(sequence, what, -1, reasonCode);
            }
        }
        final long bestEffort = Math.max(0, count - guaranteed);
        if (bestEffort > 0)
        {
            statistics.bestEffortRefused += bestEffort;
            refusalListener.onRefused(bestEffort, what, reasonCode);
        }
    }

    private void onError(final ErrorDecoder error)
    {
        statistics.errors++;
        final ErrorCode code = FrameDispatcher.errorCode(error.codeRaw());
        final int requestTemplateId = error.requestTemplateId();
        final long correlation = error.correlation();
        final String text = error.text();
        lastError = code + ": " + text;
        if (ErrorCode.AUTHENTICATION_FAILED == code)
        {
            fail(DisconnectReason.AUTHENTICATION_FAILED, "the daemon at " + transport.describe() +
                " refused the credentials: " + text);
            return;
        }
        if (ErrorCode.PUBLISHER_IN_USE == code)
        {
            if (CONNECTED == state)
            {
                fail(DisconnectReason.PUBLISHER_IN_USE, "another connection took over publisher '" + publisher +
                    "' at " + transport.describe() + ": " + text);
                nextAttemptNs = System.nanoTime() + Long.MAX_VALUE / 2; // Not taken back: two owners would fight.
            }
            else
            {
                // Our HELLO waited too long for the previous connection (ours, lost) to let the stream go: retry.
                fail(DisconnectReason.PROTOCOL_ERROR, "the daemon at " + transport.describe() + " refused HELLO: " +
                    text);
            }
            return;
        }
        if (SubscribeDecoder.TEMPLATE_ID == requestTemplateId)
        {
            final ClientSubscription member = draining.isEmpty() ? null : draining.remove(correlation);
            if (null != member)
            {
                member.draining = false; // closed before its SUBSCRIBE was answered, and refused: nothing comes
            }
            final ClientSubscription subscription = subscriptions.remove(correlation);
            if (null != subscription)
            {
                subscription.active = false;
                subscription.inEffect = false;
                subscription.endReason = code + ": " + text;
            }
        }
    }

    private void onSubscribed(final SubscribedDecoder subscribed)
    {
        final ClientSubscription subscription = subscriptions.get(subscribed.subscriptionId());
        if (null != subscription)
        {
            subscription.inEffect = true;
        }
    }

    private void onUnsubscribed(final UnsubscribedDecoder unsubscribed)
    {
        final EndReasonCode reason = unsubscribed.reason();
        if (EndReasonCode.UNSUBSCRIBED == reason)
        {
            // The answer to close(): a member's last message came before it.
            final ClientSubscription member = draining.isEmpty() ? null : draining.remove(unsubscribed.subscriptionId());
            if (null != member)
            {
                // What it kept came before its UNSUBSCRIBED: handed over first, as the rest of the leave was.
                while (null != member.backlog && !member.backlog.isEmpty() && member.draining)
                {
                    deliverOldest(member);
                }
                member.draining = false;
            }
            return;
        }
        final ClientSubscription subscription = subscriptions.remove(unsubscribed.subscriptionId());
        if (null != subscription)
        {
            subscription.active = false;
            subscription.inEffect = false;
            subscription.endReason = "ended by the daemon: " + reason + " (delivered " + unsubscribed.delivered() +
                ", dropped " + unsubscribed.dropped() + ")";
        }
    }

    private void onPing(final PingDecoder decoded)
    {
        final int at = claim(ProtocolFrames.HEADER_LENGTH + PongEncoder.BLOCK_LENGTH);
        if (at >= 0)
        {
            pong.wrapAndApplyHeader(transport.buffer(), at, header).value(decoded.value());
            transport.commit(at, ProtocolFrames.HEADER_LENGTH + pong.encodedLength());
        }
    }

    /**
     * From a transport (a cluster's) to the client: leader changes and lost quorum.
     */
    private final class TransportEvents implements Transport.Events
    {
        @Override
        public void onSuspended(final ConnectionState connectionState, final String detail)
        {
            if (CONNECTED == state && !suspended)
            {
                suspended = true;
                lastError = detail;
                connectionListener.onConnectionState(connectionState, DisconnectReason.NONE, detail);
            }
        }

        @Override
        public void onResumed(final ConnectionState connectionState, final String detail)
        {
            if (CONNECTED == state)
            {
                suspended = false;
                resendCursor = inFlight.pending() > 0 ? inFlight.head() : -1;
                connectionListener.onConnectionState(connectionState, DisconnectReason.NONE, detail);
            }
        }
    }

    /**
     * From the generated decoders to the client.
     */
    private final class Frames implements FrameHandler
    {
        String refusal = "";

        @Override
        public void onInvalidFrame(final int errorCode, final DirectBuffer buffer, final int offset, final int length)
        {
            refusal = ProtocolFrames.describeRefusal(errorCode, buffer, offset, length, ctx.maxFrameLength());
        }

        @Override
        public void onInvalidField(final int templateId, final String field, final long value)
        {
            refusal = "template " + templateId + " field " + field + " = " + value;
        }

        @Override
        public void onUnexpected(final int templateId)
        {
            refusal = "template " + templateId + " is not sent by a server";
        }

        @Override
        public void onWelcome(final WelcomeDecoder welcome)
        {
            JunctionClient.this.onWelcome(welcome);
        }

        @Override
        public void onPing(final PingDecoder ping)
        {
            JunctionClient.this.onPing(ping);
        }

        @Override
        public void onPong(final PongDecoder pong)
        {
            // Any frame is an answer to a heartbeat (lastReceivedNs is already updated); a positive value is a sync.
            syncedUpTo = Math.max(syncedUpTo, pong.value());
        }

        @Override
        public void onError(final ErrorDecoder error)
        {
            JunctionClient.this.onError(error);
        }

        @Override
        public void onOutcome(final OutcomeDecoder outcome)
        {
            JunctionClient.this.onOutcome(outcome);
        }

        @Override
        public void onCoalescedRefusal(final CoalescedRefusalDecoder refused)
        {
            JunctionClient.this.onRefusal(refused);
        }

        @Override
        public void onSubscribed(final SubscribedDecoder subscribed)
        {
            JunctionClient.this.onSubscribed(subscribed);
        }

        @Override
        public void onUnsubscribed(final UnsubscribedDecoder unsubscribed)
        {
            JunctionClient.this.onUnsubscribed(unsubscribed);
        }

        @Override
        public void onMessage(final MessageDecoder decoded)
        {
            JunctionClient.this.onMessage(decoded);
        }
    }
}
