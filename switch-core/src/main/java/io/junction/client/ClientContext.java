package io.junction.client;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a {@link JunctionClient} connects: fluent setters with defaults; {@link #conclude()} checks them once.
 * <p>
 * The publisher sequence: every publish carries the next number of one increasing stream, and a guaranteed
 * publish's number is its idempotency key in the daemon (with the connection's {@code principal/instance}), so a
 * resend after a reconnect is journaled once. So that it never goes back across a restart of the application under
 * the same {@link #instance} name, the stream starts by default at the wall clock's epoch microsecond when the
 * context is concluded: a new process starts above any number an earlier one used, unless that one published more
 * than a million messages per second on average since it started (then give {@link #initialPublisherSequence}
 * from the application's own record).
 */
public final class ClientContext
{
    public static final String DEFAULT_URL = "tcp://127.0.0.1:7420";
    public static final long DEFAULT_CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** How long a closing queue-group member goes on taking messages while it waits for UNSUBSCRIBED. */
    public static final long DEFAULT_LEAVE_DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    /** How long {@link JunctionClient#close()} waits for the daemon to answer its UNSUBSCRIBEs. */
    public static final long DEFAULT_CLOSE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
    public static final long DEFAULT_EXPRESS_POLL_INTERVAL_NS = TimeUnit.MICROSECONDS.toNanos(20);
    public static final long DEFAULT_HEARTBEAT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    public static final int DEFAULT_MAX_PINGS_OUT = 3;
    public static final long DEFAULT_RECONNECT_MIN_NS = TimeUnit.MILLISECONDS.toNanos(50);
    public static final long DEFAULT_RECONNECT_MAX_NS = TimeUnit.SECONDS.toNanos(5);
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    public static final int DEFAULT_MAX_OUTSTANDING_REQUESTS = 1024;
    public static final int DEFAULT_IN_FLIGHT_BUFFER_BYTES = 4 << 20;
    public static final long DEFAULT_OUTCOME_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    public static final int DEFAULT_SEND_BUFFER_BYTES = 256 << 10;
    public static final int DEFAULT_MAX_FRAME_LENGTH = 16 << 20;
    /** The daemon's {@code aeron.ingress-stream-id} default. */
    public static final int DEFAULT_AERON_INGRESS_STREAM_ID = 1101;
    public static final int DEFAULT_AERON_RECEIVER_WINDOW = 512 << 10;
    /** The stream the daemon answers a UDP client on (an IPC client picks a random one of its own). */
    public static final int DEFAULT_AERON_RESPONSE_STREAM_ID = 1102;

    private static final AtomicInteger DEFAULT_INSTANCES = new AtomicInteger();

    private String url = DEFAULT_URL;
    private String host;
    private int port;
    private String instance;
    private String user = "";
    private byte[] password;
    private byte[] token;
    private long connectTimeoutNs = DEFAULT_CONNECT_TIMEOUT_NS;
    private long leaveDrainTimeoutNs = DEFAULT_LEAVE_DRAIN_TIMEOUT_NS;
    private long closeTimeoutNs = DEFAULT_CLOSE_TIMEOUT_NS;
    private long expressPollIntervalNs = DEFAULT_EXPRESS_POLL_INTERVAL_NS;
    private long heartbeatIntervalNs = DEFAULT_HEARTBEAT_INTERVAL_NS;
    private int maxPingsOut = DEFAULT_MAX_PINGS_OUT;
    private long reconnectMinNs = DEFAULT_RECONNECT_MIN_NS;
    private long reconnectMaxNs = DEFAULT_RECONNECT_MAX_NS;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private int maxOutstandingRequests = DEFAULT_MAX_OUTSTANDING_REQUESTS;
    private int inFlightBufferBytes = DEFAULT_IN_FLIGHT_BUFFER_BYTES;
    private long outcomeTimeoutNs = DEFAULT_OUTCOME_TIMEOUT_NS;
    private int sendBufferBytes = DEFAULT_SEND_BUFFER_BYTES;
    private int maxFrameLength = DEFAULT_MAX_FRAME_LENGTH;
    private long initialPublisherSequence;
    private boolean reconnect = true;
    private ConnectionListener connectionListener = ConnectionListener.NO_OP;
    private PublishOutcomeListener outcomeListener = PublishOutcomeListener.NO_OP;
    private RefusalListener refusalListener = RefusalListener.NO_OP;
    private int aeronIngressStreamId = DEFAULT_AERON_INGRESS_STREAM_ID;
    private int aeronResponseStreamId = DEFAULT_AERON_RESPONSE_STREAM_ID;
    private String aeronDirectory;
    private boolean aeronEmbeddedDriver;
    private int aeronTermLength = 1 << 20;
    private int aeronReceiverWindow = DEFAULT_AERON_RECEIVER_WINDOW;
    private boolean aeronBusyDriver;
    private String aeronResponseHost;
    private int aeronResponsePort;
    private boolean aeron;
    private boolean concluded;
    private ClientTls tls;
    private boolean secure;
    private javax.net.ssl.SSLContext tlsContext;

    /**
     * @param url {@code tcp://host:port} (the daemon's {@code listen.host}:{@code listen.port}), {@code
     *            aeron:udp?endpoint=host:port} (the daemon's {@code aeron.ingress-endpoint}; other Aeron channel
     *            parameters such as {@code term-length} may follow) or {@code aeron:ipc} (a daemon on this host
     *            sharing this client's media driver).
     */
    public ClientContext url(final String url)
    {
        this.url = Objects.requireNonNull(url, "url");
        return this;
    }

    public String url()
    {
        return url;
    }

    /**
     * TLS options for a {@code tls://} url (default for one: trust what the JDK trusts, show no certificate).
     */
    public ClientContext tls(final ClientTls tls)
    {
        this.tls = Objects.requireNonNull(tls, "tls");
        return this;
    }

    public ClientTls tls()
    {
        return tls;
    }

    /** @return TLS for the connection once concluded, or null for a {@code tcp://} url. */
    javax.net.ssl.SSLContext tlsContext()
    {
        return tlsContext;
    }

    /** @return true when the HELLO authenticates with this client's TLS certificate. */
    boolean clientCertificate()
    {
        return secure && null != tls && tls.hasClientCertificate();
    }

    /**
     * @return true for an {@code aeron:} url.
     */
    public boolean isAeron()
    {
        return aeron;
    }

    /**
     * @param directory the directory of the Aeron media driver to use (its {@code aeron.dir}); default: Aeron's
     *                  default directory ({@code /dev/shm/aeron-<user>} on Linux), or, with {@link
     *                  #aeronEmbeddedDriver}, a new temporary directory.
     */
    public ClientContext aeronDirectory(final String directory)
    {
        this.aeronDirectory = directory;
        return this;
    }

    public String aeronDirectory()
    {
        return aeronDirectory;
    }

    /**
     * @param embedded true: launch a media driver inside this process (needs {@code io.aeron:aeron-driver} on the
     *                 classpath; one shared thread that sleeps when idle), closed with the client; false (the
     *                 default): use a running driver at {@link #aeronDirectory}. Over {@code aeron:ipc} the
     *                 client must share the daemon's driver, so embedded makes sense only for UDP.
     */
    public ClientContext aeronEmbeddedDriver(final boolean embedded)
    {
        this.aeronEmbeddedDriver = embedded;
        return this;
    }

    public boolean aeronEmbeddedDriver()
    {
        return aeronEmbeddedDriver;
    }

    /**
     * @param length the term length of the embedded driver's publications (a power of two, 64 KiB to 1 GiB).
     */
    public ClientContext aeronTermLength(final int length)
    {
        this.aeronTermLength = length;
        return this;
    }

    public int aeronTermLength()
    {
        return aeronTermLength;
    }

    /**
     * @param bytes the embedded driver's receiver window and UDP socket buffers: how much the daemon may send to this
     *              client ahead of its driver's acknowledgement (at least 64 KiB, capped at half a term; default 512 KiB, as the
     *              daemon's {@code aeron.receiver-window}).
     */
    public ClientContext aeronReceiverWindow(final int bytes)
    {
        this.aeronReceiverWindow = bytes;
        return this;
    }

    public int aeronReceiverWindow()
    {
        return aeronReceiverWindow;
    }

    /**
     * @param busy true: the embedded driver backs off only to 100 µs parks (lower latency, a busier core); false (the
     *             default): to 1 ms, as the daemon's {@code aeron.driver-idle = sleeping}.
     */
    public ClientContext aeronBusyDriver(final boolean busy)
    {
        this.aeronBusyDriver = busy;
        return this;
    }

    public boolean aeronBusyDriver()
    {
        return aeronBusyDriver;
    }

    /**
     * @param streamId the daemon's ingress stream id ({@code aeron.ingress-stream-id}).
     */
    public ClientContext aeronIngressStreamId(final int streamId)
    {
        this.aeronIngressStreamId = streamId;
        return this;
    }

    public int aeronIngressStreamId()
    {
        return aeronIngressStreamId;
    }

    /**
     * @param streamId the stream a UDP client receives the daemon's frames on.
     */
    public ClientContext aeronResponseStreamId(final int streamId)
    {
        this.aeronResponseStreamId = streamId;
        return this;
    }

    public int aeronResponseStreamId()
    {
        return aeronResponseStreamId;
    }

    /**
     * Where a UDP client receives the daemon's frames. The daemon sends only to the address the client's datagrams
     * come from, so the host must be that address (the default: the local address that routes to the daemon).
     *
     * @param host the local address; null: the default.
     * @param port the local UDP port; 0 (the default): an ephemeral one.
     */
    public ClientContext aeronResponseEndpoint(final String host, final int port)
    {
        this.aeronResponseHost = host;
        this.aeronResponsePort = port;
        return this;
    }

    public String aeronResponseHost()
    {
        return aeronResponseHost;
    }

    public int aeronResponsePort()
    {
        return aeronResponsePort;
    }

    public String host()
    {
        return host;
    }

    public int port()
    {
        return port;
    }

    /**
     * @param instance the name of this publisher stream, stable across restarts of the application (printable
     *                 ASCII, no spaces); the daemon's publisher is {@code principal/instance}, held by one
     *                 connection at a time (a second client with the same name takes it over). Default:
     *                 {@code client-<pid>-<n>}, one per client, stable across its reconnects only.
     */
    public ClientContext instance(final String instance)
    {
        this.instance = instance;
        return this;
    }

    public String instance()
    {
        return instance;
    }

    /**
     * Authenticate with a user name and password (the daemon's {@code security.users}).
     */
    public ClientContext credentials(final String user, final char[] password)
    {
        this.user = Objects.requireNonNull(user, "user");
        this.password = new String(password).getBytes(StandardCharsets.UTF_8);
        this.token = null;
        return this;
    }

    /**
     * Authenticate with a token (the daemon's {@code security.tokens}).
     */
    public ClientContext token(final byte[] token)
    {
        this.token = token.clone();
        this.password = null;
        this.user = "";
        return this;
    }

    String user()
    {
        return user;
    }

    byte[] password()
    {
        return password;
    }

    byte[] token()
    {
        return token;
    }

    /**
     * @param timeoutNs for the TCP connect and then for WELCOME.
     */
    public ClientContext connectTimeoutNs(final long timeoutNs)
    {
        this.connectTimeoutNs = timeoutNs;
        return this;
    }

    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * @param timeoutNs how long a queue-group member that was closed goes on handing its handler what the daemon
     *                  had already given it, waiting for UNSUBSCRIBED (which follows the last of it); what comes
     *                  after that is discarded and counted ({@link ClientStatistics#leavesTimedOut()}).
     */
    public ClientContext leaveDrainTimeoutNs(final long timeoutNs)
    {
        this.leaveDrainTimeoutNs = timeoutNs;
        return this;
    }

    public long leaveDrainTimeoutNs()
    {
        return leaveDrainTimeoutNs;
    }

    /**
     * @param intervalNs how long the handlers of {@link ClientSubscriptionOptions#expressCritical} subscriptions may
     *                   take the messages below CRITICAL the client holds for them before it reads the connection
     *                   again (at least one message between two reads): how long, beyond its own handling, a
     *                   CRITICAL message that arrives meanwhile may wait. Each read costs a system call over TCP.
     *                   {@code > 0}; 20 µs by default.
     */
    public ClientContext expressPollIntervalNs(final long intervalNs)
    {
        this.expressPollIntervalNs = intervalNs;
        return this;
    }

    public long expressPollIntervalNs()
    {
        return expressPollIntervalNs;
    }

    /**
     * @param timeoutNs how long {@link JunctionClient#close()} waits, at most, for the daemon to answer the
     *                  UNSUBSCRIBE of every open subscription (a durable name and a queue-group place are then free
     *                  at once, even over Aeron, where the daemon would otherwise notice the close only when the
     *                  client's image goes) and the outcomes of guaranteed publishes still in flight; 0: close the
     *                  connection at once, as a crash would.
     */
    public ClientContext closeTimeoutNs(final long timeoutNs)
    {
        this.closeTimeoutNs = timeoutNs;
        return this;
    }

    public long closeTimeoutNs()
    {
        return closeTimeoutNs;
    }

    /**
     * @param intervalNs the PING interval asked of the daemon and kept by the client; the link is given up after
     *                   {@link #maxPingsOut} intervals without a frame.
     */
    public ClientContext heartbeatIntervalNs(final long intervalNs)
    {
        this.heartbeatIntervalNs = intervalNs;
        return this;
    }

    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    public ClientContext maxPingsOut(final int maxPingsOut)
    {
        this.maxPingsOut = maxPingsOut;
        return this;
    }

    public int maxPingsOut()
    {
        return maxPingsOut;
    }

    /**
     * The wait before a reconnect: {@code minNs} after the first failure, doubling to {@code maxNs}.
     */
    public ClientContext reconnectBackoff(final long minNs, final long maxNs)
    {
        this.reconnectMinNs = minNs;
        this.reconnectMaxNs = maxNs;
        return this;
    }

    public long reconnectMinNs()
    {
        return reconnectMinNs;
    }

    public long reconnectMaxNs()
    {
        return reconnectMaxNs;
    }

    /**
     * @param reconnect false: a lost connection is not re-established (the client stays DISCONNECTED).
     */
    public ClientContext reconnect(final boolean reconnect)
    {
        this.reconnect = reconnect;
        return this;
    }

    public boolean reconnect()
    {
        return reconnect;
    }

    /**
     * @param maxOutstandingRequests requests awaiting their reply at once (a table of this size is made with the
     *                               client); beyond it a request is refused {@link ClientResult#TOO_MANY_REQUESTS}
     *                               and counted ({@link ClientStatistics#requestsRefused()}).
     */
    public ClientContext maxOutstandingRequests(final int maxOutstandingRequests)
    {
        this.maxOutstandingRequests = maxOutstandingRequests;
        return this;
    }

    public int maxOutstandingRequests()
    {
        return maxOutstandingRequests;
    }

    /**
     * @param maxInFlight the in-flight window: a guaranteed offer is refused {@link ClientResult#IN_FLIGHT_FULL}
     *                    when this many publisher sequences have passed since the oldest guaranteed publish still
     *                    awaiting its outcome. At most the daemon's deduplication window ({@code
     *                    journal.deduplication-window}, 4096 by default), so that a resend is always recognised.
     */
    public ClientContext maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }

    /**
     * @param bytes the store of unacknowledged guaranteed frames kept for resending; beyond it an offer is refused
     *              {@link ClientResult#IN_FLIGHT_BUFFER_FULL}.
     */
    public ClientContext inFlightBufferBytes(final int bytes)
    {
        this.inFlightBufferBytes = bytes;
        return this;
    }

    public int inFlightBufferBytes()
    {
        return inFlightBufferBytes;
    }

    /**
     * @param timeoutNs a guaranteed publish with no outcome this long after its offer (connected or not) is
     *                  reported {@link PublishOutcome#TIMED_OUT} and no longer resent; 0: never.
     */
    public ClientContext outcomeTimeoutNs(final long timeoutNs)
    {
        this.outcomeTimeoutNs = timeoutNs;
        return this;
    }

    public long outcomeTimeoutNs()
    {
        return outcomeTimeoutNs;
    }

    /**
     * @param bytes frames buffered for the socket; an offer that does not fit is {@link ClientResult#BACK_PRESSURED}.
     */
    public ClientContext sendBufferBytes(final int bytes)
    {
        this.sendBufferBytes = bytes;
        return this;
    }

    public int sendBufferBytes()
    {
        return sendBufferBytes;
    }

    /**
     * @param length the longest frame accepted from the daemon.
     */
    public ClientContext maxFrameLength(final int length)
    {
        this.maxFrameLength = length;
        return this;
    }

    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * @param sequence the first publisher sequence ({@code >= 1}); 0 (the default): the epoch microsecond at
     *                 {@link #conclude()} (see the class comment).
     */
    public ClientContext initialPublisherSequence(final long sequence)
    {
        this.initialPublisherSequence = sequence;
        return this;
    }

    public long initialPublisherSequence()
    {
        return initialPublisherSequence;
    }

    public ClientContext connectionListener(final ConnectionListener listener)
    {
        this.connectionListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    public ConnectionListener connectionListener()
    {
        return connectionListener;
    }

    public ClientContext outcomeListener(final PublishOutcomeListener listener)
    {
        this.outcomeListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    public PublishOutcomeListener outcomeListener()
    {
        return outcomeListener;
    }

    /**
     * @param listener told of best-effort publishes the daemon refused, a run at a time.
     */
    public ClientContext refusalListener(final RefusalListener listener)
    {
        this.refusalListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    public RefusalListener refusalListener()
    {
        return refusalListener;
    }

    /**
     * Check the settings and fill the defaults (once).
     *
     * @throws IllegalArgumentException naming the setting that is wrong.
     */
    public ClientContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        parseUrl();
        if (!secure && null != tls)
        {
            throw new IllegalArgumentException("TLS options need a tls://host:port url: " + url);
        }
        if (secure)
        {
            tlsContext = (null == tls ? new ClientTls() : tls).context();
        }
        if (null == instance || instance.isEmpty())
        {
            // One stream per client: the daemon lets one connection at a time hold a principal/instance.
            instance = "client-" + ProcessHandle.current().pid() + "-" + DEFAULT_INSTANCES.incrementAndGet();
        }
        for (int i = 0; i < instance.length(); i++)
        {
            final char c = instance.charAt(i);
            if (c <= ' ' || c > '~' || c == '/')
            {
                throw new IllegalArgumentException("instance must be printable ASCII without spaces or '/': " +
                    instance);
            }
        }
        positive("connectTimeoutNs", connectTimeoutNs);
        positive("leaveDrainTimeoutNs", leaveDrainTimeoutNs);
        positive("expressPollIntervalNs", expressPollIntervalNs);
        if (closeTimeoutNs < 0)
        {
            throw new IllegalArgumentException("closeTimeoutNs must be >= 0 (0: close at once): " + closeTimeoutNs);
        }
        positive("heartbeatIntervalNs", heartbeatIntervalNs);
        positive("maxPingsOut", maxPingsOut);
        positive("reconnectMinNs", reconnectMinNs);
        if (reconnectMaxNs < reconnectMinNs)
        {
            throw new IllegalArgumentException("reconnect backoff max must be >= min: " + reconnectMaxNs + " < " +
                reconnectMinNs);
        }
        if (maxInFlight < 1 || maxInFlight > 1 << 24)
        {
            throw new IllegalArgumentException("maxInFlight must be in [1, 2^24]: " + maxInFlight);
        }
        positive("inFlightBufferBytes", inFlightBufferBytes);
        if (maxOutstandingRequests < 1 || maxOutstandingRequests > 1 << 20)
        {
            throw new IllegalArgumentException("maxOutstandingRequests must be in [1, 2^20]: " +
                maxOutstandingRequests);
        }
        if (outcomeTimeoutNs < 0)
        {
            throw new IllegalArgumentException("outcomeTimeoutNs must be >= 0: " + outcomeTimeoutNs);
        }
        if (sendBufferBytes < 64 << 10)
        {
            throw new IllegalArgumentException("sendBufferBytes must be >= 64k: " + sendBufferBytes);
        }
        positive("maxFrameLength", maxFrameLength);
        if (initialPublisherSequence < 0)
        {
            throw new IllegalArgumentException("initialPublisherSequence must be >= 1 (0: from the clock): " +
                initialPublisherSequence);
        }
        if (0 == initialPublisherSequence)
        {
            initialPublisherSequence = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
        }
        concluded = true;
        return this;
    }

    private void parseUrl()
    {
        if (url.startsWith("aeron:"))
        {
            parseAeronUrl();
            return;
        }
        final URI uri;
        try
        {
            uri = new URI(url);
        }
        catch (final java.net.URISyntaxException ex)
        {
            throw new IllegalArgumentException("url is not tcp://host:port, tls://host:port, " +
                "aeron:udp?endpoint=host:port or aeron:ipc: " + url);
        }
        secure = "tls".equals(uri.getScheme());
        if (!("tcp".equals(uri.getScheme()) || secure) || null == uri.getHost() || uri.getPort() < 1)
        {
            throw new IllegalArgumentException("url is not tcp://host:port, tls://host:port, " +
                "aeron:udp?endpoint=host:port or aeron:ipc: " + url);
        }
        host = uri.getHost();
        port = uri.getPort();
    }

    private void parseAeronUrl()
    {
        final io.aeron.ChannelUri channel;
        try
        {
            channel = io.aeron.ChannelUri.parse(url);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("url is not an Aeron channel (aeron:udp?endpoint=host:port or " +
                "aeron:ipc): " + url + ": " + ex.getMessage());
        }
        if (channel.isUdp())
        {
            final String endpoint = channel.get("endpoint");
            final int colon = null == endpoint ? -1 : endpoint.lastIndexOf(':');
            int endpointPort = -1;
            if (colon > 0)
            {
                try
                {
                    endpointPort = Integer.parseInt(endpoint.substring(colon + 1));
                }
                catch (final NumberFormatException ex)
                {
                    endpointPort = -1;
                }
            }
            if (endpointPort < 1 || endpointPort > 65535)
            {
                throw new IllegalArgumentException("an aeron:udp url needs endpoint=host:port (the daemon's " +
                    "aeron.ingress-endpoint): " + url);
            }
            host = endpoint.substring(0, colon);
            port = endpointPort;
        }
        else if (!channel.isIpc())
        {
            throw new IllegalArgumentException("an Aeron url is aeron:udp?endpoint=host:port or aeron:ipc: " + url);
        }
        if (Integer.bitCount(aeronTermLength) != 1 || aeronTermLength < 64 << 10 || aeronTermLength > 1 << 30)
        {
            throw new IllegalArgumentException("aeronTermLength must be a power of two in [64k, 1g]: " +
                aeronTermLength);
        }
        if (aeronReceiverWindow < 64 << 10)
        {
            throw new IllegalArgumentException("aeronReceiverWindow must be at least 64k: " + aeronReceiverWindow);
        }
        if (aeronResponsePort < 0 || aeronResponsePort > 65535)
        {
            throw new IllegalArgumentException("aeron response port must be in [0, 65535]: " + aeronResponsePort);
        }
        aeron = true;
    }

    private static void positive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }
}
