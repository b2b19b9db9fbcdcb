package io.junction.protocol;

import org.agrona.DirectBuffer;

import io.junction.protocol.codecs.AckDecoder;
import io.junction.protocol.codecs.AuthenticationMethodCode;
import io.junction.protocol.codecs.CoalescedRefusalDecoder;
import io.junction.protocol.codecs.CreditDecoder;
import io.junction.protocol.codecs.EndReasonCode;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ErrorDecoder;
import io.junction.protocol.codecs.HelloDecoder;
import io.junction.protocol.codecs.MessageDecoder;
import io.junction.protocol.codecs.OutcomeCode;
import io.junction.protocol.codecs.OutcomeDecoder;
import io.junction.protocol.codecs.PingDecoder;
import io.junction.protocol.codecs.PongDecoder;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.protocol.codecs.PublishDecoder;
import io.junction.protocol.codecs.QualityOfServiceCode;
import io.junction.protocol.codecs.ReplayDecoder;
import io.junction.protocol.codecs.SlowSubscriberPolicyCode;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribeDecoder;
import io.junction.protocol.codecs.SubscribedDecoder;
import io.junction.protocol.codecs.UnsubscribeDecoder;
import io.junction.protocol.codecs.UnsubscribedDecoder;
import io.junction.protocol.codecs.WelcomeDecoder;

/**
 * Decodes one frame of the Junction protocol with pre-allocated generated flyweights and hands it to a
 * {@link FrameHandler}: checked first ({@link ProtocolFrames#check}), enum fields then checked against their known
 * values, so no input can make a decoder read out of bounds or throw. Allocation-free on well-formed input.
 * One per thread (it holds the flyweights).
 */
public final class FrameDispatcher
{
    private static final int PRIORITIES = count(PriorityCode.values());
    private static final int QUALITIES = count(QualityOfServiceCode.values());
    private static final int METHODS = count(AuthenticationMethodCode.values());
    private static final int START_KINDS = count(StartPositionKind.values());
    private static final int DISCIPLINES = count(io.junction.protocol.codecs.QueueGroupDisciplineCode.values());
    private static final int POLICIES = count(SlowSubscriberPolicyCode.values());
    private static final int OUTCOMES = count(OutcomeCode.values());
    private static final int END_REASONS = count(EndReasonCode.values());
    private static final ErrorCode[] ERROR_CODES = new ErrorCode[256];

    static
    {
        for (final ErrorCode code : ErrorCode.values())
        {
            if (code != ErrorCode.NULL_VAL)
            {
                ERROR_CODES[code.value()] = code;
            }
        }
    }

    private final int maxFrameLength;
    private final HelloDecoder hello = new HelloDecoder();
    private final WelcomeDecoder welcome = new WelcomeDecoder();
    private final PingDecoder ping = new PingDecoder();
    private final PongDecoder pong = new PongDecoder();
    private final ErrorDecoder error = new ErrorDecoder();
    private final PublishDecoder publish = new PublishDecoder();
    private final OutcomeDecoder outcome = new OutcomeDecoder();
    private final CoalescedRefusalDecoder refusal = new CoalescedRefusalDecoder();
    private final SubscribeDecoder subscribe = new SubscribeDecoder();
    private final SubscribedDecoder subscribed = new SubscribedDecoder();
    private final UnsubscribeDecoder unsubscribe = new UnsubscribeDecoder();
    private final UnsubscribedDecoder unsubscribed = new UnsubscribedDecoder();
    private final CreditDecoder credit = new CreditDecoder();
    private final MessageDecoder message = new MessageDecoder();
    private final ReplayDecoder replay = new ReplayDecoder();
    private final AckDecoder ack = new AckDecoder();

    /**
     * @param maxFrameLength the longest frame (header and body) accepted.
     */
    public FrameDispatcher(final int maxFrameLength)
    {
        this.maxFrameLength = maxFrameLength;
    }

    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * Decode one frame (header and body, without its length prefix) and hand it to the handler.
     *
     * @return the template id handed on, or minus an {@link ErrorCode} value when the frame was refused (the
     * handler was told through {@link FrameHandler#onInvalidFrame} or {@link FrameHandler#onInvalidField}).
     */
    public int dispatch(final DirectBuffer buffer, final int offset, final int length, final FrameHandler handler)
    {
        final int templateId = ProtocolFrames.check(buffer, offset, length, maxFrameLength);
        if (templateId < 0)
        {
            handler.onInvalidFrame(-templateId, buffer, offset, length);
            return templateId;
        }
        final int body = offset + ProtocolFrames.HEADER_LENGTH;
        final int blockLength = ProtocolFrames.blockLength(buffer, offset);
        final int version = ProtocolFrames.version(buffer, offset);
        switch (templateId)
        {
            case HelloDecoder.TEMPLATE_ID:
                hello.wrap(buffer, body, blockLength, version);
                if (!valid(handler, templateId, "authenticationMethod", hello.authenticationMethodRaw(), METHODS))
                {
                    return -ErrorCode.INVALID_FIELD.value();
                }
                handler.onHello(hello);
                break;
            case WelcomeDecoder.TEMPLATE_ID:
                handler.onWelcome(welcome.wrap(buffer, body, blockLength, version));
                break;
            case PingDecoder.TEMPLATE_ID:
                handler.onPing(ping.wrap(buffer, body, blockLength, version));
                break;
            case PongDecoder.TEMPLATE_ID:
                handler.onPong(pong.wrap(buffer, body, blockLength, version));
                break;
            case ErrorDecoder.TEMPLATE_ID:
                handler.onError(error.wrap(buffer, body, blockLength, version));
                break;
            case PublishDecoder.TEMPLATE_ID:
                publish.wrap(buffer, body, blockLength, version);
                if (!valid(handler, templateId, "priority", publish.priorityRaw(), PRIORITIES) ||
                    !valid(handler, templateId, "qualityOfService", publish.qualityOfServiceRaw(), QUALITIES))
                {
                    return -ErrorCode.INVALID_FIELD.value();
                }
                handler.onPublish(publish);
                break;
            case OutcomeDecoder.TEMPLATE_ID:
                outcome.wrap(buffer, body, blockLength, version);
                if (!valid(handler, templateId, "outcome", outcome.outcomeRaw(), OUTCOMES))
                {
                    return -ErrorCode.INVALID_FIELD.value();
                }
                handler.onOutcome(outcome);
                break;
            case CoalescedRefusalDecoder.TEMPLATE_ID:
                refusal.wrap(buffer, body, blockLength, version);
                if (!valid(handler, templateId, "outcome", refusal.outcomeRaw(), OUTCOMES))
                {
                    return -ErrorCode.INVALID_FIELD.value();
                }
                handler.onCoalescedRefusal(refusal);
                break;
            case SubscribeDecoder.TEMPLATE_ID:
                subscribe.wrap(buffer, body, blockLength, version);
                if (!valid(handler, templateId, "startPositionKind", subscribe.startPositionKindRaw(), START_KINDS) ||
                    !valid(handler, templateId, "slowSubscriberPolicy", subscribe.slowSubscriberPolicyRaw(), POLICIES) ||
                    (version >= 3 && !valid(handler, templateId, "queueGroupDiscipline",
                    subscribe.queueGroupDisciplineRaw(), DISCIPLINES)))
                {
                    return -ErrorCode.INVALID_FIELD.value();
                }
                handler.onSubscribe(subscribe);
                break;
            case SubscribedDecoder.TEMPLATE_ID:
                handler.onSubscribed(subscribed.wrap(buffer, body, blockLength, version));
                break;
            case UnsubscribeDecoder.TEMPLATE_ID:
                handler.onUnsubscribe(unsubscribe.wrap(buffer, body, blockLength, version));
                break;
            case UnsubscribedDecoder.TEMPLATE_ID:
                unsubscribed.wrap(buffer, body, blockLength, version);
                if (!valid(handler, templateId, "reason", unsubscribed.reasonRaw(), END_REASONS))
                {
                    return -ErrorCode.INVALID_FIELD.value();
                }
                handler.onUnsubscribed(unsubscribed);
                break;
            case CreditDecoder.TEMPLATE_ID:
                handler.onCredit(credit.wrap(buffer, body, blockLength, version));
                break;
            case MessageDecoder.TEMPLATE_ID:
                message.wrap(buffer, body, blockLength, version);
                if (!valid(handler, templateId, "priority", message.priorityRaw(), PRIORITIES))
                {
                    return -ErrorCode.INVALID_FIELD.value();
                }
                handler.onMessage(message);
                break;
            case ReplayDecoder.TEMPLATE_ID:
                replay.wrap(buffer, body, blockLength, version);
                if (!valid(handler, templateId, "startPositionKind", replay.startPositionKindRaw(), START_KINDS))
                {
                    return -ErrorCode.INVALID_FIELD.value();
                }
                handler.onReplay(replay);
                break;
            case AckDecoder.TEMPLATE_ID:
                handler.onAck(ack.wrap(buffer, body, blockLength, version));
                break;
            default:
                // ProtocolFrames knows a template this switch does not: a bug, answered as unknown.
                handler.onInvalidFrame(ErrorCode.UNKNOWN_TEMPLATE.value(), buffer, offset, length);
                return -ErrorCode.UNKNOWN_TEMPLATE.value();
        }
        return templateId;
    }

    /**
     * @return the error code of a raw value, or {@link ErrorCode#NULL_VAL} for one this build does not know (the
     * generated {@code ErrorCode.get} throws on those).
     */
    public static ErrorCode errorCode(final int raw)
    {
        final ErrorCode code = raw >= 0 && raw < ERROR_CODES.length ? ERROR_CODES[raw] : null;
        return null == code ? ErrorCode.NULL_VAL : code;
    }

    private static boolean valid(
        final FrameHandler handler, final int templateId, final String field, final short raw, final int count)
    {
        if (raw >= 0 && raw < count)
        {
            return true;
        }
        handler.onInvalidField(templateId, field, raw);
        return false;
    }

    /**
     * @return how many values an enum has besides NULL_VAL; the schema numbers them 0..n-1.
     */
    private static int count(final Enum<?>[] values)
    {
        return values.length - 1;
    }
}
