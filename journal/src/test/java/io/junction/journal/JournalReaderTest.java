package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Junction;
import io.junction.QualityOfService;

/**
 * The read-only journal reader: summary, messages from a position and topic, durable positions, and the
 * structural check, on a journal written by the real journal, then on a copy with a damaged trailer and slot.
 */
class JournalReaderTest
{
    private final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path tmp;

    @Test
    void readsWhatTheJournalWroteWithoutChangingItAndReportsDamage() throws Exception
    {
        final File dir = tmp.resolve("journal").toFile();
        long sixth = -1;
        try (Journal journal = Journal.launch(support.journalContext(dir));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            for (int i = 0; i < 10; i++)
            {
                final long sequence = support.offer(junction, i % 2 == 0 ? "orders.new" : "prices.eu",
                    QualityOfService.GUARANTEED, "m" + i);
                sixth = i == 5 ? sequence : sixth;
                support.offer(junction, "noise", QualityOfService.BEST_EFFORT, "not journaled");
                JournalTestSupport.drive(junction, journal, 3);
            }
            final List<JournalMessage> seen = new ArrayList<>();
            final DurableSubscription audit = journal.subscribe("audit", ">", StartPosition.earliest(),
                (subscription, message) ->
                {
                    if (message.recordNumber() < 4)
                    {
                        subscription.acknowledge(message);
                    }
                });
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(3, audit.acknowledgedRecordNumber(), seen::toString);
        }
        assertTrue(support.errors.isEmpty(), support.errors::toString);
        final String before = digest(dir);

        try (JournalReader reader = JournalReader.open(dir))
        {
            final List<JournalReader.CycleSummary> cycles = reader.cycles();
            assertEquals(1, cycles.size(), cycles::toString);
            assertEquals(10, cycles.get(0).records());
            assertEquals(0, cycles.get(0).firstRecordNumber());
            assertEquals(9, cycles.get(0).lastRecordNumber());
            assertTrue(new File(dir, cycles.get(0).fileName()).isFile(), cycles.get(0).fileName());

            final List<String> orders = new ArrayList<>();
            reader.read(StartPosition.earliest(), "orders.*", (m) -> orders.add(JournalTestSupport.payload(m)));
            assertEquals(List.of("m0", "m2", "m4", "m6", "m8"), orders);
            final List<String> fromSixth = new ArrayList<>();
            reader.read(StartPosition.sequence(sixth), null, (m) -> fromSixth.add(JournalTestSupport.payload(m)));
            assertEquals(List.of("m5", "m6", "m7", "m8", "m9"), fromSixth);

            final List<JournalReader.DurablePosition> durable = reader.durablePositions();
            assertEquals(1, durable.size(), durable::toString);
            assertEquals("audit", durable.get(0).name());
            assertEquals(3, durable.get(0).recordNumber());
            assertEquals(List.of(), reader.verify());
        }
        assertEquals(before, digest(dir), "reading changed the journal directory");

        // A damaged copy: the trailer of the document holding record 3, which the durable subscription acknowledged.
        final File copy = tmp.resolve("copy").toFile();
        copyDirectory(dir, copy);
        final File cycleFile = Files.list(copy.toPath()).filter((p) -> p.toString().endsWith(".cq4"))
            .findFirst().orElseThrow().toFile();
        final byte[] content = Files.readAllBytes(cycleFile.toPath());
        final int m3 = indexOf(content, "m3".getBytes(StandardCharsets.US_ASCII));
        try (RandomAccessFile raf = new RandomAccessFile(cycleFile, "rw"))
        {
            raf.seek(m3 + 2); // the trailer follows the document's only record's payload
            raf.write(0x11);
        }
        try (JournalReader reader = JournalReader.open(copy))
        {
            final List<String> problems = reader.verify();
            assertEquals(3, problems.size(), problems::toString);
            assertTrue(problems.get(0).contains("corrupt document: trailer does not match") &&
                problems.get(0).contains("expected record 3 next"), problems::toString);
            assertTrue(problems.get(1).contains("record numbering gap: record 3 is missing"), problems::toString);
            assertTrue(problems.get(2).startsWith("durable subscription 'audit': slot ") &&
                problems.get(2).endsWith("which is not a readable document"), problems::toString);
        }

        assertTrue(assertThrows(JournalException.class, () -> JournalReader.open(tmp.resolve("none").toFile()))
            .getMessage().contains("does not exist"));
        assertTrue(assertThrows(JournalException.class, () -> JournalReader.open(tmp.toFile()))
            .getMessage().contains("is not a journal directory"));
    }

    static String digest(final File dir) throws Exception
    {
        final TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir.toPath()))
        {
            for (final Path path : paths.filter(Files::isRegularFile).toList())
            {
                final byte[] hash = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path));
                files.put(dir.toPath().relativize(path) + "@" + Files.getLastModifiedTime(path).toMillis(),
                    HexFormat.of().formatHex(hash));
            }
        }
        return files.toString();
    }

    private static void copyDirectory(final File from, final File to) throws IOException
    {
        Files.createDirectories(to.toPath());
        for (final File file : from.listFiles())
        {
            Files.copy(file.toPath(), new File(to, file.getName()).toPath());
        }
    }

    private static int indexOf(final byte[] content, final byte[] what)
    {
        outer:
        for (int i = 0; i + what.length <= content.length; i++)
        {
            for (int j = 0; j < what.length; j++)
            {
                if (content[i + j] != what[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
