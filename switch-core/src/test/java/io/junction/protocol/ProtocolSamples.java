package io.junction.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import io.junction.protocol.codecs.AckDecoder;
import io.junction.protocol.codecs.AckEncoder;
import io.junction.protocol.codecs.AuthenticationMethodCode;
import io.junction.protocol.codecs.CoalescedRefusalDecoder;
import io.junction.protocol.codecs.CoalescedRefusalEncoder;
import io.junction.protocol.codecs.CreditDecoder;
import io.junction.protocol.codecs.CreditEncoder;
import io.junction.protocol.codecs.EndReasonCode;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ErrorDecoder;
import io.junction.protocol.codecs.ErrorEncoder;
import io.junction.protocol.codecs.HelloDecoder;
import io.junction.protocol.codecs.HelloEncoder;
import io.junction.protocol.codecs.MessageDecoder;
import io.junction.protocol.codecs.MessageEncoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.OutcomeCode;
import io.junction.protocol.codecs.OutcomeDecoder;
import io.junction.protocol.codecs.OutcomeEncoder;
import io.junction.protocol.codecs.PingDecoder;
import io.junction.protocol.codecs.PingEncoder;
import io.junction.protocol.codecs.PongDecoder;
import io.junction.protocol.codecs.PongEncoder;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.protocol.codecs.PublishDecoder;
import io.junction.protocol.codecs.PublishEncoder;
import io.junction.protocol.codecs.QualityOfServiceCode;
import io.junction.protocol.codecs.ReplayDecoder;
import io.junction.protocol.codecs.ReplayEncoder;
import io.junction.protocol.codecs.SlowSubscriberPolicyCode;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribeDecoder;
import io.junction.protocol.codecs.SubscribeEncoder;
import io.junction.protocol.codecs.SubscribedDecoder;
import io.junction.protocol.codecs.SubscribedEncoder;
import io.junction.protocol.codecs.UnsubscribeDecoder;
import io.junction.protocol.codecs.UnsubscribeEncoder;
import io.junction.protocol.codecs.UnsubscribedDecoder;
import io.junction.protocol.codecs.UnsubscribedEncoder;
import io.junction.protocol.codecs.WelcomeDecoder;
import io.junction.protocol.codecs.WelcomeEncoder;

/**
 * Every template of the protocol as a list of field values in schema order: {@link #encode} writes one with the
 * generated encoders, {@link Reader} reads every field of whatever a {@link FrameDispatcher} hands it back into
 * the same list. The property and fuzz tests share it.
 */
final class ProtocolSamples
{
    /** The kinds of field values, so a generator can make values for any template. */
    enum Kind
    {
        I64, I32, U32, U16, ASCII, UTF8, BYTES, PRIORITY, QOS, METHOD, START, POLICY, OUTCOME, END_REASON, ERROR_CODE
    }

    /** The templates in a fixed order, with their field kinds. */
    static final int[] TEMPLATES = {
        HelloDecoder.TEMPLATE_ID, WelcomeDecoder.TEMPLATE_ID, PingDecoder.TEMPLATE_ID, PongDecoder.TEMPLATE_ID,
        ErrorDecoder.TEMPLATE_ID, PublishDecoder.TEMPLATE_ID, OutcomeDecoder.TEMPLATE_ID,
        CoalescedRefusalDecoder.TEMPLATE_ID, SubscribeDecoder.TEMPLATE_ID, SubscribedDecoder.TEMPLATE_ID,
        UnsubscribeDecoder.TEMPLATE_ID, UnsubscribedDecoder.TEMPLATE_ID, CreditDecoder.TEMPLATE_ID,
        MessageDecoder.TEMPLATE_ID, ReplayDecoder.TEMPLATE_ID, AckDecoder.TEMPLATE_ID
    };

    private ProtocolSamples()
    {
    }

    static List<Kind> kinds(final int templateId)
    {
        return switch (templateId)
        {
            case HelloDecoder.TEMPLATE_ID -> List.of(Kind.U16, Kind.METHOD, Kind.U32, Kind.ASCII, Kind.UTF8, Kind.BYTES);
            case WelcomeDecoder.TEMPLATE_ID -> List.of(Kind.I64, Kind.U16, Kind.U32, Kind.U32, Kind.U32, Kind.U16,
                Kind.U32, Kind.U32, Kind.ASCII, Kind.ASCII);
            case PingDecoder.TEMPLATE_ID, PongDecoder.TEMPLATE_ID, UnsubscribeDecoder.TEMPLATE_ID -> List.of(Kind.I64);
            case ErrorDecoder.TEMPLATE_ID -> List.of(Kind.ERROR_CODE, Kind.U16, Kind.I64, Kind.I64, Kind.UTF8);
            case PublishDecoder.TEMPLATE_ID -> List.of(Kind.I64, Kind.PRIORITY, Kind.QOS, Kind.I64, Kind.I64, Kind.ASCII,
                Kind.BYTES, Kind.ASCII);
            case OutcomeDecoder.TEMPLATE_ID -> List.of(Kind.I64, Kind.I64, Kind.OUTCOME, Kind.I32);
            case CoalescedRefusalDecoder.TEMPLATE_ID -> List.of(Kind.I64, Kind.I64, Kind.I64, Kind.OUTCOME, Kind.I32,
                Kind.UTF8);
            case SubscribeDecoder.TEMPLATE_ID -> List.of(Kind.I64, Kind.START, Kind.I64, Kind.I64, Kind.POLICY,
                Kind.I64, Kind.ASCII, Kind.ASCII, Kind.ASCII);
            case SubscribedDecoder.TEMPLATE_ID -> List.of(Kind.I64, Kind.I64, Kind.ASCII);
            case UnsubscribedDecoder.TEMPLATE_ID -> List.of(Kind.I64, Kind.END_REASON, Kind.I64, Kind.I64);
            case CreditDecoder.TEMPLATE_ID -> List.of(Kind.I64, Kind.I64, Kind.I64);
            case AckDecoder.TEMPLATE_ID -> List.of(Kind.I64, Kind.I64);
            case MessageDecoder.TEMPLATE_ID -> List.of(Kind.I64, Kind.I64, Kind.I64, Kind.PRIORITY, Kind.I64, Kind.ASCII,
                Kind.BYTES, Kind.ASCII);
            case ReplayDecoder.TEMPLATE_ID -> List.of(Kind.I64, Kind.START, Kind.I64, Kind.I64);
            default -> throw new IllegalArgumentException("no template " + templateId);
        };
    }

    /**
     * Encode a frame (header and body, no length prefix) of the current version.
     *
     * @return its length.
     */
    static int encode(final ExpandableArrayBuffer buffer, final int templateId, final List<Object> v)
    {
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final int body;
        switch (templateId)
        {
            case HelloDecoder.TEMPLATE_ID ->
            {
                final HelloEncoder e = new HelloEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .protocolVersion((Integer)v.get(0)).authenticationMethod(AuthenticationMethodCode.get(s(v.get(1))))
                    .heartbeatIntervalMs((Long)v.get(2));
                e.instance((String)v.get(3)).user((String)v.get(4));
                final byte[] secret = (byte[])v.get(5);
                e.putSecret(secret, 0, secret.length);
                body = e.encodedLength();
            }
            case WelcomeDecoder.TEMPLATE_ID ->
            {
                final WelcomeEncoder e = new WelcomeEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .sessionId((Long)v.get(0)).protocolVersion((Integer)v.get(1)).heartbeatIntervalMs((Long)v.get(2))
                    .maxFrameLength((Long)v.get(3)).maxPayloadLength((Long)v.get(4)).maxTopicLength((Integer)v.get(5))
                    .maxSubscriptions((Long)v.get(6)).sendBufferBytes((Long)v.get(7));
                e.principal((String)v.get(8)).publisher((String)v.get(9));
                body = e.encodedLength();
            }
            case PingDecoder.TEMPLATE_ID ->
                body = new PingEncoder().wrapAndApplyHeader(buffer, 0, header).value((Long)v.get(0)).encodedLength();
            case PongDecoder.TEMPLATE_ID ->
                body = new PongEncoder().wrapAndApplyHeader(buffer, 0, header).value((Long)v.get(0)).encodedLength();
            case ErrorDecoder.TEMPLATE_ID ->
            {
                final ErrorEncoder e = new ErrorEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .code(ErrorCode.get((Integer)v.get(0))).requestTemplateId((Integer)v.get(1))
                    .correlation((Long)v.get(2)).configuredLimit((Long)v.get(3));
                e.text((String)v.get(4));
                body = e.encodedLength();
            }
            case PublishDecoder.TEMPLATE_ID ->
            {
                final PublishEncoder e = new PublishEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .publisherSequence((Long)v.get(0)).priority(PriorityCode.get(s(v.get(1))))
                    .qualityOfService(QualityOfServiceCode.get(s(v.get(2)))).ttlNs((Long)v.get(3))
                    .correlationId((Long)v.get(4)).key(0);
                e.topic((String)v.get(5));
                final byte[] payload = (byte[])v.get(6);
                e.putPayload(payload, 0, payload.length).replyTo((String)v.get(7));
                body = e.encodedLength();
            }
            case OutcomeDecoder.TEMPLATE_ID ->
                body = new OutcomeEncoder().wrapAndApplyHeader(buffer, 0, header).publisherSequence((Long)v.get(0))
                    .sequence((Long)v.get(1)).outcome(OutcomeCode.get(s(v.get(2)))).reasonCode((Integer)v.get(3))
                    .encodedLength();
            case CoalescedRefusalDecoder.TEMPLATE_ID ->
            {
                final CoalescedRefusalEncoder e = new CoalescedRefusalEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .count((Long)v.get(0)).firstPublisherSequence((Long)v.get(1)).lastPublisherSequence((Long)v.get(2))
                    .outcome(OutcomeCode.get(s(v.get(3)))).reasonCode((Integer)v.get(4));
                e.text((String)v.get(5));
                body = e.encodedLength();
            }
            case SubscribeDecoder.TEMPLATE_ID ->
            {
                final SubscribeEncoder e = new SubscribeEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .subscriptionId((Long)v.get(0)).startPositionKind(StartPositionKind.get(s(v.get(1))))
                    .startPositionValue((Long)v.get(2)).initialCredit((Long)v.get(3))
                    .slowSubscriberPolicy(SlowSubscriberPolicyCode.get(s(v.get(4))))
                    .queueGroupDiscipline(io.junction.protocol.codecs.QueueGroupDisciplineCode.BALANCED)
                    .initialCriticalCredit((Long)v.get(5));
                e.pattern((String)v.get(6)).queueGroup((String)v.get(7)).durableName((String)v.get(8));
                body = e.encodedLength();
            }
            case SubscribedDecoder.TEMPLATE_ID ->
            {
                final SubscribedEncoder e = new SubscribedEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .subscriptionId((Long)v.get(0)).startSequence((Long)v.get(1));
                e.pattern((String)v.get(2));
                body = e.encodedLength();
            }
            case UnsubscribeDecoder.TEMPLATE_ID ->
                body = new UnsubscribeEncoder().wrapAndApplyHeader(buffer, 0, header).subscriptionId((Long)v.get(0))
                    .encodedLength();
            case UnsubscribedDecoder.TEMPLATE_ID ->
                body = new UnsubscribedEncoder().wrapAndApplyHeader(buffer, 0, header).subscriptionId((Long)v.get(0))
                    .reason(EndReasonCode.get(s(v.get(1)))).delivered((Long)v.get(2)).dropped((Long)v.get(3))
                    .encodedLength();
            case CreditDecoder.TEMPLATE_ID ->
                body = new CreditEncoder().wrapAndApplyHeader(buffer, 0, header).subscriptionId((Long)v.get(0))
                    .credit((Long)v.get(1)).criticalCredit((Long)v.get(2)).encodedLength();
            case MessageDecoder.TEMPLATE_ID ->
            {
                final MessageEncoder e = new MessageEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .subscriptionId((Long)v.get(0)).sequence((Long)v.get(1)).timestampNs((Long)v.get(2))
                    .priority(PriorityCode.get(s(v.get(3)))).correlationId((Long)v.get(4));
                e.topic((String)v.get(5));
                final byte[] payload = (byte[])v.get(6);
                e.putPayload(payload, 0, payload.length).replyTo((String)v.get(7));
                body = e.encodedLength();
            }
            case ReplayDecoder.TEMPLATE_ID ->
                body = new ReplayEncoder().wrapAndApplyHeader(buffer, 0, header).subscriptionId((Long)v.get(0))
                    .startPositionKind(StartPositionKind.get(s(v.get(1)))).startPositionValue((Long)v.get(2))
                    .endSequence((Long)v.get(3)).encodedLength();
            case AckDecoder.TEMPLATE_ID ->
                body = new AckEncoder().wrapAndApplyHeader(buffer, 0, header).subscriptionId((Long)v.get(0))
                    .sequence((Long)v.get(1)).encodedLength();
            default -> throw new IllegalArgumentException("no template " + templateId);
        }
        return ProtocolFrames.HEADER_LENGTH + body;
    }

    private static short s(final Object value)
    {
        return ((Integer)value).shortValue();
    }

    /**
     * Reads every field of every frame it is handed, in schema order, into {@link #values} (so a decoder that
     * would read out of bounds or throw on some input shows it); refusals are kept as text.
     */
    static final class Reader implements FrameHandler
    {
        final List<Object> values = new ArrayList<>();
        int templateId = -1;
        String refusal;

        void reset()
        {
            values.clear();
            templateId = -1;
            refusal = null;
        }

        @Override
        public void onInvalidFrame(final int errorCode, final DirectBuffer buffer, final int offset, final int length)
        {
            refusal = ProtocolFrames.describeRefusal(errorCode, buffer, offset, length, Integer.MAX_VALUE);
        }

        @Override
        public void onInvalidField(final int templateId, final String field, final long value)
        {
            refusal = "template " + templateId + " field " + field + " = " + value;
        }

        @Override
        public void onUnexpected(final int templateId)
        {
            refusal = "unexpected " + templateId;
        }

        private void add(final int templateId, final Object... fields)
        {
            this.templateId = templateId;
            values.addAll(Arrays.asList(fields));
        }

        private static byte[] bytes(final int length, final java.util.function.BiConsumer<byte[], Integer> get)
        {
            final byte[] bytes = new byte[length];
            get.accept(bytes, length);
            return bytes;
        }

        @Override
        public void onHello(final HelloDecoder d)
        {
            final Object protocolVersion = d.protocolVersion();
            final Object method = (int)d.authenticationMethod().value();
            final Object heartbeat = d.heartbeatIntervalMs();
            final String instance = d.instance();
            final String user = d.user();
            final byte[] secret = bytes(d.secretLength(), (b, n) -> d.getSecret(b, 0, n));
            add(HelloDecoder.TEMPLATE_ID, protocolVersion, method, heartbeat, instance, user, secret);
        }

        @Override
        public void onWelcome(final WelcomeDecoder d)
        {
            add(WelcomeDecoder.TEMPLATE_ID, d.sessionId(), d.protocolVersion(), d.heartbeatIntervalMs(),
                d.maxFrameLength(), d.maxPayloadLength(), d.maxTopicLength(), d.maxSubscriptions(), d.sendBufferBytes(),
                d.principal(), d.publisher());
        }

        @Override
        public void onPing(final PingDecoder d)
        {
            add(PingDecoder.TEMPLATE_ID, d.value());
        }

        @Override
        public void onPong(final PongDecoder d)
        {
            add(PongDecoder.TEMPLATE_ID, d.value());
        }

        @Override
        public void onError(final ErrorDecoder d)
        {
            add(ErrorDecoder.TEMPLATE_ID, d.codeRaw(), d.requestTemplateId(), d.correlation(), d.configuredLimit(),
                d.text());
            FrameDispatcher.errorCode(d.codeRaw());
        }

        @Override
        public void onPublish(final PublishDecoder d)
        {
            final Object[] fixed = { d.publisherSequence(), (int)d.priority().value(),
                (int)d.qualityOfService().value(), d.ttlNs(), d.correlationId() };
            final String topic = d.topic();
            final byte[] payload = bytes(d.payloadLength(), (b, n) -> d.getPayload(b, 0, n));
            add(PublishDecoder.TEMPLATE_ID, fixed[0], fixed[1], fixed[2], fixed[3], fixed[4], topic, payload,
                d.replyTo());
        }

        @Override
        public void onOutcome(final OutcomeDecoder d)
        {
            add(OutcomeDecoder.TEMPLATE_ID, d.publisherSequence(), d.sequence(), (int)d.outcome().value(),
                d.reasonCode());
        }

        @Override
        public void onCoalescedRefusal(final CoalescedRefusalDecoder d)
        {
            add(CoalescedRefusalDecoder.TEMPLATE_ID, d.count(), d.firstPublisherSequence(), d.lastPublisherSequence(),
                (int)d.outcome().value(), d.reasonCode(), d.text());
        }

        @Override
        public void onSubscribe(final SubscribeDecoder d)
        {
            final Object[] fixed = { d.subscriptionId(), (int)d.startPositionKind().value(), d.startPositionValue(),
                d.initialCredit(), (int)d.slowSubscriberPolicy().value(), d.initialCriticalCredit() };
            final String pattern = d.pattern();
            final String group = d.queueGroup();
            add(SubscribeDecoder.TEMPLATE_ID, fixed[0], fixed[1], fixed[2], fixed[3], fixed[4], fixed[5], pattern, group,
                d.durableName());
        }

        @Override
        public void onSubscribed(final SubscribedDecoder d)
        {
            add(SubscribedDecoder.TEMPLATE_ID, d.subscriptionId(), d.startSequence(), d.pattern());
        }

        @Override
        public void onUnsubscribe(final UnsubscribeDecoder d)
        {
            add(UnsubscribeDecoder.TEMPLATE_ID, d.subscriptionId());
        }

        @Override
        public void onUnsubscribed(final UnsubscribedDecoder d)
        {
            add(UnsubscribedDecoder.TEMPLATE_ID, d.subscriptionId(), (int)d.reason().value(), d.delivered(),
                d.dropped());
        }

        @Override
        public void onCredit(final CreditDecoder d)
        {
            add(CreditDecoder.TEMPLATE_ID, d.subscriptionId(), d.credit(), d.criticalCredit());
        }

        @Override
        public void onMessage(final MessageDecoder d)
        {
            final Object[] fixed = { d.subscriptionId(), d.sequence(), d.timestampNs(), (int)d.priority().value(),
                d.correlationId() };
            final String topic = d.topic();
            final byte[] payload = bytes(d.payloadLength(), (b, n) -> d.getPayload(b, 0, n));
            add(MessageDecoder.TEMPLATE_ID, fixed[0], fixed[1], fixed[2], fixed[3], fixed[4], topic, payload,
                d.replyTo());
        }

        @Override
        public void onReplay(final ReplayDecoder d)
        {
            add(ReplayDecoder.TEMPLATE_ID, d.subscriptionId(), (int)d.startPositionKind().value(),
                d.startPositionValue(), d.endSequence());
        }

        @Override
        public void onAck(final AckDecoder d)
        {
            add(AckDecoder.TEMPLATE_ID, d.subscriptionId(), d.sequence());
        }
    }
}
