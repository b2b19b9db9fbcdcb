package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.junction.Junction;
import io.junction.SubscriptionOptions;
import io.junction.journal.Journal;
import io.junction.journal.Retention;
import io.junction.observe.Alarm;
import io.junction.observe.AlarmEvaluator;
import io.junction.observe.AlarmRule;
import io.junction.observe.CountersFile;
import io.junction.observe.Metric;
import io.junction.observe.SwitchLatency;
import io.junction.observe.SwitchObserver;
import io.junction.security.PrivateFiles;

/**
 * The standalone daemon: a switch whose counters live in a file in its directory, with the observer
 * (latency, gauges, alarms), the local client protocol, the HTTP endpoint and, optionally, a demo load.
 * <p>
 * It writes {@value #PROPERTIES_FILE} in its directory once it is ready: pid, ports, config, so tools
 * and tests find it.
 */
public final class Daemon implements AutoCloseable
{
    public static final String PROPERTIES_FILE = "daemon.properties";
    public static final String HISTOGRAM_LOG_FILE = "latency.hlog";
    /** In the data directory when the counters file lives elsewhere: the directory that holds it. */
    public static final String COUNTERS_LOCATION_FILE = "counters.location";
    /** Errors that found {@link ErrorLog}'s file full (they are still logged, within its rate). */
    public static final int ERRORS_NOT_RECORDED_TYPE_ID = 1700;

    private static final Logger LOG = LoggerFactory.getLogger("junction");

    private final DaemonConfig config;
    private final File configFile;
    private final PrintStream out;
    private final File dir;
    private final CountersFile countersFile;
    private final ErrorLog errorLog;
    private final SwitchLatency latency = new SwitchLatency();
    private final Journal journal;
    private final DaemonCluster cluster;
    private final ClusterGateway gateway;
    private final Junction junction;
    private final AlarmEvaluator alarms;
    private final SwitchObserver observer;
    private final ProtocolServer server;
    private final HttpEndpoint http;
    private final AgentRunner observerRunner;
    private final AtomicReference<List<AlarmRule>> pendingRules = new AtomicReference<>();
    private final Thread demoThread;
    private final DemoLoad demoLoad;
    private final java.util.function.UnaryOperator<DaemonConfig> overrides;
    private final List<DirectoryLock> locks = new ArrayList<>();
    private volatile WebhookNotifier webhook;
    private volatile DaemonConfig current;
    private volatile boolean ready;
    private volatile boolean stopping;

    public Daemon(final DaemonConfig config, final File configFile, final PrintStream out) throws IOException
    {
        this(config, configFile, out, java.util.function.UnaryOperator.identity());
    }

    /**
     * @param overrides what the command line changed in the file's configuration (e.g. --dir), applied again to the
     *                  file at each reload so that it is not taken for a change.
     */
    public Daemon(
        final DaemonConfig config,
        final File configFile,
        final PrintStream out,
        final java.util.function.UnaryOperator<DaemonConfig> overrides) throws IOException
    {
        this.overrides = overrides;
        this.config = config;
        this.current = config;
        this.configFile = configFile;
        this.out = out;
        this.dir = config.node().dir().isEmpty() ?
            Files.createTempDirectory("junction-").toFile() : new File(config.node().dir()).getAbsoluteFile();
        if (!dir.isDirectory())
        {
            try
            {
                PrivateFiles.createDirectories(dir.toPath()); // 0700: payloads, counters and the admin token
            }
            catch (final IOException ex)
            {
                throw new IOException("cannot create the data directory " + dir + ": " + ex.getMessage(), ex);
            }
        }
        final File countersDir = config.node().countersDir().isEmpty() ? dir : resolve(dir, config.node().countersDir());
        locks.add(DirectoryLock.acquire(dir, "data directory"));
        try
        {
            if (config.journal().enabled())
            {
                try
                {
                    locks.add(DirectoryLock.acquire(journalDir(dir, config.journal()), "journal directory"));
                }
                catch (final DirectoryLock.InUseException ex)
                {
                    throw ex;
                }
                catch (final IOException ex)
                {
                    // A directory the journal cannot use either: it starts unavailable, with its alarm.
                }
            }
            refuseIfInUse(countersDir);
        }
        catch (final IOException ex)
        {
            CloseHelper.quietCloseAll(locks);
            throw ex;
        }
        new File(dir, PROPERTIES_FILE).delete();

        countersFile = CountersFile.create(countersDir, config.observe().countersCapacity(), SystemEpochClock.INSTANCE);
        final File location = new File(dir, COUNTERS_LOCATION_FILE);
        if (countersDir.equals(dir))
        {
            location.delete();
        }
        else
        {
            PrivateFiles.writeString(location.toPath(), countersDir.getPath() + System.lineSeparator());
        }
        final List<AutoCloseable> started = new ArrayList<>(locks);
        started.add(0, countersFile);
        errorLog = new ErrorLog(dir, config.node().errorLogCapacity(), SystemEpochClock.INSTANCE, LOG,
            countersFile.countersManager().newCounter("error log full: errors not recorded", ERRORS_NOT_RECORDED_TYPE_ID));
        started.add(0, errorLog);
        try
        {
            journal = config.journal().enabled() ? openJournal(config.journal()) : null;
            if (null != journal)
            {
                started.add(0, journal);
                if (!journal.isAvailable())
                {
                    LOG.warn("journal unavailable, guaranteed publishes are refused: {}", journal.failure());
                }
            }
            cluster = config.cluster().enabled() ? new DaemonCluster(config.cluster(), dir,
                countersFile.countersManager(), errorLog.handler("cluster"), out) : null;
            if (null != cluster)
            {
                started.add(0, cluster);
            }
            junction = Junction.launch(new Junction.Context()
                .journalSink(journal)
                .regulation(config.regulation().regulation())
                .expressCritical(config.regulation().expressCritical())
                .pipelineIdleStrategySupplier(config.switchConfig().idleStrategy().supplier())
                .deliveryIdleStrategySupplier(config.switchConfig().idleStrategy().supplier())
                .shards(config.switchConfig().shards())
                .ringSize(config.switchConfig().ringSize())
                .maxMessageLength(config.switchConfig().maxMessageLength())
                .shutdownTimeoutNs(config.switchConfig().shutdownTimeout().toNanos())
                .countersManager(countersFile.countersManager())
                .latency(latency)
                .errorHandler(errorLog.handler("switch")));
            started.add(0, junction);

            alarms = new AlarmEvaluator(SystemEpochClock.INSTANCE, countersFile.countersManager());
            alarms.addListener((alarm) -> LOG.warn(alarm.describe()));
            alarms.addListener((alarm) ->
            {
                final WebhookNotifier notifier = webhook;
                if (null != notifier)
                {
                    notifier.onAlarm(alarm);
                }
            });
            webhook = newWebhook(config);
            if (null != webhook)
            {
                started.add(0, webhook);
            }

            server = bound("listen", config.listen().host(), config.listen().port(), () -> new ProtocolServer(junction,
                countersFile.countersManager(), config.network(), config.listen().host(), config.listen().port(),
                config.listen().subscriberPolicy(), config.listen().publishTimeout().toNanos(), config.journal().durableTimeout().toNanos(),
                config.switchConfig().idleStrategy() == IdleChoice.BACKOFF ? null : config.switchConfig().idleStrategy().supplier(),
                config.security().authenticator(), errorLog.handler("protocol"), (line) -> LOG.info(line)));
            started.add(0, server);
            if (null != cluster && config.cluster().gateway())
            {
                gateway = cluster.newGateway(junction, countersFile.countersManager(), out);
                started.add(0, gateway);
                server.clusterGateway(gateway);
            }
            else
            {
                gateway = null;
            }

            alarms.rules(bind(config.alarms()));
            observer = new SwitchObserver(new SwitchObserver.Context()
                .countersFile(countersFile)
                .latency(latency)
                .subscriptions(junction::subscriptions)
                .alarms(alarms)
                .histogramLogFile(config.observe().histogramLog() ? new File(dir, HISTOGRAM_LOG_FILE) : null)
                .intervalNs(config.observe().interval().toNanos())
                .burstThreshold(config.observe().shedBurstThreshold()));
            observer.addGauge("ring occupancy", junction::ringOccupancy);
            observer.addGauge("protocol max send buffer bytes", server::maxBufferedBytes);
            observer.addGauge("disk free MB", () -> dir.getUsableSpace() >> 20);
            if (null != journal)
            {
                observer.addGauge("journal available", () -> journal.isAvailable() ? 1 : 0);
            }
            observer.onInterval(System.nanoTime());
            observerRunner = new AgentRunner(new SleepingMillisIdleStrategy(5),
                errorLog.handler("observer"), null, new Agent()
                {
                    @Override
                    public int doWork()
                    {
                        final List<AlarmRule> rules = pendingRules.getAndSet(null);
                        if (null != rules)
                        {
                            alarms.rules(rules);
                        }
                        if (null != cluster)
                        {
                            cluster.update();
                        }
                        return observer.doWork();
                    }

                    @Override
                    public String roleName()
                    {
                        return "junction-observer";
                    }
                });
            AgentRunner.startOnThread(observerRunner);
            started.add(0, observerRunner);

            http = config.http().enabled() ? bound("http", config.http().host(), config.http().port(), () -> new HttpEndpoint(
                config.http().host(), config.http().port(), countersFile.countersManager(), config.http().metricsMaxNamedSeries(), () -> ready && !stopping && server.isHealthy(),
                alarms::activeAlarms, this::reload,
                AdminGuard.forDaemon(config.security(), config.http().host(), dir, countersFile.countersManager()),
                config.http().limits())) : null;

            if (config.demo().rate() > 0)
            {
                demoLoad = new DemoLoad(junction, config.demo().rate(), config.demo().size(), out);
                demoThread = new Thread(() -> demoLoad.run(Long.MAX_VALUE, () -> !stopping), "junction-demo-load");
                demoThread.setDaemon(true);
            }
            else
            {
                demoLoad = null;
                demoThread = null;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietCloseAll(started);
            throw ex;
        }
        writeProperties();
        ready = true;
        LOG.info("daemon started: pid {}, dir {}", ProcessHandle.current().pid(), dir);
        LOG.info("protocol on {}:{}{}", config.listen().host(), server.port(),
            null == http ? ", http disabled" : ", metrics on http://" + config.http().host() + ":" + http.port() + "/metrics");
        LOG.info("stop with SIGTERM or Ctrl-C; reload with SIGHUP or 'junction admin reload --dir {}'", dir);
        if (null != cluster)
        {
            LOG.info(cluster.describe());
        }
        if (null != demoThread)
        {
            LOG.info("demo load: {}", demoLoad.describe());
            demoThread.start();
        }
    }

    private interface Binding<T>
    {
        T bind() throws IOException;
    }

    /**
     * Bind a listener, turning "Address already in use" into a message that names the config key and the port.
     */
    private static <T> T bound(final String section, final String host, final int port, final Binding<T> binding)
        throws IOException
    {
        try
        {
            return binding.bind();
        }
        catch (final java.net.BindException ex)
        {
            throw new IOException(section + ".port " + port + " is already in use (" + section + ".host " + host +
                "): stop what uses it or choose another " + section + ".port (0: any free port)", ex);
        }
    }

    private WebhookNotifier newWebhook(final DaemonConfig c)
    {
        return c.webhook().url().isEmpty() ? null : new WebhookNotifier(c.webhook().url(), c.webhook().delivery(),
            WebhookNotifier.Node.current(c.node().nodeName()), countersFile.countersManager(), errorLog.handler("webhook"));
    }

    /**
     * @return {@code path} if absolute, else under the data directory: --dir moves every relative path with it.
     */
    static File resolve(final File dataDir, final String path)
    {
        final File file = new File(path);
        return file.isAbsolute() ? file : new File(dataDir, path).getAbsoluteFile();
    }

    private Journal openJournal(final JournalConfig spec)
    {
        Retention retention = Retention.keepAll();
        if (!spec.retentionMaxAge().isZero())
        {
            retention = retention.maxAgeMs(Math.max(1, spec.retentionMaxAge().toMillis()));
        }
        if (spec.retentionMaxBytes() > 0)
        {
            retention = retention.maxBytes(spec.retentionMaxBytes());
        }
        if (spec.retentionMaxCycles() > 0)
        {
            retention = retention.maxCycles(spec.retentionMaxCycles());
        }
        return Journal.launch(new Journal.Context()
            .directory(journalDir(dir, spec))
            .flushPolicy(spec.flushPolicy())
            .retention(retention)
            .minFreeDiskBytes(spec.minFreeDiskBytes())
            .deduplicationWindow(spec.deduplicationWindow())
            .countersManager(countersFile.countersManager())
            .errorHandler(errorLog.handler("journal")));
    }

    /**
     * @return the journal's directory for a daemon's data directory and journal settings.
     */
    public static File journalDir(final File dir, final JournalConfig spec)
    {
        return spec.dir().isEmpty() ? new File(dir, "journal") : resolve(dir, spec.dir());
    }

    private static void refuseIfInUse(final File dir) throws IOException
    {
        if (!new File(dir, CountersFile.FILE_NAME).isFile())
        {
            return;
        }
        try (io.junction.observe.CountersFileReader reader = io.junction.observe.CountersFileReader.open(dir))
        {
            if (reader.isAlive(System.currentTimeMillis(), 10_000))
            {
                throw new IOException("the data directory " + dir + " is in use by the running daemon pid " +
                    reader.pid());
            }
        }
        catch (final IllegalStateException ex)
        {
            // Not a counters file we can read: replaced below.
        }
    }

    public File dir()
    {
        return dir;
    }

    public int protocolPort()
    {
        return server.port();
    }

    public int httpPort()
    {
        return null == http ? -1 : http.port();
    }

    /**
     * @return the daemon's counters (those of counters.dat), for tests in the same process.
     */
    CountersReader counters()
    {
        return countersFile.countersManager();
    }

    ProtocolServer protocolServer()
    {
        return server;
    }

    public List<Alarm> activeAlarms()
    {
        return alarms.activeAlarms();
    }

    /**
     * Re-read the config file and apply what can change at run time (the alarms and the webhook).
     *
     * @return a line saying what happened, starting with "reloaded" on success.
     */
    public String reload()
    {
        if (null == configFile)
        {
            LOG.info("nothing to reload: the daemon runs on the embedded defaults");
            return "nothing to reload: the daemon runs on the embedded defaults";
        }
        final DaemonConfig next;
        try
        {
            next = overrides.apply(DaemonConfig.load(configFile));
        }
        catch (final ConfigException ex)
        {
            final String message = "reload refused, the running configuration is kept: " + ex.getMessage();
            LOG.warn(message);
            return message;
        }
        final List<String> needRestart = restartOnlyChanges(current, next);
        if (!needRestart.isEmpty())
        {
            final String message = "reload refused, the running configuration is kept: " +
                String.join("; ", needRestart) + " (applied only by a restart: revert to reload the rest, or restart)";
            LOG.warn(message);
            return message;
        }
        final List<AlarmRule> rules;
        try
        {
            rules = bind(next.alarms());
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
            final String message = "reload refused, the running configuration is kept: regulation: " + ex.getMessage();
            LOG.warn(message);
            return message;
        }
        server.durableTimeoutNs(next.journal().durableTimeout().toNanos());
        pendingRules.set(rules);
        final WebhookNotifier previous = webhook;
        if (null == previous || !next.webhook().url().equals(current.webhook().url()) ||
            !next.webhook().delivery().equals(current.webhook().delivery()) || !next.node().nodeName().equals(current.node().nodeName()))
        {
            webhook = newWebhook(next);
            CloseHelper.quietClose(previous);
        }
        final List<String> restartNeeded = restartNeeded(config, next); // against what runs: a revert needs nothing
        current = next;
        final String message = "reloaded " + rules.size() + " alarm rule(s)" + (next.webhook().url().isEmpty() ? "" :
            " and webhook") + ", regulation " + next.regulation().regulation() + ", journal.durable-timeout " +
            next.journal().durableTimeout() +
            (restartNeeded.isEmpty() ? "" : "; a restart is needed to apply " + restartNeeded);
        LOG.info(message);
        return message;
    }

    /**
     * The keys a reload does not apply (they are reported, and the rest reloaded): everything but the alarms, the
     * webhook, node-name, the regulation and the journal and cluster keys (which {@link #restartOnlyChanges} refuses).
     */
    private static List<String> restartNeeded(final DaemonConfig was, final DaemonConfig now)
    {
        final List<String> keys = new ArrayList<>();
        final NodeConfig a = was.node();
        final NodeConfig b = now.node();
        differs(keys, "dir", a.dir(), b.dir());
        differs(keys, "counters-dir", a.countersDir(), b.countersDir());
        differs(keys, "error-log-capacity", a.errorLogCapacity(), b.errorLogCapacity());
        final SwitchConfig c = was.switchConfig();
        final SwitchConfig d = now.switchConfig();
        differs(keys, "shards", c.shards(), d.shards());
        differs(keys, "ring-size", c.ringSize(), d.ringSize());
        differs(keys, "max-message-length", c.maxMessageLength(), d.maxMessageLength());
        differs(keys, "shutdown-timeout", c.shutdownTimeout(), d.shutdownTimeout());
        final ObserveConfig e = was.observe();
        final ObserveConfig f = now.observe();
        differs(keys, "counters-capacity", e.countersCapacity(), f.countersCapacity());
        differs(keys, "observe-interval", e.interval(), f.interval());
        differs(keys, "histogram-log", e.histogramLog(), f.histogramLog());
        differs(keys, "shed-burst-threshold", e.shedBurstThreshold(), f.shedBurstThreshold());
        final ListenConfig g = was.listen();
        final ListenConfig h = now.listen();
        differs(keys, "listen.host", g.host(), h.host());
        differs(keys, "listen.port", g.port(), h.port());
        differs(keys, "listen.publish-timeout", g.publishTimeout(), h.publishTimeout());
        differs(keys, "subscriber.policy", g.subscriberPolicy(), h.subscriberPolicy());
        differs(keys, "subscriber.outbox-capacity", g.subscriberOutboxCapacity(), h.subscriberOutboxCapacity());
        differs(keys, "network", was.network(), now.network());
        differs(keys, "http", was.http(), now.http());
        differs(keys, "security", was.security(), now.security());
        differs(keys, "demo-load", was.demo(), now.demo());
        return keys;
    }

    private static void differs(final List<String> keys, final String key, final Object was, final Object now)
    {
        if (!java.util.Objects.equals(was, now))
        {
            keys.add(key);
        }
    }

    /**
     * The keys that a running daemon cannot change (journal.durable-timeout it can), of the journal, the cluster and
     * the switch's dispatch:
     * a reload that changes one is refused, naming each key, rather than half applied.
     */
    static List<String> restartOnlyChanges(final DaemonConfig was, final DaemonConfig now)
    {
        final List<String> changes = new ArrayList<>();
        final JournalConfig a = was.journal();
        final JournalConfig b = now.journal();
        changed(changes, "journal.enabled", a.enabled(), b.enabled());
        changed(changes, "journal.dir", a.dir(), b.dir());
        changed(changes, "journal.flush-policy", a.flushPolicy(), b.flushPolicy());
        changed(changes, "journal.min-free-disk", a.minFreeDiskBytes(), b.minFreeDiskBytes());
        changed(changes, "journal.retention.max-age", a.retentionMaxAge(), b.retentionMaxAge());
        changed(changes, "journal.retention.max-bytes", a.retentionMaxBytes(), b.retentionMaxBytes());
        changed(changes, "journal.retention.max-cycles", a.retentionMaxCycles(), b.retentionMaxCycles());
        changed(changes, "journal.deduplication-window", a.deduplicationWindow(), b.deduplicationWindow());
        changed(changes, "regulation.express-critical", was.regulation().expressCritical(), now.regulation().expressCritical());
        changed(changes, "idle-strategy", was.switchConfig().idleStrategy(), now.switchConfig().idleStrategy());
        final ClusterConfig c = was.cluster();
        final ClusterConfig d = now.cluster();
        changed(changes, "cluster.enabled", c.enabled(), d.enabled());
        changed(changes, "cluster.member-id", c.memberId(), d.memberId());
        changed(changes, "cluster.member-count", c.memberCount(), d.memberCount());
        changed(changes, "cluster.hostname", c.hostname(), d.hostname());
        changed(changes, "cluster.base-port", c.basePort(), d.basePort());
        changed(changes, "cluster.members", c.members(), d.members());
        changed(changes, "cluster.dir", c.dir(), d.dir());
        changed(changes, "cluster.clean-start", c.cleanStart(), d.cleanStart());
        changed(changes, "cluster.leader-heartbeat-timeout", c.leaderHeartbeatTimeout(), d.leaderHeartbeatTimeout());
        changed(changes, "cluster.election-timeout", c.electionTimeout(), d.electionTimeout());
        changed(changes, "cluster.startup-canvass-timeout", c.startupCanvassTimeout(), d.startupCanvassTimeout());
        changed(changes, "cluster.gateway", c.gateway(), d.gateway());
        return changes;
    }

    private static void changed(final List<String> changes, final String key, final Object was, final Object now)
    {
        if (!java.util.Objects.equals(was, now))
        {
            changes.add("key '" + key + "' changed (" + was + " -> " + now + ")");
        }
    }

    private List<AlarmRule> bind(final List<AlarmSpec> specs)
    {
        final List<AlarmRule> rules = new ArrayList<>();
        for (final AlarmSpec spec : specs)
        {
            final Metric base = metric(spec.metric());
            rules.add(new AlarmRule(spec.name(), spec.severity(), spec.rate() ? base.perSecond() : base, spec.above(),
                spec.threshold(), spec.raiseAfter().toNanos(), spec.clearAfter().toNanos(), spec.description()));
        }
        return rules;
    }

    private Metric metric(final String name)
    {
        final Metric counted = MetricCatalogue.alarmMetric(name, countersFile.countersManager());
        if (null != counted)
        {
            return counted;
        }
        return switch (name) // the alarm metrics the daemon derives itself (MetricCatalogue.DERIVED_ALARM_METRICS)
        {
            case "ring-occupancy" -> (now) -> junction.ringOccupancy();
            case "disk-free-mb" -> (now) -> dir.getUsableSpace() >> 20;
            case "journal-unavailable" -> (now) -> null != journal && !journal.isAvailable() ? 1 : 0;
            case "journal-disk-free-mb" ->
            {
                final File journalDir = journalDir(dir, config.journal());
                yield (now) -> (journalDir.isDirectory() ? journalDir : dir).getUsableSpace() >> 20;
            }
            case "journal-size-mb" -> (now) -> null == journal ? 0 : journal.counters().sizeBytes() >> 20;
            case "cluster-no-leader" -> (now) -> null == cluster ? 0 : cluster.noLeader();
            case "cluster-elections" -> (now) -> null == cluster ? 0 : cluster.elections();
            case "cluster-role" -> (now) -> null == cluster ? 0 : cluster.role();
            default -> throw new IllegalArgumentException("unknown metric '" + name + "'");
        };
    }

    private void writeProperties() throws IOException
    {
        final Properties properties = new Properties();
        properties.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        properties.setProperty("dir", dir.getPath());
        properties.setProperty("listen.host", config.listen().host());
        properties.setProperty("listen.port", Integer.toString(server.port()));
        properties.setProperty("max-message-length", Integer.toString(config.switchConfig().maxMessageLength()));
        properties.setProperty("http.host", config.http().host());
        properties.setProperty("http.port", Integer.toString(httpPort()));
        properties.setProperty("config", null == configFile ? "" : configFile.getAbsolutePath());
        if (null != journal) // where `junction journal --dir` finds it
        {
            properties.setProperty("journal.dir", journal.context().directory().getAbsolutePath());
        }
        if (null != cluster)
        {
            properties.setProperty("cluster.member-id", Integer.toString(config.cluster().memberId()));
            properties.setProperty("cluster.ingress-endpoints", config.cluster().memberList().ingressEndpoints());
        }
        final java.io.StringWriter text = new java.io.StringWriter();
        properties.store(text, "junction daemon");
        PrivateFiles.writeString(new File(dir, PROPERTIES_FILE).toPath(), text.toString());
    }

    /**
     * @return the directory that holds the counters file of the daemon whose data directory is given.
     */
    public static File countersDir(final File dir) throws IOException
    {
        final File location = new File(dir, COUNTERS_LOCATION_FILE);
        return location.isFile() ? new File(Files.readString(location.toPath(), StandardCharsets.UTF_8).trim()) : dir;
    }

    /**
     * Read the {@value #PROPERTIES_FILE} of a running daemon.
     */
    public static Properties readProperties(final File dir) throws IOException
    {
        final File file = new File(dir, PROPERTIES_FILE);
        if (!file.isFile())
        {
            throw new IOException("no " + PROPERTIES_FILE + " in " + dir + ": is a daemon running with that dir?");
        }
        final Properties properties = new Properties();
        try (java.io.Reader reader = Files.newBufferedReader(file.toPath(), StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        return properties;
    }

    /**
     * Stop gracefully: stop admitting, deliver what was accepted (within shutdown-timeout), then stop
     * everything. The counters file stays, marked closed, with the last values.
     */
    @Override
    public void close()
    {
        if (stopping)
        {
            return;
        }
        stopping = true;
        countersFile.stopping(); // the counters keep their last values in the file after the stop
        LOG.info("stopping: no longer admitting, draining accepted messages");
        if (null != demoThread)
        {
            try
            {
                demoThread.join(5000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        // Everything below is bounded by the stop's deadline: shutdown-timeout, plus a couple of seconds to answer
        // and flush; no step waits on a client.
        final long stopDeadlineNs = System.nanoTime() + current.switchConfig().shutdownTimeout().toNanos();
        server.stopAdmitting(stopDeadlineNs);
        CloseHelper.quietClose(gateway); // what the protocol queued goes to the cluster first
        final long ringBefore = junction.ringOccupancy();
        CloseHelper.quietClose(demoLoad);
        junction.close(); // drains up to shutdown-timeout; the journal stages flush and close their appenders
        server.awaitDurableAnswers(Math.min(current.journal().durableTimeout().toNanos(),
            Math.max(0, stopDeadlineNs - System.nanoTime()) + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500)));
        CloseHelper.quietClose(journal); // after the switch, as the journal asks
        CloseHelper.quietCloseAll(server, observerRunner, http);
        try
        {
            observer.onInterval(System.nanoTime()); // the last latency into the histogram log
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("last observation failed: {}", ex.toString());
        }
        final WebhookNotifier notifier = webhook;
        if (null != notifier)
        {
            notifier.clearAtStop(alarms.activeAlarms()); // a receiver must not be left with an alarm nobody clears
            notifier.close(current.webhook().delivery().timeout());
        }
        CloseHelper.quietCloseAll(observer, alarms);
        if (null != cluster)
        {
            try
            {
                cluster.close(); // after the observer, which reads its counters
                LOG.info("cluster member closed");
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("cluster member close failed: {}", ex.toString());
            }
        }
        new File(dir, PROPERTIES_FILE).delete();
        countersFile.close();
        errorLog.close();
        CloseHelper.quietCloseAll(locks);
        LOG.info("stopped ({} message(s) were in the rings at stop)", ringBefore);
    }
}
