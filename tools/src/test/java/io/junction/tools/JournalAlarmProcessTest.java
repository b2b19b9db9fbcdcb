package io.junction.tools;

import static io.junction.tools.DaemonTestSupport.httpGet;
import static io.junction.tools.DaemonTestSupport.read;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withConfig();

    private BlockingQueue<String> webhooks;

    @Test
    void journalGaugesAreVisibleAndTheDiskFreeAlarmRaisesAndClears() throws Exception
    {
        final DaemonTestSupport.WebhookReceiver hookServer = new DaemonTestSupport.WebhookReceiver();
        webhooks = hookServer.path("/hook");
        daemon.closeAfter(hookServer.start());

        final File node = daemon.node();
        final long freeMb = daemon.tmp().toFile().getUsableSpace() >> 20;
        final JunctionProcess running = daemon.start(config(hookServer.port(), freeMb * 2 + 100_000)); // above: raised
        final int port = daemon.port();
        final int httpPort = daemon.httpPort();

        assertWebhook("journal-disk", "RAISED");

        // Guaranteed publishes move the journal's position.
        final int count = 5;
        final ProtocolClient publisher = new ProtocolClient("127.0.0.1", port);
        daemon.closeAfter(publisher);
        final FrameRecorder replies = new FrameRecorder(publisher);
        daemon.closeAfter(replies);
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

        final File statOut = daemon.tmp().resolve("stat.json").toFile();
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
        assertTrue(metrics.contains("junction_journal_last_record_number " +
            (double)(count - 1)), metrics);
        assertTrue(metrics.contains("junction_journal_roll_cycles 1.0"), metrics);
        assertTrue(metrics.contains("junction_journal_disk_free_bytes "), metrics);

        // The threshold below the free space, by reload: the alarm clears after its clear delay.
        daemon.writeConfig(config(hookServer.port(), 1));
        final File adminOut = daemon.tmp().resolve("admin.txt").toFile();
        assertEquals(0, JunctionProcess.run(adminOut, "admin", "reload", "--dir", node.getPath()),
            () -> read(adminOut));
        assertWebhook("journal-disk", "CLEARED");

        running.process().destroy(); // SIGTERM
        assertTrue(running.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), running::output);
        assertEquals(0, running.process().exitValue(), running::output);
    }

    /**
     * @return the config after {@code dir}: the disk-free alarm below {@code belowMb}, posted to the webhook.
     */
    private static String[] config(final int hookPort, final long belowMb)
    {
        return new String[]{
            "observe-interval = 100ms",
            "listen.port = 0",
            "http.port = 0",
            "journal { min-free-disk = 1M }",
            "alarms {",
            "  webhook = \"http://127.0.0.1:" + hookPort + "/hook\"",
            "  rules = [ { name = journal-disk, metric = journal-disk-free-mb, below = " + belowMb + ",",
            "              raise-after = 200ms, clear-after = 300ms, severity = major } ]",
            "}",
        };
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
