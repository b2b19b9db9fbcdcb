package io.junction.cluster;

import io.aeron.cluster.service.ClientSession;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.CoalescedRefusalEncoder;
import io.junction.protocol.codecs.EndReasonCode;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ErrorEncoder;
import io.junction.protocol.codecs.MessageEncoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.OutcomeCode;
import io.junction.protocol.codecs.OutcomeEncoder;
import io.junction.protocol.codecs.PongEncoder;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.protocol.codecs.SubscribedEncoder;
import io.junction.protocol.codecs.UnsubscribedEncoder;
import io.junction.protocol.codecs.WelcomeEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Answers and deliveries in the Junction protocol ({@code junction-protocol.xml}) on a client's egress, from the
 * leader only (through {@link EgressPublisher}): what a daemon sends over TCP, one frame per Aeron message.
 */
final class ProtocolEgress
{
    private static final int MAX_TEXT_LENGTH = 512;
    private static final PriorityCode[] PRIORITIES = {
        PriorityCode.CRITICAL, PriorityCode.HIGH, PriorityCode.NORMAL, PriorityCode.BULK };

    private final EgressPublisher egress;
    private final SwitchService.Context ctx;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final WelcomeEncoder welcome = new WelcomeEncoder();
    private final PongEncoder pong = new PongEncoder();
    private final ErrorEncoder error = new ErrorEncoder();
    private final OutcomeEncoder outcome = new OutcomeEncoder();
    private final CoalescedRefusalEncoder refusal = new CoalescedRefusalEncoder();
    private final SubscribedEncoder subscribed = new SubscribedEncoder();
    private final UnsubscribedEncoder unsubscribed = new UnsubscribedEncoder();
    private final MessageEncoder message = new MessageEncoder();

    ProtocolEgress(final EgressPublisher egress, final SwitchService.Context ctx)
    {
        this.egress = egress;
        this.ctx = ctx;
    }

    boolean isLeader()
    {
        return egress.isLeader();
    }

    void welcome(final ClientSession session, final ProtocolSession protocolSession)
    {
        if (!egress.isLeader())
        {
            return;
        }
        welcome.wrapAndApplyHeader(buffer, 0, header)
            .sessionId(session.id())
            .protocolVersion(ProtocolFrames.VERSION)
            .heartbeatIntervalMs(0)
            .maxFrameLength(ProtocolFrames.maxFrameLength(ctx.maxPayloadLength(), ctx.maxTopicLength()))
            .maxPayloadLength(ctx.maxPayloadLength())
            .maxTopicLength(ctx.maxTopicLength())
            .maxSubscriptions(Integer.MAX_VALUE)
            .sendBufferBytes(0)
            .principal(protocolSession.principal)
            .publisher(protocolSession.publisher);
        send(session, welcome.encodedLength());
    }

    void pong(final ClientSession session, final long value)
    {
        if (egress.isLeader())
        {
            pong.wrapAndApplyHeader(buffer, 0, header).value(value);
            send(session, pong.encodedLength());
        }
    }

    void error(
        final ClientSession session, final ErrorCode code, final int requestTemplateId, final long correlation,
        final String text)
    {
        if (egress.isLeader())
        {
            error.wrapAndApplyHeader(buffer, 0, header)
                .code(code)
                .requestTemplateId(requestTemplateId)
                .correlation(correlation)
                .configuredLimit(-1)
                .text(text.length() > MAX_TEXT_LENGTH ? text.substring(0, MAX_TEXT_LENGTH) : text);
            send(session, error.encodedLength());
        }
    }

    /**
     * The outcome of one guaranteed publish: DURABLE once in the committed log (the member applies only what is
     * committed), or why not.
     */
    void outcome(
        final ClientSession session, final long publisherSequence, final long sequence, final OutcomeCode code,
        final int reasonCode)
    {
        if (egress.isLeader())
        {
            outcome.wrapAndApplyHeader(buffer, 0, header)
                .publisherSequence(publisherSequence)
                .sequence(sequence)
                .outcome(code)
                .reasonCode(reasonCode);
            send(session, outcome.encodedLength());
        }
    }

    /**
     * A refused best-effort publish: one per refusal here, since each came through the log on its own.
     */
    void refused(
        final ClientSession session, final long publisherSequence, final OutcomeCode code, final int reasonCode,
        final String text)
    {
        if (egress.isLeader())
        {
            refusal.wrapAndApplyHeader(buffer, 0, header)
                .count(1)
                .firstPublisherSequence(publisherSequence)
                .lastPublisherSequence(publisherSequence)
                .outcome(code)
                .reasonCode(reasonCode)
                .text(text.length() > MAX_TEXT_LENGTH ? text.substring(0, MAX_TEXT_LENGTH) : text);
            send(session, refusal.encodedLength());
        }
    }

    void subscribed(final ClientSession session, final long subscriptionId, final long startSequence, final String pattern)
    {
        if (egress.isLeader())
        {
            subscribed.wrapAndApplyHeader(buffer, 0, header)
                .subscriptionId(subscriptionId)
                .startSequence(startSequence)
                .pattern(pattern);
            send(session, subscribed.encodedLength());
        }
    }

    void unsubscribed(final ClientSession session, final long subscriptionId, final long delivered)
    {
        if (egress.isLeader())
        {
            unsubscribed.wrapAndApplyHeader(buffer, 0, header)
                .subscriptionId(subscriptionId)
                .reason(EndReasonCode.UNSUBSCRIBED)
                .delivered(delivered)
                .dropped(0);
            send(session, unsubscribed.encodedLength());
        }
    }

    /**
     * @return true if sent (or not the leader), false if the subscriber's egress refused it.
     */
    boolean message(
        final ClientSession session,
        final long subscriptionId,
        final long sequence,
        final long timestampNs,
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
            return true;
        }
        message.wrapAndApplyHeader(buffer, 0, header)
            .subscriptionId(subscriptionId)
            .sequence(sequence)
            .timestampNs(timestampNs)
            .priority(PRIORITIES[priorityCode])
            .correlationId(correlationId)
            .topic(topic)
            .putPayload(payload, payloadOffset, payloadLength)
            .replyTo(null == replyTo ? "" : replyTo);
        return send(session, message.encodedLength());
    }

    private boolean send(final ClientSession session, final int bodyLength)
    {
        return egress.send(session, buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + bodyLength);
    }
}
