package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.RejectReason;
import io.junction.SlowSubscriberPolicy;
import io.junction.journal.Journal;
import io.junction.journal.JournalReader;
import io.junction.journal.StartPosition;
import io.junction.security.Authenticator;

/**
 * Idempotent guaranteed publishes over the protocol (a real journal, switch and server in this process, real
 * sockets): a HELLO's instance names a publisher stream, a resend with the original publisher sequence is answered
 * DURABLE and journaled once, one older than the deduplication window is answered REJECTED, a second HELLO
 * for the same stream takes it over from the first connection, and a guaranteed request keeps its reply topic.
 */
class IdempotentPublishServerTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int WINDOW = 64;

    @TempDir
    Path tmp;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(new byte[512 * 1024]), new UnsafeBuffer(new byte[128 * 1024]));
    private Journal journal;
    private Junction junction;
    private ProtocolServer server;

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            try
            {
                resources.get(i).close();
            }
            catch (final Exception ex)
            {
                // Closed by the server already.
            }
        }
        stop();
    }

    private void stop()
    {
        if (null != server)
        {
            server.close();
            server = null;
        }
        if (null != junction)
        {
            junction.close();
            junction = null;
        }
        if (null != journal)
        {
            journal.close();
            journal = null;
        }
    }

    private void start(final File dir) throws Exception
    {
        journal = Journal.launch(new Journal.Context().directory(dir).blockSize(256 << 10).minFreeDiskBytes(0)
            .deduplicationWindow(WINDOW));
        junction = Junction.launch(new Junction.Context().countersManager(counters).journalSink(journal));
        server = new ProtocolServer(junction, counters, DaemonConfig.parse("network { max-connections = 100, " +
            "max-subscriptions-per-connection = 8, max-subscriptions = 100 }").network(), "127.0.0.1", 0, SlowSubscriberPolicy.DROP_NEWEST, 1_000_000_000L,
            10_000_000_000L, null, Authenticator.OPEN, Throwable::printStackTrace, System.out::println);
    }

    private FrameRecorder connect(final String instance) throws Exception
    {
        final FrameRecorder recorder = new FrameRecorder(new ProtocolClient("127.0.0.1", server.port(), instance));
        resources.add(recorder);
        return recorder;
    }

    @Test
    void aResendAfterAReconnectOrARestartIsAnsweredDurableAndJournaledOnce() throws Exception
    {
        final File dir = tmp.resolve("journal").toFile();
        start(dir);
        final FrameRecorder first = connect("orders-feed");
        publish(first, 1, 10);
        await().atMost(TIMEOUT).until(() -> first.durable.size() == 10);
        first.close();

        // Reconnected as the same instance: 1..10 again (the journal has them), then 11..12 new.
        final FrameRecorder second = connect("orders-feed");
        publish(second, 1, 12);
        await().atMost(TIMEOUT).until(() -> second.outcomes.size() == 12);
        final long duplicate = OfferResult.rejected(RejectReason.DUPLICATE);
        for (int i = 0; i < 10; i++)
        {
            assertEquals((i + 1) + " DURABLE -1 " + duplicate, second.outcomes.get(i), second.outcomes::toString);
        }
        assertTrue(second.outcomes.get(10).startsWith("11 DURABLE "), second.outcomes::toString);
        assertFalse(second.outcomes.get(10).endsWith(" -1 0"), "a new publish has its journal sequence");
        assertEquals(10, counter("protocol resends already journaled"));

        // Another instance is another stream: its sequence 1 is new.
        final FrameRecorder other = connect("audit-feed");
        publish(other, 1, 1);
        await().atMost(TIMEOUT).until(() -> other.durable.size() == 1);
        second.close();
        other.close();

        // After a restart the journal rebuilt the window: a resend is still known.
        stop();
        start(dir);
        final FrameRecorder third = connect("orders-feed");
        publish(third, 12, 2);
        await().atMost(TIMEOUT).until(() -> third.outcomes.size() == 2);
        assertEquals("12 DURABLE -1 " + duplicate, third.outcomes.get(0), third.outcomes::toString);
        assertTrue(third.outcomes.get(1).startsWith("13 DURABLE "), third.outcomes::toString);
        third.close();
        stop();

        assertEquals(14, journaled(dir, "orders-feed"), "1..13 once each, and audit-feed's 1");
    }

    /**
     * A guaranteed request is journaled with its reply topic and correlation id (record format 5): the responder
     * gets both, the journal keeps both, and after a restart the deduplication rebuilt from that record still knows
     * the request's publisher sequence.
     */
    @Test
    void aGuaranteedRequestIsJournaledWithItsReplyTopicAndKnownAfterARestart() throws Exception
    {
        final File dir = tmp.resolve("journal").toFile();
        start(dir);
        final FrameRecorder responder = connect("quote-service");
        responder.client.subscribe("svc.>");
        responder.awaitSubscribed();
        final FrameRecorder requester = connect("quote-requests");
        final byte[] question = "eur/usd".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        requester.client.request("svc.quote", Priority.HIGH, QualityOfService.GUARANTEED, "_INBOX.quotes.q1", 77,
            question, 0, question.length);
        requester.client.flush();
        await().atMost(TIMEOUT).until(() -> requester.durable.size() == 1 && responder.seen.size() == 1);
        assertEquals(new FrameRecorder.Seen("svc.quote", 77, "_INBOX.quotes.q1", "eur/usd"), responder.seen.get(0));
        assertEquals(1, counter("protocol requests"));
        requester.close();
        responder.close();

        stop();
        start(dir);
        final FrameRecorder again = connect("quote-requests");
        again.client.request("svc.quote", Priority.HIGH, QualityOfService.GUARANTEED, "_INBOX.quotes.q1", 77,
            question, 0, question.length); // the same publisher sequence (1) as before the restart
        again.client.flush();
        await().atMost(TIMEOUT).until(() -> again.outcomes.size() == 1);
        assertEquals("1 DURABLE -1 " + OfferResult.rejected(RejectReason.DUPLICATE), again.outcomes.get(0));
        again.close();
        stop();

        final List<String> records = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(dir))
        {
            reader.read(StartPosition.earliest(), null, (message) -> records.add(message.topic() + " " +
                message.replyTo() + " " + message.correlationId() + " " + message.publisherSequence()));
            assertEquals(List.of(), reader.verify());
        }
        assertEquals(List.of("svc.quote _INBOX.quotes.q1 77 1"), records);
    }

    @Test
    void aResendOlderThanTheWindowIsRejectedTooOld() throws Exception
    {
        start(tmp.resolve("journal").toFile());
        final FrameRecorder publisher = connect("bulk-feed");
        publish(publisher, 1, WINDOW + 10);
        await().atMost(TIMEOUT).until(() -> publisher.durable.size() == WINDOW + 10);
        publish(publisher, 3, 1);
        await().atMost(TIMEOUT).until(() -> publisher.outcomes.size() == WINDOW + 11);
        assertEquals("3 REJECTED -1 " + OfferResult.rejected(RejectReason.TOO_OLD_FOR_DEDUPLICATION),
            publisher.outcomes.get(WINDOW + 10));
        assertEquals(1, counter("protocol resends too old to deduplicate"));
    }

    @Test
    void aResendOfAPublishStillInFlightIsAnsweredAsThatPublishIs() throws Exception
    {
        start(tmp.resolve("journal").toFile());
        final FrameRecorder publisher = connect("eager-feed");
        publish(publisher, 1, 3);
        publish(publisher, 2, 1); // sent before 2's outcome could reach the client
        await().atMost(TIMEOUT).until(() -> publisher.outcomes.size() == 4);
        final String original = publisher.outcomes.get(1);
        final String resend = publisher.outcomes.get(3);
        assertTrue(original.startsWith("2 DURABLE ") && original.endsWith(" 0"), publisher.outcomes::toString);
        // Still pending when the resend came: the original's journal sequence; journaled meanwhile: -1, DUPLICATE.
        assertTrue(resend.equals(original) ||
            resend.equals("2 DURABLE -1 " + OfferResult.rejected(RejectReason.DUPLICATE)), publisher.outcomes::toString);
        assertEquals(1, counter("protocol resends already journaled"));
    }

    @Test
    void aSecondHelloForTheSameInstanceTakesTheStreamOver() throws Exception
    {
        start(tmp.resolve("journal").toFile());
        final FrameRecorder first = connect("pricing");
        publish(first, 1, 5);
        await().atMost(TIMEOUT).until(() -> first.durable.size() == 5);

        final FrameRecorder second = connect("pricing");
        await().atMost(TIMEOUT).until(() -> first.ended && null != second.publisher);
        assertEquals(1, first.errors.size(), first.errors::toString);
        assertTrue(first.errors.get(0).startsWith("PUBLISHER_IN_USE a new connection from 127.0.0.1:"),
            first.errors::toString);
        assertEquals(1, counter("protocol publisher takeovers"));
        assertEquals(1, counter("protocol errors sent: PUBLISHER_IN_USE"));

        // The stream goes on from the new connection: 5 is a resend, 6 is new.
        publish(second, 5, 2);
        await().atMost(TIMEOUT).until(() -> second.outcomes.size() == 2);
        assertTrue(second.outcomes.get(0).startsWith("5 DURABLE -1 "), second.outcomes::toString);
        assertTrue(second.outcomes.get(1).startsWith("6 DURABLE "), second.outcomes::toString);
        assertTrue(second.errors.isEmpty(), second.errors::toString);
        assertTrue(server.isHealthy());
    }

    private static void publish(final FrameRecorder recorder, final long from, final int count) throws Exception
    {
        final byte[] payload = new byte[8];
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        for (long sequence = from; sequence < from + count; sequence++)
        {
            buffer.putLong(0, sequence);
            recorder.client.publish("orders.new", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, 8,
                sequence);
        }
        recorder.client.flush();
    }

    /**
     * @return records journaled, after checking that no publisher sequence of a publisher is there twice.
     */
    private static long journaled(final File dir, final String instance) throws Exception
    {
        final java.util.Set<String> seen = new java.util.HashSet<>();
        final long[] records = { 0 };
        try (JournalReader reader = JournalReader.open(dir))
        {
            reader.read(StartPosition.earliest(), null, (message) ->
            {
                records[0]++;
                assertTrue(seen.add(message.publisherId() + "/" + message.publisherSequence()),
                    () -> "journaled twice: " + message);
                return true;
            });
        }
        assertTrue(seen.contains(PublisherStreams.publisherId(instance) + "/13"), seen::toString);
        return records[0];
    }

    private long counter(final String label)
    {
        final long[] value = { -1 };
        counters.forEach((id, typeId, key, counterLabel) ->
        {
            if (counterLabel.equals(label))
            {
                value[0] = counters.getCounterValue(id);
            }
        });
        assertTrue(value[0] >= 0, () -> "no counter '" + label + "'");
        return value[0];
    }
}
