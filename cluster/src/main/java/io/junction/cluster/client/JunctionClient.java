package io.junction.cluster.client;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import io.aeron.security.CredentialsSupplier;
import io.aeron.security.NullCredentialsSupplier;
import io.junction.Priority;
import io.junction.protocol.AsciiStringCache;
import io.junction.cluster.WireFrames;
import io.junction.cluster.codecs.AcknowledgeEncoder;
import io.junction.cluster.codecs.BooleanType;
import io.junction.cluster.codecs.DeliverDecoder;
import io.junction.cluster.codecs.ErrorCode;
import io.junction.cluster.codecs.ErrorDecoder;
import io.junction.cluster.codecs.MessageHeaderEncoder;
import io.junction.cluster.codecs.PriorityCode;
import io.junction.cluster.codecs.PublishAckDecoder;
import io.junction.cluster.codecs.PublishDecoder;
import io.junction.cluster.codecs.PublishEncoder;
import io.junction.cluster.codecs.ResumeEncoder;
import io.junction.cluster.codecs.SubscribeAckDecoder;
import io.junction.cluster.codecs.SubscribeDecoder;
import io.junction.cluster.codecs.SubscribeEncoder;
import io.junction.cluster.codecs.UnsubscribeAckDecoder;
import io.junction.cluster.codecs.UnsubscribeEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Client of the replicated switch, for publishers and subscribers. Single-threaded: call {@link #poll()} in a
 * duty cycle; it polls egress, sends keepalives, resends what the cluster has not acknowledged, and reconnects.
 * <p>
 * Publishes carry the idempotency key (publisher id, publisher sequence) and stay in a bounded in-flight ring
 * until acknowledged; after a new leader or a reconnect they are sent again from the oldest unacknowledged,
 * and the cluster drops the ones it already has, so each enters the log once. Deliveries are numbered per
 * subscription; on a gap or a new leader the client asks the cluster to resend from its last delivery, and
 * hands each message to the handler exactly once, in order.
 * <p>
 * Superseded: new code uses {@code io.junction.client.JunctionClient} (the daemon's client API) over a
 * {@link ClusterTransport}, which speaks the Junction protocol the cluster serves beside this client's older
 * replicated-switch frames ({@code junction-wire.xml}). This one remains while the cluster's tests, the network
 * namespace fault tests and the perf suite still use it.
 */
public final class JunctionClient implements AutoCloseable
{
    /** {@link #publish} result: the in-flight ring is full; poll and try again. */
    public static final long BACK_PRESSURED = -1;
    /** {@link #publish} result: the frame would be longer than an in-flight slot. */
    public static final long TOO_LARGE = -2;
    /** {@link #publish} result: the client is closed. */
    public static final long CLOSED = -3;

    private final Context ctx;
    private final EgressAdapter egressAdapter = new EgressAdapter();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PublishEncoder publishEncoder = new PublishEncoder();
    private final SubscribeEncoder subscribeEncoder = new SubscribeEncoder();
    private final UnsubscribeEncoder unsubscribeEncoder = new UnsubscribeEncoder();
    private final ResumeEncoder resumeEncoder = new ResumeEncoder();
    private final AcknowledgeEncoder acknowledgeEncoder = new AcknowledgeEncoder();
    private final ExpandableArrayBuffer controlBuffer = new ExpandableArrayBuffer(1024);

    private final UnsafeBuffer[] slots;
    private final int[] slotLengths;
    private final int slotMask;
    private long nextPublisherSequence = 1;
    private long oldestUnacked = 1;
    private long nextToSend = 1;

    private final ArrayDeque<byte[]> pendingControl = new ArrayDeque<>();
    private final ArrayList<ClientSubscription> subscriptions = new ArrayList<>();
    private final Long2ObjectHashMap<ClientSubscription> subscriptionsByServerId = new Long2ObjectHashMap<>();
    private long nextCorrelationId = 1;

    private AeronCluster cluster;
    private AeronCluster.AsyncConnect asyncConnect;
    private long lastSendNs;
    private long reconnects;
    private long gapsDetected;
    private long duplicatesDropped;
    private boolean isClosed;

    private JunctionClient(final Context ctx)
    {
        this.ctx = ctx;
        final int slotCount = ctx.maxInFlight;
        slots = new UnsafeBuffer[slotCount];
        slotLengths = new int[slotCount];
        slotMask = slotCount - 1;
        for (int i = 0; i < slotCount; i++)
        {
            slots[i] = new UnsafeBuffer(new byte[ctx.maxFrameLength]);
        }
    }

    /**
     * Connect, waiting up to the context's connect timeout for a leader.
     */
    public static JunctionClient connect(final Context ctx)
    {
        ctx.conclude();
        final JunctionClient client = new JunctionClient(ctx);
        try
        {
            client.cluster = AeronCluster.connect(client.newClusterContext());
            client.lastSendNs = System.nanoTime();
            ctx.listener.onConnected(client.cluster.clusterSessionId(), client.cluster.leaderMemberId());
            return client;
        }
        catch (final RuntimeException ex)
        {
            client.close();
            throw ex;
        }
    }

    public long publisherId()
    {
        return ctx.publisherId;
    }

    public boolean isConnected()
    {
        return null != cluster && !cluster.isClosed();
    }

    /**
     * @return publishes sent but not yet acknowledged.
     */
    public long inFlight()
    {
        return nextPublisherSequence - oldestUnacked;
    }

    public long reconnects()
    {
        return reconnects;
    }

    public long gapsDetected()
    {
        return gapsDetected;
    }

    public long duplicatesDropped()
    {
        return duplicatesDropped;
    }

    /**
     * Publish a message. It is kept until the cluster acknowledges it, and resent after a failover.
     *
     * @return the publisher sequence (&gt; 0) of the message, or {@link #BACK_PRESSURED}, {@link #TOO_LARGE} or
     * {@link #CLOSED}.
     */
    public long publish(
        final String topic, final Priority priority, final DirectBuffer buffer, final int offset, final int length)
    {
        if (isClosed)
        {
            return CLOSED;
        }
        if (nextPublisherSequence - oldestUnacked >= slots.length)
        {
            return BACK_PRESSURED;
        }
        final int frameLength = WireFrames.HEADER_LENGTH + PublishEncoder.BLOCK_LENGTH +
            PublishEncoder.topicHeaderLength() + topic.length() + PublishEncoder.payloadHeaderLength() + length;
        if (frameLength > ctx.maxFrameLength)
        {
            return TOO_LARGE;
        }

        final long publisherSequence = nextPublisherSequence++;
        final int slot = (int)(publisherSequence & slotMask);
        publishEncoder.wrapAndApplyHeader(slots[slot], 0, headerEncoder)
            .publisherId(ctx.publisherId)
            .publisherSequence(publisherSequence)
            .priority(PriorityCode.get((short)priority.ordinal()))
            .topic(topic)
            .putPayload(buffer, offset, length);
        slotLengths[slot] = frameLength;
        sendPublishes();
        return publisherSequence;
    }

    /**
     * Subscribe to a pattern; messages published after the subscription takes effect go to the handler.
     *
     * @param durableName empty for none; else the cluster keeps the acknowledged position under this name.
     * @param resumeAfterSequence -1 for new messages only, -2 to resume from the durable position, or a
     *                            sequence to replay from after.
     * @return a handle for {@link #unsubscribe} and {@link #acknowledge}.
     */
    public long subscribe(
        final String pattern, final String durableName, final long resumeAfterSequence, final DeliveryHandler handler)
    {
        final ClientSubscription subscription = new ClientSubscription(pattern, durableName, handler);
        subscription.correlationId = nextCorrelationId++;
        subscription.resumeAfterSequence = resumeAfterSequence;
        subscriptions.add(subscription);
        sendSubscribe(subscription);
        return subscription.handle;
    }

    public long subscribe(final String pattern, final DeliveryHandler handler)
    {
        return subscribe(pattern, "", -1, handler);
    }

    /**
     * @return true once the cluster has confirmed the subscription (so later publishes reach it).
     */
    public boolean isSubscribed(final long handle)
    {
        final ClientSubscription subscription = byHandle(handle);
        return null != subscription && subscription.serverId > 0;
    }

    public void unsubscribe(final long handle)
    {
        final ClientSubscription subscription = byHandle(handle);
        if (null != subscription)
        {
            subscriptions.remove(subscription);
            if (subscription.serverId > 0)
            {
                subscriptionsByServerId.remove(subscription.serverId);
                unsubscribeEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
                    .correlationId(nextCorrelationId++)
                    .subscriptionId(subscription.serverId);
                sendControl(MessageHeaderEncoder.ENCODED_LENGTH + unsubscribeEncoder.encodedLength());
            }
        }
    }

    /**
     * Tell the cluster the subscriber has consumed up to and including the sequence (kept for durable names).
     */
    public void acknowledge(final long handle, final long sequence)
    {
        final ClientSubscription subscription = byHandle(handle);
        if (null != subscription && subscription.serverId > 0)
        {
            acknowledgeEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
                .subscriptionId(subscription.serverId)
                .sequence(sequence);
            sendControl(MessageHeaderEncoder.ENCODED_LENGTH + acknowledgeEncoder.encodedLength());
        }
    }

    /**
     * Send a raw frame on ingress (for tools and tests of the protocol's error handling).
     *
     * @return true if it was sent.
     */
    public boolean offerRaw(final DirectBuffer buffer, final int offset, final int length)
    {
        return isConnected() && cluster.offer(buffer, offset, length) > 0;
    }

    /**
     * Do the client's work: egress, keepalive, resends, reconnection.
     *
     * @return the amount of work done.
     */
    public int poll()
    {
        if (isClosed)
        {
            return 0;
        }
        int work = 0;
        if (null == cluster || cluster.isClosed())
        {
            return reconnect();
        }

        work += cluster.pollEgress();
        if (cluster.isClosed())
        {
            return work;
        }
        work += sendPublishes();
        work += sendPendingControl();

        final long nowNs = System.nanoTime();
        if (nowNs - lastSendNs > ctx.keepaliveIntervalNs)
        {
            if (cluster.sendKeepAlive())
            {
                lastSendNs = nowNs;
                work++;
            }
        }
        for (int i = 0, n = subscriptions.size(); i < n; i++)
        {
            final ClientSubscription subscription = subscriptions.get(i);
            if (subscription.resumeRequestedNs != 0 && nowNs - subscription.resumeRequestedNs > ctx.resumeTimeoutNs)
            {
                sendResume(subscription);
                work++;
            }
            else if (ctx.tailCheckIntervalNs > 0 && subscription.serverId > 0 &&
                nowNs - subscription.lastActivityNs > ctx.tailCheckIntervalNs)
            {
                // Quiet for a while: deliveries at the tail may have been dropped with nothing after them to show
                // the gap, so ask for anything after the last one (the answer is empty if nothing is missing).
                sendResume(subscription);
                subscription.resumeRequestedNs = 0;
                subscription.lastActivityNs = nowNs;
                work++;
            }
        }
        return work;
    }

    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            CloseHelper.closeAll(asyncConnect, cluster);
        }
    }

    private int reconnect()
    {
        if (null != cluster)
        {
            CloseHelper.quietClose(cluster);
            cluster = null;
        }
        if (null == asyncConnect)
        {
            asyncConnect = AeronCluster.asyncConnect(newClusterContext());
        }
        final AeronCluster connected;
        try
        {
            connected = asyncConnect.poll();
        }
        catch (final RuntimeException ex)
        {
            // Timed out or refused: try again on the next poll.
            CloseHelper.quietClose(asyncConnect);
            asyncConnect = null;
            return 1;
        }
        if (null == connected)
        {
            return 1;
        }

        asyncConnect = null;
        cluster = connected;
        reconnects++;
        lastSendNs = System.nanoTime();
        pendingControl.clear();
        subscriptionsByServerId.clear();
        nextToSend = oldestUnacked;
        for (int i = 0, n = subscriptions.size(); i < n; i++)
        {
            // A new session has none of the old one's subscriptions: subscribe again from the last delivery.
            final ClientSubscription subscription = subscriptions.get(i);
            if (subscription.serverId > 0)
            {
                subscription.resumeAfterSequence = subscription.lastSequence;
            }
            subscription.serverId = 0;
            subscription.resumeRequestedNs = 0;
            subscription.correlationId = nextCorrelationId++;
            sendSubscribe(subscription);
        }
        ctx.listener.onConnected(cluster.clusterSessionId(), cluster.leaderMemberId());
        return 1;
    }

    private void onNewLeader(final long clusterSessionId, final int leaderMemberId)
    {
        // Anything in flight to the old leader may be lost: send again; the cluster drops what it has.
        nextToSend = oldestUnacked;
        for (int i = 0, n = subscriptions.size(); i < n; i++)
        {
            final ClientSubscription subscription = subscriptions.get(i);
            if (subscription.serverId > 0)
            {
                sendResume(subscription);
                // Nothing may be missing: only a gap seen later makes this request worth repeating.
                subscription.resumeRequestedNs = 0;
            }
            else
            {
                sendSubscribe(subscription);
            }
        }
        ctx.listener.onConnected(clusterSessionId, leaderMemberId);
    }

    private int sendPublishes()
    {
        int sent = 0;
        while (nextToSend < nextPublisherSequence && null != cluster)
        {
            final int slot = (int)(nextToSend & slotMask);
            if (cluster.offer(slots[slot], 0, slotLengths[slot]) < 0)
            {
                break;
            }
            nextToSend++;
            sent++;
        }
        if (sent > 0)
        {
            lastSendNs = System.nanoTime();
        }
        return sent;
    }

    private void sendSubscribe(final ClientSubscription subscription)
    {
        subscribeEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .correlationId(subscription.correlationId)
            .resumeAfterSequence(subscription.resumeAfterSequence)
            .pattern(subscription.pattern)
            .durableName(subscription.durableName);
        sendControl(MessageHeaderEncoder.ENCODED_LENGTH + subscribeEncoder.encodedLength());
    }

    private void sendResume(final ClientSubscription subscription)
    {
        resumeEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .subscriptionId(subscription.serverId)
            .afterSequence(subscription.lastSequence)
            .afterCount(subscription.lastCount);
        sendControl(MessageHeaderEncoder.ENCODED_LENGTH + resumeEncoder.encodedLength());
        subscription.resumeRequestedNs = System.nanoTime();
    }

    private void sendControl(final int length)
    {
        if (pendingControl.isEmpty() && isConnected() && cluster.offer(controlBuffer, 0, length) > 0)
        {
            lastSendNs = System.nanoTime();
            return;
        }
        final byte[] copy = new byte[length];
        controlBuffer.getBytes(0, copy);
        pendingControl.add(copy);
    }

    private int sendPendingControl()
    {
        int sent = 0;
        final UnsafeBuffer view = egressAdapter.controlView;
        while (!pendingControl.isEmpty())
        {
            final byte[] frame = pendingControl.peek();
            view.wrap(frame);
            if (cluster.offer(view, 0, frame.length) < 0)
            {
                break;
            }
            pendingControl.poll();
            sent++;
        }
        return sent;
    }

    private ClientSubscription byHandle(final long handle)
    {
        for (int i = 0, n = subscriptions.size(); i < n; i++)
        {
            final ClientSubscription subscription = subscriptions.get(i);
            if (subscription.handle == handle)
            {
                return subscription;
            }
        }
        return null;
    }

    private ClientSubscription byCorrelationId(final long correlationId)
    {
        for (int i = 0, n = subscriptions.size(); i < n; i++)
        {
            final ClientSubscription subscription = subscriptions.get(i);
            if (subscription.correlationId == correlationId)
            {
                return subscription;
            }
        }
        return null;
    }

    private AeronCluster.Context newClusterContext()
    {
        return new AeronCluster.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .ingressChannel(ctx.ingressChannel)
            .ingressEndpoints(ctx.ingressEndpoints)
            .egressChannel(ctx.egressChannel)
            .messageTimeoutNs(ctx.connectTimeoutNs)
            .newLeaderTimeoutNs(ctx.newLeaderTimeoutNs)
            .credentialsSupplier(ctx.credentialsSupplier)
            .egressListener(egressAdapter);
    }

    private final class EgressAdapter implements EgressListener
    {
        private final PublishAckDecoder publishAckDecoder = new PublishAckDecoder();
        private final SubscribeAckDecoder subscribeAckDecoder = new SubscribeAckDecoder();
        private final UnsubscribeAckDecoder unsubscribeAckDecoder = new UnsubscribeAckDecoder();
        private final DeliverDecoder deliverDecoder = new DeliverDecoder();
        private final ErrorDecoder errorDecoder = new ErrorDecoder();
        private final UnsafeBuffer payloadView = new UnsafeBuffer(0, 0);
        private final UnsafeBuffer controlView = new UnsafeBuffer(0, 0);
        private final AsciiStringCache topicCache = new AsciiStringCache(256);

        public void onMessage(
            final long clusterSessionId,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header header)
        {
            final int templateId = WireFrames.check(buffer, offset, length, Integer.MAX_VALUE);
            if (templateId < 0)
            {
                ctx.listener.onError(-1, 0, WireFrames.errorCode(-templateId), "malformed egress frame");
                return;
            }
            final int body = offset + WireFrames.HEADER_LENGTH;
            final int blockLength = WireFrames.blockLength(buffer, offset);
            final int version = WireFrames.version(buffer, offset);
            switch (templateId)
            {
                case PublishAckDecoder.TEMPLATE_ID:
                    publishAckDecoder.wrap(buffer, body, blockLength, version);
                    onPublishDone(publishAckDecoder.publisherSequence());
                    ctx.listener.onPublishAck(
                        publishAckDecoder.publisherSequence(),
                        publishAckDecoder.sequence(),
                        publishAckDecoder.duplicateRaw() == BooleanType.TRUE.value());
                    break;

                case DeliverDecoder.TEMPLATE_ID:
                    deliverDecoder.wrap(buffer, body, blockLength, version);
                    onDeliver();
                    break;

                case SubscribeAckDecoder.TEMPLATE_ID:
                    subscribeAckDecoder.wrap(buffer, body, blockLength, version);
                    onSubscribeAck();
                    break;

                case UnsubscribeAckDecoder.TEMPLATE_ID:
                    unsubscribeAckDecoder.wrap(buffer, body, blockLength, version);
                    break;

                case ErrorDecoder.TEMPLATE_ID:
                {
                    errorDecoder.wrap(buffer, body, blockLength, version);
                    final long correlationId = errorDecoder.correlationId();
                    final int requestTemplateId = errorDecoder.requestTemplateId();
                    final ErrorCode code = WireFrames.errorCode(errorDecoder.codeRaw());
                    final String reason = errorDecoder.reason();
                    if (requestTemplateId == PublishDecoder.TEMPLATE_ID && correlationId > 0)
                    {
                        // Refused for good (it would be refused again): stop resending it.
                        onPublishDone(correlationId);
                    }
                    else if (requestTemplateId == SubscribeDecoder.TEMPLATE_ID)
                    {
                        final ClientSubscription subscription = byCorrelationId(correlationId);
                        if (null != subscription)
                        {
                            subscriptions.remove(subscription);
                        }
                    }
                    ctx.listener.onError(correlationId, requestTemplateId, code, reason);
                    break;
                }

                default:
                    break;
            }
        }

        public void onNewLeader(
            final long clusterSessionId, final long leadershipTermId, final int leaderMemberId, final String endpoints)
        {
            JunctionClient.this.onNewLeader(clusterSessionId, leaderMemberId);
        }

        private void onPublishDone(final long publisherSequence)
        {
            if (publisherSequence >= oldestUnacked && publisherSequence < nextPublisherSequence)
            {
                oldestUnacked = publisherSequence + 1;
                if (nextToSend < oldestUnacked)
                {
                    nextToSend = oldestUnacked;
                }
            }
        }

        private void onSubscribeAck()
        {
            final long correlationId = subscribeAckDecoder.correlationId();
            final ClientSubscription subscription = byCorrelationId(correlationId);
            if (null == subscription || subscription.serverId > 0)
            {
                return;
            }
            // Delivery count 0 of the new subscription stands for the sequence the cluster says it starts after.
            subscription.serverId = subscribeAckDecoder.subscriptionId();
            subscription.lastSequence = subscribeAckDecoder.sequence();
            subscription.lastCount = 0;
            subscription.resumeRequestedNs = 0;
            subscription.lastActivityNs = System.nanoTime();
            subscriptionsByServerId.put(subscription.serverId, subscription);
        }

        private void onDeliver()
        {
            final long nowNs = System.nanoTime();
            final long subscriptionId = deliverDecoder.subscriptionId();
            final long count = deliverDecoder.count();
            final long sequence = deliverDecoder.sequence();
            final int priority = deliverDecoder.priorityRaw();
            final ClientSubscription subscription = subscriptionsByServerId.get(subscriptionId);
            if (null == subscription)
            {
                return;
            }
            if (count <= subscription.lastCount)
            {
                duplicatesDropped++;
                return;
            }
            if (count > subscription.lastCount + 1)
            {
                // A gap: drop until the resend from the last delivery arrives.
                if (0 == subscription.resumeRequestedNs)
                {
                    gapsDetected++;
                    sendResume(subscription);
                }
                return;
            }

            final int topicLength = deliverDecoder.topicLength();
            final String topic = topicCache.get(
                deliverDecoder.buffer(), deliverDecoder.limit() + DeliverDecoder.topicHeaderLength(), topicLength);
            deliverDecoder.skipTopic();
            final int payloadLength = deliverDecoder.payloadLength();
            final int payloadOffset = deliverDecoder.limit() + DeliverDecoder.payloadHeaderLength();
            payloadView.wrap(deliverDecoder.buffer(), payloadOffset, payloadLength);
            subscription.lastCount = count;
            subscription.lastSequence = sequence;
            subscription.resumeRequestedNs = 0;
            subscription.lastActivityNs = nowNs;
            subscription.handler.onMessage(topic, sequence, priority, payloadView, 0, payloadLength);
        }
    }

    private static final class ClientSubscription
    {
        private static long nextHandle = 1;

        final long handle;
        final String pattern;
        final String durableName;
        final DeliveryHandler handler;
        long correlationId;
        long resumeAfterSequence = -1;
        long serverId;
        long lastSequence = -1;
        long lastCount;
        long resumeRequestedNs;
        long lastActivityNs;

        ClientSubscription(final String pattern, final String durableName, final DeliveryHandler handler)
        {
            synchronized (ClientSubscription.class)
            {
                handle = nextHandle++;
            }
            this.pattern = pattern;
            this.durableName = durableName;
            this.handler = handler;
        }
    }

    public static final class Context
    {
        private String aeronDirectoryName;
        private String ingressEndpoints;
        private String ingressChannel = "aeron:udp?term-length=128k";
        private String egressChannel;
        private String clientAddress;
        private CredentialsSupplier credentialsSupplier = new NullCredentialsSupplier();
        private long publisherId = 0;
        private int maxInFlight = 1024;
        private int maxFrameLength = 16 * 1024;
        private long connectTimeoutNs = TimeUnit.SECONDS.toNanos(10);
        private long newLeaderTimeoutNs = TimeUnit.SECONDS.toNanos(5);
        private long keepaliveIntervalNs = TimeUnit.MILLISECONDS.toNanos(500);
        private long resumeTimeoutNs = TimeUnit.SECONDS.toNanos(1);
        private long tailCheckIntervalNs = TimeUnit.SECONDS.toNanos(1);
        private ClientListener listener = new ClientListener()
        {
        };

        public void conclude()
        {
            if (null == ingressEndpoints)
            {
                throw new IllegalStateException("ingressEndpoints must be set");
            }
            if (Integer.bitCount(maxInFlight) != 1)
            {
                throw new IllegalStateException("maxInFlight must be a power of two: " + maxInFlight);
            }
            if (0 == publisherId)
            {
                publisherId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            }
            if (null == egressChannel)
            {
                final String address = null != clientAddress ? LocalAddress.ofHost(clientAddress) :
                    LocalAddress.towardFirstReachable(ingressEndpoints);
                egressChannel = "aeron:udp?endpoint=" + address + ":0|term-length=128k";
            }
        }

        /**
         * @return the egress channel: as set, or derived (once concluded) from the client's address.
         */
        public String egressChannel()
        {
            return egressChannel;
        }

        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public Context ingressEndpoints(final String ingressEndpoints)
        {
            this.ingressEndpoints = ingressEndpoints;
            return this;
        }

        public Context ingressChannel(final String ingressChannel)
        {
            this.ingressChannel = ingressChannel;
            return this;
        }

        /**
         * The channel the members send egress to; by default {@code aeron:udp?endpoint=<client address>:0}, see
         * {@link #clientAddress(String)}.
         */
        public Context egressChannel(final String egressChannel)
        {
            this.egressChannel = egressChannel;
            return this;
        }

        /**
         * The address (or host name) of this client that the members can reach, for its egress channel. By default
         * the local address of the route to the first reachable member, which is right unless a NAT or a proxy is
         * in the way.
         */
        public Context clientAddress(final String clientAddress)
        {
            this.clientAddress = clientAddress;
            return this;
        }

        /**
         * "user:password" or ":token" credentials, see {@code CredentialsAuthenticator.encode} and
         * {@code encodeToken}.
         */
        public Context credentials(final byte[] encodedCredentials)
        {
            this.credentialsSupplier = new CredentialsSupplier()
            {
                public byte[] encodedCredentials()
                {
                    return encodedCredentials;
                }

                public byte[] onChallenge(final byte[] encodedChallenge)
                {
                    return encodedCredentials;
                }
            };
            return this;
        }

        /**
         * A stable publisher id: keep it across restarts of the publisher to keep deduplication across them.
         */
        public Context publisherId(final long publisherId)
        {
            this.publisherId = publisherId;
            return this;
        }

        public Context maxInFlight(final int maxInFlight)
        {
            this.maxInFlight = maxInFlight;
            return this;
        }

        public Context maxFrameLength(final int maxFrameLength)
        {
            this.maxFrameLength = maxFrameLength;
            return this;
        }

        public Context connectTimeoutNs(final long connectTimeoutNs)
        {
            this.connectTimeoutNs = connectTimeoutNs;
            return this;
        }

        public Context newLeaderTimeoutNs(final long newLeaderTimeoutNs)
        {
            this.newLeaderTimeoutNs = newLeaderTimeoutNs;
            return this;
        }

        /**
         * How long a subscription may be quiet before the client asks the cluster for anything after its last
         * delivery (each ask is one entry in the replicated log); 0 turns the check off.
         */
        public Context tailCheckIntervalNs(final long tailCheckIntervalNs)
        {
            this.tailCheckIntervalNs = tailCheckIntervalNs;
            return this;
        }

        public Context listener(final ClientListener listener)
        {
            this.listener = listener;
            return this;
        }
    }
}
