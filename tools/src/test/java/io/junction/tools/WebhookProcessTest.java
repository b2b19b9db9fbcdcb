package io.junction.tools;

import static io.junction.tools.DaemonTestSupport.read;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.sun.net.httpserver.HttpServer;

/**
 * Webhooks from a daemon child process to a real local HTTP receiver that fails at first: the payload names the
 * node, failed POSTs are retried with backoff and counted, each failure is in the error log that another process
 * reads, and the alarm still raised at a graceful stop is cleared.
 */
class WebhookProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withConfig();

    @Test
    void aFailingReceiverGetsTheNotificationAfterRetriesAndTheRaisedAlarmIsClearedAtStop() throws Exception
    {
        final AtomicInteger requests = new AtomicInteger();
        final List<String> accepted = new CopyOnWriteArrayList<>();
        final HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        receiver.createContext("/hook", (exchange) ->
        {
            final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (requests.incrementAndGet() <= 2)
            {
                exchange.sendResponseHeaders(500, -1); // the first two POSTs fail
            }
            else
            {
                accepted.add(body);
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        receiver.start();
        daemon.closeAfter(() -> receiver.stop(0));
        final File node = daemon.node();
        final JunctionProcess running = daemon.start(
            "node-name = \"edge-7\"",
            "listen.port = 0",
            "http.enabled = false",
            "histogram-log = false",
            "observe-interval = 200ms",
            "journal.enabled = false",
            "alarms {",
            "  webhook = \"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\"",
            "  webhook-delivery { attempts = 5, initial-backoff = 100ms, max-backoff = 1s, timeout = 5s }",
            "  rules = [ { name = no-subscribers, metric = subscriptions, below = 1, raise-after = 0s, severity = major } ]",
            "}");
        await().atMost(TIMEOUT).until(() -> !accepted.isEmpty() || !running.process().isAlive());
        assertTrue(running.process().isAlive(), running::output);
        final String raised = accepted.get(0);
        assertEquals(3, requests.get(), "two failed POSTs, then the one accepted");
        assertTrue(raised.startsWith("{\"node\":{\"name\":\"edge-7\",\"host\":\"") &&
            raised.contains("\"pid\":" + running.process().pid() + "}") &&
            raised.contains("\"alarm\":\"no-subscribers\"") && raised.contains("\"state\":\"RAISED\""), raised);

        // From another process: the failures in the error log, the retries in the counters.
        final File errors = daemon.tmp().resolve("errors.txt").toFile();
        assertEquals(0, JunctionProcess.run(errors, "stat", "--dir", node.getPath(), "--errors"), () -> read(errors));
        assertTrue(read(errors).contains("2 observation(s)") && read(errors).contains("failed: HTTP 500"),
            () -> read(errors));
        final File stat = daemon.tmp().resolve("stat.json").toFile();
        assertEquals(0, JunctionProcess.run(stat, "stat", "--dir", node.getPath(), "--json"), () -> read(stat));
        assertTrue(read(stat).contains("\"label\":\"webhook posts retried\",\"value\":2"), () -> read(stat));
        assertTrue(read(stat).contains("\"label\":\"webhook notifications delivered\",\"value\":1"),
            () -> read(stat));

        // A graceful stop clears what is still raised.
        running.process().destroy();
        assertTrue(running.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), running::output);
        assertEquals(0, running.process().exitValue(), running::output);
        assertEquals(2, accepted.size(), accepted::toString);
        final String cleared = accepted.get(1);
        assertTrue(cleared.contains("\"clearedByStop\":true") && cleared.contains("\"state\":\"CLEARED\"") &&
            cleared.contains("\"alarm\":\"no-subscribers\"") && cleared.contains("\"name\":\"edge-7\""), cleared);
    }
}
