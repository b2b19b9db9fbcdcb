package io.junction.protocol;

import org.agrona.DirectBuffer;

import io.junction.protocol.codecs.AckDecoder;
import io.junction.protocol.codecs.CoalescedRefusalDecoder;
import io.junction.protocol.codecs.CreditDecoder;
import io.junction.protocol.codecs.ErrorDecoder;
import io.junction.protocol.codecs.HelloDecoder;
import io.junction.protocol.codecs.MessageDecoder;
import io.junction.protocol.codecs.OutcomeDecoder;
import io.junction.protocol.codecs.PingDecoder;
import io.junction.protocol.codecs.PongDecoder;
import io.junction.protocol.codecs.PublishDecoder;
import io.junction.protocol.codecs.ReplayDecoder;
import io.junction.protocol.codecs.SubscribeDecoder;
import io.junction.protocol.codecs.SubscribedDecoder;
import io.junction.protocol.codecs.UnsubscribeDecoder;
import io.junction.protocol.codecs.UnsubscribedDecoder;
import io.junction.protocol.codecs.WelcomeDecoder;

/**
 * What a {@link FrameDispatcher} hands on: one call per frame, with the template's decoder wrapped at the frame's
 * acting version. The frame was checked ({@link ProtocolFrames#check}) and its enum fields are known values, so
 * every accessor of the decoder is safe, except {@link ErrorDecoder#code()} (a newer peer may send a code this
 * build does not know: use {@code codeRaw()} and {@link FrameDispatcher#errorCode(int)}). Variable-length fields
 * must be read in schema order, as SBE requires. The decoder is valid only during the call.
 * <p>
 * A server implements the client-to-server frames, a client the others; a frame a party does not expect goes
 * to {@link #onUnexpected}.
 */
public interface FrameHandler
{
    /**
     * A frame {@link ProtocolFrames#check} refused.
     *
     * @param errorCode the {@link io.junction.protocol.codecs.ErrorCode} value (describe it with
     *                  {@link ProtocolFrames#describeRefusal}).
     */
    void onInvalidFrame(int errorCode, DirectBuffer buffer, int offset, int length);

    /**
     * A well-formed frame with an enum field out of its range.
     *
     * @param field the field's name in the schema.
     */
    void onInvalidField(int templateId, String field, long value);

    /**
     * A well-formed frame this party does not take (e.g. a MESSAGE sent to a server).
     */
    void onUnexpected(int templateId);

    default void onHello(final HelloDecoder hello)
    {
        onUnexpected(HelloDecoder.TEMPLATE_ID);
    }

    default void onWelcome(final WelcomeDecoder welcome)
    {
        onUnexpected(WelcomeDecoder.TEMPLATE_ID);
    }

    default void onPing(final PingDecoder ping)
    {
        onUnexpected(PingDecoder.TEMPLATE_ID);
    }

    default void onPong(final PongDecoder pong)
    {
        onUnexpected(PongDecoder.TEMPLATE_ID);
    }

    default void onError(final ErrorDecoder error)
    {
        onUnexpected(ErrorDecoder.TEMPLATE_ID);
    }

    default void onPublish(final PublishDecoder publish)
    {
        onUnexpected(PublishDecoder.TEMPLATE_ID);
    }

    default void onOutcome(final OutcomeDecoder outcome)
    {
        onUnexpected(OutcomeDecoder.TEMPLATE_ID);
    }

    default void onCoalescedRefusal(final CoalescedRefusalDecoder refusal)
    {
        onUnexpected(CoalescedRefusalDecoder.TEMPLATE_ID);
    }

    default void onSubscribe(final SubscribeDecoder subscribe)
    {
        onUnexpected(SubscribeDecoder.TEMPLATE_ID);
    }

    default void onSubscribed(final SubscribedDecoder subscribed)
    {
        onUnexpected(SubscribedDecoder.TEMPLATE_ID);
    }

    default void onUnsubscribe(final UnsubscribeDecoder unsubscribe)
    {
        onUnexpected(UnsubscribeDecoder.TEMPLATE_ID);
    }

    default void onUnsubscribed(final UnsubscribedDecoder unsubscribed)
    {
        onUnexpected(UnsubscribedDecoder.TEMPLATE_ID);
    }

    default void onCredit(final CreditDecoder credit)
    {
        onUnexpected(CreditDecoder.TEMPLATE_ID);
    }

    default void onMessage(final MessageDecoder message)
    {
        onUnexpected(MessageDecoder.TEMPLATE_ID);
    }

    default void onReplay(final ReplayDecoder replay)
    {
        onUnexpected(ReplayDecoder.TEMPLATE_ID);
    }

    default void onAck(final AckDecoder ack)
    {
        onUnexpected(AckDecoder.TEMPLATE_ID);
    }
}
