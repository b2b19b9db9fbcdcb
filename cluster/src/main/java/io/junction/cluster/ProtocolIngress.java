package io.junction.cluster;

import io.aeron.cluster.service.ClientSession;
import io.junction.OfferResult;
import io.junction.Publisher;
import io.junction.QueueGroupDiscipline;
import io.junction.RejectReason;
import io.junction.ShedReason;
import io.junction.protocol.AsciiStringCache;
import io.junction.protocol.FrameDispatcher;
import io.junction.protocol.FrameHandler;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.AckDecoder;
import io.junction.protocol.codecs.CreditDecoder;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.HelloDecoder;
import io.junction.protocol.codecs.OutcomeCode;
import io.junction.protocol.codecs.PingDecoder;
import io.junction.protocol.codecs.PublishDecoder;
import io.junction.protocol.codecs.QualityOfServiceCode;
import io.junction.protocol.codecs.ReplayDecoder;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribeDecoder;
import io.junction.protocol.codecs.UnsubscribeDecoder;
import org.agrona.DirectBuffer;

/**
 * The Junction protocol ({@code junction-protocol.xml}, the daemon's) on the cluster's ingress: each frame of the
 * replicated log that carries that schema is decoded here and applied to the {@link SwitchStateMachine}, and
 * answered through {@link ProtocolEgress} (from the leader). A session says HELLO first (Aeron Cluster's
 * authenticator has already checked its credentials at connect; the principal is the session's); a guaranteed
 * PUBLISH is answered OUTCOME DURABLE once applied, which is once committed, or a resend of one already in the log
 * is answered DURABLE with the DUPLICATE reason; a request's reply topic and correlation id go through the switch to
 * the responders' MESSAGE (a reply is a PUBLISH to that topic with the correlation id, routed as any other, so the
 * requester's inbox subscription gets it; a request replayed from the journal carries neither); SUBSCRIBE/UNSUBSCRIBE/ACK/REPLAY act on the client's own
 * subscription ids. A SUBSCRIBE with a queue group joins that group ({@link ClusterQueueGroup}), starting with what
 * comes next; sent again for a member in place (its client re-made it after a leader change), it has the member sent
 * again what it was assigned after the sequence given. A member's ACK confirms its assignments up to the sequence.
 * A delivery the subscriber's egress refused is sent again from the journal, with what came after it, before
 * anything live and whenever the session PINGs (the client's transport probes when it hears nothing).
 * A SUBSCRIBE with a durable name that has acknowledged before resumes after its acknowledged
 * position whatever start it asks (as the daemon's durable subscriptions do). CREDIT is accepted and ignored: a member sends deliveries as the log commits them (flow control
 * is the edge's, not replicated state).
 */
final class ProtocolIngress implements FrameHandler
{
    private static final int DUPLICATE_CODE = (int)OfferResult.rejected(RejectReason.DUPLICATE);
    private static final int EXPIRED_CODE = (int)OfferResult.shed(ShedReason.EXPIRED);

    private final SwitchStateMachine state;
    private final ProtocolEgress egress;
    private final FrameDispatcher dispatcher;
    /** Requesters' reply topics (inboxes) repeat: no string per request. */
    private final AsciiStringCache replyTopics = new AsciiStringCache(256);
    private ClientSession session;
    private long timestamp;

    ProtocolIngress(final SwitchStateMachine state, final int maxTopicLength, final int maxPayloadLength)
    {
        this.state = state;
        this.egress = state.protocolEgress();
        this.dispatcher = new FrameDispatcher(ProtocolFrames.maxFrameLength(maxPayloadLength, maxTopicLength));
    }

    void onSessionMessage(
        final ClientSession session, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        this.session = session;
        this.timestamp = timestamp;
        final int templateId = ProtocolFrames.templateIdOrZero(buffer, offset, length);
        if (HelloDecoder.TEMPLATE_ID != templateId && null == state.protocolSession(session.id()))
        {
            refuse(ErrorCode.HELLO_REQUIRED, templateId, -1, "say HELLO first");
            return;
        }
        dispatcher.dispatch(buffer, offset, length, this);
        this.session = null;
    }

    public void onInvalidFrame(final int errorCode, final DirectBuffer buffer, final int offset, final int length)
    {
        refuse(FrameDispatcher.errorCode(errorCode), ProtocolFrames.templateIdOrZero(buffer, offset, length), -1,
            ProtocolFrames.describeRefusal(errorCode, buffer, offset, length, dispatcher.maxFrameLength()));
    }

    public void onInvalidField(final int templateId, final String field, final long value)
    {
        refuse(ErrorCode.INVALID_FIELD, templateId, -1, field + " = " + value + " is out of range");
    }

    public void onUnexpected(final int templateId)
    {
        refuse(ErrorCode.UNKNOWN_TEMPLATE, templateId, -1, "template " + templateId + " is not sent by a client");
    }

    public void onHello(final HelloDecoder hello)
    {
        final String instance = hello.instance();
        if (instance.isEmpty())
        {
            refuse(ErrorCode.INVALID_FIELD, HelloDecoder.TEMPLATE_ID, -1, "instance is empty");
            return;
        }
        egress.welcome(session, state.hello(session, instance));
    }

    public void onPing(final PingDecoder ping)
    {
        // Answered once the PING is committed: every earlier frame of the session was answered before it. A
        // subscriber heard from gets first what its egress refused before (the leader's output only).
        state.catchUp(session);
        egress.pong(session, ping.value());
    }

    public void onPublish(final PublishDecoder publish)
    {
        final long publisherSequence = publish.publisherSequence();
        final boolean guaranteed = QualityOfServiceCode.GUARANTEED == publish.qualityOfService();
        final short priorityCode = publish.priorityRaw();
        final DirectBuffer buffer = publish.buffer();
        final int topicLength = publish.topicLength();
        final int topicOffset = publish.limit() + PublishDecoder.topicHeaderLength();
        publish.skipTopic();
        final int payloadLength = publish.payloadLength();
        final int payloadOffset = publish.limit() + PublishDecoder.payloadHeaderLength();
        publish.skipPayload();
        final int replyToLength = publish.replyToLength();
        final String replyTo = replyToLength > 0 ?
            replyTopics.get(buffer, publish.limit() + PublishDecoder.replyToHeaderLength(), replyToLength) : null;
        final long correlationId = publish.correlationId();
        final long rawKey = publish.key(); // 0, or a version 2 frame's null value: none (the topic is the key)
        final long key = 0 == rawKey || PublishDecoder.keyNullValue() == rawKey ? Publisher.NO_KEY : rawKey;
        if (publisherSequence < 1)
        {
            refusePublish(guaranteed, publisherSequence, OutcomeCode.REJECTED,
                (int)OfferResult.rejected(RejectReason.INVALID_PUBLISHER), "publisherSequence must be >= 1");
            return;
        }

        final ProtocolSession protocolSession = state.protocolSession(session.id());
        final long sequence = state.admit(session, timestamp, protocolSession.publisherId, publisherSequence,
            priorityCode, buffer, topicOffset, topicLength, payloadOffset, payloadLength, replyTo,
            correlationId, key, publish.ttlNs());
        if (SwitchStateMachine.EXPIRED == sequence)
        {
            refusePublish(guaranteed, publisherSequence, OutcomeCode.SHED, EXPIRED_CODE,
                "its time-to-live had run out: " + ShedReason.EXPIRED.description());
            return;
        }
        if (sequence > 0 || SwitchStateMachine.DUPLICATE == sequence)
        {
            if (guaranteed)
            {
                egress.outcome(session, publisherSequence, sequence > 0 ? sequence : -1, OutcomeCode.DURABLE,
                    sequence > 0 ? 0 : DUPLICATE_CODE);
            }
            return;
        }
        final ErrorCode code = state.refusedCode;
        state.counters().onError(code);
        final RejectReason rejectReason = state.refusedRejectReason;
        final OutcomeCode outcome = ErrorCode.NOT_AUTHORISED == code ?
            OutcomeCode.NOT_AUTHORISED : OutcomeCode.REJECTED;
        final int reasonCode = null != rejectReason ? (int)OfferResult.rejected(rejectReason) :
            (int)OfferResult.rejected(RejectReason.ILLEGAL_CHARACTER);
        refusePublish(guaranteed, publisherSequence, outcome, OutcomeCode.NOT_AUTHORISED == outcome ? 0 : reasonCode,
            state.refusedReason);
    }

    public void onSubscribe(final SubscribeDecoder subscribe)
    {
        final long subscriptionId = subscribe.subscriptionId();
        final StartPositionKind kind = subscribe.startPositionKind();
        final long value = subscribe.startPositionValue();
        final String pattern = subscribe.pattern();
        final String queueGroup = subscribe.queueGroup();
        final String durableName = subscribe.durableName();
        final QueueGroupDiscipline discipline = 1 == subscribe.queueGroupDisciplineRaw() ?
            QueueGroupDiscipline.KEYED : QueueGroupDiscipline.BALANCED;
        if (!queueGroup.isEmpty() && StartPositionKind.NEW != kind && StartPositionKind.AFTER_SEQUENCE != kind)
        {
            refuse(ErrorCode.UNSUPPORTED, SubscribeDecoder.TEMPLATE_ID, subscriptionId,
                "a queue group member starts with what comes next (NEW), not " + kind);
            return;
        }
        long resumeAfter;
        switch (kind)
        {
            case NEW: resumeAfter = SwitchService.RESUME_NEW_ONLY; break;
            case EARLIEST: resumeAfter = 0; break;
            case DURABLE: resumeAfter = SwitchService.RESUME_FROM_DURABLE; break;
            case AFTER_SEQUENCE:
                if (value < 0)
                {
                    refuse(ErrorCode.INVALID_FIELD, SubscribeDecoder.TEMPLATE_ID, subscriptionId,
                        "startPositionValue must be >= 0 after a sequence: " + value);
                    return;
                }
                resumeAfter = value;
                break;
            case FROM_TIME:
                if (value < 0)
                {
                    refuse(ErrorCode.INVALID_FIELD, SubscribeDecoder.TEMPLATE_ID, subscriptionId,
                        "startPositionValue must be epoch milliseconds >= 0 from a time: " + value);
                    return;
                }
                resumeAfter = state.lastSequenceBefore(value);
                break;
            default:
                refuse(ErrorCode.UNSUPPORTED, SubscribeDecoder.TEMPLATE_ID, subscriptionId,
                    "the cluster does not start a subscription " + kind);
                return;
        }
        if (StartPositionKind.DURABLE == kind && durableName.isEmpty())
        {
            refuse(ErrorCode.INVALID_FIELD, SubscribeDecoder.TEMPLATE_ID, subscriptionId,
                "start position DURABLE needs a durable name");
            return;
        }
        if (!durableName.isEmpty() && state.durablePositions.containsKey(durableName))
        {
            resumeAfter = SwitchService.RESUME_FROM_DURABLE; // As the daemon does: its position decides, not the ask.
        }
        final ClusterSubscription subscription = state.subscribe(session, subscriptionId, resumeAfter, pattern,
            durableName, queueGroup, discipline);
        if (null == subscription)
        {
            state.counters().onError(state.refusedCode);
            refuse(ErrorCode.NOT_AUTHORISED == state.refusedCode || ErrorCode.INVALID_PATTERN == state.refusedCode ?
                state.refusedCode : ErrorCode.SUBSCRIBE_REFUSED, SubscribeDecoder.TEMPLATE_ID, subscriptionId,
                state.refusedReason);
            return;
        }
        egress.subscribed(session, subscriptionId, subscription.startSequence, pattern);
        if (!state.subscribedAgain)
        {
            state.replayToNew(session, subscription);
        }
        else if (subscription.isGroupMember() && StartPositionKind.AFTER_SEQUENCE == kind)
        {
            // Its client re-made the membership after a leader change: what it was assigned after what it saw.
            state.resendAssigned(session, subscription, value);
        }
    }

    public void onUnsubscribe(final UnsubscribeDecoder unsubscribe)
    {
        final long subscriptionId = unsubscribe.subscriptionId();
        final ClusterSubscription subscription = find(subscriptionId, UnsubscribeDecoder.TEMPLATE_ID);
        if (null != subscription)
        {
            state.unsubscribe(subscription);
            egress.unsubscribed(session, subscriptionId, subscription.count);
        }
    }

    public void onCredit(final CreditDecoder credit)
    {
        // Accepted, not applied: deliveries follow the committed log (see the class comment).
    }

    public void onAck(final AckDecoder ack)
    {
        final ClusterSubscription subscription = find(ack.subscriptionId(), AckDecoder.TEMPLATE_ID);
        if (null != subscription)
        {
            state.acknowledge(subscription, ack.sequence());
        }
    }

    public void onReplay(final ReplayDecoder replay)
    {
        final long subscriptionId = replay.subscriptionId();
        final ClusterSubscription subscription = find(subscriptionId, ReplayDecoder.TEMPLATE_ID);
        if (null == subscription)
        {
            return;
        }
        final StartPositionKind kind = replay.startPositionKind();
        final long value = replay.startPositionValue();
        if (StartPositionKind.AFTER_SEQUENCE == kind && value >= 0)
        {
            state.replayAfter(session, subscription, value);
        }
        else if (StartPositionKind.EARLIEST == kind)
        {
            state.replayAfter(session, subscription, 0);
        }
        else if (StartPositionKind.FROM_TIME == kind && value >= 0)
        {
            state.replayAfter(session, subscription, state.lastSequenceBefore(value));
        }
        else
        {
            refuse(ErrorCode.UNSUPPORTED, ReplayDecoder.TEMPLATE_ID, subscriptionId,
                "the cluster replays after a sequence, from the earliest or from a time: " + kind + " " + value);
        }
    }

    private ClusterSubscription find(final long subscriptionId, final int templateId)
    {
        final ClusterSubscription subscription = state.findByCorrelation(session.id(), subscriptionId);
        if (null == subscription)
        {
            refuse(ErrorCode.UNKNOWN_SUBSCRIPTION, templateId, subscriptionId, "no subscription " + subscriptionId);
        }
        return subscription;
    }

    private void refusePublish(
        final boolean guaranteed, final long publisherSequence, final OutcomeCode outcome, final int reasonCode,
        final String text)
    {
        if (guaranteed)
        {
            egress.outcome(session, publisherSequence, -1, outcome, reasonCode);
        }
        else
        {
            egress.refused(session, publisherSequence, outcome, reasonCode, text);
        }
    }

    /**
     * Count (on every member: the log is the same everywhere) and answer a refused frame.
     */
    private void refuse(final ErrorCode code, final int requestTemplateId, final long correlation, final String text)
    {
        state.counters().onProtocolRefusal();
        egress.error(session, code, requestTemplateId, correlation, text);
    }
}
