package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.Publisher;
import io.junction.QualityOfService;
import io.junction.RejectReason;

/**
 * A guaranteed request is journaled with its reply topic and correlation id (record format 5), beside ordinary
 * records in the same document, so that a durable subscriber replaying it can still answer it; an idempotent
 * request's publisher sequence is rebuilt from such a record after a restart.
 */
class JournaledRequestTest
{
    private static final long PUBLISHER = 0x5EED_0005L;

    private final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path tmp;

    @Test
    void aReplayedRequestKeepsItsReplyTopicAndCorrelationId()
    {
        final File dir = tmp.resolve("journal").toFile();
        try (Journal journal = Journal.launch(support.journalContext(dir));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final Publisher publisher = junction.publisher("requests");
            assertTrue(OfferResult.isAccepted(support.offer(junction, "svc.quote", QualityOfService.GUARANTEED,
                "plain before")));
            assertTrue(OfferResult.isAccepted(request(publisher, "_INBOX.desk.1", 41, "eur/usd")));
            assertTrue(OfferResult.isAccepted(offer(publisher, PUBLISHER, 1, "_INBOX.desk.2", 42, "usd/jpy")));
            assertTrue(OfferResult.isAccepted(support.offer(junction, "svc.quote", QualityOfService.GUARANTEED,
                "plain after"))); // all four in one batch: one document
            JournalTestSupport.drive(junction, journal, 5);
        }
        assertTrue(support.errors.isEmpty(), support.errors::toString);

        // After a restart: a responder replaying the journal sees each request as it was published.
        final List<String> replayed = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(dir));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            journal.subscribe(null, "svc.>", StartPosition.earliest(), (subscription, message) -> replayed.add(
                JournalTestSupport.payload(message) + " " + message.replyTo() + " " + message.correlationId() + " " +
                message.publisherSequence()));
            JournalTestSupport.drive(junction, journal, 5);
            // The idempotent request's sequence was rebuilt from its format 5 record: a resend is known.
            assertEquals(OfferResult.rejected(RejectReason.DUPLICATE),
                offer(junction.publisher("requests"), PUBLISHER, 1, "_INBOX.desk.2", 42, "usd/jpy"));
        }
        assertEquals(List.of(
            "plain before null 0 0",
            "eur/usd _INBOX.desk.1 41 0",
            "usd/jpy _INBOX.desk.2 42 1",
            "plain after null 0 0"), replayed);
        try (JournalReader reader = JournalReader.open(dir))
        {
            assertEquals(List.of(), reader.verify());
        }
    }

    private long request(final Publisher publisher, final String replyTo, final long correlationId,
        final String payload)
    {
        final int length = put(payload);
        return publisher.offer("svc.quote", Priority.NORMAL, QualityOfService.GUARANTEED, Publisher.NO_TTL, replyTo,
            correlationId, support.buffer, 0, length);
    }

    private long offer(final Publisher publisher, final long publisherId, final long publisherSequence,
        final String replyTo, final long correlationId, final String payload)
    {
        final int length = put(payload);
        return publisher.offer("svc.quote", Publisher.NO_KEY, Priority.NORMAL, support.buffer, 0, length, publisherId,
            publisherSequence, replyTo, correlationId);
    }

    private int put(final String payload)
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.US_ASCII);
        support.buffer.putBytes(0, bytes);
        return bytes.length;
    }
}
