package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.JournalSink;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Record format 3: the records of one batch of the journal stage share one Chronicle document. Positions,
 * replay, resume and the resume check work on records inside documents.
 */
class BatchDocumentTest
{
    private static final String METADATA = "metadata.cq4t";

    private final JournalTestSupport support = new JournalTestSupport();
    private final long[] sequences = new long[10];

    @TempDir
    Path dir;

    /**
     * Ten guaranteed messages offered before the stage runs: one batch, one document, records 0-9.
     */
    private void journalOneBatchOfTen(final File directory)
    {
        try (Journal journal = Journal.launch(support.journalContext(directory));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            for (int i = 0; i < sequences.length; i++)
            {
                sequences[i] = support.offer(junction, "b.m", QualityOfService.GUARANTEED, "m" + i);
                assertTrue(OfferResult.isAccepted(sequences[i]));
            }
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(10, journal.counters().appended());
        }
    }

    private List<String> replay(final Journal.Context context, final StartPosition start)
    {
        final List<String> seen = new ArrayList<>();
        try (Journal journal = Journal.launch(context))
        {
            journal.subscribe(null, ">", start, (s, m) -> seen.add(m.recordNumber() + ":" + JournalTestSupport.payload(m)));
            while (journal.doWork() > 0)
            {
                // Deliver everything there is.
            }
        }
        return seen;
    }

    private static long documents(final File directory)
    {
        long documents = 0;
        try (ChronicleQueue queue = ChronicleQueue.singleBuilder(directory).blockSize(256 << 10).build();
            ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        return documents;
                    }
                    if (!dc.isMetaData())
                    {
                        documents++;
                    }
                }
            }
        }
    }

    @Test
    void aBatchIsOneDocumentAndReplayStartsInsideIt()
    {
        journalOneBatchOfTen(dir.toFile());
        assertEquals(1, documents(dir.toFile()));

        assertEquals(List.of("0:m0", "1:m1", "2:m2", "3:m3", "4:m4", "5:m5", "6:m6", "7:m7", "8:m8", "9:m9"),
            replay(support.journalContext(dir.toFile()).deliveryBatchLimit(3), StartPosition.earliest()),
            "every record, in order, across polls that stop inside the document");
        assertEquals(List.of("6:m6", "7:m7", "8:m8", "9:m9"),
            replay(support.journalContext(dir.toFile()), StartPosition.sequence(sequences[6])));
        assertEquals(List.of(), replay(support.journalContext(dir.toFile()), StartPosition.latest()));
        assertTrue(support.errors.isEmpty(), support.errors.toString());
    }

    @Test
    void aBatchOverTheSizeCapIsSplitIntoSeveralDocuments()
    {
        final Journal.Context context = support.journalContext(dir.toFile()).maxDocumentLength(256);
        try (Journal journal = Journal.launch(context);
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            for (int i = 0; i < 10; i++)
            {
                support.offer(junction, "b.m", QualityOfService.GUARANTEED, ("m" + i + "-").repeat(20));
            }
            support.offer(junction, "b.m", QualityOfService.GUARANTEED, "big".repeat(70)); // Alone, over the cap.
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(11, journal.nextRecordNumberValue());
        }
        // 23 + 3 + 60 = 86 bytes a record: two per document of 256 (25 of header, 4 of trailer), then the big one.
        assertEquals(6, documents(dir.toFile()));
        final List<String> seen = replay(support.journalContext(dir.toFile()), StartPosition.earliest());
        assertEquals(11, seen.size());
        for (int i = 0; i < 10; i++)
        {
            assertEquals(i + ":" + ("m" + i + "-").repeat(20), seen.get(i));
        }
        assertEquals("10:" + "big".repeat(70), seen.get(10));
        assertTrue(support.errors.isEmpty(), support.errors.toString());
    }

    @Test
    void durableSubscriberResumesInsideABatchAfterItsLastAcknowledgedRecord()
    {
        journalOneBatchOfTen(dir.toFile());
        final List<String> first = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile())))
        {
            journal.subscribe("audit", ">", StartPosition.earliest(), (s, m) ->
            {
                first.add(JournalTestSupport.payload(m));
                if (m.recordNumber() <= 3)
                {
                    s.acknowledge(m);
                }
            });
            journal.doWork();
        }
        assertEquals(10, first.size());

        final List<String> second = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile())))
        {
            final DurableSubscription subscription = journal.subscribe("audit", ">", StartPosition.latest(), (s, m) ->
                second.add(m.recordNumber() + ":" + JournalTestSupport.payload(m)));
            assertEquals(3, subscription.acknowledgedRecordNumber());
            journal.doWork();
            assertEquals(DurableSubscription.State.ACTIVE, subscription.state());
        }
        assertEquals(List.of("4:m4", "5:m5", "6:m6", "7:m7", "8:m8", "9:m9"), second);
        assertTrue(support.errors.isEmpty(), support.errors.toString());
    }

    /**
     * The stored position names a document and a record; if the journal there holds other records (its metadata
     * file was restored next to another journal), the subscription stops with an error and a counter.
     */
    @Test
    void aStoredPositionThatDoesNotHoldTheAcknowledgedRecordIsRefused() throws IOException
    {
        final File original = dir.resolve("original").toFile();
        journalOneBatchOfTen(original);
        try (Journal journal = Journal.launch(support.journalContext(original)))
        {
            journal.subscribe("audit", ">", StartPosition.earliest(), (s, m) ->
            {
                if (m.recordNumber() <= 5)
                {
                    s.acknowledge(m);
                }
            });
            journal.doWork();
        }

        // Another journal: the same ten messages, one batch each (ten documents), then the first one's metadata.
        final File other = dir.resolve("other").toFile();
        try (Journal journal = Journal.launch(support.journalContext(other));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            for (int i = 0; i < 10; i++)
            {
                support.offer(junction, "b.m", QualityOfService.GUARANTEED, "m" + i);
                JournalTestSupport.drive(junction, journal, 3);
            }
        }
        Files.copy(original.toPath().resolve(METADATA), other.toPath().resolve(METADATA),
            StandardCopyOption.REPLACE_EXISTING);

        final List<String> delivered = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(other)))
        {
            final DurableSubscription subscription = journal.subscribe("audit", ">", StartPosition.earliest(),
                (s, m) -> delivered.add(JournalTestSupport.payload(m)));
            journal.doWork();
            assertEquals(DurableSubscription.State.POSITION_MISMATCH, subscription.state());
            assertInstanceOf(JournalException.class, subscription.failure());
            final String message = subscription.failure().getMessage();
            assertTrue(message.contains("acknowledged record 5") && message.contains("holds records 0 to 0"),
                message);
            assertEquals(1, journal.counters().positionMismatches());
            assertTrue(support.errors.contains(subscription.failure()), "the operator is told: " + support.errors);
        }
        assertEquals(List.of(), delivered, "nothing delivered from a wrong place");
    }

    @Test
    void aStoredPositionWhoseRecordCarriesAnotherSequenceIsRefused() throws IOException
    {
        final File original = dir.resolve("original").toFile();
        journalOneBatchOfTen(original);
        try (Journal journal = Journal.launch(support.journalContext(original)))
        {
            journal.subscribe("audit", ">", StartPosition.earliest(), (s, m) ->
            {
                if (m.recordNumber() <= 5)
                {
                    s.acknowledge(m);
                }
            });
            journal.doWork();
        }

        // Another journal laid out the same (one document of ten records), whose messages have other sequences.
        final File other = dir.resolve("other").toFile();
        try (Journal journal = Journal.launch(support.journalContext(other));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            support.offer(junction, "b.m", QualityOfService.BEST_EFFORT, "takes a sequence");
            JournalTestSupport.drive(junction, journal, 3);
            for (int i = 0; i < 10; i++)
            {
                support.offer(junction, "b.m", QualityOfService.GUARANTEED, "m" + i);
            }
            JournalTestSupport.drive(junction, journal, 5);
        }
        assertEquals(1, documents(other));
        Files.copy(original.toPath().resolve(METADATA), other.toPath().resolve(METADATA),
            StandardCopyOption.REPLACE_EXISTING);

        try (Journal journal = Journal.launch(support.journalContext(other)))
        {
            final DurableSubscription subscription = journal.subscribe("audit", ">", StartPosition.earliest(),
                (s, m) -> { });
            assertEquals(DurableSubscription.State.POSITION_MISMATCH, subscription.state());
            final String message = subscription.failure().getMessage();
            assertTrue(message.contains("record 5 there carries switch sequence " + (sequences[5] + 1) + ", not " +
                sequences[5]), message);
            assertEquals(1, journal.counters().positionMismatches());
        }
    }

    /**
     * The records of a batch are written at its end: if an append fails in the middle, the records before it are
     * not written on their own, and the end of the batch fails, so the stage reports the whole batch FAILED.
     */
    @Test
    void aFailedAppendFailsTheWholeBatchAndWritesNoneOfIt()
    {
        final List<String> seen = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile())))
        {
            final JournalSink.JournalWriter writer = journal.newWriter(0, 1);
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            writer.append(1, "b.m", Priority.NORMAL, 1, payload, 0, 8);
            writer.append(2, "b.m", Priority.NORMAL, 2, payload, 0, 8);
            journal.diskFull(true);
            assertThrows(JournalException.class,
                () -> writer.append(3, "b.m", Priority.NORMAL, 3, payload, 0, 8));
            final JournalException endOfBatch = assertThrows(JournalException.class, writer::onEndOfBatch);
            assertTrue(endOfBatch.getMessage().contains("the batch is not journaled"), endOfBatch.getMessage());
            assertEquals(0, journal.nextRecordNumberValue());
            assertEquals(0, journal.counters().appended());

            journal.diskFull(false);
            writer.append(4, "b.m", Priority.NORMAL, 4, payload, 0, 8);
            writer.onEndOfBatch();
            writer.close();
            journal.subscribe(null, ">", StartPosition.earliest(),
                (subscription, m) -> seen.add(m.recordNumber() + "@" + m.sequence()));
            journal.doWork();
        }
        assertEquals(List.of("0@4"), seen, "nothing of the failed batch, and the next batch numbered from 0");
    }
}
