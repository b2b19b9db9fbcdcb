package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.junction.Junction;
import io.junction.journal.Journal;
import io.junction.observe.Alarm;
import io.junction.observe.SwitchLatency;

/**
 * The standalone daemon, as a composition root: it starts its components in order (data directory, counters,
 * journal, cluster member, switch, alarms and their notifications, cluster gateway, protocol server, observer, HTTP
 * endpoint, demo load), each a class with one job, and stops them in reverse within shutdown-timeout
 * ({@link Components}). {@link ConfigReloader} applies a reload.
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

    private final Components components = new Components(LOG);
    private final File configFile;
    private final DataDirectory directory;
    private final DaemonCounters counters;
    private final Journal journal;
    private final DaemonCluster cluster;
    private final DaemonSwitch switchComponent;
    private final DaemonAlarms alarms;
    private final ProtocolListener protocol;
    private final HttpEndpoint http;
    private final DemoRunner demo;
    private final DaemonAeron aeron;
    private final ConfigReloader reloader;
    private volatile boolean ready;
    private volatile boolean stopping;

    public Daemon(final DaemonConfig config, final File configFile, final PrintStream out) throws IOException
    {
        this(config, configFile, out, UnaryOperator.identity());
    }

    /**
     * @param overrides what the command line changed in the file's configuration (e.g. --dir), applied again to the
     *                  file at each reload so that it is not taken for a change.
     */
    public Daemon(
        final DaemonConfig config,
        final File configFile,
        final PrintStream out,
        final UnaryOperator<DaemonConfig> overrides) throws IOException
    {
        this.configFile = configFile;
        directory = components.add("data directory", DataDirectory.open(config));
        final File dir = directory.dir();
        try
        {
            counters = components.add("counters", DaemonCounters.create(directory, config, LOG));
            journal = config.journal().enabled() ? startJournal(config) : null;
            cluster = config.cluster().enabled() ? startCluster(config) : null;
            final SwitchLatency latency = new SwitchLatency();
            switchComponent = components.add("switch", new DaemonSwitch(config, journal, counters, latency));
            final Junction junction = switchComponent.junction();

            alarms = components.add("alarms",
                new DaemonAlarms(config, counters, junction, dir, journal, cluster, (alarm) -> LOG.warn(alarm.describe())));
            final AlarmNotifications notifications = components.add("webhook",
                new AlarmNotifications(config, counters, alarms::activeAlarms));
            alarms.addListener(notifications::onAlarm);

            // Before the server, so that it stops after the server stopped admitting: what the protocol queued goes
            // to the cluster first.
            final ClusterGateway gateway = null != cluster && config.cluster().gateway() ?
                components.add("cluster gateway", new ClusterGatewayComponent(
                    cluster.newGateway(junction, counters.manager()))).gateway() : null;

            // Before the server, so that the media driver closes after it.
            aeron = config.aeron().enabled() ? components.add("aeron edge", DaemonAeron.launch(config.aeron(), dir,
                counters.manager(), counters.errors("aeron"))) : null;
            final ListenConfig listen = config.listen();
            final ProtocolServer server = bound("listen", listen.host(), listen.port(), () -> new ProtocolServer(
                junction, counters.manager(), config.network(), listen.host(), listen.port(),
                listen.subscriberPolicy(), listen.publishTimeout().toNanos(),
                config.journal().durableTimeout().toNanos(),
                config.switchConfig().idleStrategy() == IdleChoice.BACKOFF ? null :
                    config.switchConfig().idleStrategy().supplier(),
                config.security().authenticator(), counters.errors("protocol"), (line) -> LOG.info(line),
                config.security().serverTls()));
            if (null != switchComponent.inline())
            {
                server.driveSwitch(switchComponent.inline());
            }
            server.principals().maxSeries(config.http().metricsMaxPrincipalSeries());
            reloader = new ConfigReloader(configFile, overrides, config, junction, server, alarms, notifications, LOG);
            protocol = components.add("protocol server",
                new ProtocolListener(server, () -> reloader.current().journal().durableTimeout().toNanos()));
            if (null != gateway)
            {
                server.clusterGateway(gateway);
            }
            if (null != journal && journal.isAvailable())
            {
                final DurableSubscriptions durables = new DurableSubscriptions(journal,
                    config.journal().durableMaxSubscriptions(), config.journal().durableMaxUnacknowledged(),
                    counters.manager());
                components.add("durable subscriptions", DaemonComponent.closing(durables));
                server.durableSubscriptions(durables);
            }
            if (null != aeron)
            {
                aeron.serve(server);
            }

            components.add("observer", new DaemonObserver(config, dir, counters, latency, junction, alarms, server,
                journal, cluster, LOG));
            http = config.http().enabled() ? startHttp(config, dir, server) : null;
            demo = config.demo().rate() > 0 ? components.add("demo load", new DemoRunner(junction, config.demo(), out)) :
                null;
            directory.writeProperties(properties(config));
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            // An Error too (a class missing from a half-upgraded install): the threads already started would
            // otherwise keep a daemon alive that serves nothing.
            components.closeAll();
            throw ex;
        }
        ready = true;
        LOG.info("daemon started: pid {}, dir {}", ProcessHandle.current().pid(), dir);
        LOG.info("protocol on {}:{}{}", config.listen().host(), protocolPort(), null == http ? ", http disabled" :
            ", metrics on http://" + config.http().host() + ":" + http.port() + "/metrics");
        LOG.info("stop with SIGTERM or Ctrl-C; reload with SIGHUP or 'junction admin reload --dir {}'", dir);
        if (null != aeron)
        {
            LOG.info(aeron.describe());
        }
        if (null != cluster)
        {
            LOG.info(cluster.describe());
        }
        if (null != switchComponent.inline())
        {
            LOG.info("switch: on the I/O thread (network.inline-shard), no shard or delivery threads");
        }
        if (null != demo)
        {
            LOG.info("demo load: {}", demo.describe());
            demo.start();
        }
    }

    private Journal startJournal(final DaemonConfig config)
    {
        final Journal opened = DaemonJournal.open(config.journal(), directory.dir(), counters.manager(),
            counters.errors("journal"));
        components.add("journal", DaemonComponent.closing(opened)); // closed after the switch, as the journal asks
        if (!opened.isAvailable())
        {
            LOG.warn("journal unavailable, guaranteed publishes are refused: {}", opened.failure());
        }
        return opened;
    }

    private DaemonCluster startCluster(final DaemonConfig config) throws IOException
    {
        final DaemonCluster member = new DaemonCluster(config.cluster(), directory.dir(), counters.manager(),
            counters.errors("cluster"));
        components.add("cluster member", () ->
        {
            member.close(); // after the observer, which reads its counters
            LOG.info("cluster member closed");
        });
        return member;
    }

    private HttpEndpoint startHttp(final DaemonConfig config, final File dir, final ProtocolServer server)
        throws IOException
    {
        final HttpConfig settings = config.http();
        final HttpEndpoint endpoint = bound("http", settings.host(), settings.port(), () -> new HttpEndpoint(
            settings.host(), settings.port(), counters.manager(), settings.metricsMaxNamedSeries(),
            () -> ready && !stopping && server.isHealthy(), alarms::activeAlarms, this::reload,
            AdminGuard.forDaemon(config.security(), settings.host(), dir, counters.manager()), settings.limits()));
        components.add("http endpoint", endpoint::close);
        return endpoint;
    }

    /**
     * The cluster gateway as a component: it closes as soon as the server stopped admitting, flushing what the
     * protocol queued to the cluster before the switch drains.
     */
    private static final class ClusterGatewayComponent implements DaemonComponent
    {
        private final ClusterGateway gateway;
        private boolean closed;

        ClusterGatewayComponent(final ClusterGateway gateway)
        {
            this.gateway = gateway;
        }

        ClusterGateway gateway()
        {
            return gateway;
        }

        @Override
        public void quiesce(final long deadlineNs)
        {
            close();
        }

        @Override
        public void close()
        {
            if (!closed)
            {
                closed = true;
                gateway.close();
            }
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

    /**
     * @return {@code path} if absolute, else under the data directory: --dir moves every relative path with it.
     */
    static File resolve(final File dataDir, final String path)
    {
        final File file = new File(path);
        return file.isAbsolute() ? file : new File(dataDir, path).getAbsoluteFile();
    }

    /**
     * @return the journal's directory for a daemon's data directory and journal settings.
     */
    public static File journalDir(final File dir, final JournalConfig spec)
    {
        return DaemonJournal.dir(dir, spec);
    }

    public File dir()
    {
        return directory.dir();
    }

    public int protocolPort()
    {
        return protocol.server().port();
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
        return counters.manager();
    }

    ProtocolServer protocolServer()
    {
        return protocol.server();
    }

    public List<Alarm> activeAlarms()
    {
        return alarms.activeAlarms();
    }

    /**
     * Re-read the config file and apply what can change at run time ({@link ConfigReloader}).
     *
     * @return a line saying what happened, starting with "reloaded" on success.
     */
    public String reload()
    {
        return reloader.reload();
    }

    private Properties properties(final DaemonConfig config)
    {
        final Properties properties = new Properties();
        properties.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        properties.setProperty("dir", directory.dir().getPath());
        properties.setProperty("listen.host", config.listen().host());
        properties.setProperty("listen.port", Integer.toString(protocolPort()));
        properties.setProperty("max-message-length", Integer.toString(config.switchConfig().maxMessageLength()));
        properties.setProperty("http.host", config.http().host());
        properties.setProperty("http.port", Integer.toString(httpPort()));
        properties.setProperty("config", null == configFile ? "" : configFile.getAbsolutePath());
        if (null != journal) // where `junction journal --dir` finds it
        {
            properties.setProperty("journal.dir", journal.context().directory().getAbsolutePath());
        }
        if (null != aeron)
        {
            aeron.addProperties(properties);
        }
        if (null != cluster)
        {
            properties.setProperty("cluster.member-id", Integer.toString(config.cluster().memberId()));
            properties.setProperty("cluster.ingress-endpoints", config.cluster().memberList().ingressEndpoints());
        }
        return properties;
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
     * everything, newest first. The counters file stays, marked closed, with the last values.
     */
    @Override
    public void close()
    {
        if (stopping)
        {
            return;
        }
        stopping = true;
        final long stopStartNs = System.nanoTime();
        counters.stopping(); // the counters keep their last values in the file after the stop
        LOG.info("stopping: no longer admitting, draining accepted messages");
        // Every step is bounded by the stop's deadline: shutdown-timeout, plus a couple of seconds to answer and
        // flush; no step waits on a client.
        components.stop(System.nanoTime() + reloader.current().switchConfig().shutdownTimeout().toNanos());
        // The stop's own duration, so that an operator (and a test) can tell the daemon's bound from the time a
        // loaded machine takes to schedule a JVM's exit.
        LOG.info("stopped in {} ms ({} message(s) were in the rings at stop)",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStartNs), switchComponent.ringAtStop());
    }
}
