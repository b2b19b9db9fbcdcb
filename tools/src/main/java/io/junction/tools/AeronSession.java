package io.junction.tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.junction.protocol.ProtocolFrames;

/**
 * One Aeron client of the daemon as the byte stream a {@link ProtocolConnection} reads and writes, so that the
 * session logic is the one TCP uses. Inbound: each Aeron message (one frame) is put, behind its length prefix, in a
 * bounded inbox that {@link #read} empties as a socket read would; a full inbox refuses the message (ABORT), so it
 * stays in the image and Aeron's flow control holds the client back. Outbound: {@link #write} takes whole
 * length-prefixed frames and sends each as one message on the egress publication back to the client ({@code
 * tryClaim}, or {@code offer} for a frame longer than one Aeron message); what a back-pressured publication does not
 * take stays in the connection's send buffer, where its subscriptions meet their slow-subscriber policy.
 */
final class AeronSession implements ConnectionChannel
{
    private static final int INBOX_CAPACITY = 64 << 10;

    final long key;
    final int imageSessionId;
    final long openedNs;
    private final InetSocketAddress remote;
    private final AeronEdge.Counters counters;
    private final UnsafeBuffer inbox;
    private final UnsafeBuffer sourceView = new UnsafeBuffer(0, 0);
    private final BufferClaim claim = new BufferClaim();
    private int inboxStart;
    private int inboxEnd;

    private boolean handshaken;
    private long publicationRegistration = -1;
    private ExclusivePublication egress;
    private boolean everConnected;
    private boolean imageGone;
    private boolean closed;
    ProtocolConnection connection;
    /** The edge counted this session's end. */
    boolean released;

    AeronSession(final long key, final int imageSessionId, final InetSocketAddress remote, final long nowNs,
        final AeronEdge.Counters counters)
    {
        this.key = key;
        this.imageSessionId = imageSessionId;
        this.remote = remote;
        this.openedNs = nowNs;
        this.counters = counters;
        inbox = new UnsafeBuffer(BufferUtil.allocateDirectAligned(INBOX_CAPACITY, 64));
    }

    boolean isHandshaken()
    {
        return handshaken;
    }

    void handshaken(final long publicationRegistration)
    {
        this.handshaken = true;
        this.publicationRegistration = publicationRegistration;
    }

    long publicationRegistration()
    {
        return publicationRegistration;
    }

    void egress(final ExclusivePublication publication)
    {
        this.egress = publication;
    }

    ExclusivePublication egress()
    {
        return egress;
    }

    /**
     * @return true once the egress publication reached the client (then the session logic may start).
     */
    boolean isEgressConnected()
    {
        if (null != egress && egress.isConnected())
        {
            everConnected = true;
            return true;
        }
        return false;
    }

    /**
     * @return true if the client is gone: its image went, or the egress that had reached it no longer does.
     */
    boolean isLost()
    {
        return imageGone || closed || (everConnected && (null == egress || !egress.isConnected()));
    }

    void onImageGone()
    {
        imageGone = true;
    }

    boolean isImageGone()
    {
        return imageGone;
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * A frame from the client (the edge's poll).
     */
    ControlledFragmentHandler.Action onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed)
        {
            return ControlledFragmentHandler.Action.CONTINUE; // Discarded: the session is over.
        }
        final int needed = ProtocolFrames.LENGTH_PREFIX + length;
        if (inbox.capacity() - inboxEnd < needed && inboxStart > 0)
        {
            inbox.putBytes(0, inbox, inboxStart, inboxEnd - inboxStart);
            inboxEnd -= inboxStart;
            inboxStart = 0;
        }
        if (inbox.capacity() - inboxEnd < needed)
        {
            if (inboxEnd > 0)
            {
                counters.inboxFull.increment();
                return ControlledFragmentHandler.Action.ABORT; // Read later; the image holds it meanwhile.
            }
            // One frame longer than the inbox (at most an Aeron message, an eighth of a term): made to fit.
            inbox.wrap(BufferUtil.allocateDirectAligned(needed, 64));
        }
        ProtocolFrames.frameLength(inbox, inboxEnd, length);
        inbox.putBytes(inboxEnd + ProtocolFrames.LENGTH_PREFIX, buffer, offset, length);
        inboxEnd += needed;
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    @Override
    public int read(final ByteBuffer destination) throws IOException
    {
        final int available = inboxEnd - inboxStart;
        if (0 == available)
        {
            if (closed || imageGone)
            {
                return -1;
            }
            return 0;
        }
        final int n = Math.min(available, destination.remaining());
        inbox.getBytes(inboxStart, destination, destination.position(), n);
        destination.position(destination.position() + n);
        inboxStart += n;
        if (inboxStart == inboxEnd)
        {
            inboxStart = 0;
            inboxEnd = 0;
        }
        return n;
    }

    @Override
    public int write(final ByteBuffer source) throws IOException
    {
        if (closed || null == egress)
        {
            throw new IOException("the Aeron session " + imageSessionId + " is closed");
        }
        final int start = source.position();
        final int end = source.limit();
        sourceView.wrap(source);
        int position = start;
        while (end - position >= ProtocolFrames.LENGTH_PREFIX)
        {
            final int length = ProtocolFrames.frameLength(sourceView, position);
            if (end - position - ProtocolFrames.LENGTH_PREFIX < length)
            {
                break;
            }
            final int frame = position + ProtocolFrames.LENGTH_PREFIX;
            final long result;
            if (length <= egress.maxPayloadLength())
            {
                result = egress.tryClaim(length, claim);
                if (result > 0)
                {
                    claim.buffer().putBytes(claim.offset(), sourceView, frame, length);
                    claim.commit();
                }
            }
            else
            {
                result = egress.offer(sourceView, frame, length);
            }
            if (result < 0)
            {
                if (Publication.BACK_PRESSURED == result || Publication.ADMIN_ACTION == result ||
                    (Publication.NOT_CONNECTED == result && !everConnected))
                {
                    counters.egressBackPressured.increment();
                    break; // As a full socket: the rest waits in the send buffer.
                }
                throw new IOException("the Aeron session " + imageSessionId + "'s publication back to " + remote +
                    " failed (" + Publication.errorString(result) + ")");
            }
            position += ProtocolFrames.LENGTH_PREFIX + length;
        }
        source.position(position);
        return position - start;
    }

    @Override
    public boolean wantsWrite()
    {
        return false;
    }

    @Override
    public boolean isReady()
    {
        return null != egress && !closed;
    }

    @Override
    public boolean hasBufferedInput()
    {
        return inboxEnd > inboxStart;
    }

    @Override
    public boolean isEncrypted()
    {
        return false;
    }

    @Override
    public java.security.Principal peerPrincipal()
    {
        return null;
    }

    @Override
    public InetSocketAddress remoteAddress()
    {
        return remote;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            CloseHelper.quietClose(egress);
            inboxStart = 0;
            inboxEnd = 0;
        }
    }
}
