package io.junction.tools;

import static io.junction.tools.DaemonTestSupport.httpGet;
import static io.junction.tools.DaemonTestSupport.read;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Priority;

/**
 * The journal's gauges and a journal alarm against the daemon as a real child process: guaranteed publishes move
 * the journal's position, {@code stat --json} and Prometheus show position, size, roll cycles and disk free, and
 * a disk-free alarm is raised and cleared (webhook) by moving its threshold above and below the actual free space
 * with a reload.
 */
class JournalAlarmProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private BlockingQueue<String> webhooks;

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void journalGaugesAreVisibleAndTheDiskFreeAlarmRaisesAndClears() throws Exception
    {
        final DaemonTestSupport.WebhookReceiver hookServer = new DaemonTestSupport.WebhookReceiver();
        webhooks = hookServer.path("/hook");
        resources.add(hookServer.start());

        final File node = tmp.resolve("node").toFile();
        final File config = tmp.resolve("junction.conf").toFile();
        final long freeMb = tmp.toFile().getUsableSpace() >> 20;
        writeConfig(config, node, hookServer.port(), freeMb * 2 + 100_000); // above: raised

        final JunctionProcess daemon = JunctionProcess.start(tmp.resolve("daemon.log").toFile(),
            "run", "--config", config.getPath());
        resources.add(daemon);
        await().atMost(TIMEOUT).until(() ->
            new File(node, Daemon.PROPERTIES_FILE).isFile() || !daemon.process().isAlive());
        assertTrue(daemon.process().isAlive(), daemon::output);
        final int port = Integer.parseInt(Daemon.readProperties(node).getProperty("listen.port"));
        final int httpPort = Integer.parseInt(Daemon.readProperties(node).getProperty("http.port"));

        assertWebhook("journal-disk", "RAISED");

        // Guaranteed publishes move the journal's position.
        final int count = 5;
        final ProtocolClient publisher = new ProtocolClient("127.0.0.1", port);
        resources.add(publisher);
        final FrameRecorder replies = new FrameRecorder(publisher);
        resources.add(replies);
        final byte[] payload = new byte[16];
        for (int i = 0; i < count; i++)
        {
            publisher.publish("orders.new", Priority.HIGH, io.junction.QualityOfService.GUARANTEED, payload, 0, payload.length);
        }
        publisher.flush();
        await().atMost(TIMEOUT).until(() -> replies.durable.size() == count || !replies.errors.isEmpty() ||
            replies.refused.get() > 0 || !replies.failedOutcomes.isEmpty());
        assertTrue(replies.errors.isEmpty() && replies.refusals.isEmpty() && replies.failedOutcomes.isEmpty(),
            () -> replies.errors + " " + replies.refusals + " " + replies.failedOutcomes);

        final File statOut = tmp.resolve("stat.json").toFile();
        // The record number is refreshed at each disk check (100 ms), size and cycles from a directory listing
        // once a second: wait for all three.
        await().atMost(TIMEOUT).until(() ->
        {
            assertEquals(0, JunctionProcess.run(statOut, "stat", "--dir", node.getPath(), "--json"));
            final String json = Files.readString(statOut.toPath());
            return json.contains("\"label\":\"journal last record number\",\"value\":" + (count - 1)) &&
                json.contains("\"label\":\"journal roll cycles\",\"value\":1") &&
                value(json, "journal size bytes") > 0;
        });
        final String stat = Files.readString(statOut.toPath());
        final long diskFree = value(stat, "journal disk free bytes");
        assertTrue(Math.abs((diskFree >> 20) - freeMb) < 1024, stat);
        assertTrue(stat.contains("\"activeAlarms\":[\"journal-disk [MAJOR]\"]"), stat);

        final String metrics = httpGet(httpPort, "/metrics").body();
        assertTrue(metrics.contains("# TYPE junction_journal_size_bytes gauge"), metrics);
        assertTrue(metrics.contains("junction_journal_last_record_number{counter=\"journal last record number\"} " +
            (count - 1)), metrics);
        assertTrue(metrics.contains("junction_journal_roll_cycles{counter=\"journal roll cycles\"} 1"), metrics);
        assertTrue(metrics.contains("junction_journal_disk_free_bytes{counter=\"journal disk free bytes\"} "), metrics);

        // The threshold below the free space, by reload: the alarm clears after its clear delay.
        writeConfig(config, node, hookServer.port(), 1);
        final File adminOut = tmp.resolve("admin.txt").toFile();
        assertEquals(0, JunctionProcess.run(adminOut, "admin", "reload", "--dir", node.getPath()),
            () -> read(adminOut));
        assertWebhook("journal-disk", "CLEARED");

        daemon.process().destroy(); // SIGTERM
        assertTrue(daemon.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), daemon::output);
        assertEquals(0, daemon.process().exitValue(), daemon::output);
    }

    private static void writeConfig(final File config, final File node, final int hookPort, final long belowMb)
        throws IOException
    {
        Files.writeString(config.toPath(), String.join("\n",
            "dir = \"" + node.getPath().replace("\\", "\\\\") + "\"",
            "observe-interval = 100ms",
            "listen.port = 0",
            "http.port = 0",
            "journal { min-free-disk = 1M }",
            "alarms {",
            "  webhook = \"http://127.0.0.1:" + hookPort + "/hook\"",
            "  rules = [ { name = journal-disk, metric = journal-disk-free-mb, below = " + belowMb + ",",
            "              raise-after = 200ms, clear-after = 300ms, severity = major } ]",
            "}",
            ""));
    }

    static long value(final String statJson, final String label)
    {
        final Matcher matcher = Pattern.compile("\"label\":\"" + Pattern.quote(label) + "\",\"value\":(-?\\d+)")
            .matcher(statJson);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : Long.MIN_VALUE;
    }

    private void assertWebhook(final String alarm, final String state) throws InterruptedException
    {
        final String body = webhooks.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(null != body && body.contains("\"alarm\":\"" + alarm + "\"") &&
            body.contains("\"state\":\"" + state + "\""), "expected " + alarm + " " + state + ", got " + body);
    }


}
