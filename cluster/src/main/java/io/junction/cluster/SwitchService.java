package io.junction.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.junction.Junction;
import io.junction.Message;
import io.junction.MessageHandler;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.RejectReason;
import io.junction.SubscriptionOptions;
import io.junction.ThreadingMode;
import io.junction.cluster.codecs.AcknowledgeDecoder;
import io.junction.cluster.codecs.BooleanType;
import io.junction.cluster.codecs.DeliverEncoder;
import io.junction.cluster.codecs.ErrorCode;
import io.junction.cluster.codecs.ErrorEncoder;
import io.junction.cluster.codecs.MessageHeaderEncoder;
import io.junction.cluster.codecs.PriorityCode;
import io.junction.cluster.codecs.PublishAckEncoder;
import io.junction.cluster.codecs.PublishDecoder;
import io.junction.cluster.codecs.ResumeDecoder;
import io.junction.cluster.codecs.SnapshotDurablePositionDecoder;
import io.junction.cluster.codecs.SnapshotDurablePositionEncoder;
import io.junction.cluster.codecs.SnapshotEndDecoder;
import io.junction.cluster.codecs.SnapshotEndEncoder;
import io.junction.cluster.codecs.SnapshotHeaderDecoder;
import io.junction.cluster.codecs.SnapshotHeaderEncoder;
import io.junction.cluster.codecs.SnapshotPublisherDecoder;
import io.junction.cluster.codecs.SnapshotPublisherEncoder;
import io.junction.cluster.codecs.SnapshotSubscriptionDecoder;
import io.junction.cluster.codecs.SnapshotSubscriptionEncoder;
import io.junction.cluster.codecs.SubscribeAckEncoder;
import io.junction.cluster.codecs.SubscribeDecoder;
import io.junction.cluster.codecs.UnsubscribeAckEncoder;
import io.junction.cluster.codecs.UnsubscribeDecoder;
import io.junction.security.PrincipalPermissions;
import io.junction.security.TopicPermissions;
import io.junction.topic.Topics;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * The replicated switch: the deterministic, single-threaded state machine each cluster member runs over the
 * replicated log. It assigns sequences, drops duplicate publishes by (publisher id, publisher sequence),
 * applies subscription changes, appends every message to the member's {@link ReplicaJournal}, and routes it
 * through an embedded {@link Junction}: the switch core itself, in {@link ThreadingMode#INVOKER} mode with one
 * shard, run to idle on the service thread after each log message, with the cluster's time as its clock. Each
 * cluster subscription is a switch subscription whose handler counts the delivery (replicated state) and, on the
 * leader only, sends it on the subscriber's egress. Acks go on egress too (followers' offers are mocked by Aeron
 * Cluster).
 * <p>
 * Everything that decides state comes from the log (and, for replays, from the journal, which is itself
 * derived from the log): no wall clock is read, so every member reaches the same state. Bad frames and refused
 * requests get an {@code Error} reply and a counter.
 */
public final class SwitchService implements ClusteredService
{
    /** Subscribe with this to receive only messages sequenced after the subscription. */
    public static final long RESUME_NEW_ONLY = -1;
    /** Subscribe with this to resume from the durable position of the subscription's durable name. */
    public static final long RESUME_FROM_DURABLE = -2;

    private static final int MAX_TOPIC_TOKENS = 32;
    private static final int EGRESS_ATTEMPTS = 3;
    /** The embedded switch holds at most one message at a time: it is run to idle after each offer. */
    private static final int SWITCH_RING_SIZE = 64;
    private static final int SWITCH_OUTBOX_CAPACITY = 16;
    private static final int SWITCH_COUNTERS_CAPACITY = 8192;

    private final File journalDir;
    private final Function<Cluster, ReplicaJournal> journalFactory;
    private final PrincipalPermissions permissions;
    private final int maxTopicLength;
    private final int maxPayloadLength;
    private final int maxFrameLength;
    private final long maxReplay;

    private final PublishDecoder publishDecoder = new PublishDecoder();
    private final SubscribeDecoder subscribeDecoder = new SubscribeDecoder();
    private final UnsubscribeDecoder unsubscribeDecoder = new UnsubscribeDecoder();
    private final ResumeDecoder resumeDecoder = new ResumeDecoder();
    private final AcknowledgeDecoder acknowledgeDecoder = new AcknowledgeDecoder();

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PublishAckEncoder publishAckEncoder = new PublishAckEncoder();
    private final SubscribeAckEncoder subscribeAckEncoder = new SubscribeAckEncoder();
    private final UnsubscribeAckEncoder unsubscribeAckEncoder = new UnsubscribeAckEncoder();
    private final DeliverEncoder deliverEncoder = new DeliverEncoder();
    private final ErrorEncoder errorEncoder = new ErrorEncoder();
    private final ExpandableArrayBuffer egressBuffer = new ExpandableArrayBuffer(4096);

    // Replicated state (in the snapshot).
    private long lastSequence;
    private long nextSubscriptionId = 1;
    private final Long2LongHashMap lastSequenceByPublisher = new Long2LongHashMap(Long.MIN_VALUE);
    private final Long2ObjectHashMap<ClusterSubscription> subscriptionsById = new Long2ObjectHashMap<>();
    private final Object2LongHashMap<String> durablePositions = new Object2LongHashMap<>(-1L);

    // Derived state: the switch's routes are rebuilt from subscriptionsById on a snapshot load.
    private Junction junction;
    /** The switch's and the journal's counters, on the cluster's clock (not the member's Aeron counters). */
    private CountersManager switchCounters;
    private final SubscriptionOptions routeOptions = SubscriptionOptions.defaults().outboxCapacity(SWITCH_OUTBOX_CAPACITY);
    /** The message the switch is routing now: its replicated sequence and log timestamp. */
    private long routingSequence;
    private long routingTimestamp;
    private final Long2ObjectHashMap<TopicPermissions> grantBySessionId = new Long2ObjectHashMap<>();
    private final AsciiStringCache topicCache = new AsciiStringCache(1024);

    // From the node's configuration: Cluster.memberId() is not yet set when onStart runs.
    private final int memberId;
    private Cluster cluster;
    private ReplicaJournal journal;
    private ServiceCounters counters;
    private IdleStrategy idleStrategy;
    private volatile long appliedSequence;
    private volatile boolean restoredFromSnapshot;

    private volatile int leaderMemberId = -1;

    public SwitchService(
        final int memberId,
        final File journalDir,
        final Function<Cluster, ReplicaJournal> journalFactory,
        final PrincipalPermissions permissions,
        final int maxTopicLength,
        final int maxPayloadLength,
        final long maxReplay)
    {
        this.memberId = memberId;
        this.journalDir = journalDir;
        this.journalFactory = journalFactory;
        this.permissions = permissions;
        this.maxTopicLength = maxTopicLength;
        this.maxPayloadLength = maxPayloadLength;
        this.maxFrameLength = WireFrames.HEADER_LENGTH + PublishDecoder.BLOCK_LENGTH + 2 + maxTopicLength + 4 +
            maxPayloadLength;
        this.maxReplay = maxReplay;
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
        this.idleStrategy = cluster.idleStrategy();
        this.counters = new ServiceCounters(cluster.aeron(), memberId);
        this.switchCounters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(SWITCH_COUNTERS_CAPACITY * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(SWITCH_COUNTERS_CAPACITY * CountersReader.COUNTER_LENGTH)),
            StandardCharsets.US_ASCII,
            () -> java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(clusterTimeNs()),
            0);
        this.journal = null == journalFactory ?
            new MemberJournal(journalDir, this::clusterTimeNs, switchCounters, cluster.context().countedErrorHandler()) :
            journalFactory.apply(cluster);
        this.junction = launchSwitch(cluster);
        if (null != snapshotImage)
        {
            loadSnapshot(snapshotImage);
            restoredFromSnapshot = true;
        }
        appliedSequence = lastSequence;
    }

    /**
     * The switch core, driven only from this thread and only by the log: INVOKER threading, one shard, the
     * cluster's time for its clock and its counters' clock, so its routing decisions are the same on every member.
     */
    private Junction launchSwitch(final Cluster cluster)
    {
        return Junction.launch(new Junction.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .shards(1)
            .deliveryAgents(1)
            .singleProducer(true)
            .ringSize(SWITCH_RING_SIZE)
            .maxTopicLength(maxTopicLength)
            .maxTopicTokens(MAX_TOPIC_TOKENS)
            .maxMessageLength(maxPayloadLength)
            .shutdownTimeoutNs(0)
            .countersManager(switchCounters)
            .nanoClock(this::clusterTimeNs)
            .errorHandler(cluster.context().countedErrorHandler()::onError));
    }

    /**
     * The time of the log message being applied; 0 while a snapshot loads (the log's time unit is known from the
     * first leadership term event on), alike on every member.
     */
    private long clusterTimeNs()
    {
        final java.util.concurrent.TimeUnit timeUnit = cluster.timeUnit();
        return null == timeUnit ? 0 : timeUnit.toNanos(cluster.time());
    }

    /**
     * Run the switch until it has nothing left to do: routes applied, the message dispatched and delivered.
     */
    private void runSwitch()
    {
        while (junction.doWork() > 0)
        {
        }
    }

    private void addRoute(final ClusterSubscription subscription)
    {
        subscription.route = junction.subscribe(subscription.pattern, new Route(subscription), routeOptions);
    }

    private static void removeRoute(final ClusterSubscription subscription)
    {
        if (null != subscription.route)
        {
            subscription.route.close();
            subscription.route = null;
        }
    }

    /**
     * A cluster subscription's handler in the switch: counts the delivery (replicated state, on every member) and
     * sends it on the subscriber's egress from the leader only.
     */
    private final class Route implements MessageHandler
    {
        private final ClusterSubscription subscription;

        Route(final ClusterSubscription subscription)
        {
            this.subscription = subscription;
        }

        public void onMessage(final Message message)
        {
            subscription.count++;
            subscription.lastSequence = routingSequence;
            if (cluster.role() == Cluster.Role.LEADER)
            {
                final ClientSession subscriber = cluster.getClientSession(subscription.sessionId);
                if (null != subscriber)
                {
                    sendDeliver(subscriber, subscription.subscriptionId, subscription.count, routingSequence,
                        routingTimestamp, message.priority().ordinal(), message.topic(), message.buffer(),
                        message.offset(), message.length());
                    counters.onDelivered();
                }
            }
        }
    }

    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        counters.onApplied(cluster.logPosition());
    }

    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        counters.onApplied(cluster.logPosition());
        final long sessionId = session.id();
        grantBySessionId.remove(sessionId);
        final Iterator<ClusterSubscription> it = subscriptionsById.values().iterator();
        while (it.hasNext())
        {
            final ClusterSubscription subscription = it.next();
            if (subscription.sessionId == sessionId)
            {
                removeRoute(subscription);
                it.remove();
            }
        }
        runSwitch();
    }

    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        counters.onApplied(cluster.logPosition());
        final int templateId = WireFrames.check(buffer, offset, length, maxFrameLength);
        if (templateId < 0)
        {
            final ErrorCode code = ErrorCode.get(-templateId);
            final int requestTemplateId = WireFrames.templateIdOrZero(buffer, offset, length);
            refuse(session, publisherSequenceOrNull(requestTemplateId, buffer, offset, length), requestTemplateId, code,
                "frame refused");
            return;
        }

        final int bodyOffset = offset + WireFrames.HEADER_LENGTH;
        final int blockLength = WireFrames.blockLength(buffer, offset);
        final int version = WireFrames.version(buffer, offset);
        switch (templateId)
        {
            case PublishDecoder.TEMPLATE_ID:
                publishDecoder.wrap(buffer, bodyOffset, blockLength, version);
                onPublish(session, timestamp);
                break;

            case SubscribeDecoder.TEMPLATE_ID:
                subscribeDecoder.wrap(buffer, bodyOffset, blockLength, version);
                onSubscribe(session);
                break;

            case UnsubscribeDecoder.TEMPLATE_ID:
                unsubscribeDecoder.wrap(buffer, bodyOffset, blockLength, version);
                onUnsubscribe(session);
                break;

            case ResumeDecoder.TEMPLATE_ID:
                resumeDecoder.wrap(buffer, bodyOffset, blockLength, version);
                onResume(session);
                break;

            case AcknowledgeDecoder.TEMPLATE_ID:
                acknowledgeDecoder.wrap(buffer, bodyOffset, blockLength, version);
                onAcknowledge(session);
                break;

            default:
                refuse(session, -1, templateId, ErrorCode.UNKNOWN_MESSAGE, "not a request");
                break;
        }
    }

    /**
     * A refused publish frame still names its publisher sequence when that much of it is there, so that the
     * client can stop resending it.
     */
    private static long publisherSequenceOrNull(
        final int templateId, final DirectBuffer buffer, final int offset, final int length)
    {
        final int sequenceOffset = WireFrames.HEADER_LENGTH + PublishDecoder.publisherSequenceEncodingOffset();
        if (templateId == PublishDecoder.TEMPLATE_ID && length >= sequenceOffset + 8 &&
            WireFrames.blockLength(buffer, offset) >= PublishDecoder.BLOCK_LENGTH)
        {
            return buffer.getLong(offset + sequenceOffset, java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        return -1;
    }

    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final SnapshotWriter writer = new SnapshotWriter(snapshotPublication, idleStrategy);
        writer.header(lastSequence, nextSubscriptionId);
        lastSequenceByPublisher.forEach(writer::publisher);
        for (final ClusterSubscription subscription : subscriptionsById.values())
        {
            writer.subscription(subscription);
        }
        durablePositions.forEach((name, position) -> writer.durablePosition(name, position));
        writer.end(lastSequence);
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
        final java.util.concurrent.TimeUnit timeUnit,
        final int appVersion)
    {
        this.leaderMemberId = leaderMemberId;
        counters.onApplied(logPosition);
    }

    /**
     * @return the leader of the last leadership term this member's service applied from the log, -1 before the
     * first. Stale while a new election runs: {@link ClusterNode#leaderMemberId()} accounts for that.
     */
    public int leaderMemberId()
    {
        return leaderMemberId;
    }

    public void onTerminate(final Cluster cluster)
    {
        closeResources();
    }

    /**
     * Close the journal and counters if {@link #onTerminate} did not (the container was closed instead).
     */
    void closeResources()
    {
        final ReplicaJournal journal = this.journal;
        final Junction junction = this.junction;
        this.journal = null;
        this.junction = null;
        CloseHelper.closeAll(junction, journal, counters);
    }

    private void onPublish(final ClientSession session, final long timestamp)
    {
        final long publisherId = publishDecoder.publisherId();
        final long publisherSequence = publishDecoder.publisherSequence();
        final short priorityCode = publishDecoder.priorityRaw();
        final int topicLength = publishDecoder.topicLength();
        final int topicOffset = publishDecoder.limit() + PublishDecoder.topicHeaderLength();
        final DirectBuffer buffer = publishDecoder.buffer();
        publishDecoder.skipTopic();
        final int payloadLength = publishDecoder.payloadLength();
        final int payloadOffset = publishDecoder.limit() + PublishDecoder.payloadHeaderLength();

        if (publisherSequence <= lastSequenceByPublisher.get(publisherId))
        {
            counters.onDuplicate();
            sendPublishAck(session, publisherId, publisherSequence, -1, true);
            return;
        }
        if (priorityCode < 0 || priorityCode > PriorityCode.BULK.value())
        {
            refuse(session, publisherSequence, PublishDecoder.TEMPLATE_ID, ErrorCode.INVALID_PRIORITY, "priority");
            return;
        }
        if (payloadLength > maxPayloadLength)
        {
            refuse(session, publisherSequence, PublishDecoder.TEMPLATE_ID, ErrorCode.PAYLOAD_TOO_LARGE,
                "payload longer than " + maxPayloadLength);
            return;
        }
        final String topic = topicCache.get(buffer, topicOffset, topicLength);
        final RejectReason reason = Topics.validateTopic(topic, maxTopicLength, MAX_TOPIC_TOKENS);
        if (null != reason)
        {
            refuse(session, publisherSequence, PublishDecoder.TEMPLATE_ID, ErrorCode.INVALID_TOPIC,
                reason.description());
            return;
        }
        if (!grantFor(session).mayPublish(topic))
        {
            refuse(session, publisherSequence, PublishDecoder.TEMPLATE_ID, ErrorCode.NOT_AUTHORISED,
                "may not publish to " + topic);
            return;
        }

        final long sequence = lastSequence + 1;
        final long offered = junction.offer(topic, Priority.get(priorityCode), buffer, payloadOffset, payloadLength);
        if (offered < 0)
        {
            // Not expected (the switch is idle and checks no more than above), but the same on every member.
            refuse(session, publisherSequence, PublishDecoder.TEMPLATE_ID, ErrorCode.INVALID_FIELD,
                "switch refused: " + OfferResult.describe(offered));
            return;
        }
        lastSequenceByPublisher.put(publisherId, publisherSequence);
        lastSequence = sequence;
        journal.append(sequence, cluster.timeUnit().toNanos(timestamp), priorityCode, topic, buffer, payloadOffset,
            payloadLength, publisherId, publisherSequence);
        counters.onPublished();

        routingSequence = sequence;
        routingTimestamp = timestamp;
        runSwitch();

        sendPublishAck(session, publisherId, publisherSequence, sequence, false);
        appliedSequence = sequence;
    }

    private void onSubscribe(final ClientSession session)
    {
        final long correlationId = subscribeDecoder.correlationId();
        final long resumeAfterSequence = subscribeDecoder.resumeAfterSequence();
        final String pattern = subscribeDecoder.pattern();
        final String durableName = subscribeDecoder.durableName();

        final ClusterSubscription existing = findByCorrelation(session.id(), correlationId);
        if (null != existing)
        {
            // A resend after a leader change: answer again, change nothing.
            sendSubscribeAck(session, correlationId, existing.subscriptionId, existing.startSequence);
            return;
        }

        final RejectReason reason = Topics.validatePattern(pattern, maxTopicLength, MAX_TOPIC_TOKENS);
        if (null != reason)
        {
            refuse(session, correlationId, SubscribeDecoder.TEMPLATE_ID, ErrorCode.INVALID_PATTERN,
                reason.description());
            return;
        }
        if (!grantFor(session).maySubscribe(pattern))
        {
            refuse(session, correlationId, SubscribeDecoder.TEMPLATE_ID, ErrorCode.NOT_AUTHORISED,
                "may not subscribe to " + pattern);
            return;
        }
        if (durableName.length() > maxTopicLength)
        {
            refuse(session, correlationId, SubscribeDecoder.TEMPLATE_ID, ErrorCode.INVALID_FIELD, "durable name");
            return;
        }

        final ClusterSubscription subscription = new ClusterSubscription(
            nextSubscriptionId++, session.id(), correlationId, pattern, durableName);
        long resumeFrom = resumeAfterSequence;
        if (RESUME_FROM_DURABLE == resumeAfterSequence)
        {
            resumeFrom = subscription.isDurable() ? durablePositions.getValue(durableName) : -1;
        }
        if (resumeFrom < 0 || resumeFrom > lastSequence)
        {
            resumeFrom = lastSequence;
        }

        try
        {
            addRoute(subscription);
        }
        catch (final RuntimeException ex)
        {
            // The switch's counters are full: the same on every member, so refuse rather than stop the member.
            refuse(session, correlationId, SubscribeDecoder.TEMPLATE_ID, ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                "the member's switch has no room for another subscription");
            return;
        }
        subscriptionsById.put(subscription.subscriptionId, subscription);
        runSwitch();
        subscription.lastSequence = lastSequence;
        subscription.startSequence = resumeFrom;
        sendSubscribeAck(session, correlationId, subscription.subscriptionId, resumeFrom);
        if (resumeFrom < lastSequence)
        {
            subscription.count = replay(session, subscription, resumeFrom, 0, true);
        }
    }

    private void onUnsubscribe(final ClientSession session)
    {
        final long correlationId = unsubscribeDecoder.correlationId();
        final long subscriptionId = unsubscribeDecoder.subscriptionId();
        final ClusterSubscription subscription = subscriptionsById.get(subscriptionId);
        if (null == subscription || subscription.sessionId != session.id())
        {
            refuse(session, correlationId, UnsubscribeDecoder.TEMPLATE_ID, ErrorCode.UNKNOWN_SUBSCRIPTION,
                "no subscription " + subscriptionId);
            return;
        }
        subscriptionsById.remove(subscriptionId);
        removeRoute(subscription);
        runSwitch();
        unsubscribeAckEncoder.wrapAndApplyHeader(egressBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .subscriptionId(subscriptionId);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + unsubscribeAckEncoder.encodedLength());
    }

    private void onResume(final ClientSession session)
    {
        final long subscriptionId = resumeDecoder.subscriptionId();
        final long afterSequence = resumeDecoder.afterSequence();
        final long afterCount = resumeDecoder.afterCount();
        final ClusterSubscription subscription = subscriptionsById.get(subscriptionId);
        if (null == subscription || subscription.sessionId != session.id())
        {
            refuse(session, subscriptionId, ResumeDecoder.TEMPLATE_ID, ErrorCode.UNKNOWN_SUBSCRIPTION,
                "no subscription " + subscriptionId);
            return;
        }
        if (afterSequence < 0 || afterCount < 0 || afterCount > subscription.count)
        {
            refuse(session, subscriptionId, ResumeDecoder.TEMPLATE_ID, ErrorCode.INVALID_FIELD, "resume point");
            return;
        }
        // Output only: the subscription's state does not change.
        replay(session, subscription, Math.min(afterSequence, lastSequence), afterCount, false);
    }

    private void onAcknowledge(final ClientSession session)
    {
        final long subscriptionId = acknowledgeDecoder.subscriptionId();
        final long sequence = acknowledgeDecoder.sequence();
        final ClusterSubscription subscription = subscriptionsById.get(subscriptionId);
        if (null == subscription || subscription.sessionId != session.id())
        {
            refuse(session, subscriptionId, AcknowledgeDecoder.TEMPLATE_ID, ErrorCode.UNKNOWN_SUBSCRIPTION,
                "no subscription " + subscriptionId);
            return;
        }
        if (subscription.isDurable() && sequence <= lastSequence &&
            sequence > durablePositions.getValue(subscription.durableName))
        {
            durablePositions.put(subscription.durableName, sequence);
        }
    }

    /**
     * Deliver from the journal the messages after afterSequence that match the subscription, numbered from
     * afterCount + 1. Sending stops at the first message the subscriber's egress cannot take (it will ask again
     * from where it got to); counting goes on to the end, since a new subscription's count is state.
     *
     * @return the count of the last matching message.
     */
    private long replay(
        final ClientSession session,
        final ClusterSubscription subscription,
        final long afterSequence,
        final long afterCount,
        final boolean countToEnd)
    {
        final long[] count = { afterCount };
        final boolean[] sending = { true };
        final long toSequence = countToEnd ? lastSequence : Math.min(lastSequence, afterSequence + maxReplay);
        final java.util.concurrent.TimeUnit timeUnit = cluster.timeUnit();
        journal.read(afterSequence + 1, toSequence,
            (sequence, timestampNs, priority, topic, payload, payloadOffset, payloadLength) ->
            {
                if (Topics.covers(subscription.pattern, topic))
                {
                    count[0]++;
                    if (sending[0])
                    {
                        final long timestamp = timeUnit.convert(timestampNs, java.util.concurrent.TimeUnit.NANOSECONDS);
                        sending[0] = sendDeliver(session, subscription.subscriptionId, count[0], sequence, timestamp,
                            priority, topic, payload, payloadOffset, payloadLength);
                        counters.onReplayed();
                    }
                }
                return sending[0] || countToEnd;
            });
        return count[0];
    }

    private ClusterSubscription findByCorrelation(final long sessionId, final long correlationId)
    {
        for (final ClusterSubscription subscription : subscriptionsById.values())
        {
            if (subscription.sessionId == sessionId && subscription.correlationId == correlationId)
            {
                return subscription;
            }
        }
        return null;
    }

    private TopicPermissions grantFor(final ClientSession session)
    {
        TopicPermissions grant = grantBySessionId.get(session.id());
        if (null == grant)
        {
            final byte[] principal = session.encodedPrincipal();
            grant = permissions.permissionsOf(
                null == principal ? null : new String(principal, StandardCharsets.UTF_8));
            grantBySessionId.put(session.id(), grant);
        }
        return grant;
    }

    private void sendPublishAck(
        final ClientSession session,
        final long publisherId,
        final long publisherSequence,
        final long sequence,
        final boolean duplicate)
    {
        publishAckEncoder.wrapAndApplyHeader(egressBuffer, 0, headerEncoder)
            .publisherId(publisherId)
            .publisherSequence(publisherSequence)
            .sequence(sequence)
            .duplicate(duplicate ? BooleanType.TRUE : BooleanType.FALSE);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + publishAckEncoder.encodedLength());
    }

    private void sendSubscribeAck(
        final ClientSession session, final long correlationId, final long subscriptionId, final long startSequence)
    {
        subscribeAckEncoder.wrapAndApplyHeader(egressBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .subscriptionId(subscriptionId)
            .sequence(startSequence);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + subscribeAckEncoder.encodedLength());
    }

    private boolean sendDeliver(
        final ClientSession session,
        final long subscriptionId,
        final long count,
        final long sequence,
        final long timestamp,
        final int priorityCode,
        final String topic,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        deliverEncoder.wrapAndApplyHeader(egressBuffer, 0, headerEncoder)
            .subscriptionId(subscriptionId)
            .count(count)
            .sequence(sequence)
            .timestamp(timestamp)
            .priority(PriorityCode.get((short)priorityCode))
            .topic(topic)
            .putPayload(payload, payloadOffset, payloadLength);
        return send(session, MessageHeaderEncoder.ENCODED_LENGTH + deliverEncoder.encodedLength());
    }

    private void refuse(
        final ClientSession session,
        final long correlationId,
        final int requestTemplateId,
        final ErrorCode code,
        final String reason)
    {
        counters.onError(code);
        errorEncoder.wrapAndApplyHeader(egressBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .requestTemplateId(requestTemplateId)
            .code(code)
            .reason(reason.length() > 512 ? reason.substring(0, 512) : reason);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + errorEncoder.encodedLength());
    }

    private boolean send(final ClientSession session, final int length)
    {
        // Wait only briefly, and only for back pressure: the service thread is the whole cluster's. A subscriber
        // that falls behind sees a gap in its delivery count and asks for a resend from the journal.
        for (int i = 0; i < EGRESS_ATTEMPTS; i++)
        {
            final long result = session.offer(egressBuffer, 0, length);
            if (result > 0)
            {
                return true;
            }
            if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED ||
                result == Publication.MAX_POSITION_EXCEEDED)
            {
                break;
            }
            idleStrategy.idle();
        }
        counters.onEgressDropped();
        return false;
    }

    private void loadSnapshot(final Image image)
    {
        final SnapshotLoader loader = new SnapshotLoader();
        while (!loader.done)
        {
            final int fragments = image.poll(loader, 64);
            if (0 == fragments)
            {
                if (image.isEndOfStream() && !loader.done)
                {
                    throw new IllegalStateException("snapshot ended before SnapshotEnd");
                }
                idleStrategy.idle();
            }
        }
        // Routes in subscription id order, the order in which they were first made.
        final List<ClusterSubscription> loaded = new ArrayList<>(subscriptionsById.values());
        loaded.sort((a, b) -> Long.compare(a.subscriptionId, b.subscriptionId));
        for (final ClusterSubscription subscription : loaded)
        {
            addRoute(subscription);
        }
        runSwitch();
    }

    private final class SnapshotLoader implements FragmentHandler
    {
        private final SnapshotHeaderDecoder headerDecoder = new SnapshotHeaderDecoder();
        private final SnapshotPublisherDecoder publisherDecoder = new SnapshotPublisherDecoder();
        private final SnapshotSubscriptionDecoder subscriptionDecoder = new SnapshotSubscriptionDecoder();
        private final SnapshotDurablePositionDecoder durableDecoder = new SnapshotDurablePositionDecoder();
        private final SnapshotEndDecoder endDecoder = new SnapshotEndDecoder();
        boolean done;

        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            final int templateId = WireFrames.check(buffer, offset, length, Integer.MAX_VALUE);
            if (templateId < 0)
            {
                throw new IllegalStateException("corrupt snapshot frame: " + ErrorCode.get(-templateId));
            }
            final int body = offset + WireFrames.HEADER_LENGTH;
            final int blockLength = WireFrames.blockLength(buffer, offset);
            final int version = WireFrames.version(buffer, offset);
            switch (templateId)
            {
                case SnapshotHeaderDecoder.TEMPLATE_ID:
                    headerDecoder.wrap(buffer, body, blockLength, version);
                    lastSequence = headerDecoder.lastSequence();
                    nextSubscriptionId = headerDecoder.nextSubscriptionId();
                    break;

                case SnapshotPublisherDecoder.TEMPLATE_ID:
                    publisherDecoder.wrap(buffer, body, blockLength, version);
                    lastSequenceByPublisher.put(publisherDecoder.publisherId(), publisherDecoder.lastPublisherSequence());
                    break;

                case SnapshotSubscriptionDecoder.TEMPLATE_ID:
                {
                    subscriptionDecoder.wrap(buffer, body, blockLength, version);
                    final long subscriptionId = subscriptionDecoder.subscriptionId();
                    final long sessionId = subscriptionDecoder.sessionId();
                    final long correlationId = subscriptionDecoder.correlationId();
                    final long count = subscriptionDecoder.count();
                    final long last = subscriptionDecoder.lastSequence();
                    final long start = subscriptionDecoder.startSequence();
                    final ClusterSubscription subscription = new ClusterSubscription(
                        subscriptionId, sessionId, correlationId, subscriptionDecoder.pattern(),
                        subscriptionDecoder.durableName());
                    subscription.count = count;
                    subscription.lastSequence = last;
                    subscription.startSequence = start;
                    subscriptionsById.put(subscriptionId, subscription);
                    break;
                }

                case SnapshotDurablePositionDecoder.TEMPLATE_ID:
                {
                    durableDecoder.wrap(buffer, body, blockLength, version);
                    final long sequence = durableDecoder.sequence();
                    durablePositions.put(durableDecoder.name(), sequence);
                    break;
                }

                case SnapshotEndDecoder.TEMPLATE_ID:
                    endDecoder.wrap(buffer, body, blockLength, version);
                    if (endDecoder.lastSequence() != lastSequence)
                    {
                        throw new IllegalStateException("snapshot end does not match its header");
                    }
                    done = true;
                    break;

                default:
                    throw new IllegalStateException("unexpected snapshot template " + templateId);
            }
        }
    }

    /**
     * Writes the snapshot frames, retrying each offer until it goes (a snapshot must be complete).
     */
    private static final class SnapshotWriter
    {
        private final ExclusivePublication publication;
        private final IdleStrategy idleStrategy;
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final SnapshotHeaderEncoder headerBodyEncoder = new SnapshotHeaderEncoder();
        private final SnapshotPublisherEncoder publisherEncoder = new SnapshotPublisherEncoder();
        private final SnapshotSubscriptionEncoder subscriptionEncoder = new SnapshotSubscriptionEncoder();
        private final SnapshotDurablePositionEncoder durableEncoder = new SnapshotDurablePositionEncoder();
        private final SnapshotEndEncoder endEncoder = new SnapshotEndEncoder();

        SnapshotWriter(final ExclusivePublication publication, final IdleStrategy idleStrategy)
        {
            this.publication = publication;
            this.idleStrategy = idleStrategy;
        }

        void header(final long lastSequence, final long nextSubscriptionId)
        {
            headerBodyEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .lastSequence(lastSequence)
                .nextSubscriptionId(nextSubscriptionId);
            offer(MessageHeaderEncoder.ENCODED_LENGTH + headerBodyEncoder.encodedLength());
        }

        void publisher(final long publisherId, final long lastPublisherSequence)
        {
            publisherEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .publisherId(publisherId)
                .lastPublisherSequence(lastPublisherSequence);
            offer(MessageHeaderEncoder.ENCODED_LENGTH + publisherEncoder.encodedLength());
        }

        void subscription(final ClusterSubscription subscription)
        {
            subscriptionEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .subscriptionId(subscription.subscriptionId)
                .sessionId(subscription.sessionId)
                .correlationId(subscription.correlationId)
                .count(subscription.count)
                .lastSequence(subscription.lastSequence)
                .startSequence(subscription.startSequence)
                .pattern(subscription.pattern)
                .durableName(subscription.durableName);
            offer(MessageHeaderEncoder.ENCODED_LENGTH + subscriptionEncoder.encodedLength());
        }

        void durablePosition(final String name, final long sequence)
        {
            durableEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .sequence(sequence)
                .name(name);
            offer(MessageHeaderEncoder.ENCODED_LENGTH + durableEncoder.encodedLength());
        }

        void end(final long lastSequence)
        {
            endEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).lastSequence(lastSequence);
            offer(MessageHeaderEncoder.ENCODED_LENGTH + endEncoder.encodedLength());
        }

        private void offer(final int length)
        {
            idleStrategy.reset();
            while (true)
            {
                final long result = publication.offer(buffer, 0, length);
                if (result > 0)
                {
                    return;
                }
                if (result == ExclusivePublication.CLOSED || result == ExclusivePublication.MAX_POSITION_EXCEEDED)
                {
                    throw new IllegalStateException("snapshot publication failed: " + result);
                }
                idleStrategy.idle();
            }
        }
    }
}
