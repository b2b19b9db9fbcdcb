package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A real child JVM publishes guaranteed messages while a durable subscriber acknowledges them; it is killed
 * with SIGKILL at a random moment, several times. After each kill, every message the switch acknowledged to
 * the publisher is in the journal in order, and the durable subscriber gets every journaled message, in
 * order, without a gap (at least once: a message it had not acknowledged may come again).
 */
class CrashRecoveryTest
{
    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 23, 47})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void acknowledgedMessagesSurviveSigkillAndDurableSubscriberResumesWithoutGaps(final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final File journalDir = dir.resolve("journal").toFile();
        final List<CrashingChild.Run> runs = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++)
        {
            runs.add(CrashingChild.runAndKill(dir, round, 150 + random.nextInt(900), CrashTestChild.class,
                journalDir.getAbsolutePath(), Integer.toString(round)));
        }

        final JournalTestSupport support = new JournalTestSupport();
        final List<long[]> journaled = new ArrayList<>(); // {recordNumber, round, n}
        final List<Long> resumed = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(journalDir)))
        {
            journal.subscribe(null, ">", StartPosition.earliest(), (s, m) ->
            {
                final String[] parts = JournalTestSupport.payload(m).split(" ");
                journaled.add(new long[]{ m.recordNumber(), Long.parseLong(parts[0]), Long.parseLong(parts[1]) });
            });
            journal.subscribe("crash-sub", ">", StartPosition.earliest(), (s, m) ->
            {
                resumed.add(m.recordNumber());
                s.acknowledge(m);
            });
            while (journal.doWork() > 0)
            {
                // Deliver everything there is.
            }
            assertTrue(journal.isAvailable(), String.valueOf(journal.failure()));
        }
        assertTrue(support.errors.isEmpty(), support.errors.toString());
        final long documents = countDocuments(journalDir);
        System.out.println("seed " + seed + ": " + journaled.size() + " records in " + documents + " documents");
        assertTrue(documents < journaled.size(), "bursts were journaled as batches of several records per document");

        // 1. The journal: records numbered 0, 1, 2... and each round's messages 0, 1, 2... in order.
        for (int i = 0; i < journaled.size(); i++)
        {
            assertEquals(i, journaled.get(i)[0], "record numbers without gaps");
        }
        final long[] nextN = new long[ROUNDS];
        for (final long[] record : journaled)
        {
            final int round = (int)record[1];
            assertEquals(nextN[round], record[2], "round " + round + " journaled in order, none missing");
            nextN[round]++;
        }

        // 2. Every message acknowledged to the publisher is in the journal.
        for (int round = 0; round < ROUNDS; round++)
        {
            final CrashingChild.Run run = runs.get(round);
            long acknowledged = 0;
            for (final String line : run.lines)
            {
                if (line.startsWith("A "))
                {
                    final String[] parts = line.split(" ");
                    assertEquals(round, Integer.parseInt(parts[1]));
                    assertEquals(acknowledged, Long.parseLong(parts[2]), "child acknowledged in order");
                    acknowledged++;
                }
            }
            assertTrue(acknowledged > 0, "round " + round + " acknowledged nothing before the kill: " + run.lines);
            System.out.println("seed " + seed + " round " + round + ": " + acknowledged + " acknowledged to the " +
                "publisher, " + nextN[round] + " journaled");
            assertTrue(nextN[round] >= acknowledged, "round " + round + ": " + acknowledged +
                " acknowledged to the publisher, only " + nextN[round] + " journaled");
        }

        // 3. The durable subscriber, across every restart: in order within a run, resuming without a gap, and
        //    together every journaled record.
        long delivered = -1; // the highest record number delivered so far
        final List<List<Long>> deliveriesPerRun = new ArrayList<>();
        for (final CrashingChild.Run run : runs)
        {
            final List<Long> deliveries = new ArrayList<>();
            for (final String line : run.lines)
            {
                if (line.startsWith("S "))
                {
                    deliveries.add(Long.parseLong(line.split(" ")[1]));
                }
            }
            deliveriesPerRun.add(deliveries);
        }
        deliveriesPerRun.add(resumed);
        for (final List<Long> deliveries : deliveriesPerRun)
        {
            long previous = -1;
            for (final long recordNumber : deliveries)
            {
                assertTrue(recordNumber > previous, "in order within a run: " + deliveries);
                assertTrue(recordNumber <= delivered + 1, "no gap: " + recordNumber + " after " + delivered);
                previous = recordNumber;
                delivered = Math.max(delivered, recordNumber);
            }
        }
        assertEquals(journaled.size() - 1, delivered, "every journaled record reached the durable subscriber");
    }

    private static long countDocuments(final File journalDir)
    {
        long documents = 0;
        try (ChronicleQueue queue = ChronicleQueue.singleBuilder(journalDir).blockSize(256 << 10).readOnly(true).build();
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
}
