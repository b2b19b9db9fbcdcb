package io.junction.tools;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;

import io.junction.Junction;
import io.junction.observe.AlarmRule;

/**
 * SIGHUP and {@code junction admin reload}: re-read the config file and apply what may change while the daemon runs
 * (the alarm rules, the webhook, node-name, the regulation, journal.durable-timeout). A change to a key that only a
 * restart can apply is refused or reported, as {@link #KEYS} says of each key.
 */
final class ConfigReloader
{
    /** What a reload does with a changed key. */
    enum Apply
    {
        /** Applied at once. */
        LIVE,
        /** Left as it runs, the rest reloaded; the reload's answer says a restart is needed. */
        RESTART,
        /** The whole reload is refused, naming the key (half applying the journal or cluster would be worse). */
        REFUSE
    }

    /**
     * One key of the file (or a section, for the keys under it), with what a reload does when it changes.
     *
     * @param value  what is compared; null for a live key.
     * @param others keys (or sections) read into the same value, reported under {@code name}.
     */
    record Key(String name, Apply apply, Function<DaemonConfig, Object> value, List<String> others)
    {
        boolean covers(final String path)
        {
            for (final String each : others)
            {
                if (path.equals(each) || path.startsWith(each + "."))
                {
                    return true;
                }
            }
            return path.equals(name) || path.startsWith(name + ".");
        }
    }

    /** Every key of daemon-defaults.conf (ConfigReloaderTest checks none is missing). */
    static final List<Key> KEYS = List.of(
        live("alarms.rules"),
        live("alarms.webhook"),
        live("alarms.webhook-delivery"),
        live("node-name"),
        live("regulation.codel"),
        live("regulation.critical-reserve"),
        live("regulation.rules"),
        live("journal.durable-timeout"),

        refuse("journal.enabled", (c) -> c.journal().enabled()),
        refuse("journal.dir", (c) -> c.journal().dir()),
        refuse("journal.flush-policy", (c) -> c.journal().flushPolicy()),
        refuse("journal.min-free-disk", (c) -> c.journal().minFreeDiskBytes()),
        refuse("journal.retention.max-age", (c) -> c.journal().retentionMaxAge()),
        refuse("journal.retention.max-bytes", (c) -> c.journal().retentionMaxBytes()),
        refuse("journal.retention.max-cycles", (c) -> c.journal().retentionMaxCycles()),
        refuse("journal.deduplication-window", (c) -> c.journal().deduplicationWindow()),
        restart("journal.durable.max-subscriptions", (c) -> c.journal().durableMaxSubscriptions()),
        restart("journal.durable.max-unacknowledged", (c) -> c.journal().durableMaxUnacknowledged()),
        refuse("regulation.express-critical", (c) -> c.regulation().expressCritical()),
        refuse("idle-strategy", (c) -> c.switchConfig().idleStrategy()),
        refuse("cluster.enabled", (c) -> c.cluster().enabled()),
        refuse("cluster.member-id", (c) -> c.cluster().memberId()),
        refuse("cluster.member-count", (c) -> c.cluster().memberCount()),
        refuse("cluster.hostname", (c) -> c.cluster().hostname()),
        refuse("cluster.base-port", (c) -> c.cluster().basePort()),
        refuse("cluster.members", (c) -> c.cluster().members()),
        refuse("cluster.dir", (c) -> c.cluster().dir()),
        refuse("cluster.clean-start", (c) -> c.cluster().cleanStart()),
        refuse("cluster.leader-heartbeat-timeout", (c) -> c.cluster().leaderHeartbeatTimeout()),
        refuse("cluster.leader-heartbeat-interval", (c) -> c.cluster().leaderHeartbeatInterval()),
        refuse("cluster.election-timeout", (c) -> c.cluster().electionTimeout()),
        refuse("cluster.startup-canvass-timeout", (c) -> c.cluster().startupCanvassTimeout()),
        refuse("cluster.gateway", (c) -> c.cluster().gateway()),
        refuse("cluster.snapshot-interval", (c) -> c.cluster().snapshotInterval()),
        refuse("cluster.snapshots-kept", (c) -> c.cluster().snapshotsKept()),
        refuse("cluster.purge-follower-timeout", (c) -> c.cluster().purgeFollowerTimeout()),
        refuse("cluster.min-free-disk", (c) -> c.cluster().minFreeDisk()),
        refuse("cluster.record-checksum", (c) -> c.cluster().recordChecksum()),

        restart("dir", (c) -> c.node().dir()),
        restart("counters-dir", (c) -> c.node().countersDir()),
        restart("error-log-capacity", (c) -> c.node().errorLogCapacity()),
        restart("shards", (c) -> c.switchConfig().shards()),
        restart("ring-size", (c) -> c.switchConfig().ringSize()),
        restart("drop-grace", (c) -> c.switchConfig().dropGrace()),
        restart("route-command-queue-capacity", (c) -> c.switchConfig().routeCommandQueueCapacity()),
        restart("max-message-length", (c) -> c.switchConfig().maxMessageLength()),
        restart("shutdown-timeout", (c) -> c.switchConfig().shutdownTimeout()),
        restart("counters-capacity", (c) -> c.observe().countersCapacity()),
        restart("observe-interval", (c) -> c.observe().interval()),
        restart("histogram-log", (c) -> c.observe().histogramLog()),
        restart("shed-burst-threshold", (c) -> c.observe().shedBurstThreshold()),
        restart("listen.host", (c) -> c.listen().host()),
        restart("listen.port", (c) -> c.listen().port()),
        restart("listen.publish-timeout", (c) -> c.listen().publishTimeout()),
        restart("subscriber.policy", (c) -> c.listen().subscriberPolicy()),
        restart("subscriber.outbox-capacity", (c) -> c.listen().subscriberOutboxCapacity()),
        restart("network.io-agents", (c) -> c.network().ioAgents()),
        restart("network.inline-shard", (c) -> c.network().inlineShard()),
        restart("network.max-connections", (c) -> c.network().maxConnections()),
        restart("network.max-subscriptions-per-connection", (c) -> c.network().maxSubscriptionsPerConnection()),
        restart("network.max-subscriptions", (c) -> c.network().maxSubscriptions()),
        restart("network.send-buffer", (c) -> c.network().sendBufferBytes()),
        restart("network.max-frame-length", (c) -> c.network().maxFrameLength()),
        restart("network.read-timeout", (c) -> c.network().readTimeout()),
        restart("network.hello-timeout", (c) -> c.network().helloTimeout()),
        restart("network.heartbeat-interval", (c) -> c.network().heartbeatInterval()),
        restart("network.max-pings-out", (c) -> c.network().maxPingsOut()),
        restart("network.critical-reserve", (c) -> c.network().criticalReservePercent()),
        restart("network.express-send-buffer", (c) -> c.network().expressSendBufferBytes()),
        restart("http.enabled", (c) -> c.http().enabled()),
        restart("http.host", (c) -> c.http().host()),
        restart("http.port", (c) -> c.http().port()),
        restart("http.metrics.max-named-series", (c) -> c.http().metricsMaxNamedSeries()),
        restart("http.metrics.max-principal-series", (c) -> c.http().metricsMaxPrincipalSeries()),
        restart("http.threads", (c) -> c.http().limits().threads()),
        restart("http.max-queued", (c) -> c.http().limits().maxQueued()),
        restart("http.request-timeout", (c) -> c.http().limits().requestTimeout()),
        new Key("http.admin-token", Apply.RESTART, (c) -> c.security().adminToken(), List.of("http.admin-token-file")),
        restart("security", (c) -> c.security().source()),
        restart("aeron.enabled", (c) -> c.aeron().enabled()),
        restart("aeron.embedded-driver", (c) -> c.aeron().embeddedDriver()),
        restart("aeron.dir", (c) -> c.aeron().dir()),
        restart("aeron.ingress-endpoint", (c) -> c.aeron().ingressEndpoint()),
        restart("aeron.ipc", (c) -> c.aeron().ipc()),
        restart("aeron.ingress-stream-id", (c) -> c.aeron().ingressStreamId()),
        restart("aeron.threading-mode", (c) -> c.aeron().threadingMode()),
        restart("aeron.driver-idle", (c) -> c.aeron().busyDriver()),
        restart("aeron.term-length", (c) -> c.aeron().termLength()),
        restart("aeron.receiver-window", (c) -> c.aeron().receiverWindow()),
        restart("aeron.idle-poll", (c) -> c.aeron().idlePollNs()),
        restart("aeron.active-poll", (c) -> c.aeron().activePollNs()),
        restart("demo-load.rate", (c) -> c.demo().rate()),
        restart("demo-load.size", (c) -> c.demo().size()));

    private final File configFile;
    private final UnaryOperator<DaemonConfig> overrides;
    private final DaemonConfig running;
    private final Junction junction;
    private final ProtocolServer server;
    private final DaemonAlarms alarms;
    private final AlarmNotifications notifications;
    private final Logger log;
    private volatile DaemonConfig current;

    /**
     * @param running   the configuration the daemon started with (what a restart-only key runs with).
     * @param overrides what the command line changed in the file's configuration (e.g. --dir), applied again to the
     *                  file at each reload so that it is not taken for a change.
     */
    ConfigReloader(final File configFile, final UnaryOperator<DaemonConfig> overrides, final DaemonConfig running,
        final Junction junction, final ProtocolServer server, final DaemonAlarms alarms,
        final AlarmNotifications notifications, final Logger log)
    {
        this.configFile = configFile;
        this.overrides = overrides;
        this.running = running;
        this.current = running;
        this.junction = junction;
        this.server = server;
        this.alarms = alarms;
        this.notifications = notifications;
        this.log = log;
    }

    /**
     * @return the configuration last loaded (its live keys are those in force).
     */
    DaemonConfig current()
    {
        return current;
    }

    /**
     * Re-read the config file and apply what can change at run time.
     *
     * @return a line saying what happened, starting with "reloaded" on success.
     */
    synchronized String reload()
    {
        if (null == configFile)
        {
            log.info("nothing to reload: the daemon runs on the embedded defaults");
            return "nothing to reload: the daemon runs on the embedded defaults";
        }
        final DaemonConfig next;
        try
        {
            next = overrides.apply(DaemonConfig.load(configFile));
        }
        catch (final ConfigException ex)
        {
            return refused("reload refused, the running configuration is kept: " + ex.getMessage());
        }
        final List<String> refusing = restartOnlyChanges(current, next);
        if (!refusing.isEmpty())
        {
            return refused("reload refused, the running configuration is kept: " + String.join("; ", refusing) +
                " (applied only by a restart: revert to reload the rest, or restart)");
        }
        final List<AlarmRule> rules;
        try
        {
            rules = alarms.bind(next.alarms());
        }
        catch (final IllegalArgumentException ex)
        {
            return "reload refused: " + ex.getMessage();
        }
        try
        {
            junction.regulation(next.regulation().regulation());
        }
        catch (final RuntimeException ex)
        {
            return refused("reload refused, the running configuration is kept: regulation: " + ex.getMessage());
        }
        server.durableTimeoutNs(next.journal().durableTimeout().toNanos());
        alarms.replace(rules);
        notifications.apply(next);
        final List<String> restartNeeded = changed(running, next, Apply.RESTART); // a revert needs nothing
        current = next;
        final String message = "reloaded " + rules.size() + " alarm rule(s)" + (next.webhook().enabled() ?
            " and webhook" : "") + ", regulation " + next.regulation().regulation() + ", journal.durable-timeout " +
            next.journal().durableTimeout() +
            (restartNeeded.isEmpty() ? "" : "; a restart is needed to apply " + restartNeeded);
        log.info(message);
        return message;
    }

    private String refused(final String message)
    {
        log.warn(message);
        return message;
    }

    /**
     * The keys that a running daemon cannot change, of the journal, the cluster and the switch's dispatch: a reload
     * that changes one is refused, naming each key, rather than half applied.
     */
    static List<String> restartOnlyChanges(final DaemonConfig was, final DaemonConfig now)
    {
        final List<String> changes = new ArrayList<>();
        for (final Key key : KEYS)
        {
            if (key.apply() == Apply.REFUSE)
            {
                final Object a = key.value().apply(was);
                final Object b = key.value().apply(now);
                if (!Objects.equals(a, b))
                {
                    changes.add("key '" + key.name() + "' changed (" + a + " -> " + b + ")");
                }
            }
        }
        return changes;
    }

    private static List<String> changed(final DaemonConfig was, final DaemonConfig now, final Apply apply)
    {
        final List<String> keys = new ArrayList<>();
        for (final Key key : KEYS)
        {
            if (key.apply() == apply && !Objects.equals(key.value().apply(was), key.value().apply(now)))
            {
                keys.add(key.name());
            }
        }
        return keys;
    }

    private static Key live(final String name)
    {
        return new Key(name, Apply.LIVE, null, List.of());
    }

    private static Key refuse(final String name, final Function<DaemonConfig, Object> value)
    {
        return new Key(name, Apply.REFUSE, value, List.of());
    }

    private static Key restart(final String name, final Function<DaemonConfig, Object> value)
    {
        return new Key(name, Apply.RESTART, value, List.of());
    }
}
