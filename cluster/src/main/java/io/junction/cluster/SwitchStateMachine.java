package io.junction.cluster;

import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.junction.protocol.AsciiStringCache;
import io.junction.Junction;
import io.junction.Message;
import io.junction.MessageHandler;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.Publisher;
import io.junction.QueueGroupDiscipline;
import io.junction.RejectReason;
import io.junction.SubscriptionOptions;
import io.junction.ThreadingMode;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.security.PrincipalPermissions;
import io.junction.security.TopicPermissions;
import io.junction.topic.Topics;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.concurrent.status.CountersManager;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The deterministic switch each member runs over the replicated log: it assigns sequences, drops resends of
 * publishes already in the log by (publisher id, publisher sequence), applies subscription changes and durable
 * acknowledgements, appends every message to the member's {@link ReplicaJournal}, and routes it through an embedded
 * {@link Junction}: the switch core itself, in {@link ThreadingMode#INVOKER} mode with one shard, run to idle after
 * each request, with the cluster's time as its clock. Each cluster subscription is a switch subscription whose
 * handler counts the delivery (replicated state) and hands it to the {@link EgressPublisher} (which sends from the
 * leader only). A queue group is one route in the switch whose handler has the {@link ClusterQueueGroup} pick the
 * member; the member holds what it was assigned until its client confirms it ({@link AssignedWindow}).
 * <p>
 * Everything that decides state comes from the log (and, for replays, from the journal, itself derived from the
 * log); no wall clock is read, so every member reaches the same state. Refused requests are counted on every
 * member and answered with an {@code Error}.
 */
final class SwitchStateMachine implements AutoCloseable
{
    static final int MAX_TOPIC_TOKENS = 32;
    /** The embedded switch holds at most one message at a time: it is run to idle after each offer. */
    private static final int SWITCH_RING_SIZE = 64;
    private static final int SWITCH_OUTBOX_CAPACITY = 16;

    private final SwitchService.Context ctx;
    private final Cluster cluster;
    private final ReplicaJournal journal;
    private final ServiceCounters counters;
    private final EgressPublisher egress;
    private final ProtocolEgress protocolEgress;
    private final Junction junction;

    // Replicated state (in the snapshot).
    long lastSequence;
    long nextSubscriptionId = 1;
    final Long2LongHashMap lastSequenceByPublisher = new Long2LongHashMap(Long.MIN_VALUE);
    final Long2ObjectHashMap<ClusterSubscription> subscriptionsById = new Long2ObjectHashMap<>();
    final Object2LongHashMap<String> durablePositions = new Object2LongHashMap<>(-1L);
    final Long2ObjectHashMap<ProtocolSession> protocolSessions = new Long2ObjectHashMap<>();
    /** Queue groups by {@link ClusterQueueGroup#key}: their BALANCED turn is replicated; members are subscriptions. */
    final Object2ObjectHashMap<String, ClusterQueueGroup> queueGroups = new Object2ObjectHashMap<>();
    /** The leadership term last applied (a new-term event in the log, or the snapshot) and its leader; -1: none. */
    long leadershipTermId = -1;
    int leaderMemberId = -1;

    /** {@link #admit} result: a resend of a publish already in the log. */
    static final long DUPLICATE = 0;
    /** {@link #admit} result: refused, see {@link #refusedCode}. */
    static final long REFUSED = -1;
    /** {@link #admit} result: its time-to-live had run out as it was admitted (counted expired, not sequenced). */
    static final long EXPIRED = -2;
    /** Why the last {@link #admit} or {@link #subscribe} refused. */
    ErrorCode refusedCode;
    String refusedReason = "";
    /** The switch's reason for the last refusal, when it is one of them (topic, payload); null otherwise. */
    RejectReason refusedRejectReason;
    /** Whether the last {@link #subscribe} found the subscription made by an earlier request. */
    boolean subscribedAgain;

    // Derived state: the switch's routes are made again from subscriptionsById when a snapshot is loaded.
    private final SubscriptionOptions routeOptions = SubscriptionOptions.defaults().outboxCapacity(SWITCH_OUTBOX_CAPACITY);
    /** The message the switch is routing now: its replicated sequence and log timestamp. */
    private long routingSequence;
    private long routingTimestamp;
    private long routingKey = Publisher.NO_KEY;
    private final Long2ObjectHashMap<TopicPermissions> grantBySessionId = new Long2ObjectHashMap<>();
    private final AsciiStringCache topicCache = new AsciiStringCache(1024);

    SwitchStateMachine(
        final SwitchService.Context ctx,
        final Cluster cluster,
        final ReplicaJournal journal,
        final CountersManager switchCounters,
        final ServiceCounters counters,
        final EgressPublisher egress)
    {
        this.ctx = ctx;
        this.cluster = cluster;
        this.journal = journal;
        this.counters = counters;
        this.egress = egress;
        this.protocolEgress = new ProtocolEgress(egress, ctx);
        this.junction = Junction.launch(new Junction.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .shards(1)
            .deliveryAgents(1)
            .singleProducer(true)
            .ringSize(SWITCH_RING_SIZE)
            .maxTopicLength(ctx.maxTopicLength())
            .maxTopicTokens(MAX_TOPIC_TOKENS)
            .maxMessageLength(ctx.maxPayloadLength())
            .shutdownTimeoutNs(0)
            .countersManager(switchCounters)
            .nanoClock(() -> clusterTimeNs(cluster))
            .errorHandler(cluster.context().countedErrorHandler()::onError));
    }

    /**
     * The time of the log entry being applied; 0 while a snapshot loads (the log's time unit is known from the
     * first leadership term event on), alike on every member.
     */
    static long clusterTimeNs(final Cluster cluster)
    {
        final TimeUnit timeUnit = cluster.timeUnit();
        return null == timeUnit ? 0 : timeUnit.toNanos(cluster.time());
    }

    /**
     * Admit one publish into the replicated switch, whichever protocol it came in: deduplicated by (publisher id,
     * publisher sequence), checked, sequenced, journaled and routed (deliveries are sent before this returns).
     *
     * @return its sequence ({@code > 0}), {@link #DUPLICATE} for a resend of one already in the log, or
     * {@link #REFUSED} with {@link #refusedCode} and {@link #refusedReason} set (not yet counted).
     */
    long admit(
        final ClientSession session,
        final long timestamp,
        final long publisherId,
        final long publisherSequence,
        final short priorityCode,
        final DirectBuffer buffer,
        final int topicOffset,
        final int topicLength,
        final int payloadOffset,
        final int payloadLength,
        final String replyTo,
        final long correlationId,
        final long key,
        final long ttlNs)
    {
        if (publisherSequence <= lastSequenceByPublisher.get(publisherId))
        {
            counters.onDuplicate();
            return DUPLICATE;
        }
        if (priorityCode < 0 || priorityCode > PriorityCode.BULK.value())
        {
            return refused(ErrorCode.INVALID_FIELD, "priority");
        }
        if (payloadLength > ctx.maxPayloadLength())
        {
            return refused(ErrorCode.PAYLOAD_TOO_LARGE, RejectReason.PAYLOAD_TOO_LARGE,
                "payload longer than " + ctx.maxPayloadLength());
        }
        final String topic = topicCache.get(buffer, topicOffset, topicLength);
        final RejectReason reason = Topics.validateTopic(topic, ctx.maxTopicLength(), MAX_TOPIC_TOKENS);
        if (null != reason)
        {
            return refused(ErrorCode.INVALID_TOPIC, reason, reason.description());
        }
        if (!grantFor(session).mayPublish(topic))
        {
            return refused(ErrorCode.NOT_AUTHORISED, "may not publish to " + topic);
        }
        if (null != replyTo && null != Topics.validateTopic(replyTo, ctx.maxTopicLength(), MAX_TOPIC_TOKENS))
        {
            return refused(ErrorCode.INVALID_FIELD, RejectReason.INVALID_REPLY_TO, "replyTo is not a valid topic");
        }

        if (ttlNs < 0)
        {
            counters.onExpired(); // As the switch sheds a time-to-live that has run out at once: never sequenced.
            return EXPIRED;
        }

        final long sequence = lastSequence + 1;
        // A request carries its reply topic and correlation id through the switch to the responder's MESSAGE.
        final long offered = null == replyTo && 0 == correlationId ?
            junction.offer(topic, Priority.get(priorityCode), buffer, payloadOffset, payloadLength) :
            junction.offer(topic, Priority.get(priorityCode), replyTo, correlationId, buffer, payloadOffset,
                payloadLength);
        if (offered < 0)
        {
            // Not expected (the switch is idle and checks no more than above), but the same on every member.
            return refused(ErrorCode.INVALID_FIELD, "switch refused: " + OfferResult.describe(offered));
        }
        lastSequenceByPublisher.put(publisherId, publisherSequence);
        lastSequence = sequence;
        final long timestampNs = cluster.timeUnit().toNanos(timestamp);
        journal.append(sequence, timestampNs, priorityCode, topic, buffer, payloadOffset, payloadLength, publisherId,
            publisherSequence, replyTo, correlationId, expiryNs(timestampNs, ttlNs));
        counters.onPublished();

        routingSequence = sequence;
        routingTimestamp = timestamp;
        routingKey = key; // a keyed group's key: not journaled, needed only as the message is routed
        runSwitch();
        routingKey = Publisher.NO_KEY;
        return sequence;
    }

    /**
     * When a message admitted at this log time with this time-to-live expires, on the cluster's clock: every member,
     * and a member replaying the log, compares it with the time of the log entry it applies, never its own clock.
     */
    static long expiryNs(final long timestampNs, final long ttlNs)
    {
        if (ttlNs <= 0 || Publisher.NO_TTL == ttlNs)
        {
            return ReplicaJournal.NO_EXPIRY;
        }
        final long expiry = timestampNs + ttlNs;
        if (expiry < timestampNs)
        {
            return ReplicaJournal.NO_EXPIRY; // Beyond the end of time: it never expires.
        }
        return ReplicaJournal.NO_EXPIRY == expiry ? 1 : expiry;
    }

    private long refused(final ErrorCode code, final String reason)
    {
        return refused(code, null, reason);
    }

    private long refused(final ErrorCode code, final RejectReason rejectReason, final String reason)
    {
        refusedRejectReason = rejectReason;
        refusedCode = code;
        refusedReason = reason;
        return REFUSED;
    }

    /**
     * Subscribe a session, whichever protocol it came in; a second request with the same correlation id (a resend
     * after a leader change) finds the first ({@link #subscribedAgain}) and changes nothing. The caller answers,
     * then has a new subscription's earlier messages replayed ({@link #replayToNew}).
     *
     * @return the subscription, or null when refused ({@link #refusedCode}, not yet counted).
     */
    ClusterSubscription subscribe(
        final ClientSession session,
        final long correlationId,
        final long resumeAfterSequence,
        final String pattern,
        final String durableName,
        final String queueGroup,
        final QueueGroupDiscipline discipline)
    {
        final ClusterSubscription existing = findByCorrelation(session.id(), correlationId);
        subscribedAgain = null != existing;
        if (null != existing)
        {
            return existing;
        }

        final RejectReason reason = Topics.validatePattern(pattern, ctx.maxTopicLength(), MAX_TOPIC_TOKENS);
        if (null != reason)
        {
            refused(ErrorCode.INVALID_PATTERN, reason.description());
            return null;
        }
        if (!grantFor(session).maySubscribe(pattern))
        {
            refused(ErrorCode.NOT_AUTHORISED, "may not subscribe to " + pattern);
            return null;
        }
        if (durableName.length() > ctx.maxTopicLength())
        {
            refused(ErrorCode.INVALID_FIELD, "durable name");
            return null;
        }
        if (!queueGroup.isEmpty() && !durableName.isEmpty())
        {
            refused(ErrorCode.INVALID_FIELD, "a queue group member is not durable in the cluster (durable name '" +
                durableName + "' with queue group '" + queueGroup + "')");
            return null;
        }
        if (queueGroup.length() > ctx.maxTopicLength())
        {
            refused(ErrorCode.INVALID_FIELD, "queue group name longer than " + ctx.maxTopicLength());
            return null;
        }

        final ClusterSubscription subscription = new ClusterSubscription(
            nextSubscriptionId++, session.id(), correlationId, pattern, durableName);
        long resumeFrom = resumeAfterSequence;
        if (SwitchService.RESUME_FROM_DURABLE == resumeAfterSequence)
        {
            resumeFrom = subscription.isDurable() ? durablePositions.getValue(durableName) : -1;
        }
        if (resumeFrom < 0 || resumeFrom > lastSequence || !queueGroup.isEmpty())
        {
            resumeFrom = lastSequence; // A group member starts with what comes next: the rest went to the others.
        }
        if (!queueGroup.isEmpty())
        {
            subscription.joinGroup(queueGroup, discipline, ctx.queueGroupWindow());
        }

        try
        {
            addRoute(subscription);
        }
        catch (final RuntimeException ex)
        {
            // The switch's counters are full: the same on every member, so refuse rather than stop the member.
            refused(ErrorCode.TOO_MANY_SUBSCRIPTIONS, "the member's switch has no room for another subscription");
            return null;
        }
        subscriptionsById.put(subscription.subscriptionId, subscription);
        runSwitch();
        subscription.lastSequence = lastSequence;
        subscription.startSequence = resumeFrom;
        subscription.sentUpTo = resumeFrom;
        return subscription;
    }

    /**
     * A new subscription that starts before the last sequence: deliver (and count) what it missed, from the journal.
     */
    void replayToNew(final ClientSession session, final ClusterSubscription subscription)
    {
        if (subscription.startSequence < lastSequence)
        {
            subscription.count = replay(session, subscription, subscription.startSequence, 0, true);
        }
    }

    /**
     * Where a subscription starting at a time begins: after the last message journaled before {@code epochMs}, found
     * by a binary search of the journal (cluster time rises with the log). The same on every member, since the journal
     * is derived from the log; a message no longer kept counts as before the time.
     *
     * @return that message's sequence, 0 if there is none (from the earliest kept), the last sequence if
     * every message is before it.
     */
    long lastSequenceBefore(final long epochMs)
    {
        final long timeNs = TimeUnit.MILLISECONDS.toNanos(epochMs);
        long before = 0; // this sequence is before the time (0: none)
        long notBefore = lastSequence + 1; // from this sequence on, at or after it
        while (notBefore - before > 1)
        {
            final long middle = before + (notBefore - before) / 2;
            if (journaledAtNs(middle) < timeNs)
            {
                before = middle;
            }
            else
            {
                notBefore = middle;
            }
        }
        return before;
    }

    private long journaledAtNs(final long sequence)
    {
        final long[] timestampNs = { Long.MIN_VALUE };
        journal.read(sequence, sequence, (s, journaledNs, priority, topic, payload, payloadOffset, payloadLength,
            replyTo, correlationId) ->
        {
            timestampNs[0] = journaledNs;
            return false;
        });
        return timestampNs[0];
    }

    /**
     * Replay (output only) after a sequence, up to the most one request replays.
     */
    void replayAfter(final ClientSession session, final ClusterSubscription subscription, final long afterSequence)
    {
        if (egress.isLeader())
        {
            replay(session, subscription, Math.min(afterSequence, lastSequence), 0, false);
        }
    }

    void unsubscribe(final ClusterSubscription subscription)
    {
        if (subscription.isGroupMember())
        {
            // A leave: what its client had not confirmed (the cluster transport confirms its last sequence just
            // before the UNSUBSCRIBE, and drops deliveries after it) goes to the members that remain, from the
            // log's state alone, so also what its egress refused. Never sent to the leaver, which may be behind.
            subscription.group.leave(subscription);
            handOver(subscription);
        }
        subscriptionsById.remove(subscription.subscriptionId);
        removeRoute(subscription);
        runSwitch();
    }

    /**
     * Output only, from the leader: send a Junction protocol subscriber what its egress refused (and what came
     * since), from the journal, after the last sequence it was sent; called as live messages come and when the
     * subscriber's session is heard from (its PING).
     */
    void catchUp(final ClientSession session, final ClusterSubscription subscription)
    {
        if (!subscription.behind || !egress.isLeader())
        {
            return;
        }
        subscription.behind = false;
        if (subscription.isGroupMember())
        {
            sendAssigned(session, subscription);
            return;
        }
        final long from = Math.min(subscription.sentUpTo, lastSequence);
        final long to = Math.min(lastSequence, from + ctx.maxReplay());
        replay(session, subscription, from, 0, false);
        if (!subscription.behind)
        {
            subscription.sentUpTo = to; // Every match up to here sent; beyond the most one replay: next chance.
            subscription.behind = to < lastSequence;
        }
    }

    /**
     * Catch up every subscription of the session that is behind ({@link #catchUp}).
     */
    void catchUp(final ClientSession session)
    {
        for (final ClusterSubscription subscription : subscriptionsById.values())
        {
            if (subscription.behind && subscription.sessionId == session.id())
            {
                catchUp(session, subscription);
            }
        }
    }

    void acknowledge(final ClusterSubscription subscription, final long sequence)
    {
        if (subscription.isGroupMember())
        {
            subscription.assigned.confirm(sequence);
            return;
        }
        if (subscription.isDurable() && sequence <= lastSequence &&
            sequence > durablePositions.getValue(subscription.durableName))
        {
            durablePositions.put(subscription.durableName, sequence);
        }
    }

    /**
     * A session said HELLO in the Junction protocol: from now on it is answered in that protocol, and its publishes
     * are deduplicated under its publisher ({@code principal/instance}), stable across its reconnects. A second
     * session with the same publisher takes it over (the first is most likely this one's predecessor, not yet timed
     * out).
     */
    ProtocolSession hello(final ClientSession session, final String instance)
    {
        final byte[] encoded = session.encodedPrincipal();
        final String principal = null == encoded || 0 == encoded.length ? "" :
            new String(encoded, StandardCharsets.UTF_8);
        final String publisher = principal.isEmpty() ? instance : principal + "/" + instance;
        final Iterator<ProtocolSession> it = protocolSessions.values().iterator();
        while (it.hasNext())
        {
            final ProtocolSession other = it.next();
            if (other.sessionId != session.id() && other.publisher.equals(publisher))
            {
                it.remove();
            }
        }
        final ProtocolSession protocolSession = new ProtocolSession(session.id(), ProtocolSession.publisherId(publisher),
            publisher, principal);
        protocolSessions.put(session.id(), protocolSession);
        return protocolSession;
    }

    ProtocolEgress protocolEgress()
    {
        return protocolEgress;
    }

    ServiceCounters counters()
    {
        return counters;
    }

    ProtocolSession protocolSession(final long sessionId)
    {
        return protocolSessions.get(sessionId);
    }

    void onSessionClose(final long sessionId)
    {
        grantBySessionId.remove(sessionId);
        protocolSessions.remove(sessionId);
        final List<ClusterSubscription> leavers = new ArrayList<>();
        final Iterator<ClusterSubscription> it = subscriptionsById.values().iterator();
        while (it.hasNext())
        {
            final ClusterSubscription subscription = it.next();
            if (subscription.sessionId == sessionId)
            {
                if (subscription.isGroupMember())
                {
                    subscription.group.leave(subscription);
                    leavers.add(subscription);
                }
                else
                {
                    removeRoute(subscription);
                }
                it.remove();
            }
        }
        // A session gone without unsubscribing: what its members were assigned and did not confirm goes to the
        // members that remain (in subscription id order, so alike on every member).
        leavers.sort((a, b) -> Long.compare(a.subscriptionId, b.subscriptionId));
        for (final ClusterSubscription leaver : leavers)
        {
            handOver(leaver);
        }
        for (final ClusterSubscription leaver : leavers)
        {
            removeRoute(leaver);
        }
        runSwitch();
    }

    /**
     * Give each assignment the leaver did not confirm to the member of its group that takes it now, from the
     * journal (alike on every member): counted as handed over, or as lost when no member remains or the journal no
     * longer holds it.
     */
    private void handOver(final ClusterSubscription leaver)
    {
        final ClusterQueueGroup group = leaver.group;
        final AssignedWindow window = leaver.assigned;
        final TimeUnit timeUnit = cluster.timeUnit();
        final long nowNs = clusterTimeNs(cluster);
        for (int i = 0; i < window.size(); i++)
        {
            final long key = window.key(i);
            final long wanted = window.sequence(i);
            final boolean[] found = { false };
            journal.readWithExpiry(wanted, wanted,
                (sequence, timestampNs, priority, topic, payload, payloadOffset, payloadLength, replyTo,
                    correlationId, expiryNs) ->
                {
                    if (ReplicaJournal.isExpired(expiryNs, nowNs))
                    {
                        found[0] = true; // Its time-to-live ran out while the leaver held it: nobody gets it.
                        counters.onExpired();
                        return false;
                    }
                    final ClusterSubscription target = group.pick(key, topic, sequence);
                    if (null != target)
                    {
                        found[0] = true;
                        assign(target, sequence, timeUnit.convert(timestampNs, TimeUnit.NANOSECONDS), priority,
                            topic, payload, payloadOffset, payloadLength, correlationId, replyTo, key);
                        counters.onQueueGroupHandedOver();
                    }
                    return false;
                });
            if (!found[0])
            {
                counters.onQueueGroupLost();
            }
        }
        window.clear();
    }

    /**
     * Output only, from the leader: send a group member again what it was assigned after the last sequence its
     * client saw (its client re-made the membership after a leader change), then go on live.
     */
    void resendAssigned(final ClientSession session, final ClusterSubscription subscription, final long lastSeen)
    {
        if (egress.isLeader())
        {
            subscription.sentUpTo = lastSeen;
            subscription.behind = false;
            sendAssigned(session, subscription);
        }
    }

    /**
     * Send a group member its held assignments after the last one sent, from the journal, until its egress refuses
     * one (it is then behind again: caught up on its next PING or delivery).
     */
    private void sendAssigned(final ClientSession session, final ClusterSubscription subscription)
    {
        final AssignedWindow window = subscription.assigned;
        final TimeUnit timeUnit = cluster.timeUnit();
        final boolean[] sending = { true };
        final long nowNs = clusterTimeNs(cluster);
        for (int i = window.indexAfter(subscription.sentUpTo); i < window.size() && sending[0]; i++)
        {
            final long wanted = window.sequence(i);
            journal.readWithExpiry(wanted, wanted,
                (sequence, timestampNs, priority, topic, payload, payloadOffset, payloadLength, replyTo,
                    correlationId, expiryNs) ->
                {
                    if (ReplicaJournal.isExpired(expiryNs, nowNs))
                    {
                        subscription.sentUpTo = sequence; // Passed over: the leader's output, not state.
                        counters.onExpiredUnsent();
                        return false;
                    }
                    sending[0] = deliver(session, subscription, sequence,
                        timeUnit.convert(timestampNs, TimeUnit.NANOSECONDS), priority, topic, payload, payloadOffset,
                        payloadLength, correlationId, replyTo);
                    counters.onReplayed();
                    return false;
                });
        }
    }

    /**
     * One message to one group member: counted, held until confirmed, and sent from the leader (after what its egress
     * refused before, if it is behind).
     */
    private void assign(
        final ClusterSubscription member,
        final long sequence,
        final long timestamp,
        final int priorityCode,
        final String topic,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength,
        final long correlationId,
        final String replyTo,
        final long key)
    {
        member.count++;
        member.lastSequence = Math.max(member.lastSequence, sequence);
        if (member.assigned.add(sequence, key))
        {
            counters.onQueueGroupForgotten();
        }
        sendLive(member, sequence, timestamp, priorityCode, topic, payload, payloadOffset, payloadLength,
            correlationId, replyTo);
    }

    /**
     * Output only: a live delivery, sent from the leader after what the subscriber's egress refused before (from the
     * journal, which has this message already); a follower notes it as sent by the leader (a new leader has it sent
     * again: a re-subscription after that sequence, or a group member's re-made membership).
     */
    private void sendLive(
        final ClusterSubscription subscription,
        final long sequence,
        final long timestamp,
        final int priorityCode,
        final String topic,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength,
        final long correlationId,
        final String replyTo)
    {
        if (!egress.isLeader())
        {
            subscription.sentUpTo = sequence;
            return;
        }
        final ClientSession subscriber = cluster.getClientSession(subscription.sessionId);
        if (null != subscriber && subscription.behind)
        {
            catchUp(subscriber, subscription);
        }
        else if (null != subscriber)
        {
            deliver(subscriber, subscription, sequence, timestamp, priorityCode, topic, payload, payloadOffset,
                payloadLength, correlationId, replyTo);
            counters.onDelivered();
        }
    }

    /**
     * After a snapshot was loaded into the replicated state: make the switch's routes, in subscription id order,
     * the order in which they were first made.
     */
    void onSnapshotLoaded()
    {
        final List<ClusterSubscription> loaded = new ArrayList<>(subscriptionsById.values());
        loaded.sort((a, b) -> Long.compare(a.subscriptionId, b.subscriptionId));
        for (final ClusterSubscription subscription : loaded)
        {
            addRoute(subscription); // a group member joins its group (loaded with its turn), in id order
        }
        for (final ClusterQueueGroup group : queueGroups.values())
        {
            group.rebuildHolders(); // KEYED: which member each bucket drains on, from the loaded assignments
        }
        runSwitch();
    }

    public void close()
    {
        CloseHelper.close(junction);
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
        if (!subscription.isGroupMember())
        {
            subscription.route = junction.subscribe(subscription.pattern, new Route(subscription), routeOptions);
            return;
        }
        final String key = ClusterQueueGroup.key(subscription.pattern, subscription.queueGroup);
        ClusterQueueGroup group = queueGroups.get(key);
        if (null == group)
        {
            group = new ClusterQueueGroup(subscription.pattern, subscription.queueGroup, subscription.discipline);
            queueGroups.put(key, group);
        }
        if (null == group.route)
        {
            try
            {
                // One route per group in the switch: the group picks the member.
                group.route = junction.subscribe(group.pattern, new GroupRoute(group), routeOptions);
            }
            catch (final RuntimeException ex)
            {
                if (0 == group.size())
                {
                    queueGroups.remove(key);
                }
                throw ex;
            }
        }
        group.join(subscription);
        subscription.group = group;
    }

    private void removeRoute(final ClusterSubscription subscription)
    {
        if (null != subscription.route)
        {
            subscription.route.close();
            subscription.route = null;
        }
        final ClusterQueueGroup group = subscription.group;
        if (null != group)
        {
            group.leave(subscription);
            subscription.group = null;
            if (0 == group.size())
            {
                if (null != group.route)
                {
                    group.route.close();
                    group.route = null;
                }
                queueGroups.remove(group.key());
            }
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
        final long toSequence = countToEnd ? lastSequence : Math.min(lastSequence, afterSequence + ctx.maxReplay());
        final TimeUnit timeUnit = cluster.timeUnit();
        final long nowNs = clusterTimeNs(cluster);
        journal.readWithExpiry(afterSequence + 1, toSequence,
            (sequence, timestampNs, priority, topic, payload, payloadOffset, payloadLength, replyTo, correlationId,
                expiryNs) ->
            {
                if (ReplicaJournal.isExpired(expiryNs, nowNs) && Topics.covers(subscription.pattern, topic))
                {
                    // Past its time-to-live at this log entry's time: not delivered, nor counted as a delivery. A
                    // new subscription's replay is state (every member, alike); a catch-up is the leader's output.
                    if (countToEnd)
                    {
                        counters.onExpired();
                    }
                    else
                    {
                        counters.onExpiredUnsent();
                    }
                }
                else if (Topics.covers(subscription.pattern, topic))
                {
                    count[0]++;
                    if (sending[0])
                    {
                        final long timestamp = timeUnit.convert(timestampNs, TimeUnit.NANOSECONDS);
                        sending[0] = deliver(session, subscription, sequence, timestamp, priority, topic,
                            payload, payloadOffset, payloadLength, correlationId, replyTo);
                        counters.onReplayed();
                    }
                }
                return sending[0] || countToEnd;
            });
        return count[0];
    }

    ClusterSubscription findByCorrelation(final long sessionId, final long correlationId)
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

    /**
     * Send one delivery: a Junction protocol MESSAGE under the client's own subscription id; noted as sent, or the
     * subscription as behind (caught up from the journal later) when the subscriber's egress refused it.
     */
    private boolean deliver(
        final ClientSession session,
        final ClusterSubscription subscription,
        final long sequence,
        final long timestamp,
        final int priorityCode,
        final String topic,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength,
        final long correlationId,
        final String replyTo)
    {
        final boolean sent = protocolEgress.message(session, subscription.correlationId, sequence,
            cluster.timeUnit().toNanos(timestamp), priorityCode, topic, payload, payloadOffset, payloadLength,
            correlationId, replyTo);
        if (sent)
        {
            subscription.sentUpTo = sequence;
        }
        else
        {
            subscription.behind = true;
        }
        return sent;
    }

    private TopicPermissions grantFor(final ClientSession session)
    {
        TopicPermissions grant = grantBySessionId.get(session.id());
        if (null == grant)
        {
            final byte[] principal = session.encodedPrincipal();
            grant = ctx.permissions().permissionsOf(
                null == principal ? null : new String(principal, StandardCharsets.UTF_8));
            grantBySessionId.put(session.id(), grant);
        }
        return grant;
    }

    /**
     * A queue group's handler in the switch: the group picks the member (alike on every member), which gets it.
     */
    private final class GroupRoute implements MessageHandler
    {
        private final ClusterQueueGroup group;

        GroupRoute(final ClusterQueueGroup group)
        {
            this.group = group;
        }

        public void onMessage(final Message message)
        {
            final long key = QueueGroupDiscipline.KEYED == group.discipline ?
                ClusterQueueGroup.bucketKey(routingKey, message.topic()) : routingKey;
            final ClusterSubscription member = group.pick(key, message.topic(), routingSequence);
            if (group.lastPickHeld())
            {
                counters.onQueueGroupKeyHeld();
            }
            if (null != member)
            {
                assign(member, routingSequence, routingTimestamp, message.priority().ordinal(), message.topic(),
                    message.buffer(), message.offset(), message.length(), message.correlationId(),
                    message.replyTo(), key);
            }
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
            sendLive(subscription, routingSequence, routingTimestamp, message.priority().ordinal(), message.topic(),
                message.buffer(), message.offset(), message.length(), message.correlationId(), message.replyTo());
        }
    }
}
