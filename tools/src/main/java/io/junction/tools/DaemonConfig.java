package io.junction.tools;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;

import io.junction.Priority;
import io.junction.cluster.ClusterMembers;
import io.junction.RejectReason;
import io.junction.SlowSubscriberPolicy;
import io.junction.journal.FlushPolicy;
import io.junction.observe.Severity;
import io.junction.regulate.RegulationConfig;
import io.junction.regulate.Rule;
import io.junction.topic.Topics;

/**
 * The daemon's configuration: HOCON, every key defaulted by {@code daemon-defaults.conf}, checked in
 * full before anything starts. An unknown key or a bad value is a {@link ConfigException} naming it.
 */
public record DaemonConfig(
    String dir,
    String countersDir,
    int shards,
    int ringSize,
    int maxMessageLength,
    int countersCapacity,
    Duration shutdownTimeout,
    Duration observeInterval,
    boolean histogramLog,
    long shedBurstThreshold,
    String listenHost,
    int listenPort,
    Duration publishTimeout,
    SlowSubscriberPolicy subscriberPolicy,
    int subscriberOutboxCapacity,
    boolean httpEnabled,
    String httpHost,
    int httpPort,
    int demoRate,
    int demoSize,
    String webhook,
    List<AlarmSpec> alarms,
    JournalSpec journal,
    RegulationConfig regulation,
    boolean expressCritical,
    IdleChoice idleStrategy,
    ClusterSpec cluster,
    SecurityConfig security,
    String nodeName,
    int errorLogCapacity,
    WebhookDelivery webhookDelivery,
    HttpLimits httpLimits,
    NetworkSpec network)
{
    /**
     * Bounds of the HTTP endpoint: a small fixed pool of workers, a bounded queue of requests waiting for one
     * (beyond it a request is refused and counted), and how long one request may take to arrive or be answered.
     */
    public record HttpLimits(int threads, int maxQueued, Duration requestTimeout)
    {
    }

    /**
     * How alarm notifications reach the webhook: retried with a doubling backoff, a bounded number of times, from a
     * bounded queue.
     */
    public record WebhookDelivery(int attempts, Duration initialBackoff, Duration maxBackoff, Duration timeout,
        int queueCapacity)
    {
    }

    /** The metrics an alarm may watch. */
    public static final Set<String> METRICS = MetricCatalogue.alarmMetrics();

    private static final Set<String> RULE_KEYS = Set.of(
        "name", "metric", "rate", "above", "below", "raise-after", "clear-after", "severity", "description");

    private static final Set<String> REGULATION_RULE_KEYS = Set.of(
        "pattern", "publisher", "classes", "rate", "burst", "max-in-flight", "codel");

    /**
     * The journal as configured: opened at start, a restart applies changes.
     *
     * @param dir             where the journal's files go; empty: {@code <data dir>/journal}.
     * @param durableTimeout  how long a guaranteed PUBLISH waits to be journaled before it is answered with an error.
     * @param retentionMaxAge 0: no age limit; retentionMaxBytes and retentionMaxCycles 0: no limit.
     * @param deduplicationWindow publisher sequences remembered per idempotent publisher (a power of two).
     */
    public record JournalSpec(
        boolean enabled, String dir, FlushPolicy flushPolicy, long minFreeDiskBytes, Duration durableTimeout,
        Duration retentionMaxAge, long retentionMaxBytes, int retentionMaxCycles, int deduplicationWindow)
    {
    }

    /**
     * This daemon as one member of an Aeron Cluster running the clustered switch: member {@code memberId} of
     * {@code memberCount}, member i's endpoints on {@code hostname} at basePort + 10 * i + 0..4 (ingress, consensus,
     * log, catchup, archive), unless {@code members} lists the members on hosts of their own. A restart applies
     * changes.
     *
     * @param dir empty: {@code <data dir>/cluster}.
     * @param members empty for the one-host layout, else a {@link ClusterMembers} list ('|' between entries).
     */
    public record ClusterSpec(
        boolean enabled, int memberId, int memberCount, String hostname, int basePort, String dir, boolean cleanStart,
        Duration leaderHeartbeatTimeout, Duration electionTimeout, Duration startupCanvassTimeout, boolean gateway,
        String members)
    {
        /** Ports per member in the layout, of which the first five are used. */
        public static final int PORTS_PER_MEMBER = 10;
        public static final int PORTS_USED = 5;

        public int port(final int member, final int offset)
        {
            return basePort + member * PORTS_PER_MEMBER + offset;
        }

        /**
         * @return the members: the list of {@code members} (each on its host) or the one-host layout.
         */
        public ClusterMembers memberList()
        {
            return members.isEmpty() ? ClusterMembers.layout(hostname, basePort, memberCount) :
                ClusterMembers.parse(members);
        }

        public ClusterMembers.Member self()
        {
            return memberList().member(memberId);
        }
    }

    /**
     * The bounds of the protocol server ({@code network { ... }}): each is enforced, and each refusal is counted and
     * named in the ERROR that answers it. A restart applies changes.
     *
     * @param ioAgents                      threads polling the sockets (the first also accepts).
     * @param maxConnections                connections open at once; the next one is answered
     *                                      TOO_MANY_CONNECTIONS and closed.
     * @param maxSubscriptionsPerConnection subscriptions one connection may hold.
     * @param maxSubscriptions              remote subscriptions held at once, over all connections.
     * @param sendBufferBytes               bytes buffered for one connection's subscriptions (a ring), where a slow
     *                                      subscriber meets its policy.
     * @param maxFrameLength                the longest frame a client may send, after its length prefix; a longer
     *                                      prefix is answered FRAME_TOO_LARGE and the connection closed.
     * @param readTimeout                   how long half a frame may sit before the connection is closed.
     * @param helloTimeout                  how long a new connection has to say HELLO.
     * @param heartbeatInterval             how long a connection may be silent before the server PINGs it.
     * @param maxPingsOut                   PINGs unanswered before the connection is closed.
     */
    public record NetworkSpec(
        int ioAgents, int maxConnections, int maxSubscriptionsPerConnection, int maxSubscriptions, int sendBufferBytes,
        int maxFrameLength, Duration readTimeout, Duration helloTimeout, Duration heartbeatInterval, int maxPingsOut)
    {
    }

    /**
     * One alarm rule as configured, before it is bound to the running switch's counters.
     */
    public record AlarmSpec(
        String name, String metric, boolean rate, boolean above, double threshold,
        Duration raiseAfter, Duration clearAfter, Severity severity, String description)
    {
    }

    public static Config defaults()
    {
        return ConfigFactory.parseResources(DaemonConfig.class, "daemon-defaults.conf",
            ConfigParseOptions.defaults().setAllowMissing(false));
    }

    /**
     * @param file the configuration file, or null for the embedded defaults.
     */
    public static DaemonConfig load(final File file)
    {
        final Config defaults = defaults();
        if (null == file)
        {
            return from(defaults);
        }
        if (!file.isFile())
        {
            throw new ConfigException("config file not found: " + file);
        }
        final Config user;
        try
        {
            user = ConfigFactory.parseFile(file, ConfigParseOptions.defaults()
                .setSyntax(ConfigSyntax.CONF).setAllowMissing(false)).resolve();
        }
        catch (final com.typesafe.config.ConfigException ex)
        {
            throw new ConfigException("config file " + file + " is not valid HOCON: " + ex.getMessage());
        }
        final Set<String> unknown = new TreeSet<>();
        for (final Map.Entry<String, ConfigValue> entry : user.entrySet())
        {
            if (!defaults.hasPath(entry.getKey()))
            {
                unknown.add(entry.getKey());
            }
        }
        if (!unknown.isEmpty())
        {
            final String key = unknown.iterator().next();
            throw new ConfigException("unknown key '" + key + "' in " + file + " (line " +
                user.getValue(key).origin().lineNumber() + ")" + (unknown.size() > 1 ? "; also unknown: " +
                String.join(", ", unknown.stream().skip(1).toList()) : "") +
                ". Known keys are those of the embedded defaults (junction run --print-defaults).");
        }
        return from(user.withFallback(defaults));
    }

    static DaemonConfig from(final Config config)
    {
        final SecurityConfig security = SecurityConfig.from(config);
        security.checkProtectedMode("listen.host", string(config, "listen.host"));
        if (bool(config, "http.enabled"))
        {
            security.checkProtectedMode("http.host", string(config, "http.host"));
        }
        return new DaemonConfig(
            string(config, "dir"),
            string(config, "counters-dir"),
            intAtLeast(config, "shards", 1, 64),
            powerOfTwo(config, "ring-size"),
            intAtLeast(config, "max-message-length", 0, 16 << 20),
            intAtLeast(config, "counters-capacity", 64, 1 << 20),
            duration(config, "shutdown-timeout", false),
            duration(config, "observe-interval", true),
            bool(config, "histogram-log"),
            intAtLeast(config, "shed-burst-threshold", 1, Integer.MAX_VALUE),
            string(config, "listen.host"),
            intAtLeast(config, "listen.port", 0, 65535),
            duration(config, "listen.publish-timeout", false),
            policy(config, "subscriber.policy"),
            intAtLeast(config, "subscriber.outbox-capacity", 2, 1 << 24),
            bool(config, "http.enabled"),
            string(config, "http.host"),
            intAtLeast(config, "http.port", 0, 65535),
            intAtLeast(config, "demo-load.rate", 0, 100_000_000),
            intAtLeast(config, "demo-load.size", 8, 16 << 20),
            webhook(config, "alarms.webhook"),
            alarms(config, "alarms.rules"),
            journal(config),
            regulation(config),
            bool(config, "regulation.express-critical"),
            idle(config, "idle-strategy"),
            cluster(config),
            security,
            string(config, "node-name"),
            (int)Math.min(Integer.MAX_VALUE, checkedBytes(config, "error-log-capacity", 64 << 10, 1L << 30)),
            new WebhookDelivery(
                intAtLeast(config, "alarms.webhook-delivery.attempts", 1, 100),
                duration(config, "alarms.webhook-delivery.initial-backoff", true),
                duration(config, "alarms.webhook-delivery.max-backoff", true),
                duration(config, "alarms.webhook-delivery.timeout", true),
                intAtLeast(config, "alarms.webhook-delivery.queue-capacity", 1, 1 << 20)),
            new HttpLimits(
                intAtLeast(config, "http.threads", 1, 64),
                intAtLeast(config, "http.max-queued", 1, 1 << 16),
                duration(config, "http.request-timeout", true)),
            network(config));
    }

    private static NetworkSpec network(final Config config)
    {
        final int maxMessageLength = intAtLeast(config, "max-message-length", 0, 16 << 20);
        final int largestFrame = io.junction.protocol.ProtocolFrames.maxFrameLength(
            maxMessageLength, io.junction.Junction.Context.DEFAULT_MAX_TOPIC_LENGTH);
        final int configuredFrame = intAtLeast(config, "network.max-frame-length", 0, 64 << 20);
        if (configuredFrame != 0 && configuredFrame < 256)
        {
            throw new ConfigException("key 'network.max-frame-length': must be 0 (fit max-message-length) or at " +
                "least 256, was " + configuredFrame);
        }
        final int maxFrameLength = 0 == configuredFrame ? largestFrame : configuredFrame;
        final long sendBuffer = bytes(config, "network.send-buffer");
        final long minimum = ProtocolServer.minSendBufferBytes(Math.min(maxFrameLength, largestFrame));
        if (sendBuffer < minimum || sendBuffer > 1L << 30)
        {
            throw new ConfigException("key 'network.send-buffer': must be between " + minimum + " (8 frames of " +
                "max-message-length = " + maxMessageLength + ") and 1G, was " + sendBuffer);
        }
        final int perConnection = intAtLeast(config, "network.max-subscriptions-per-connection", 0, 1 << 20);
        return new NetworkSpec(
            intAtLeast(config, "network.io-agents", 1, 64),
            intAtLeast(config, "network.max-connections", 1, 1 << 20),
            perConnection,
            intAtLeast(config, "network.max-subscriptions", 0, 1 << 24),
            (int)sendBuffer,
            maxFrameLength,
            duration(config, "network.read-timeout", true),
            duration(config, "network.hello-timeout", true),
            duration(config, "network.heartbeat-interval", true),
            intAtLeast(config, "network.max-pings-out", 1, 1000));
    }

    private static ClusterSpec cluster(final Config config)
    {
        final List<String> entries = checked("cluster.members", () -> config.getStringList("cluster.members"));
        final String members = String.join("|", entries.stream().map(String::trim).toList());
        final ClusterMembers list;
        if (members.isEmpty())
        {
            list = null;
        }
        else
        {
            try
            {
                list = ClusterMembers.parse(members);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException("key 'cluster.members': " + ex.getMessage());
            }
        }
        final int memberCount = null != list ? list.size() : intAtLeast(config, "cluster.member-count", 1, 9);
        final int memberId = checked("cluster.member-id", () -> config.getInt("cluster.member-id"));
        if (null != list && !list.contains(memberId))
        {
            throw new ConfigException("key 'cluster.member-id': " + memberId + " is not in cluster.members (ids " +
                list.ids() + ")");
        }
        if (null == list && (memberId < 0 || memberId >= memberCount))
        {
            throw new ConfigException("key 'cluster.member-id': must be one of the members 0.." + (memberCount - 1) +
                " (cluster.member-count = " + memberCount + "), was " + memberId);
        }
        final int lastPort = 65535 - (memberCount - 1) * ClusterSpec.PORTS_PER_MEMBER - ClusterSpec.PORTS_USED + 1;
        final int basePort = null != list ? checked("cluster.base-port", () -> config.getInt("cluster.base-port")) :
            intAtLeast(config, "cluster.base-port", 1, lastPort);
        final String hostname = string(config, "cluster.hostname").trim();
        if (hostname.isEmpty())
        {
            throw new ConfigException("key 'cluster.hostname': must not be empty");
        }
        final ClusterSpec spec = new ClusterSpec(
            bool(config, "cluster.enabled"),
            memberId,
            memberCount,
            hostname,
            basePort,
            string(config, "cluster.dir"),
            bool(config, "cluster.clean-start"),
            duration(config, "cluster.leader-heartbeat-timeout", true),
            duration(config, "cluster.election-timeout", true),
            duration(config, "cluster.startup-canvass-timeout", true),
            bool(config, "cluster.gateway"),
            members);
        if (spec.enabled())
        {
            refuseClash(spec, "listen.port", checked("listen.port", () -> config.getInt("listen.port")));
            if (bool(config, "http.enabled"))
            {
                refuseClash(spec, "http.port", checked("http.port", () -> config.getInt("http.port")));
            }
        }
        return spec;
    }

    /**
     * The daemon's own ports must not be among the ports of a member on its host.
     */
    private static void refuseClash(final ClusterSpec spec, final String key, final int port)
    {
        final ClusterMembers list = spec.memberList();
        final String host = spec.self().host();
        final String listKey = spec.members().isEmpty() ? "cluster.base-port" : "cluster.members";
        for (final ClusterMembers.Member member : list.members())
        {
            if (0 != port && member.host().equals(host) && member.ports().contains(port))
            {
                throw new ConfigException("key '" + listKey + "': member " + member.id() + "'s ports " +
                    member.port(0) + "-" + member.port(ClusterSpec.PORTS_USED - 1) + " clash with " + key + " = " +
                    port);
            }
        }
    }

    private static JournalSpec journal(final Config config)
    {
        final String policyText = string(config, "journal.flush-policy");
        final FlushPolicy policy;
        try
        {
            policy = FlushPolicy.valueOf(policyText.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException("key 'journal.flush-policy': must be one of os, per-batch, per-message; was '" +
                policyText + "'");
        }
        return new JournalSpec(
            bool(config, "journal.enabled"),
            string(config, "journal.dir"),
            policy,
            bytes(config, "journal.min-free-disk"),
            duration(config, "journal.durable-timeout", true),
            duration(config, "journal.retention.max-age", false),
            bytes(config, "journal.retention.max-bytes"),
            intAtLeast(config, "journal.retention.max-cycles", 0, Integer.MAX_VALUE),
            deduplicationWindow(config, "journal.deduplication-window"));
    }

    private static int deduplicationWindow(final Config config, final String key)
    {
        final int value = powerOfTwo(config, key);
        if (value < 64 || value > (1 << 24))
        {
            throw new ConfigException("key '" + key + "': must be a power of two from 64 to 16777216, was " + value);
        }
        return value;
    }

    private static long checkedBytes(final Config config, final String key, final long min, final long max)
    {
        final long value = bytes(config, key);
        if (value < min || value > max)
        {
            throw new ConfigException("key '" + key + "': must be between " + min + " and " + max + " bytes, was " + value);
        }
        return value;
    }

    private static long bytes(final Config config, final String key)
    {
        final long value = checked(key, () -> config.getBytes(key));
        if (value < 0)
        {
            throw new ConfigException("key '" + key + "': must be >= 0, was " + value);
        }
        return value;
    }

    /**
     * Load regulation, checked in full: a bad value names its key (rules by index, e.g. regulation.rules[1].rate).
     */
    private static RegulationConfig regulation(final Config config)
    {
        RegulationConfig regulation = RegulationConfig.none();
        if (bool(config, "regulation.codel.enabled"))
        {
            final Duration target = duration(config, "regulation.codel.target", true);
            final Duration interval = duration(config, "regulation.codel.interval", true);
            regulation = regulation.withCodel(target.toNanos(), interval.toNanos());
        }
        regulation = regulation.withCriticalReserve(
            intAtLeast(config, "regulation.critical-reserve", 0, Integer.MAX_VALUE));

        final String key = "regulation.rules";
        final List<? extends ConfigObject> rules = checked(key, () -> config.getObjectList(key));
        for (int i = 0; i < rules.size(); i++)
        {
            final String at = key + "[" + i + "]";
            final ConfigObject object = rules.get(i);
            for (final String ruleKey : object.keySet())
            {
                if (!REGULATION_RULE_KEYS.contains(ruleKey))
                {
                    throw new ConfigException("unknown key '" + at + "." + ruleKey + "'; a regulation rule has " +
                        new TreeSet<>(REGULATION_RULE_KEYS));
                }
            }
            final Config ruleConfig = object.toConfig();
            final String pattern = checked(at + ".pattern", () -> ruleConfig.getString("pattern"));
            final RejectReason invalid = Topics.validatePattern(pattern, 256, 32);
            if (null != invalid)
            {
                throw new ConfigException("key '" + at + ".pattern': not a valid topic pattern '" + pattern + "': " +
                    invalid.description());
            }
            Rule rule = Rule.forTopics(pattern);
            if (ruleConfig.hasPath("publisher"))
            {
                final String publisher = checked(at + ".publisher", () -> ruleConfig.getString("publisher"));
                if (publisher.isBlank())
                {
                    throw new ConfigException("key '" + at + ".publisher': must not be blank (omit it for any publisher)");
                }
                rule = rule.withPublisher(publisher);
            }
            if (ruleConfig.hasPath("classes"))
            {
                final List<String> names = checked(at + ".classes", () -> ruleConfig.getStringList("classes"));
                if (names.isEmpty())
                {
                    throw new ConfigException("key '" + at + ".classes': must name at least one class " +
                        "(omit it for every class)");
                }
                final List<Priority> classes = new ArrayList<>();
                for (final String name : names)
                {
                    try
                    {
                        classes.add(Priority.valueOf(name.trim().toUpperCase(Locale.ROOT)));
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw new ConfigException("key '" + at + ".classes': must be among critical, high, normal, " +
                            "bulk; was '" + name + "'");
                    }
                }
                rule = rule.withClasses(classes.get(0), classes.subList(1, classes.size()).toArray(new Priority[0]));
            }
            if (ruleConfig.hasPath("rate") || ruleConfig.hasPath("burst"))
            {
                if (!ruleConfig.hasPath("rate"))
                {
                    throw new ConfigException("key '" + at + ".rate' is missing: 'burst' needs a rate");
                }
                final long rate = checked(at + ".rate", () -> ruleConfig.getLong("rate"));
                if (rate < 1)
                {
                    throw new ConfigException("key '" + at + ".rate': must be >= 1 message per second, was " + rate);
                }
                final long burst = ruleConfig.hasPath("burst") ?
                    checked(at + ".burst", () -> ruleConfig.getLong("burst")) : Math.max(1, Math.min(rate, 1 << 20));
                if (burst < 1 || burst > Integer.MAX_VALUE)
                {
                    throw new ConfigException("key '" + at + ".burst': must be between 1 and " + Integer.MAX_VALUE +
                        ", was " + burst);
                }
                try
                {
                    rule = rule.withRateLimit(rate, (int)burst);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new ConfigException("key '" + at + ".rate': " + ex.getMessage());
                }
            }
            if (ruleConfig.hasPath("max-in-flight"))
            {
                final long maxInFlight = checked(at + ".max-in-flight", () -> ruleConfig.getLong("max-in-flight"));
                try
                {
                    rule = rule.withMaxInFlight(maxInFlight);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new ConfigException("key '" + at + ".max-in-flight': " + ex.getMessage() + ", was " +
                        maxInFlight);
                }
            }
            if (ruleConfig.hasPath("codel"))
            {
                rule = rule.withSojournShedding(checked(at + ".codel", () -> ruleConfig.getBoolean("codel")));
            }
            regulation = regulation.withRule(rule);
        }
        return regulation;
    }

    private static <T> T checked(final String key, final java.util.function.Supplier<T> read)
    {
        try
        {
            return read.get();
        }
        catch (final com.typesafe.config.ConfigException.Missing ex)
        {
            throw new ConfigException("key '" + key + "' is missing");
        }
        catch (final com.typesafe.config.ConfigException ex)
        {
            throw new ConfigException("key '" + key + "': " + ex.getMessage());
        }
    }

    private static String string(final Config config, final String key)
    {
        return checked(key, () -> config.getString(key));
    }

    private static boolean bool(final Config config, final String key)
    {
        return checked(key, () -> config.getBoolean(key));
    }

    private static int intAtLeast(final Config config, final String key, final int min, final int max)
    {
        final long value = checked(key, () -> config.getLong(key));
        if (value < min || value > max)
        {
            throw new ConfigException("key '" + key + "': must be between " + min + " and " + max + ", was " + value);
        }
        return (int)value;
    }

    private static int powerOfTwo(final Config config, final String key)
    {
        final int value = intAtLeast(config, key, 2, 1 << 30);
        if (Integer.bitCount(value) != 1)
        {
            throw new ConfigException("key '" + key + "': must be a power of two, was " + value);
        }
        return value;
    }

    private static Duration duration(final Config config, final String key, final boolean positive)
    {
        final Duration value = checked(key, () -> config.getDuration(key));
        if (value.isNegative() || (positive && value.isZero()))
        {
            throw new ConfigException("key '" + key + "': must be " + (positive ? "> 0" : ">= 0") + ", was " + value);
        }
        return value;
    }

    private static IdleChoice idle(final Config config, final String key)
    {
        final String text = string(config, key);
        try
        {
            return IdleChoice.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException("key '" + key + "': must be one of backoff, yielding, busy-spin; was '" + text + "'");
        }
    }

    private static SlowSubscriberPolicy policy(final Config config, final String key)
    {
        final String text = string(config, key);
        try
        {
            return SlowSubscriberPolicy.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException("key '" + key + "': must be one of drop-oldest, drop-newest, disconnect, " +
                "back-pressure; was '" + text + "'");
        }
    }

    private static String webhook(final Config config, final String key)
    {
        final String url = string(config, key).trim();
        if (!url.isEmpty() && !(url.startsWith("http://") || url.startsWith("https://")))
        {
            throw new ConfigException("key '" + key + "': must be an http:// or https:// URL, was '" + url + "'");
        }
        if (!url.isEmpty())
        {
            try
            {
                java.net.URI.create(url);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException("key '" + key + "': not a valid URL: " + ex.getMessage());
            }
        }
        return url;
    }

    private static List<AlarmSpec> alarms(final Config config, final String key)
    {
        final List<? extends ConfigObject> rules = checked(key, () -> config.getObjectList(key));
        final List<AlarmSpec> specs = new ArrayList<>();
        final Set<String> names = new TreeSet<>();
        for (int i = 0; i < rules.size(); i++)
        {
            final String at = key + "[" + i + "]";
            final ConfigObject object = rules.get(i);
            for (final String ruleKey : object.keySet())
            {
                if (!RULE_KEYS.contains(ruleKey))
                {
                    throw new ConfigException("unknown key '" + at + "." + ruleKey + "'; an alarm rule has " +
                        new TreeSet<>(RULE_KEYS));
                }
            }
            final Config rule = object.toConfig();
            final String name = checked(at + ".name", () -> rule.getString("name"));
            if (name.isBlank() || !names.add(name))
            {
                throw new ConfigException("key '" + at + ".name': must be unique and not blank, was '" + name + "'");
            }
            final String metric = checked(at + ".metric", () -> rule.getString("metric"));
            if (!METRICS.contains(metric))
            {
                throw new ConfigException("key '" + at + ".metric': unknown metric '" + metric + "'; known: " +
                    new TreeSet<>(METRICS));
            }
            final boolean hasAbove = rule.hasPath("above");
            if (hasAbove == rule.hasPath("below"))
            {
                throw new ConfigException("alarm '" + name + "' (" + at + "): give exactly one of 'above' or 'below'");
            }
            final String thresholdKey = hasAbove ? "above" : "below";
            final double threshold = checked(at + "." + thresholdKey, () -> rule.getDouble(thresholdKey));
            final boolean rate = rule.hasPath("rate") && checked(at + ".rate", () -> rule.getBoolean("rate"));
            final Duration raiseAfter = rule.hasPath("raise-after") ?
                checked(at + ".raise-after", () -> rule.getDuration("raise-after")) : Duration.ZERO;
            final Duration clearAfter = rule.hasPath("clear-after") ?
                checked(at + ".clear-after", () -> rule.getDuration("clear-after")) : Duration.ZERO;
            if (raiseAfter.isNegative() || clearAfter.isNegative())
            {
                throw new ConfigException("alarm '" + name + "' (" + at + "): raise-after and clear-after must be >= 0");
            }
            final String severityText = rule.hasPath("severity") ?
                checked(at + ".severity", () -> rule.getString("severity")) : "warning";
            final Severity severity;
            try
            {
                severity = Severity.valueOf(severityText.trim().toUpperCase(Locale.ROOT));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException("key '" + at + ".severity': must be one of info, warning, minor, major, " +
                    "critical; was '" + severityText + "'");
            }
            final String description = rule.hasPath("description") ?
                checked(at + ".description", () -> rule.getString("description")) : "";
            specs.add(new AlarmSpec(name, metric, rate, hasAbove, threshold, raiseAfter, clearAfter, severity,
                description));
        }
        return List.copyOf(specs);
    }
}
