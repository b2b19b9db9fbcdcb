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

    private static final AtomicInteger DEFAULT_INSTANCES = new AtomicInteger();

    private String url = DEFAULT_URL;
    private String host;
    private int port;
    private String instance;
    private String user = "";
    private byte[] password;
    private byte[] token;
    private long connectTimeoutNs = DEFAULT_CONNECT_TIMEOUT_NS;
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
    private boolean concluded;

    /**
     * @param url {@code tcp://host:port} (the daemon's {@code listen.host}:{@code listen.port}).
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
        final URI uri;
        try
        {
            uri = new URI(url);
        }
        catch (final java.net.URISyntaxException ex)
        {
            throw new IllegalArgumentException("url is not tcp://host:port: " + url);
        }
        if (!"tcp".equals(uri.getScheme()) || null == uri.getHost() || uri.getPort() < 1)
        {
            throw new IllegalArgumentException("url is not tcp://host:port: " + url +
                (null != uri.getScheme() && !"tcp".equals(uri.getScheme()) ? " (transport '" + uri.getScheme() +
                "' is not available; tcp is)" : ""));
        }
        host = uri.getHost();
        port = uri.getPort();
    }

    private static void positive(final String name, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }
}
