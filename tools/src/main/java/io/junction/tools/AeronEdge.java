package io.junction.tools;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Map;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.junction.protocol.AeronHandshake;

/**
 * The daemon's Aeron edge, on one {@link IoAgent}'s duty cycle: the ingress subscriptions (UDP, IPC), one
 * {@link AeronSession} per client image, and for each a {@link ProtocolConnection}, the same session logic as
 * TCP's, over it. A client's first message names where to answer ({@link AeronHandshake}); over UDP only the address
 * its datagrams come from is accepted, so the daemon cannot be made to send to a third party. The connection exists
 * once the egress publication reached the client; until then nothing is read from it, and a client that gets
 * there in no {@code network.hello-timeout} is dropped. Sessions count against {@code network.max-connections} as
 * TCP connections do. Nothing here blocks: Aeron's conductor runs on this duty cycle (an agent invoker), as does
 * the embedded driver with {@code aeron.threading-mode = invoker}, and publications are added asynchronously.
 */
final class AeronEdge implements AutoCloseable
{
    public static final int SESSIONS_TYPE_ID = 1380;
    public static final int SESSIONS_OPENED_TYPE_ID = 1381;
    public static final int HANDSHAKES_REFUSED_TYPE_ID = 1382;
    public static final int SESSIONS_TIMED_OUT_TYPE_ID = 1383;
    public static final int SESSIONS_LOST_TYPE_ID = 1384;
    public static final int EGRESS_BACK_PRESSURED_TYPE_ID = 1385;
    public static final int INBOX_FULL_TYPE_ID = 1386;
    public static final int SESSIONS_REFUSED_TYPE_ID = 1387;

    private static final int FRAGMENT_LIMIT = 256;
    /** The most duty cycles of an invoked driver per cycle of the agent (a bound, so the agent's sockets wait little). */
    private static final int DRIVER_CYCLES = 16;
    /**
     * How long after the last Aeron message in (or a session's work) the edge counts as active ({@code
     * aeron.active-poll}): a stream of 500 messages a second or more stays active, a lone message keeps the agent
     * polling briefly.
     */
    static final long ACTIVE_WINDOW_NS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2);

    /**
     * The edge's counters (also used by its sessions).
     */
    static final class Counters implements AutoCloseable
    {
        final AtomicCounter sessions;
        final AtomicCounter opened;
        final AtomicCounter handshakesRefused;
        final AtomicCounter timedOut;
        final AtomicCounter lost;
        final AtomicCounter egressBackPressured;
        final AtomicCounter inboxFull;
        final AtomicCounter refused;

        Counters(final CountersManager manager)
        {
            sessions = manager.newCounter("aeron sessions", SESSIONS_TYPE_ID);
            opened = manager.newCounter("aeron sessions opened", SESSIONS_OPENED_TYPE_ID);
            handshakesRefused = manager.newCounter("aeron handshakes refused", HANDSHAKES_REFUSED_TYPE_ID);
            timedOut = manager.newCounter("aeron sessions timed out connecting", SESSIONS_TIMED_OUT_TYPE_ID);
            lost = manager.newCounter("aeron sessions lost", SESSIONS_LOST_TYPE_ID);
            egressBackPressured = manager.newCounter("aeron egress back-pressured", EGRESS_BACK_PRESSURED_TYPE_ID);
            inboxFull = manager.newCounter("aeron inbox full", INBOX_FULL_TYPE_ID);
            refused = manager.newCounter("aeron sessions refused: too many connections", SESSIONS_REFUSED_TYPE_ID);
        }

        @Override
        public void close()
        {
            CloseHelper.quietCloseAll(sessions, opened, handshakesRefused, timedOut, lost, egressBackPressured,
                inboxFull, refused);
        }
    }

    private final ProtocolServer server;
    private final Aeron aeron;
    private final AgentInvoker invoker;
    /** The embedded driver's duty cycle when it has no thread of its own, else null. */
    private final AgentInvoker driverInvoker;
    private final Counters counters;
    private final long connectTimeoutNs;
    private final long idlePollNs;
    private final long activePollNs;
    private long lastTrafficNs;
    private final Subscription[] ingress;
    private final ControlledFragmentAssembler[] assemblers;
    private final Long2ObjectHashMap<AeronSession> sessions = new Long2ObjectHashMap<>();
    private final ArrayList<AeronSession> list = new ArrayList<>();
    private IoAgent agent;
    private long nowNs;

    AeronEdge(final ProtocolServer server, final AeronMedia media, final AeronConfig config, final Counters counters)
    {
        this.server = server;
        this.aeron = media.aeron();
        this.invoker = aeron.conductorAgentInvoker();
        this.driverInvoker = media.driverInvoker();
        this.counters = counters;
        this.connectTimeoutNs = server.network().helloTimeout().toNanos();
        this.idlePollNs = config.idlePollNs();
        this.activePollNs = config.activePollNs();
        this.lastTrafficNs = System.nanoTime() - ACTIVE_WINDOW_NS; // quiet until the first message
        final ArrayList<String> channels = new ArrayList<>();
        if (!config.ingressEndpoint().isEmpty())
        {
            channels.add("aeron:udp?endpoint=" + config.ingressEndpoint());
        }
        if (config.ipc())
        {
            channels.add("aeron:ipc");
        }
        ingress = new Subscription[channels.size()];
        assemblers = new ControlledFragmentAssembler[channels.size()];
        try
        {
            for (int i = 0; i < ingress.length; i++)
            {
                final int index = i;
                // Added before the agent runs (a blocking add, once, at start): its images come to the agent.
                ingress[i] = aeron.addSubscription(channels.get(i), config.ingressStreamId(),
                    (image) -> onImage(index, image), (image) -> onImageGone(index, image));
                assemblers[i] = new ControlledFragmentAssembler(
                    (buffer, offset, length, header) -> onFragment(index, buffer, offset, length, header));
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(ingress);
            throw ex;
        }
    }

    /**
     * @return the ingress channels served, for the log.
     */
    String describe()
    {
        final StringBuilder text = new StringBuilder();
        for (final Subscription subscription : ingress)
        {
            text.append(text.length() == 0 ? "" : ", ").append(subscription.channel()).append(" stream ")
                .append(subscription.streamId());
        }
        return text.toString();
    }

    /**
     * @return the bound UDP port of the ingress, or -1 without UDP (for an ingress endpoint on port 0).
     */
    String resolvedUdpEndpoint()
    {
        for (final Subscription subscription : ingress)
        {
            if (subscription.channel().startsWith("aeron:udp"))
            {
                return subscription.resolvedEndpoint();
            }
        }
        return null;
    }

    /**
     * @return the longest its agent may idle without polling the ingress: {@code aeron.active-poll} while messages
     * flow, else {@code aeron.idle-poll}.
     */
    long idlePollNs(final long nowNs)
    {
        return nowNs - lastTrafficNs < ACTIVE_WINDOW_NS ? activePollNs : idlePollNs;
    }

    void agent(final IoAgent agent)
    {
        this.agent = agent;
    }

    /**
     * One duty cycle, on the agent's thread.
     */
    int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = null == driverInvoker ? 0 : invokeDriver();
        work += invoker.invoke();
        int traffic = 0;
        for (int i = 0; i < ingress.length; i++)
        {
            traffic += ingress[i].controlledPoll(assemblers[i], FRAGMENT_LIMIT);
        }
        for (int i = list.size() - 1; i >= 0; i--)
        {
            final AeronSession session = list.get(i);
            traffic += service(session, nowNs);
            if (session.isClosed() && (null == session.connection || !session.connection.isOpen()) &&
                session.isImageGone())
            {
                sessions.remove(session.key);
                final int last = list.size() - 1;
                list.set(i, list.get(last));
                list.remove(last);
            }
        }
        if (traffic > 0)
        {
            lastTrafficNs = nowNs;
        }
        return work + traffic;
    }

    /**
     * The driver first: the datagrams it takes are in the images this cycle polls, and it sends what the last cycle
     * wrote to the egress publications. Its receiver takes one datagram per socket per duty cycle, so it runs again
     * while it has work, up to {@link #DRIVER_CYCLES}: a datagram of one 1 KiB message would otherwise cost a whole
     * cycle of this agent.
     */
    private int invokeDriver()
    {
        int work = 0;
        for (int i = 0; i < DRIVER_CYCLES; i++)
        {
            final int cycle = driverInvoker.invoke();
            if (0 == cycle)
            {
                break;
            }
            work += cycle;
        }
        return work;
    }

    private int service(final AeronSession session, final long nowNs)
    {
        final ProtocolConnection connection = session.connection;
        if (null == connection)
        {
            return connecting(session, nowNs);
        }
        if (!connection.isOpen())
        {
            if (!session.released)
            {
                session.released = true;
                counters.sessions.decrement();
                session.close();
            }
            return 0;
        }
        if (session.isLost())
        {
            counters.lost.increment();
            connection.close(); // Closes the session (its channel) too.
            return 1;
        }
        int work = 0;
        if (session.hasBufferedInput())
        {
            work += connection.onReadable(nowNs);
        }
        if (connection.hasPendingOutput())
        {
            connection.onWritable(); // A back-pressured egress has no OP_WRITE to say when it has room.
            work++;
        }
        return work;
    }

    private int connecting(final AeronSession session, final long nowNs)
    {
        if (session.isClosed())
        {
            return 0;
        }
        if (session.isHandshaken() && null == session.egress())
        {
            try
            {
                session.egress(aeron.getExclusivePublication(session.publicationRegistration()));
            }
            catch (final RuntimeException ex)
            {
                counters.handshakesRefused.increment();
                server.onError(new IllegalStateException("the Aeron client " + session.remoteAddress() +
                    " named a response channel the driver refused: " + ex.getMessage(), ex));
                session.close();
                return 1;
            }
        }
        if (session.isEgressConnected())
        {
            if (!server.admitConnection())
            {
                counters.refused.increment();
                final byte[] frame = server.tooManyConnectionsFrame();
                session.egress().offer(new org.agrona.concurrent.UnsafeBuffer(frame), 4, frame.length - 4);
                session.close();
                return 1;
            }
            counters.opened.increment();
            counters.sessions.increment();
            session.connection = agent.adopt(session);
            return 1;
        }
        if (nowNs - session.openedNs > connectTimeoutNs)
        {
            counters.timedOut.increment();
            session.close(); // Its frames are discarded until the client gives the image up.
            return 1;
        }
        return 0;
    }

    private void onImage(final int index, final Image image)
    {
        final long key = key(index, image.sessionId());
        final AeronSession session = new AeronSession(key, image.sessionId(), remoteOf(image), nowNs, counters);
        final AeronSession previous = sessions.put(key, session);
        if (null != previous)
        {
            previous.onImageGone();
            list.remove(previous);
        }
        list.add(session);
    }

    private void onImageGone(final int index, final Image image)
    {
        final AeronSession session = sessions.get(key(index, image.sessionId()));
        if (null != session)
        {
            session.onImageGone();
        }
        assemblers[index].freeSessionBuffer(image.sessionId());
    }

    private ControlledFragmentHandler.Action onFragment(
        final int index, final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final AeronSession session = sessions.get(key(index, header.sessionId()));
        if (null == session)
        {
            return ControlledFragmentHandler.Action.CONTINUE;
        }
        if (session.isHandshaken() || session.isClosed())
        {
            return session.onFrame(buffer, offset, length);
        }
        handshake(index, session, buffer, offset, length);
        return ControlledFragmentHandler.Action.CONTINUE;
    }

    private void handshake(
        final int index, final AeronSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        final String problem;
        String channel = null;
        if (!AeronHandshake.isHandshake(buffer, offset, length))
        {
            problem = "its first message is not a Junction Aeron handshake";
        }
        else
        {
            channel = AeronHandshake.responseChannel(buffer, offset, length);
            problem = checkResponseChannel(channel, session.remoteAddress(), ingress[index].channel());
        }
        if (null != problem)
        {
            counters.handshakesRefused.increment();
            server.onError(new IllegalArgumentException("Aeron client " + session.remoteAddress() + " refused: " +
                problem));
            session.close();
            return;
        }
        session.handshaken(aeron.asyncAddExclusivePublication(channel, AeronHandshake.responseStreamId(buffer, offset)));
    }

    /**
     * @return why the response channel is refused, or null: {@code aeron:ipc} for an IPC client; for UDP exactly
     * {@code aeron:udp?endpoint=ip:port} with the address the client's datagrams come from.
     */
    static String checkResponseChannel(final String channel, final InetSocketAddress source, final String ingressChannel)
    {
        if (null == channel)
        {
            return "the response channel is not printable ASCII";
        }
        final boolean ipcIngress = ingressChannel.startsWith("aeron:ipc");
        final ChannelUri uri;
        try
        {
            uri = ChannelUri.parse(channel);
        }
        catch (final RuntimeException ex)
        {
            return "the response channel '" + channel + "' is not an Aeron channel";
        }
        if (ipcIngress)
        {
            return "aeron:ipc".equals(channel) ? null : "an IPC client must answer on aeron:ipc, not '" + channel + "'";
        }
        if (!uri.isUdp())
        {
            return "a UDP client must answer on aeron:udp?endpoint=ip:port, not '" + channel + "'";
        }
        final String endpoint = uri.get("endpoint");
        if (null == endpoint || !channel.equals("aeron:udp?endpoint=" + endpoint))
        {
            return "the response channel must be exactly aeron:udp?endpoint=ip:port, not '" + channel + "'";
        }
        final int colon = endpoint.lastIndexOf(':');
        final String host = colon > 0 ? endpoint.substring(0, colon).replace("[", "").replace("]", "") : "";
        if (!isAddressLiteral(host))
        {
            return "the response endpoint's host must be an IP address, not '" + host + "'";
        }
        try
        {
            final int port = Integer.parseInt(endpoint.substring(colon + 1));
            if (port < 1 || port > 65535)
            {
                return "the response port " + port + " is out of range";
            }
            if (null == source || !InetAddress.getByName(host).equals(source.getAddress()))
            {
                return "the response address " + host + " is not the address its datagrams come from (" +
                    (null == source ? "unknown" : source.getAddress().getHostAddress()) + ")";
            }
        }
        catch (final NumberFormatException | java.net.UnknownHostException ex)
        {
            return "the response endpoint '" + endpoint + "' is not ip:port";
        }
        return null;
    }

    private static boolean isAddressLiteral(final String host)
    {
        if (host.isEmpty())
        {
            return false;
        }
        if (host.indexOf(':') >= 0)
        {
            return true; // IPv6 literal: no name has a colon.
        }
        for (int i = 0; i < host.length(); i++)
        {
            final char c = host.charAt(i);
            if ((c < '0' || c > '9') && c != '.')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the client's address: the source of its datagrams over UDP, loopback over IPC (the same host).
     */
    private static InetSocketAddress remoteOf(final Image image)
    {
        final String identity = image.sourceIdentity();
        if (null == identity || identity.startsWith("aeron:ipc"))
        {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        }
        final String text = identity.startsWith("/") ? identity.substring(1) : identity;
        final int colon = text.lastIndexOf(':');
        try
        {
            final String host = text.substring(0, colon).replace("[", "").replace("]", "");
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(text.substring(colon + 1)));
        }
        catch (final RuntimeException | java.net.UnknownHostException ex)
        {
            return null;
        }
    }

    private static long key(final int index, final int sessionId)
    {
        return ((long)index << 32) | (sessionId & 0xFFFF_FFFFL);
    }

    int sessionCount()
    {
        return list.size();
    }

    /**
     * On the agent's thread, after its connections closed: the sessions still connecting, and the ingress.
     */
    @Override
    public void close()
    {
        for (final Map.Entry<Long, AeronSession> entry : sessions.entrySet())
        {
            entry.getValue().close();
        }
        sessions.clear();
        list.clear();
        CloseHelper.quietCloseAll(ingress);
    }
}
