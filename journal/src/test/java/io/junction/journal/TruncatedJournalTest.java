package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Durability;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.QualityOfService;

class TruncatedJournalTest
{
    private static final String TOPIC = "t.x";
    private static final String FIRST = "FIRST-OF-LAST-BATCH";
    private static final String MIDDLE = "MIDDLE-OF-LAST-BATCH";
    private static final String LAST = "LAST-MESSAGE-PAYLOAD";

    private final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    /**
     * Bytes of the last batch's document before its first payload: Chronicle's 4-byte header, then ours.
     */
    private static int bytesBeforeFirstPayload()
    {
        return 4 + JournalRecord.DOCUMENT_HEADER_LENGTH + JournalRecord.RECORD_HEADER_LENGTH + TOPIC.length();
    }

    /**
     * Nine messages in one batch (records 0-8), then three in another (9-11, one document of 170 bytes with
     * Chronicle's header: its records' payloads at 55, 100 and 146, the trailer at 166), cut short.
     */
    @ParameterizedTest(name = "cut {0} bytes into the last batch's document")
    @ValueSource(ints = {0, 2, 20, 60, 100, 150, 169})
    void truncatedTailIsReportedGuaranteedIsRefusedAndBestEffortFlows(final int cutIntoDocument) throws IOException
    {
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            for (int i = 0; i < 9; i++)
            {
                support.offer(junction, TOPIC, QualityOfService.GUARANTEED, "m" + i);
            }
            JournalTestSupport.drive(junction, journal, 5);
            support.offer(junction, TOPIC, QualityOfService.GUARANTEED, FIRST);
            support.offer(junction, TOPIC, QualityOfService.GUARANTEED, MIDDLE);
            final long last = support.offer(junction, TOPIC, QualityOfService.GUARANTEED, LAST);
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(Durability.JOURNALED, junction.durability(last));
            assertEquals(12, journal.nextRecordNumberValue());
        }

        final File file = cycleFile();
        final byte[] content = Files.readAllBytes(file.toPath());
        final int documentAt = indexOf(content, FIRST.getBytes(StandardCharsets.US_ASCII)) - bytesBeforeFirstPayload();
        assertTrue(documentAt > 0);
        assertEquals(LAST.length(), documentAt + 170 - 4 - indexOf(content, LAST.getBytes(StandardCharsets.US_ASCII)),
            "the layout this test cuts into");
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
        {
            raf.setLength(documentAt + cutIntoDocument);
        }

        final List<String> replayed = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            assertFalse(journal.isAvailable());
            assertTrue(journal.failure().getMessage().contains("records 9 to 11"), journal.failure().getMessage());
            assertTrue(support.errors.contains(journal.failure()), "the operator is told: " + support.errors);
            assertEquals(3, journal.counters().corruptRecords());

            assertEquals(OfferResult.JOURNAL_UNAVAILABLE,
                support.offer(junction, TOPIC, QualityOfService.GUARANTEED, "refused"), "the publisher is told");
            final List<String> live = new ArrayList<>();
            junction.subscribe(">", m -> live.add(m.buffer().getStringWithoutLengthAscii(0, m.length())));
            assertTrue(OfferResult.isAccepted(support.offer(junction, TOPIC, QualityOfService.BEST_EFFORT, "be")));
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(List.of("be"), live, "best-effort traffic keeps flowing");

            journal.subscribe(null, ">", StartPosition.earliest(), (s, m) ->
                replayed.add(m.recordNumber() + ":" + JournalTestSupport.payload(m)));
            journal.doWork();
        }
        assertEquals(List.of("0:m0", "1:m1", "2:m2", "3:m3", "4:m4", "5:m5", "6:m6", "7:m7", "8:m8"), replayed,
            "the intact records can still be replayed, and no record of the cut batch");
    }

    /**
     * Format 1 ('J') and format 2 ('K', one document per record, the previous build) are named; any other first
     * byte is an unknown format.
     */
    @ParameterizedTest(name = "first byte 0x{0}")
    @ValueSource(strings = {"4a", "4b", "7f"})
    void aJournalInAnotherRecordFormatIsRefusedWithAClearError(final String firstByte) throws IOException
    {
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final long last = support.offer(junction, TOPIC, QualityOfService.GUARANTEED, LAST);
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(Durability.JOURNALED, junction.durability(last));
        }

        // Make the document look like one of another format, as another build wrote it.
        final File file = cycleFile();
        final byte[] content = Files.readAllBytes(file.toPath());
        final int formatAt = indexOf(content, LAST.getBytes(StandardCharsets.US_ASCII)) - bytesBeforeFirstPayload() + 4;
        assertEquals(JournalRecord.FORMAT, content[formatAt] & 0xFF);
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
        {
            raf.seek(formatAt);
            raf.write(Integer.parseInt(firstByte, 16));
        }

        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            assertFalse(journal.isAvailable());
            final String message = journal.failure().getMessage();
            final int version = JournalRecord.formatVersion(Integer.parseInt(firstByte, 16));
            final String named = 0 == version ? "an unknown record format (first byte 0x" + firstByte + ")" :
                "record format version " + version;
            assertTrue(message.contains(named) && message.contains("format versions 3, 4, 5 and 6 only"), message);
            assertTrue(support.errors.contains(journal.failure()), "the operator is told: " + support.errors);
            assertEquals(OfferResult.JOURNAL_UNAVAILABLE,
                support.offer(junction, TOPIC, QualityOfService.GUARANTEED, "refused"), "the publisher is told");
            assertTrue(OfferResult.isAccepted(support.offer(junction, TOPIC, QualityOfService.BEST_EFFORT, "be")));
        }
    }

    private File cycleFile()
    {
        final File[] files = dir.toFile().listFiles((d, name) -> name.endsWith(".cq4"));
        assertEquals(1, files.length);
        return files[0];
    }

    private static int indexOf(final byte[] content, final byte[] pattern)
    {
        outer:
        for (int i = content.length - pattern.length; i >= 0; i--)
        {
            for (int j = 0; j < pattern.length; j++)
            {
                if (content[i + j] != pattern[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
