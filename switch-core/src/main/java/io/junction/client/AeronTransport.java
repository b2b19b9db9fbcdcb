package io.junction.client;

import java.io.File;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.util.concurrent.ThreadLocalRandom;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageFragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.junction.protocol.AeronHandshake;
import io.junction.protocol.ProtocolFrames;

/**
 * The Junction protocol over Aeron: one frame per Aeron message (no length prefix), on an exclusive publication to
 * the daemon's ingress channel ({@code aeron:udp?endpoint=host:port}, or {@code aeron:ipc}); the daemon answers on
 * a publication to a subscription of this client's own, whose channel the client announces first in an {@link
 * AeronHandshake}. Over UDP that subscription listens on an ephemeral port of the local address that reaches the
 * daemon (or {@link ClientContext#aeronResponseHost}); over IPC on a stream id of its own.
 * <p>
 * Frames go out at {@link #commit} when nothing waits before them ({@code tryClaim} for a frame that fits one
 * Aeron message, {@code offer} for a longer one); a frame the publication back-pressures is staged, length-prefixed,
 * in a bounded buffer that {@link #flush()} sends in order. The Aeron client runs its conductor on the caller's
 * duty cycle (an agent invoker, no thread of its own). It connects to the media driver at {@link
 * ClientContext#aeronDirectory}, or launches one inside this process ({@link ClientContext#aeronEmbeddedDriver}),
 * once, and keeps it across reconnects until {@link #release()}.
 */
final class AeronTransport implements Transport
{
    private static final int FRAGMENT_LIMIT = 64;

    private final String ingressChannel;
    private final int ingressStreamId;
    private final boolean ipc;
    private final ClientContext ctx;
    private final int maxFrameLength;
    private final UnsafeBuffer send;
    private final BufferClaim bufferClaim = new BufferClaim();
    private final FragmentHandler fragments;
    private FrameSink sink;

    private EmbeddedMediaDriver driver;
    private Aeron aeron;
    private AgentInvoker invoker;
    private long publicationRegistration = -1;
    private long subscriptionRegistration = -1;
    private ExclusivePublication publication;
    private Subscription subscription;
    private Image image;
    private String responseHost;
    private int responseStreamId;
    private boolean handshakeSent;
    private int pendingEnd;
    private String failure;

    AeronTransport(final ClientContext ctx)
    {
        this.ctx = ctx;
        this.ingressChannel = ctx.url();
        this.ingressStreamId = ctx.aeronIngressStreamId();
        this.ipc = ChannelUri.parse(ingressChannel).isIpc();
        this.maxFrameLength = ctx.maxFrameLength();
        send = new UnsafeBuffer(org.agrona.BufferUtil.allocateDirectAligned(ctx.sendBufferBytes(), 64));
        fragments = new ImageFragmentAssembler(this::onFragment);
    }

    @Override
    public void connect() throws IOException
    {
        close();
        try
        {
            ensureAeron();
            responseStreamId = ipc ? ThreadLocalRandom.current().nextInt(0x1000_0000, 0x7fff_ffff) :
                ctx.aeronResponseStreamId();
            final String responseChannel;
            if (ipc)
            {
                responseChannel = "aeron:ipc";
            }
            else
            {
                responseHost = null != ctx.aeronResponseHost() ? ctx.aeronResponseHost() : localAddressTowards();
                responseChannel = "aeron:udp?endpoint=" + responseHost + ":" + ctx.aeronResponsePort();
            }
            subscriptionRegistration = aeron.asyncAddSubscription(responseChannel, responseStreamId);
            publicationRegistration = aeron.asyncAddExclusivePublication(ingressChannel, ingressStreamId);
        }
        catch (final IOException ex)
        {
            close();
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            close();
            throw new IOException(null != ex.getMessage() ? ex.getMessage() : ex.toString(), ex);
        }
    }

    private void ensureAeron() throws IOException
    {
        if (null != aeron && !aeron.isClosed())
        {
            return;
        }
        CloseHelper.quietClose(aeron);
        String directory = ctx.aeronDirectory();
        if (ctx.aeronEmbeddedDriver() && null == driver)
        {
            final File dir = null != directory ? new File(directory) :
                Files.createTempDirectory("junction-client-aeron-").toFile();
            try
            {
                driver = EmbeddedMediaDriver.launch(dir, ctx.aeronTermLength(), ctx.aeronBusyDriver(), false,
                    ctx.aeronReceiverWindow());
            }
            catch (final NoClassDefFoundError ex)
            {
                throw new IOException("an embedded Aeron media driver needs io.aeron:aeron-driver on the classpath " +
                    "(or use an external driver by its directory)", ex);
            }
        }
        if (null != driver)
        {
            directory = driver.directory();
        }
        final Aeron.Context context = new Aeron.Context()
            .useConductorAgentInvoker(true)
            .errorHandler((error) -> failure = "Aeron: " + error.getMessage());
        if (null != directory)
        {
            context.aeronDirectoryName(directory);
        }
        aeron = Aeron.connect(context);
        invoker = aeron.conductorAgentInvoker();
    }

    /**
     * The local address a datagram to the daemon leaves from (no packet is sent): the daemon's frames come back to
     * it, and the daemon accepts a response address only if it is the one the client's datagrams come from.
     */
    private String localAddressTowards() throws IOException
    {
        final String endpoint = ChannelUri.parse(ingressChannel).get("endpoint");
        if (null == endpoint || endpoint.lastIndexOf(':') < 1)
        {
            throw new IOException("the url names no endpoint=host:port: " + ingressChannel);
        }
        final int colon = endpoint.lastIndexOf(':');
        final String host = endpoint.substring(0, colon).replace("[", "").replace("]", "");
        final InetAddress daemon = InetAddress.getByName(host);
        final InetAddress local;
        if (daemon.isLoopbackAddress())
        {
            local = daemon;
        }
        else
        {
            try (DatagramChannel probe = DatagramChannel.open())
            {
                probe.connect(new InetSocketAddress(daemon, Integer.parseInt(endpoint.substring(colon + 1))));
                local = ((InetSocketAddress)probe.getLocalAddress()).getAddress();
            }
        }
        return local instanceof Inet6Address ? "[" + local.getHostAddress() + "]" : local.getHostAddress();
    }

    @Override
    public boolean finishConnect() throws IOException
    {
        invoke();
        try
        {
            if (null == subscription)
            {
                subscription = aeron.getSubscription(subscriptionRegistration);
            }
            if (null == publication)
            {
                publication = aeron.getExclusivePublication(publicationRegistration);
            }
        }
        catch (final RuntimeException ex)
        {
            throw new IOException(ex.getMessage(), ex);
        }
        if (null == subscription || null == publication || !publication.isConnected())
        {
            return false;
        }
        if (!handshakeSent)
        {
            final String channel;
            if (ipc)
            {
                channel = "aeron:ipc";
            }
            else
            {
                final String resolved = subscription.resolvedEndpoint();
                if (null == resolved)
                {
                    return false;
                }
                channel = "aeron:udp?endpoint=" + responseHost + resolved.substring(resolved.lastIndexOf(':'));
            }
            final int length = AeronHandshake.encode(send, 0, responseStreamId, channel);
            final long result = publication.offer(send, 0, length);
            if (result < 0)
            {
                checkFatal(result);
                return false;
            }
            handshakeSent = true;
        }
        if (subscription.imageCount() == 0)
        {
            return false; // The daemon has not connected its publication back to us yet.
        }
        image = subscription.imageAtIndex(0);
        return true;
    }

    @Override
    public int claim(final int length)
    {
        final int needed = ProtocolFrames.LENGTH_PREFIX + length;
        if (send.capacity() - pendingEnd < needed)
        {
            return -1;
        }
        return pendingEnd + ProtocolFrames.LENGTH_PREFIX;
    }

    @Override
    public MutableDirectBuffer buffer()
    {
        return send;
    }

    @Override
    public void commit(final int offset, final int length)
    {
        // The frame stays where it is until the next claim (the client copies guaranteed frames from there).
        if (0 == pendingEnd && null == failure && null != publication && sendNow(offset, length))
        {
            return;
        }
        ProtocolFrames.frameLength(send, offset - ProtocolFrames.LENGTH_PREFIX, length);
        pendingEnd = offset + length;
    }

    private boolean sendNow(final int offset, final int length)
    {
        final long result;
        if (length <= publication.maxPayloadLength())
        {
            result = publication.tryClaim(length, bufferClaim);
            if (result > 0)
            {
                bufferClaim.buffer().putBytes(bufferClaim.offset(), send, offset, length);
                bufferClaim.commit();
                return true;
            }
        }
        else
        {
            result = publication.offer(send, offset, length);
            if (result > 0)
            {
                return true;
            }
        }
        checkFatal(result);
        return false;
    }

    private void checkFatal(final long result)
    {
        if (Publication.NOT_CONNECTED == result)
        {
            failure = "the daemon's ingress at " + ingressChannel + " is no longer connected";
        }
        else if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
        {
            failure = "the publication to " + ingressChannel + " is closed (" + result + ")";
        }
        // BACK_PRESSURED and ADMIN_ACTION: try again later.
    }

    @Override
    public int pendingBytes()
    {
        return pendingEnd;
    }

    @Override
    public int flush() throws IOException
    {
        if (null != failure)
        {
            throw new IOException(failure);
        }
        if (0 == pendingEnd || null == publication)
        {
            return 0;
        }
        int position = 0;
        while (position < pendingEnd)
        {
            final int length = ProtocolFrames.frameLength(send, position);
            if (!sendNow(position + ProtocolFrames.LENGTH_PREFIX, length))
            {
                break;
            }
            position += ProtocolFrames.LENGTH_PREFIX + length;
        }
        if (position > 0)
        {
            send.putBytes(0, send, position, pendingEnd - position);
            pendingEnd -= position;
        }
        if (null != failure)
        {
            throw new IOException(failure);
        }
        return position;
    }

    @Override
    public int poll(final FrameSink sink) throws IOException
    {
        invoke();
        if (null != failure)
        {
            throw new IOException(failure);
        }
        if (null == image)
        {
            return 0;
        }
        if (image.isClosed())
        {
            throw new IOException("lost the daemon's publication back to this client (" + describe() + ")");
        }
        if (!publication.isConnected())
        {
            throw new IOException("the daemon's ingress at " + ingressChannel + " is no longer connected");
        }
        this.sink = sink;
        return image.poll(fragments, FRAGMENT_LIMIT);
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < ProtocolFrames.HEADER_LENGTH || length > maxFrameLength)
        {
            failure = "bad frame length " + length + " from the daemon at " + describe() + " (the maximum is " +
                maxFrameLength + ")";
            return;
        }
        if (null == failure)
        {
            sink.onFrame(buffer, offset, length);
        }
    }

    private void invoke() throws IOException
    {
        if (null == aeron || aeron.isClosed())
        {
            throw new IOException("the Aeron client is closed" + (null != failure ? ": " + failure : ""));
        }
        invoker.invoke();
    }

    @Override
    public String describe()
    {
        return ingressChannel;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(publication, subscription);
        if (null != aeron && !aeron.isClosed())
        {
            if (null == publication && publicationRegistration >= 0)
            {
                aeron.asyncRemovePublication(publicationRegistration);
            }
            if (null == subscription && subscriptionRegistration >= 0)
            {
                aeron.asyncRemoveSubscription(subscriptionRegistration);
            }
        }
        publication = null;
        subscription = null;
        image = null;
        publicationRegistration = -1;
        subscriptionRegistration = -1;
        handshakeSent = false;
        pendingEnd = 0;
        failure = null;
    }

    @Override
    public void release()
    {
        close();
        CloseHelper.quietClose(aeron);
        aeron = null;
        CloseHelper.quietClose(driver);
        driver = null;
    }
}
