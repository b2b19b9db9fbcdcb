package io.junction.perf.suite;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Junction;
import io.junction.Priority;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.EmbeddedMediaDriver;
import io.junction.client.JunctionClient;
import io.junction.perf.JvmFlags;
import io.junction.tools.Daemon;
import io.junction.tools.JunctionCli;

/**
 * Junction remote: the real daemon ({@code junction run}) started by the suite as a child JVM on a temp
 * directory, as a user runs it, and driven over loopback TCP by the client library users run
 * ({@link JunctionClient}, the Junction protocol's SBE frames): the like-for-like comparison with NATS and RabbitMQ.
 * Journal off (best-effort publishes), load regulation off, HTTP off, back-pressure subscribers (lossless: a
 * publish waits for room rather than a subscriber losing messages), the client's default credit. The publisher
 * and each subscriber have a client (a connection) of their own; each subscriber's client runs on its own agent
 * thread with the client's default idle strategy; the publisher's client is polled by the publishing thread, which
 * buffers frames and flushes when it is about to wait for the next message's time (or its buffer is full), as the
 * NATS client's writer does.
 */
public final class JunctionRemoteTarget implements Target
{
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    /** A system property of the suite's JVM: extra JVM flags for the daemon's JVM, separated by spaces. */
    public static final String DAEMON_JVM_PROPERTY = "junction.bench.daemon-jvm";
    private static final long SUBSCRIBE_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(10);
    /** Aeron terms of 4 MiB: a burst at the highest rates fits the publication's window. */
    private static final int AERON_TERM_LENGTH = 4 << 20;

    private final boolean yielding;
    private final boolean aeronUdp;
    private final boolean aeronLowLatency;
    /** The daemon's driver on its I/O agent ({@code aeron.threading-mode = invoker}). */
    private final boolean aeronInvoker;
    /** Daemon config lines added to the bench's ({@code --daemon-config}); empty: none. */
    private final String extraConfig;
    private ServerProcess daemon;
    private int port;
    private int aeronPort;
    private EmbeddedMediaDriver clientDriver;
    private int nextTopic;
    private final AtomicLong publishErrors = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();

    /** The daemon at its defaults (backoff idle strategy). */
    public JunctionRemoteTarget()
    {
        this(false);
    }

    private JunctionRemoteTarget(final boolean yielding)
    {
        this(yielding, false);
    }

    private JunctionRemoteTarget(final boolean yielding, final boolean aeronUdp)
    {
        this(yielding, aeronUdp, false, "");
    }

    private JunctionRemoteTarget(
        final boolean yielding, final boolean aeronUdp, final boolean aeronLowLatency, final String extraConfig)
    {
        this(yielding, aeronUdp, aeronLowLatency, extraConfig, false);
    }

    private JunctionRemoteTarget(final boolean yielding, final boolean aeronUdp, final boolean aeronLowLatency,
        final String extraConfig, final boolean aeronInvoker)
    {
        this.aeronInvoker = aeronInvoker;
        this.yielding = yielding;
        this.aeronUdp = aeronUdp;
        this.aeronLowLatency = aeronLowLatency;
        this.extraConfig = extraConfig;
    }

    /**
     * Over Aeron UDP as {@link #aeronUdp()}, with the documented low-latency settings: both drivers back off only to
     * 100 µs parks ({@code aeron.driver-idle = backoff}, {@code ClientContext.aeronBusyDriver}), the daemon's I/O
     * agent polls Aeron every 100 µs when idle ({@code aeron.idle-poll}), and the subscribers' agents park at most
     * 100 µs. Aeron wakes no thread, so each of those parks is a hop's worst wait at a low rate.
     */
    public static JunctionRemoteTarget aeronUdpLowLatency()
    {
        return new JunctionRemoteTarget(false, true, true, "");
    }

    /**
     * Over Aeron UDP as {@link #aeronUdp()}, with the daemon's driver on its I/O agent ({@code aeron.threading-mode =
     * invoker}): one thread fewer between the client's datagrams and the session logic, each way.
     */
    public static JunctionRemoteTarget aeronUdpInvoker()
    {
        return new JunctionRemoteTarget(false, true, false, "", true);
    }

    /**
     * Over Aeron UDP, the daemon's driver on its I/O agent or not, with daemon config lines added ({@code ;} between
     * them; for profiling a setting, e.g. {@code aeron.active-poll = 100us}).
     */
    public static JunctionRemoteTarget aeronUdp(final boolean invoker, final String config)
    {
        return new JunctionRemoteTarget(false, true, false, config.trim(), invoker);
    }

    /**
     * The daemon at its defaults but for {@code config} (daemon config lines, ';' between them), e.g.
     * {@code network.inline-shard = true}: {@code --daemon-config} in {@code --rounds}.
     */
    public static JunctionRemoteTarget configured(final String config)
    {
        return new JunctionRemoteTarget(false, false, false, config.trim());
    }

    /**
     * The daemon serving the protocol over Aeron UDP (its embedded media driver, SHARED threading) and the clients
     * over {@code aeron:udp} through one media driver of their own in the suite's JVM (as an application host runs
     * one driver for its processes): the lowest-latency way to a daemon on another host, here over loopback.
     */
    public static JunctionRemoteTarget aeronUdp()
    {
        return new JunctionRemoteTarget(false, true);
    }

    /**
     * The daemon with {@code idle-strategy = yielding}: its shard and delivery threads never park, so a
     * message at a low rate does not wait for a thread to wake; each keeps a core busy.
     */
    public static JunctionRemoteTarget yielding()
    {
        return new JunctionRemoteTarget(true);
    }

    @Override
    public String name()
    {
        if (!extraConfig.isEmpty())
        {
            return "Junction remote (" + (aeronUdp ? "Aeron UDP, " : "") + (aeronInvoker ? "invoker, " : "") +
                extraConfig + ")";
        }
        if (aeronInvoker)
        {
            return "Junction remote (Aeron UDP, driver on the I/O agent)";
        }
        return aeronLowLatency ? "Junction remote (Aeron UDP, low latency)" : aeronUdp ?
            "Junction remote (Aeron UDP)" : yielding ? "Junction remote (yielding)" : "Junction remote";
    }

    @Override
    public boolean variant()
    {
        return yielding || aeronLowLatency || aeronInvoker;
    }

    @Override
    public double startSeconds()
    {
        return 3.0;
    }

    @Override
    public Kind kind()
    {
        return Kind.JUNCTION;
    }

    @Override
    public String transport()
    {
        return aeronUdp ? "loopback Aeron UDP" : "loopback TCP";
    }

    @Override
    public String semantics()
    {
        return "the daemon (junction run) in its own JVM (ZGC as bin/junction runs it; -Xmx512m), best-effort " +
            "publishes (journal off), regulation off, " +
            "back-pressure subscribers (lossless), a connection per client, " +
            (aeronUdp ? "over Aeron UDP (the daemon's embedded driver and one for the clients, both SHARED " +
            "threading, term length " + (AERON_TERM_LENGTH >> 20) + " MiB), " : "") +
            (yielding ? "idle-strategy = yielding (never parks)" : aeronLowLatency ? "aeron.driver-idle = backoff " +
            "and aeron.idle-poll = 100us on the daemon, a busy client driver, subscriber agents parking at most " +
            "100 µs" : "default idle strategies (park up to 1 ms when idle)") +
            (aeronInvoker ? ", aeron.threading-mode = invoker (the daemon's driver on its I/O agent)" : "") +
            (extraConfig.isEmpty() ? "" : ", and " + extraConfig);
    }

    @Override
    public ProcessHandle serverProcess()
    {
        return null == daemon ? null : daemon.process().toHandle();
    }

    @Override
    public String version()
    {
        final String version = Junction.class.getPackage().getImplementationVersion();
        return "junction run, " + (null == version ? "this build" : version);
    }

    /** The daemon's protocol port on loopback, once prepared (for sections that bring their own clients). */
    int port()
    {
        return port;
    }

    /** Publish errors the daemon answered (each is a message not accepted), since the target was prepared. */
    public long publishErrors()
    {
        return publishErrors.get();
    }

    @Override
    public String prepare(final Path workDir) throws Exception
    {
        final Path dataDir = Files.createDirectories(workDir.resolve("data"));
        final Path config = workDir.resolve("bench.conf");
        String extra = yielding ? "idle-strategy = yielding\n" : "";
        if (!extraConfig.isEmpty())
        {
            extra += extraConfig.replace(';', '\n') + "\n";
        }
        if (aeronUdp)
        {
            try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0))
            {
                aeronPort = socket.getLocalPort();
            }
            extra += "aeron { enabled = true, ipc = false, ingress-endpoint = \"127.0.0.1:" + aeronPort + "\", " +
                "dir = \"" + workDir.resolve("daemon-aeron").toAbsolutePath() + "\", term-length = " +
                AERON_TERM_LENGTH + (aeronLowLatency ? ", driver-idle = backoff, idle-poll = 100us" : "") +
                (aeronInvoker ? ", threading-mode = invoker" : "") + " }\n";
            clientDriver = EmbeddedMediaDriver.launch(workDir.resolve("client-aeron").toFile(), AERON_TERM_LENGTH,
                aeronLowLatency, false, ClientContext.DEFAULT_AERON_RECEIVER_WINDOW);
        }
        Files.writeString(config, config(dataDir) + extra, StandardCharsets.UTF_8);
        daemon = ServerProcess.start("junction-daemon", command(config, dataDir), Map.of(), workDir);
        port = awaitPort(dataDir.toFile());
        daemon.awaitPort(port, START_TIMEOUT_NS);
        return null;
    }

    /**
     * The daemon's config: everything at its defaults except what the comparison needs (see the class comment).
     */
    static String config(final Path dataDir)
    {
        return String.join("\n",
            "dir = \"" + dataDir.toAbsolutePath().toString().replace("\\", "\\\\") + "\"",
            "max-message-length = 1024",
            "histogram-log = false",
            "listen { host = \"127.0.0.1\", port = 0 }",
            "journal { enabled = false }",
            "http { enabled = false }",
            "regulation { codel { enabled = false }, critical-reserve = 0, rules = [] }",
            "subscriber { policy = back-pressure }",
            "alarms { rules = [] }",
            "");
    }

    /**
     * The command that runs the daemon as {@code bin/junction run} does, on this JVM's class path (for runs that bring
     * their own config).
     */
    public static List<String> command(final Path config, final Path dataDir)
    {
        return command(config, dataDir, List.of("-Xms256m", "-Xmx512m"));
    }

    /**
     * As {@link #command(Path, Path)}, with these heap flags instead of {@code -Xms256m -Xmx512m} (a run that judges
     * resident memory wants the heap fixed and touched up front: {@code -Xms512m -Xmx512m -XX:+AlwaysPreTouch}).
     */
    public static List<String> command(final Path config, final Path dataDir, final List<String> heapFlags)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(JvmFlags.flags()));
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.addAll(heapFlags);
        command.add("-XX:+ExitOnOutOfMemoryError"); // as bin/junction runs it
        // Extra flags for the daemon only, e.g. a flight recording to profile it:
        // -Djunction.bench.daemon-jvm="-XX:StartFlightRecording=filename=/tmp/daemon.jfr,settings=profile"
        final String extra = System.getProperty(DAEMON_JVM_PROPERTY, "").trim();
        final List<String> extraFlags = extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
        if (extraFlags.stream().noneMatch((flag) -> flag.startsWith("-XX:+Use") && flag.endsWith("GC")))
        {
            command.add("-XX:+UseZGC"); // as bin/junction runs it, unless the extra flags choose a collector
        }
        command.addAll(extraFlags);
        command.add("-cp");
        command.add(absoluteClassPath(
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))));
        command.add(JunctionCli.class.getName());
        command.add("run");
        command.add("--config");
        command.add(config.toString());
        command.add("--dir");
        command.add(dataDir.toString());
        return command;
    }

    /** The daemon runs in its own working directory: a relative class path (bench.sh's) would not resolve. */
    static String absoluteClassPath(final String classPath)
    {
        final List<String> entries = new ArrayList<>();
        for (final String entry : classPath.split(File.pathSeparator))
        {
            if (!entry.isEmpty())
            {
                entries.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The daemon writes its ports to daemon.properties once it is ready. */
    private int awaitPort(final File dataDir) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + START_TIMEOUT_NS;
        while (true)
        {
            if (!daemon.process().isAlive())
            {
                throw new IOException("the daemon exited with " + daemon.process().exitValue() +
                    " before it was ready: " + tail(daemon.log()));
            }
            if (new File(dataDir, Daemon.PROPERTIES_FILE).isFile())
            {
                try
                {
                    final Properties properties = Daemon.readProperties(dataDir);
                    final String value = properties.getProperty("listen.port");
                    if (null != value)
                    {
                        return Integer.parseInt(value.trim());
                    }
                }
                catch (final IOException | NumberFormatException ex)
                {
                    // Written but not complete yet: read again.
                }
            }
            if (System.nanoTime() > deadlineNs)
            {
                throw new IOException("the daemon was not ready within " +
                    TimeUnit.NANOSECONDS.toSeconds(START_TIMEOUT_NS) + " s: " + tail(daemon.log()));
            }
            daemon.process().waitFor(50, TimeUnit.MILLISECONDS);
        }
    }

    private static String tail(final Path log)
    {
        try
        {
            final String text = Files.readString(log);
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    @Override
    public Target.Connection open(final Workload workload, final Receivers receivers) throws Exception
    {
        final String topic = "bench.quotes." + nextTopic++;
        final List<JunctionClient> clients = new ArrayList<>();
        try
        {
            final List<JunctionClient> subscribers = new ArrayList<>();
            for (int i = 0; i < receivers.subscribers(); i++)
            {
                final int index = i;
                final JunctionClient subscriber = JunctionClient.connect(context("bench-sub-" + i));
                clients.add(subscriber);
                subscribers.add(subscriber);
                final ClientSubscription subscription = subscriber.subscribe(topic, (message) -> receivers.onMessage(
                    index, Stamp.intendedSendNs(message.buffer(), message.offset()),
                    Stamp.runId(message.buffer(), message.offset())));
                // Polled here until SUBSCRIBED, then handed to its agent thread (the client is single-threaded).
                pollUntil(subscriber, subscription::isInEffect, "SUBSCRIBED for " + topic);
            }
            for (final JunctionClient subscriber : subscribers)
            {
                // The client's default idle strategy, as an application runs it; the low-latency variant parks at
                // most 100 µs, as Aeron wakes no selector.
                subscriber.startAgent(null, aeronLowLatency ? new org.agrona.concurrent.BackoffIdleStrategy(
                    10, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100)) : null);
            }
            final JunctionClient publisher = JunctionClient.connect(context("bench-pub"));
            clients.add(publisher);
            pollUntil(publisher, publisher::isConnected, "WELCOME");
            return new Target.Connection()
            {
                @Override
                public boolean publish(final UnsafeBuffer payload, final int length)
                {
                    // Encoded into the client's send buffer; a full buffer is written out (a non-blocking write:
                    // what the socket does not take stays buffered, and the offer is back-pressured).
                    final long result = publisher.offer(topic, Priority.NORMAL, payload, 0, length);
                    if (result > 0)
                    {
                        return true;
                    }
                    if (ClientResult.BACK_PRESSURED != result)
                    {
                        publishErrors.incrementAndGet();
                        lastError.set(ClientResult.describe(result) + ": " + publisher.lastError());
                    }
                    publisher.poll();
                    return false;
                }

                @Override
                public void flush()
                {
                    // One duty cycle: writes what is buffered, reads what the daemon sent (refusals, pongs).
                    publisher.poll();
                    while (publisher.isConnected() && publisherPending(publisher))
                    {
                        Thread.yield();
                        publisher.poll();
                    }
                }

                @Override
                public void close()
                {
                    closeAll(clients);
                }
            };
        }
        catch (final Exception ex)
        {
            closeAll(clients);
            throw ex;
        }
    }

    private ClientContext context(final String instance)
    {
        final ClientContext ctx = new ClientContext();
        if (aeronUdp)
        {
            ctx.url("aeron:udp?endpoint=127.0.0.1:" + aeronPort).aeronDirectory(clientDriver.directory());
        }
        else
        {
            ctx.url("tcp://127.0.0.1:" + port);
        }
        return ctx.instance(instance + "-" + nextTopic)
            .refusalListener((count, outcome, reasonCode) ->
            {
                // A best-effort publish is answered only when it is refused (back pressure past the publish
                // timeout): those messages are lost to the subscribers, and the loss shows in the results.
                publishErrors.addAndGet(count);
                lastError.set(outcome + " (" + reasonCode + ")");
            });
    }

    private static boolean publisherPending(final JunctionClient publisher)
    {
        return publisher.pendingBytes() > 0;
    }

    private void pollUntil(final JunctionClient client, final BooleanSupplier done, final String what)
        throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SUBSCRIBE_TIMEOUT_MS);
        while (!done.getAsBoolean())
        {
            if (0 == client.poll())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IOException("no " + what + " from the daemon within " + SUBSCRIBE_TIMEOUT_MS +
                        " ms: " + client.lastError() + " " + lastError.get());
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
    }

    private static void closeAll(final List<JunctionClient> clients)
    {
        for (final JunctionClient client : clients)
        {
            CloseHelper.quietClose(client); // stops a subscriber's agent thread first
        }
    }

    @Override
    public void close() throws Exception
    {
        try
        {
            CloseHelper.close(daemon);
        }
        finally
        {
            CloseHelper.quietClose(clientDriver);
            clientDriver = null;
        }
    }
}
