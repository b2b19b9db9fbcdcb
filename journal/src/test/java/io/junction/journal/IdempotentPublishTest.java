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

import io.junction.Durability;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.RejectReason;

/**
 * Idempotent guaranteed publish: a publisher id and sequence journaled with the message, a resend refused as
 * {@code DUPLICATE} within the deduplication window, {@code TOO_OLD_FOR_DEDUPLICATION} beyond it, a skipped
 * sequence still accepted; and the same answers after a restart, from the windows rebuilt from the journal.
 */
class IdempotentPublishTest
{
    private static final long PUBLISHER = 0x5EED_0001L;
    private static final long OTHER = 42;
    private static final long DUPLICATE = OfferResult.rejected(RejectReason.DUPLICATE);
    private static final long TOO_OLD = OfferResult.rejected(RejectReason.TOO_OLD_FOR_DEDUPLICATION);

    private final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path tmp;

    @Test
    void resendsAreJournaledOnceWithinTheWindowAndAcrossARestart() throws Exception
    {
        final File dir = tmp.resolve("journal").toFile();
        try (Journal journal = Journal.launch(support.journalContext(dir).deduplicationWindow(64));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            for (int n = 1; n <= 100; n++)
            {
                assertTrue(OfferResult.isAccepted(offer(junction, PUBLISHER, n)), "publisher sequence " + n);
                if (n % 10 == 0)
                {
                    JournalTestSupport.drive(junction, journal, 3);
                }
            }
            assertEquals(DUPLICATE, offer(junction, PUBLISHER, 100));
            assertEquals(DUPLICATE, offer(junction, PUBLISHER, 37)); // 100 - 63: the oldest the window holds
            assertEquals(TOO_OLD, offer(junction, PUBLISHER, 36));
            assertEquals(TOO_OLD, offer(junction, PUBLISHER, 1));
            assertTrue(OfferResult.isAccepted(offer(junction, PUBLISHER, 103))); // 101 and 102 skipped ...
            assertTrue(OfferResult.isAccepted(offer(junction, PUBLISHER, 101))); // ... still accepted later
            assertEquals(DUPLICATE, offer(junction, PUBLISHER, 101));
            final long other = offer(junction, OTHER, 1); // publishers are independent
            assertTrue(OfferResult.isAccepted(other));
            assertEquals(OfferResult.rejected(RejectReason.INVALID_PUBLISHER), offer(junction, 0, 1));
            assertEquals(OfferResult.rejected(RejectReason.INVALID_PUBLISHER), offer(junction, PUBLISHER, 0));
            // Plain guaranteed publishes go on beside them, in format 3 records.
            support.offer(junction, "plain", QualityOfService.GUARANTEED, "no publisher");
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(Durability.JOURNALED, junction.durability(other));
            assertEquals(3, junction.counters().offerRejected(RejectReason.DUPLICATE));
            assertEquals(2, junction.counters().offerRejected(RejectReason.TOO_OLD_FOR_DEDUPLICATION));
            assertEquals(2, journal.counters().idempotentPublishers());
        }
        assertTrue(support.errors.isEmpty(), support.errors::toString);

        // What the journal holds: each publisher sequence once, with its id.
        final List<String> journaled = journaled(dir);
        assertEquals(104, journaled.size(), journaled::toString);
        assertEquals(PUBLISHER + "/1 p1", journaled.get(0));
        assertEquals(PUBLISHER + "/101 p101", journaled.get(101));
        assertEquals("0/0 no publisher", journaled.get(103));

        // After a restart, the windows come back from the journal (103 highest: 40..103 remembered, 102 not sent).
        try (Journal journal = Journal.launch(support.journalContext(dir).deduplicationWindow(64));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            assertEquals(2, journal.counters().idempotentPublishers());
            assertEquals(DUPLICATE, offer(junction, PUBLISHER, 103));
            assertEquals(DUPLICATE, offer(junction, PUBLISHER, 100));
            assertEquals(DUPLICATE, offer(junction, PUBLISHER, 40));
            assertEquals(TOO_OLD, offer(junction, PUBLISHER, 39));
            assertEquals(DUPLICATE, offer(junction, OTHER, 1));
            assertTrue(OfferResult.isAccepted(offer(junction, PUBLISHER, 102)));
            final long next = offer(junction, PUBLISHER, 104);
            assertTrue(OfferResult.isAccepted(next));
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(Durability.JOURNALED, junction.durability(next));
        }
        assertEquals(106, journaled(dir).size());
        try (JournalReader reader = JournalReader.open(dir))
        {
            assertEquals(List.of(), reader.verify());
        }
    }

    @Test
    void verifyReportsAPublisherSequenceJournaledTwice()
    {
        final File dir = tmp.resolve("twice").toFile();
        try (Journal journal = Journal.launch(support.journalContext(dir));
            io.junction.JournalSink.JournalWriter writer = journal.newWriter(0, 1))
        {
            // Past the switch's deduplication, straight to a writer: what a journal without it could hold.
            support.buffer.putStringWithoutLengthAscii(0, "p7");
            writer.append(0, "orders.new", Priority.NORMAL, 0, support.buffer, 0, 2, PUBLISHER, 7);
            writer.append(1, "orders.new", Priority.NORMAL, 0, support.buffer, 0, 2, PUBLISHER, 7);
            writer.onEndOfBatch();
        }
        try (JournalReader reader = JournalReader.open(dir))
        {
            final List<String> problems = reader.verify();
            assertEquals(1, problems.size(), problems::toString);
            assertTrue(problems.get(0).endsWith(": record 1 journals publisher " + PUBLISHER + " sequence 7 again"),
                problems::toString);
        }
    }

    private long offer(final Junction junction, final long publisherId, final long publisherSequence)
    {
        final byte[] bytes = ("p" + publisherSequence).getBytes(StandardCharsets.US_ASCII);
        support.buffer.putBytes(0, bytes);
        return junction.offer("orders.new", Priority.NORMAL, support.buffer, 0, bytes.length, publisherId,
            publisherSequence);
    }

    private static List<String> journaled(final File dir)
    {
        final List<String> records = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(dir))
        {
            reader.read(StartPosition.earliest(), null, (m) -> records.add(
                m.publisherId() + "/" + m.publisherSequence() + " " + JournalTestSupport.payload(m)));
        }
        return records;
    }
}
