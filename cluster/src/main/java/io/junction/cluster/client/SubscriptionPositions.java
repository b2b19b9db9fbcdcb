package io.junction.cluster.client;

import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.AckEncoder;
import io.junction.protocol.codecs.EndReasonCode;
import io.junction.protocol.codecs.MessageDecoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribeDecoder;
import io.junction.protocol.codecs.SubscribeEncoder;
import io.junction.protocol.codecs.SubscribedDecoder;
import io.junction.protocol.codecs.UnsubscribeDecoder;
import io.junction.protocol.codecs.UnsubscribeEncoder;
import io.junction.protocol.codecs.UnsubscribedDecoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Where each of the client's subscriptions got to, so that none loses a message to a leader change or a reconnect:
 * the last sequence handed to the client per subscription id (or where the cluster said it starts). After a new
 * leader, each subscription is re-made at the cluster (UNSUBSCRIBE, then its SUBSCRIBE again, after that sequence:
 * the cluster replays from its journal, then delivers live), and the deliveries that come meanwhile are dropped,
 * since the replay brings them again in order. A SUBSCRIBE the client sends again for a known id (after a
 * reconnect) starts after that sequence as well. Allocates per subscription, never per message.
 * <p>
 * A queue-group member is re-made without the UNSUBSCRIBE (which would be a leave): its SUBSCRIBE again, after that
 * sequence, keeps its place in the group, and the new leader sends again what the member was assigned after it. So
 * that the cluster knows what a member has seen (what it need not hand to the others should the session close), the
 * transport confirms a member's last sequence with an ACK at most once per confirm interval while it advances.
 */
final class SubscriptionPositions
{
    private final ClusterTransport transport;
    private final Long2LongHashMap lastSequence = new Long2LongHashMap(Long.MIN_VALUE);
    private final Long2ObjectHashMap<byte[]> subscribeFrames = new Long2ObjectHashMap<>();
    private final LongHashSet remaking = new LongHashSet();
    private final LongHashSet groupMembers = new LongHashSet();
    private final Long2LongHashMap confirmed = new Long2LongHashMap(Long.MIN_VALUE);
    /** Queue-group members whose UNSUBSCRIBE went: their later deliveries are the others' now. */
    private final LongHashSet leavingMembers = new LongHashSet();
    private final AckEncoder ackEncoder = new AckEncoder();
    private final long confirmIntervalNs;
    private long lastConfirmNs;
    private final SubscribeDecoder subscribeDecoder = new SubscribeDecoder();
    private final SubscribeEncoder subscribeEncoder = new SubscribeEncoder();
    private final UnsubscribeDecoder unsubscribeDecoder = new UnsubscribeDecoder();
    private final UnsubscribeEncoder unsubscribeEncoder = new UnsubscribeEncoder();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final MessageDecoder messageDecoder = new MessageDecoder();
    private final SubscribedDecoder subscribedDecoder = new SubscribedDecoder();
    private final UnsubscribedDecoder unsubscribedDecoder = new UnsubscribedDecoder();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    SubscriptionPositions(final ClusterTransport transport, final long confirmIntervalNs)
    {
        this.transport = transport;
        this.confirmIntervalNs = confirmIntervalNs;
    }

    /**
     * The client sends SUBSCRIBE: keep it (to send again after a leader change); if the id is known, start after
     * where it got to.
     */
    void onSubscribe(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        subscribeDecoder.wrap(buffer, offset + ProtocolFrames.HEADER_LENGTH, ProtocolFrames.blockLength(buffer, offset),
            ProtocolFrames.version(buffer, offset));
        final long id = subscribeDecoder.subscriptionId();
        final long last = lastSequence.get(id);
        final StartPositionKind kind = subscribeDecoder.startPositionKind();
        subscribeDecoder.skipPattern();
        if (subscribeDecoder.queueGroupLength() > 0)
        {
            groupMembers.add(id);
        }
        if (Long.MIN_VALUE != last && StartPositionKind.NEW == kind)
        {
            subscribeEncoder.wrap(buffer, offset + ProtocolFrames.HEADER_LENGTH)
                .startPositionKind(StartPositionKind.AFTER_SEQUENCE)
                .startPositionValue(last);
        }
        final byte[] frame = new byte[length];
        buffer.getBytes(offset, frame);
        subscribeFrames.put(id, frame);
        remaking.remove(id);
    }

    /**
     * The client's UNSUBSCRIBE is on its way. A queue-group member's leave hands what it has not confirmed to the
     * others, so its last sequence is confirmed first (the ACK this returns, in {@link #scratch()}) and the
     * deliveries that come after are dropped: each message once across the leave.
     *
     * @return the length of the ACK to send before the UNSUBSCRIBE, 0 for none.
     */
    int onUnsubscribe(final DirectBuffer buffer, final int offset)
    {
        unsubscribeDecoder.wrap(buffer, offset + ProtocolFrames.HEADER_LENGTH, ProtocolFrames.blockLength(buffer, offset),
            ProtocolFrames.version(buffer, offset));
        final long id = unsubscribeDecoder.subscriptionId();
        int ackLength = 0;
        if (groupMembers.contains(id))
        {
            leavingMembers.add(id);
            final long last = lastSequence.get(id);
            if (Long.MIN_VALUE != last && last > confirmed.get(id))
            {
                ackEncoder.wrapAndApplyHeader(scratch, 0, header).subscriptionId(id).sequence(last);
                ackLength = MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength();
            }
        }
        subscribeFrames.remove(id);
        lastSequence.remove(id);
        remaking.remove(id);
        groupMembers.remove(id);
        confirmed.remove(id);
        return ackLength;
    }

    DirectBuffer scratch()
    {
        return scratch;
    }

    /**
     * Each confirm interval: an ACK of each queue-group member's last sequence, if it advanced since the last one.
     */
    void confirmGroupMembers(final long nowNs)
    {
        if (groupMembers.isEmpty() || nowNs - lastConfirmNs < confirmIntervalNs)
        {
            return;
        }
        lastConfirmNs = nowNs;
        for (final LongHashSet.LongIterator it = groupMembers.iterator(); it.hasNext(); )
        {
            final long id = it.nextValue();
            final long last = lastSequence.get(id);
            if (Long.MIN_VALUE == last || last <= confirmed.get(id) || remaking.contains(id))
            {
                continue;
            }
            ackEncoder.wrapAndApplyHeader(scratch, 0, header).subscriptionId(id).sequence(last);
            if (!transport.enqueue(scratch, 0, MessageHeaderEncoder.ENCODED_LENGTH + ackEncoder.encodedLength()))
            {
                return;
            }
            confirmed.put(id, last);
        }
    }

    /**
     * @return false for a frame the client must not see (a delivery the re-subscription replays, or the answers
     * to the transport's own UNSUBSCRIBE).
     */
    boolean onEgress(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < ProtocolFrames.HEADER_LENGTH || ProtocolFrames.SCHEMA_ID != ProtocolFrames.schemaId(buffer, offset))
        {
            return true;
        }
        final int templateId = ProtocolFrames.templateId(buffer, offset);
        final int body = offset + ProtocolFrames.HEADER_LENGTH;
        final int blockLength = ProtocolFrames.blockLength(buffer, offset);
        final int version = ProtocolFrames.version(buffer, offset);
        if (MessageDecoder.TEMPLATE_ID == templateId && length >= ProtocolFrames.HEADER_LENGTH + 16)
        {
            messageDecoder.wrap(buffer, body, blockLength, version);
            final long id = messageDecoder.subscriptionId();
            if (remaking.contains(id) || leavingMembers.contains(id))
            {
                return false; // a leaving member's: handed to the others
            }
            if (subscribeFrames.containsKey(id))
            {
                lastSequence.put(id, messageDecoder.sequence());
            }
            return true;
        }
        if (SubscribedDecoder.TEMPLATE_ID == templateId && length >= ProtocolFrames.HEADER_LENGTH + 16)
        {
            subscribedDecoder.wrap(buffer, body, blockLength, version);
            final long id = subscribedDecoder.subscriptionId();
            remaking.remove(id);
            if (subscribeFrames.containsKey(id) && Long.MIN_VALUE == lastSequence.get(id))
            {
                lastSequence.put(id, subscribedDecoder.startSequence());
            }
            return true;
        }
        if (UnsubscribedDecoder.TEMPLATE_ID == templateId && length >= ProtocolFrames.HEADER_LENGTH + 9)
        {
            unsubscribedDecoder.wrap(buffer, body, blockLength, version);
            leavingMembers.remove(unsubscribedDecoder.subscriptionId());
            return !(remaking.contains(unsubscribedDecoder.subscriptionId()) &&
                EndReasonCode.UNSUBSCRIBED == unsubscribedDecoder.reason());
        }
        return true;
    }

    /**
     * A new leader: re-make every subscription the cluster confirmed, after its last delivered sequence.
     */
    void onLeaderChanged()
    {
        for (final Long2ObjectHashMap<byte[]>.EntryIterator it = subscribeFrames.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            final long id = it.getLongKey();
            final long last = lastSequence.get(id);
            if (Long.MIN_VALUE == last || remaking.contains(id))
            {
                continue; // Not confirmed yet (its SUBSCRIBE may still be on its way), or being re-made already.
            }
            if (!groupMembers.contains(id))
            {
                unsubscribeEncoder.wrapAndApplyHeader(scratch, 0, header).subscriptionId(id);
                if (!transport.enqueue(scratch, 0,
                    MessageHeaderEncoder.ENCODED_LENGTH + unsubscribeEncoder.encodedLength()))
                {
                    return;
                }
            }
            final byte[] frame = it.getValue();
            view.wrap(frame);
            subscribeEncoder.wrap(view, ProtocolFrames.HEADER_LENGTH)
                .startPositionKind(StartPositionKind.AFTER_SEQUENCE)
                .startPositionValue(last);
            transport.enqueue(view, 0, frame.length);
            remaking.add(id);
        }
    }
}
