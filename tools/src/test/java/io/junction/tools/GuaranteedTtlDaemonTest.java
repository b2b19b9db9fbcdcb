package io.junction.tools;

import static io.junction.tools.ClientTestSupport.counter;
import static io.junction.tools.ClientTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.client.StartAt;

/**
 * Guaranteed publishes with a time-to-live through a real daemon child process: both are answered DURABLE; a
 * durable subscriber that was stopped and resumes a second later gets the one with a long time-to-live and not the
 * one with 200 ms, which is counted ({@code journal expired: durable}), and so does a replay
 * ({@code journal expired: replay}); {@code junction journal dump --json} shows each expiry.
 */
class GuaranteedTtlDaemonTest
{
    private static final long SHORT_TTL_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long LONG_TTL_NS = TimeUnit.HOURS.toNanos(1);

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withClientTestConfig();

    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);

    private JunctionClient client(final ClientContext ctx)
    {
        final JunctionClient client = JunctionClient.connect(ctx);
        daemon.closeAfter(client);
        return client;
    }

    private static ClientContext context(final int port)
    {
        return new ClientContext().url("tcp://127.0.0.1:" + port)
            .reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void anExpiredGuaranteedMessageIsNotRedeliveredToAResumedDurableSubscriberAndIsCounted() throws Exception
    {
        final File node = daemon.node();
        daemon.start();
        final int port = daemon.port();

        // A durable subscriber takes its name, then stops.
        final JunctionClient first = client(context(port).instance("audit-1"));
        final List<String> firstReceived = new ArrayList<>();
        final ClientSubscription stopped = first.subscribe("orders.>",
            (m) -> firstReceived.add(m.buffer().getStringWithoutLengthAscii(m.offset(), m.length())),
            ClientSubscriptionOptions.defaults().durable("audit").startAt(StartAt.earliest()).autoAck(true));
        pollUntil(stopped::isInEffect, () -> String.valueOf(stopped.endReason()), first);
        first.close();

        final List<PublishOutcome> outcomes = new ArrayList<>();
        final JunctionClient publisher = client(context(port).instance("feed").outcomeListener(
            (publisherSequence, outcome, sequence, reason) -> outcomes.add(outcome)));
        pollUntil(publisher::isConnected, publisher::lastError, publisher);
        publish(publisher, "orders.short", SHORT_TTL_NS, "short");
        publish(publisher, "orders.long", LONG_TTL_NS, "long");
        pollUntil(() -> outcomes.size() == 2, outcomes::toString, publisher);
        assertEquals(List.of(PublishOutcome.DURABLE, PublishOutcome.DURABLE), outcomes);
        final long published = System.nanoTime();

        // It resumes a second later: the 200 ms one has expired, the hour-long one has not.
        pollUntil(() -> System.nanoTime() - published > TimeUnit.SECONDS.toNanos(1), () -> "a second", publisher);
        final JunctionClient second = client(context(port).instance("audit-2"));
        final List<String> resumed = new ArrayList<>();
        second.subscribe("orders.>",
            (m) -> resumed.add(m.buffer().getStringWithoutLengthAscii(m.offset(), m.length())),
            ClientSubscriptionOptions.defaults().durable("audit").startAt(StartAt.earliest()).autoAck(true));
        pollUntil(() -> resumed.size() == 1, resumed::toString, second);
        // In journal order, so "short" (published first) would have come before "long".
        assertEquals(List.of("long"), resumed);
        assertEquals(List.of(), firstReceived);
        pollUntil(() -> counter(node, "journal expired: durable") == 1, () -> "expired counted", second);

        final List<String> replayed = new ArrayList<>();
        final JunctionClient reader = client(context(port));
        reader.subscribe("orders.>",
            (m) -> replayed.add(m.buffer().getStringWithoutLengthAscii(m.offset(), m.length())),
            ClientSubscriptionOptions.defaults().startAt(StartAt.earliest()));
        pollUntil(() -> replayed.size() == 1, replayed::toString, reader);
        assertEquals(List.of("long"), replayed);
        pollUntil(() -> counter(node, "journal expired: replay") == 1, () -> "replay expiry counted", reader);

        // The journal shows each expiry.
        final File dumpOut = daemon.tmp().resolve("dump.json").toFile();
        assertEquals(0, JunctionProcess.run(dumpOut, "journal", "dump", "--dir", node.getPath(), "--json"));
        final String dump = Files.readString(dumpOut.toPath());
        final ObjectMapper mapper = new ObjectMapper();
        final List<JsonNode> records = new ArrayList<>();
        for (final String line : dump.split("\n"))
        {
            if (line.startsWith("{"))
            {
                records.add(mapper.readTree(line)); // JSON lines, one record each
            }
        }
        assertEquals(2, records.size(), dump);
        assertEquals("orders.short", records.get(0).get("topic").asText());
        final long shortExpiry = records.get(0).get("expiryEpochNs").asLong();
        final long longExpiry = records.get(1).get("expiryEpochNs").asLong();
        assertTrue(longExpiry - shortExpiry > LONG_TTL_NS - TimeUnit.MINUTES.toNanos(1), dump);
        assertTrue(records.get(0).get("expires").asText().endsWith("Z"), dump);
    }

    private void publish(final JunctionClient publisher, final String topic, final long ttlNs, final String text)
    {
        final int length = payload.putStringWithoutLengthAscii(0, text);
        final long result = publisher.offer(topic, Priority.NORMAL, QualityOfService.GUARANTEED, ttlNs, payload, 0,
            length);
        assertTrue(result > 0, () -> ClientResult.describe(result));
    }
}
