package io.junction.tools;

import static io.junction.tools.DaemonTestSupport.httpGet;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of a running daemon (with its demo load): labelled families, clean quantiles, JVM,
 * process and build metrics, and text that {@code promtool check metrics} accepts.
 */
class MetricsEndpointTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private Daemon daemon;
    private int httpPort;

    @BeforeEach
    void start() throws Exception
    {
        daemon = startDaemon(tmp);
        httpPort = daemon.httpPort();
    }

    @AfterEach
    void stop()
    {
        daemon.close();
    }

    /**
     * A daemon in this JVM with a demo load and an alarm that is raised while messages flow.
     */
    static Daemon startDaemon(final Path tmp) throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        final File config = tmp.resolve("junction.conf").toFile();
        Files.writeString(config.toPath(), String.join("\n",
            "dir = \"" + node.getPath().replace("\\", "\\\\") + "\"",
            "listen.port = 0",
            "http.port = 0",
            "histogram-log = false",
            "observe-interval = 200ms",
            "demo-load.rate = 2000",
            "journal.min-free-disk = 1M",
            "alarms.rules = [ { name = has-subscriptions, metric = subscriptions, above = 0, " +
                "severity = minor, description = \"the demo load has subscribed\" } ]",
            ""));
        return new Daemon(DaemonConfig.load(config), config,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void familiesHaveLabelsCleanQuantilesAndJvmProcessAndBuildMetrics() throws Exception
    {
        await().atMost(TIMEOUT).until(() -> metrics().contains("junction_alarm_active{alarm=\"has-subscriptions\"," +
            "severity=\"MINOR\"} 1.0"));
        final String text = metrics();
        assertTrue(Pattern.compile("junction_latency_seconds\\{stage=\"offer_to_deliver\",quantile=\"0\\.999\"} [0-9.eE-]+")
            .matcher(text).find(), text);
        assertFalse(text.contains("0.9990000000000001"), text);
        assertTrue(text.contains("# TYPE junction_latency_seconds summary"), text);
        assertTrue(text.contains("junction_latency_seconds_count{stage=\"offer_to_deliver\"}"), text);
        assertTrue(text.contains("junction_offer_shed_total{class=\"CRITICAL\",reason=\"RATE_LIMITED\"} 0.0"), text);
        assertTrue(text.contains("junction_shard_dispatched_total{shard=\"0\"}"), text);
        await().atMost(TIMEOUT).until(() -> Pattern.compile("(?m)^junction_delivered_total [1-9]").matcher(metrics())
            .find());
        assertTrue(text.contains("junction_protocol_accepted_total{class=\"HIGH\"}"), text);
        assertTrue(text.contains("junction_sampled{sample=\"ring occupancy\"}"), text);
        assertTrue(text.contains("junction_subscriber_dropped_total{class=\"BULK\"}"), text);
        assertFalse(text.contains("junction_uncatalogued"), "every daemon counter is catalogued: " + text);
        assertTrue(text.contains("junction_journal_appended_total "), text);
        assertTrue(Pattern.compile("junction_build_info\\{commit=\"[^\"]+\",version=\"0\\.1\\.0-SNAPSHOT\"} 1")
            .matcher(text).find(), text);
        assertTrue(text.contains("jvm_memory_used_bytes{area=\"heap\"}"), text);
        assertTrue(text.contains("jvm_threads_current"), text);
        assertTrue(text.contains("process_cpu_seconds_total"), text);
        assertFalse(text.contains("counter=\""), "no free-text labels: " + text);
        assertTrue(httpGet(httpPort, "/metrics").headers().firstValue("Content-Type").orElse("")
            .startsWith("text/plain; version=0.0.4"));
    }

    @Test
    void promtoolAcceptsTheExposition() throws Exception
    {
        final String promtool = Promtool.find();
        assumeTrue(null != promtool, "promtool not found on PATH (Debian: apt-get install prometheus); .ci/run installs it");
        await().atMost(TIMEOUT).until(() -> metrics().contains("junction_latency_seconds{"));
        final File file = tmp.resolve("metrics.txt").toFile();
        Files.writeString(file.toPath(), metrics());
        final File out = tmp.resolve("promtool.txt").toFile();
        final Process process = new ProcessBuilder(promtool, "check", "metrics")
            .redirectInput(file).redirectErrorStream(true).redirectOutput(out).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        assertEquals(0, process.exitValue(), () -> DaemonTestSupport.read(out));
        assertEquals("", DaemonTestSupport.read(out).trim(), "no lint findings");
    }

    private String metrics() throws Exception
    {
        return httpGet(httpPort, "/metrics").body();
    }

    /** Where promtool is, if anywhere. */
    static final class Promtool
    {
        private Promtool()
        {
        }

        static String find()
        {
            for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            {
                final File candidate = new File(dir, "promtool");
                if (candidate.canExecute())
                {
                    return candidate.getPath();
                }
            }
            return null;
        }
    }
}
