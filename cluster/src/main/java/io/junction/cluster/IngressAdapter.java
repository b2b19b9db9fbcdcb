package io.junction.cluster;

import io.aeron.cluster.service.ClientSession;
import io.junction.cluster.codecs.AcknowledgeDecoder;
import io.junction.cluster.codecs.ErrorCode;
import io.junction.cluster.codecs.PublishDecoder;
import io.junction.cluster.codecs.ResumeDecoder;
import io.junction.cluster.codecs.SubscribeDecoder;
import io.junction.cluster.codecs.UnsubscribeDecoder;
import io.junction.protocol.ProtocolFrames;
import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Decodes the requests of the replicated log and hands each to the {@link SwitchStateMachine}: a frame of the
 * Junction protocol ({@code junction-protocol.xml}, the daemon's) to {@link ProtocolIngress}, one of the older
 * replicated-switch protocol ({@code junction-wire.xml}) here; a frame that fails {@link WireFrames#check} is
 * refused there, with its code.
 */
final class IngressAdapter
{
    private final SwitchStateMachine stateMachine;
    private final ProtocolIngress protocolIngress;
    private final int maxFrameLength;
    private final PublishDecoder publishDecoder = new PublishDecoder();
    private final SubscribeDecoder subscribeDecoder = new SubscribeDecoder();
    private final UnsubscribeDecoder unsubscribeDecoder = new UnsubscribeDecoder();
    private final ResumeDecoder resumeDecoder = new ResumeDecoder();
    private final AcknowledgeDecoder acknowledgeDecoder = new AcknowledgeDecoder();

    IngressAdapter(final SwitchStateMachine stateMachine, final int maxTopicLength, final int maxPayloadLength)
    {
        this.stateMachine = stateMachine;
        this.protocolIngress = new ProtocolIngress(stateMachine, maxTopicLength, maxPayloadLength);
        this.maxFrameLength = WireFrames.HEADER_LENGTH + PublishDecoder.BLOCK_LENGTH +
            PublishDecoder.topicHeaderLength() + maxTopicLength + PublishDecoder.payloadHeaderLength() +
            maxPayloadLength;
    }

    void onSessionMessage(
        final ClientSession session, final long timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        // A session that said HELLO speaks the Junction protocol: whatever it sends is answered in it.
        if ((length >= WireFrames.HEADER_LENGTH && ProtocolFrames.SCHEMA_ID == ProtocolFrames.schemaId(buffer, offset)) ||
            null != stateMachine.protocolSession(session.id()))
        {
            protocolIngress.onSessionMessage(session, timestamp, buffer, offset, length);
            return;
        }
        final int templateId = WireFrames.check(buffer, offset, length, maxFrameLength);
        if (templateId < 0)
        {
            final ErrorCode code = ErrorCode.get(-templateId);
            final int requestTemplateId = WireFrames.templateIdOrZero(buffer, offset, length);
            stateMachine.refuse(session, publisherSequenceOrNull(requestTemplateId, buffer, offset, length),
                requestTemplateId, code, "frame refused");
            return;
        }

        final int bodyOffset = offset + WireFrames.HEADER_LENGTH;
        final int blockLength = WireFrames.blockLength(buffer, offset);
        final int version = WireFrames.version(buffer, offset);
        switch (templateId)
        {
            case PublishDecoder.TEMPLATE_ID:
                stateMachine.onPublish(session, timestamp, publishDecoder.wrap(buffer, bodyOffset, blockLength, version));
                break;

            case SubscribeDecoder.TEMPLATE_ID:
                stateMachine.onSubscribe(session, subscribeDecoder.wrap(buffer, bodyOffset, blockLength, version));
                break;

            case UnsubscribeDecoder.TEMPLATE_ID:
                stateMachine.onUnsubscribe(session, unsubscribeDecoder.wrap(buffer, bodyOffset, blockLength, version));
                break;

            case ResumeDecoder.TEMPLATE_ID:
                stateMachine.onResume(session, resumeDecoder.wrap(buffer, bodyOffset, blockLength, version));
                break;

            case AcknowledgeDecoder.TEMPLATE_ID:
                stateMachine.onAcknowledge(session, acknowledgeDecoder.wrap(buffer, bodyOffset, blockLength, version));
                break;

            default:
                stateMachine.refuse(session, -1, templateId, ErrorCode.UNKNOWN_MESSAGE, "not a request");
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
            return buffer.getLong(offset + sequenceOffset, ByteOrder.LITTLE_ENDIAN);
        }
        return -1;
    }
}
