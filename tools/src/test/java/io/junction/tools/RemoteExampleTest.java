package io.junction.tools;

import static io.junction.tools.ClientTestSupport.startDaemon;
import static io.junction.tools.ClientTestSupport.writeConfig;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.JunctionClient;

/**
 * The README's remote example ("Connect from another process"), compiled and run against a daemon child process
 * this test starts. The README's snippet must stay identical to the lines between the markers below.
 */
class RemoteExampleTest
{
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void theReadmeRemoteExampleRunsAgainstADaemon() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        try (JunctionProcess daemon = startDaemon(tmp, writeConfig(tmp, node, 0), node, "daemon.log"))
        {
            final String url = "tcp://127.0.0.1:" + ClientTestSupport.port(node);
            final ByteArrayOutputStream captured = new ByteArrayOutputStream();
            final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

            // README-BEGIN
            try (JunctionClient client = JunctionClient.connect(new ClientContext()
                .url(url)                   // e.g. "tcp://127.0.0.1:7420": the daemon's listen.host and listen.port
                .instance("order-service")  // stable across restarts: the daemon's publisher is principal/instance
                .outcomeListener((publisherSequence, outcome, sequence, reasonCode) ->
                    out.println("publish " + publisherSequence + ": " + outcome + " as journal sequence " + sequence))))
            {
                final ClientSubscription orders = client.subscribe("orders.>", message ->
                    out.println(message.topic() + " " + message.buffer().getStringWithoutLengthUtf8(0, message.length())));
                final IdleStrategy idle = new BackoffIdleStrategy();
                while (!orders.isInEffect()) // connects, says HELLO, subscribes: all from poll(), which never blocks
                {
                    idle.idle(client.poll());
                }

                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
                final int length = buffer.putStringWithoutLengthUtf8(0, "order 42");
                final long sent = client.offer("orders.new", Priority.HIGH, QualityOfService.GUARANTEED, buffer, 0, length);
                out.println("sent as publisher sequence " + sent); // > 0; negative: a ClientResult code
                while (client.inFlight() > 0 || orders.delivered() == 0)
                {
                    idle.idle(client.poll());
                }
            }
            // README-END

            final String printed = captured.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("orders.new order 42\n"), printed);
            assertTrue(printed.matches("(?s).*sent as publisher sequence \\d+\n.*"), printed);
            assertTrue(printed.matches("(?s).*publish \\d+: DURABLE as journal sequence \\d+\n.*"), printed);
        }
    }

    @Test
    void theReadmeShowsThisExample() throws Exception
    {
        final String text = Files.readString(Path.of("src/test/java/io/junction/tools/RemoteExampleTest.java"));
        final String snippet = text.substring(text.indexOf("// README-BEGIN") + "// README-BEGIN".length(),
            text.indexOf("            // README-END"));
        final String unindented = String.join("\n", snippet.strip().lines()
            .map(line -> line.isBlank() ? "" : line.substring(Math.min(12, line.length() - line.stripLeading().length())))
            .toList());
        final String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains(unindented), "README.md must show the remote example as tested:\n" + unindented);
    }
}
