package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.observe.CountersFileReader;

/**
 * The daemon as a composition root: what it starts, it stops, in a graceful stop and in a start that fails half way.
 */
class DaemonCompositionTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private String keys(final File node, final String more)
    {
        return String.join("\n",
            "dir = \"" + node.getPath().replace("\\", "\\\\") + "\"",
            "listen.port = 0",
            "http.port = 0",
            "histogram-log = false",
            "observe-interval = 100ms",
            "journal.min-free-disk = 1M",
            more);
    }

    private static Daemon start(final DaemonConfig config) throws IOException
    {
        return new Daemon(config, null, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void everyAlarmMetricOfTheCatalogueBindsInARunningDaemon() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        final String rules = MetricCatalogue.alarmMetrics().stream()
            .map((metric) -> "{ name = \"on-" + metric + "\", metric = " + metric + ", above = 1000000000 }")
            .collect(Collectors.joining(", ", "alarms.rules = [ ", " ]"));
        try (Daemon daemon = start(DaemonConfig.parse(keys(node, rules))))
        {
            assertTrue(daemon.activeAlarms().isEmpty(), daemon.activeAlarms()::toString);
            assertTrue(counters(daemon).contains("alarm on-journal-disk-free-mb"), () -> counters(daemon));
        }
    }

    @Test
    void aStopLeavesTheCountersMarkedStoppedAndFreesTheDirectoryForTheNextDaemon() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        final DaemonConfig config = DaemonConfig.parse(keys(node, "demo-load.rate = 1000"));
        try (Daemon first = start(config))
        {
            assertTrue(new File(node, Daemon.PROPERTIES_FILE).isFile());
            await().atMost(TIMEOUT).until(() -> value(first, "subscriptions delivered (all)") > 0);
        }
        assertFalse(new File(node, Daemon.PROPERTIES_FILE).exists(), "daemon.properties is removed at the stop");
        try (CountersFileReader reader = CountersFileReader.open(node))
        {
            assertTrue(reader.isStopped());
            assertTrue(reader.snapshot().stream().anyMatch((v) ->
                v.label().equals("subscriptions delivered (all)") && v.value() > 0), "the last values are kept");
        }
        assertFalse(observerThreadAlive(), "the observer's thread is stopped");
        try (Daemon second = start(config))
        {
            assertEquals(node.getAbsoluteFile(), second.dir());
        }
    }

    @Test
    void aStartThatFailsHalfWayClosesWhatItStartedAndNamesThePort() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            // HTTP starts after the journal, the switch, the protocol server and the observer.
            final IOException refused = assertThrows(IOException.class,
                () -> start(DaemonConfig.parse(keys(node, "http.port = " + taken.getLocalPort()))));
            assertTrue(refused.getMessage().startsWith("http.port " + taken.getLocalPort() + " is already in use"),
                refused.getMessage());
        }
        assertFalse(new File(node, Daemon.PROPERTIES_FILE).exists());
        await().atMost(TIMEOUT).until(() -> !observerThreadAlive());
        try (Daemon daemon = start(DaemonConfig.parse(keys(node, ""))))
        {
            assertTrue(daemon.httpPort() > 0, "the directory, its locks and the counters file were released");
        }
    }

    private static boolean observerThreadAlive()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .anyMatch((t) -> t.getName().equals("junction-observer") && t.isAlive());
    }

    private static String counters(final Daemon daemon)
    {
        final StringBuilder labels = new StringBuilder();
        daemon.counters().forEach((id, typeId, buffer, label) -> labels.append(label).append('\n'));
        return labels.toString();
    }

    private static long value(final Daemon daemon, final String label)
    {
        final long[] value = { -1 };
        daemon.counters().forEach((counterValue, id, counterLabel) ->
        {
            if (counterLabel.equals(label))
            {
                value[0] = counterValue;
            }
        });
        return value[0];
    }
}
