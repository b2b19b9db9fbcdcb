package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@code junction run} child process for each test, as a JUnit 5 extension:
 * {@code @RegisterExtension final DaemonChild daemon = DaemonChild.withConfig("network.inline-shard = true");}.
 * Before each test it makes a temporary directory ({@link #tmp()}); {@link #start} writes the config there (the data
 * directory, the class's lines, the test's), starts the daemon, waits until it has written its own
 * {@code daemon.properties} and keeps its output in a file. After each test it closes what the test handed it
 * ({@link #closeAfter}, last first), stops every daemon it started (SIGTERM, then SIGKILL if it has not exited within
 * {@link #STOP_GRACE}) and deletes the directory.
 */
final class DaemonChild implements BeforeEachCallback, AfterEachCallback
{
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** How long a daemon stopped after its test has for a graceful exit before it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(20);

    /** What the tests of clients share: generous timeouts, no HTTP, no alarms, a journal that fits any disk. */
    static final List<String> CLIENT_TEST_LINES = List.of(
        "shutdown-timeout = 10s",
        "listen { port = 0, publish-timeout = 10s }",
        "http.enabled = false",
        "alarms.rules = []",
        "journal { min-free-disk = 1M }");

    private final List<String> classLines;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<JunctionProcess> started = new ArrayList<>();
    private Path tmp;
    private File node;
    private File config;
    private JunctionProcess process;

    private DaemonChild(final List<String> classLines)
    {
        this.classLines = classLines;
    }

    /**
     * @param lines the config after {@code dir}, for every daemon of the class (HOCON: a later line overrides).
     */
    static DaemonChild withConfig(final String... lines)
    {
        return new DaemonChild(List.of(lines));
    }

    /**
     * The config the client tests share ({@code shutdown-timeout = 10s}, {@code publish-timeout = 10s}, no HTTP, no
     * alarm rules, {@code journal.min-free-disk = 1M}), then {@code lines}.
     */
    static DaemonChild withClientTestConfig(final String... lines)
    {
        final List<String> all = new ArrayList<>(CLIENT_TEST_LINES);
        all.addAll(Arrays.asList(lines));
        return new DaemonChild(List.copyOf(all));
    }

    @Override
    public void beforeEach(final ExtensionContext context) throws IOException
    {
        tmp = Files.createTempDirectory("junction-daemon-child");
        node = tmp.resolve("node").toFile();
        config = tmp.resolve("node.conf").toFile();
    }

    @Override
    public void afterEach(final ExtensionContext context) throws Exception
    {
        Throwable failure = null;
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            try
            {
                resources.get(i).close();
            }
            catch (final Exception | AssertionError ex)
            {
                failure = addTo(failure, ex);
            }
        }
        resources.clear();
        for (final JunctionProcess daemon : started)
        {
            stop(daemon);
        }
        if (context.getExecutionException().isPresent())
        {
            // The daemons' logs go with the directory: a failed test keeps them in its report.
            for (int i = 0; i < started.size(); i++)
            {
                System.out.println("---- daemon " + (i + 1) + " of " + context.getDisplayName() + " ----\n" +
                    started.get(i).output());
            }
        }
        started.clear();
        process = null;
        try
        {
            deleteTree(tmp);
        }
        catch (final IOException ex)
        {
            failure = addTo(failure, ex);
        }
        if (failure instanceof Exception ex)
        {
            throw ex;
        }
        if (failure instanceof AssertionError error)
        {
            throw error;
        }
    }

    /**
     * Write the config (the data directory, the class's lines, then {@code lines}) and start {@code junction run} on
     * it; returns once the daemon has written its own {@code daemon.properties}.
     *
     * @throws AssertionError with its output if it exits or is not ready within {@link #TIMEOUT}.
     */
    JunctionProcess start(final String... lines) throws Exception
    {
        writeConfig(lines);
        return restart();
    }

    /**
     * Start {@code junction run} again on the config last written and the same data directory (a crash, a restart).
     */
    JunctionProcess restart() throws Exception
    {
        final JunctionProcess daemon = JunctionProcess.start(
            tmp.resolve("daemon-" + (started.size() + 1) + ".log").toFile(), "run", "--config", config.getPath());
        started.add(daemon);
        process = daemon;
        awaitReady(daemon, node);
        return daemon;
    }

    /**
     * Wait until {@code daemon} has written its own {@code daemon.properties} in {@code node} (after a SIGKILL the
     * last run's file is still there).
     *
     * @throws AssertionError with its output if it exits or is not ready within {@link #TIMEOUT}.
     */
    static void awaitReady(final JunctionProcess daemon, final File node)
    {
        final File properties = new File(node, Daemon.PROPERTIES_FILE);
        await().atMost(TIMEOUT).until(() -> !daemon.process().isAlive() || (properties.isFile() &&
            Long.toString(daemon.process().pid()).equals(readPid(node))));
        assertTrue(daemon.process().isAlive(), daemon::output);
    }

    /**
     * Write the config file again (the data directory, the class's lines, then {@code lines}), for a reload or a
     * restart; the running daemon is not told.
     */
    File writeConfig(final String... lines) throws IOException
    {
        final List<String> all = new ArrayList<>();
        all.add("dir = \"" + node.getPath().replace("\\", "\\\\") + "\"");
        all.addAll(classLines);
        all.addAll(Arrays.asList(lines));
        all.add("");
        Files.writeString(config.toPath(), String.join("\n", all));
        return config;
    }

    /**
     * @return {@code resource}, closed after the test (last handed, first closed), before the daemon is stopped.
     */
    <T extends AutoCloseable> T closeAfter(final T resource)
    {
        resources.add(resource);
        return resource;
    }

    /**
     * @return the test's temporary directory (the config, the data directory, the daemons' output and the test's own
     * files), deleted after it.
     */
    Path tmp()
    {
        return tmp;
    }

    File node()
    {
        return node;
    }

    File config()
    {
        return config;
    }

    /**
     * @return the daemon last started.
     */
    JunctionProcess process()
    {
        return process;
    }

    String output()
    {
        return null == process ? "(no daemon started)" : process.output();
    }

    int port() throws IOException
    {
        return Integer.parseInt(Daemon.readProperties(node).getProperty("listen.port"));
    }

    int httpPort() throws IOException
    {
        return Integer.parseInt(Daemon.readProperties(node).getProperty("http.port"));
    }

    /**
     * @return a counter of the running daemon, read from outside with {@code junction stat --json}.
     */
    long stat(final String label) throws Exception
    {
        final File out = tmp.resolve("stat.json").toFile();
        assertEquals(0, JunctionProcess.run(out, "stat", "--dir", node.getPath(), "--json"),
            () -> DaemonTestSupport.read(out));
        final Matcher value = Pattern.compile("\"label\":\"" + Pattern.quote(label) + "\",\"value\":(\\d+)")
            .matcher(Files.readString(out.toPath()));
        assertTrue(value.find(), () -> "no counter '" + label + "'");
        return Long.parseLong(value.group(1));
    }

    private static String readPid(final File node)
    {
        try
        {
            return Daemon.readProperties(node).getProperty("pid");
        }
        catch (final IOException ex)
        {
            return null; // Being replaced.
        }
    }

    private static void stop(final JunctionProcess daemon) throws InterruptedException
    {
        final Process child = daemon.process();
        if (!child.isAlive())
        {
            return;
        }
        child.destroy();
        if (!child.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS))
        {
            child.destroyForcibly();
            child.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (null == root || !Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.deleteIfExists(path);
            }
        }
    }

    private static Throwable addTo(final Throwable first, final Throwable next)
    {
        if (null == first)
        {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
