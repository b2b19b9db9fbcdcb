package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Durability;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.QualityOfService;

class JournalFaultsTest
{
    private final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    private static void assertBestEffortFlows(final Junction junction, final Journal journal, final JournalTestSupport support)
    {
        final List<String> live = new ArrayList<>();
        junction.subscribe("f.>", m -> live.add(m.buffer().getStringWithoutLengthAscii(0, m.length())));
        assertTrue(OfferResult.isAccepted(support.offer(junction, "f.x", QualityOfService.BEST_EFFORT, "be")));
        JournalTestSupport.drive(junction, journal, 5);
        assertEquals(List.of("be"), live, "best-effort traffic keeps flowing");
    }

    @Test
    void unwritableDirectoryRefusesGuaranteedWithAClearErrorAndServesBestEffort() throws IOException
    {
        // The tests run as root, which ignores permission bits: a directory under a regular file can never be
        // created or written, for anyone.
        final File notADirectory = Files.createFile(dir.resolve("plain-file")).toFile();
        final File journalDir = new File(notADirectory, "journal");

        try (Journal journal = Journal.launch(support.journalContext(journalDir));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            assertFalse(journal.isAvailable());
            assertNotNull(journal.failure());
            assertTrue(journal.failure().getMessage().contains(journalDir.getAbsolutePath()),
                journal.failure().getMessage());
            assertTrue(support.errors.contains(journal.failure()), "the operator is told");
            assertEquals(1, journal.counters().faults());

            assertEquals(OfferResult.JOURNAL_UNAVAILABLE,
                support.offer(junction, "f.x", QualityOfService.GUARANTEED, "g"), "the publisher is told");
            assertBestEffortFlows(junction, journal, support);
        }
    }

    @Test
    void fullDiskRefusesGuaranteedUntilSpaceIsFreedAndServesBestEffort()
    {
        // Below minFreeDiskBytes the journal refuses appends, before a write to a memory-mapped file on a full
        // disk could kill the JVM. Long.MAX_VALUE makes any disk "full".
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()).minFreeDiskBytes(Long.MAX_VALUE));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            journal.doWork();
            assertFalse(journal.isAvailable());
            assertEquals(1, journal.counters().diskFullEvents());
            assertTrue(support.errors.stream().anyMatch(e -> e.getMessage().contains("journal disk full")),
                support.errors.toString());
            assertEquals(OfferResult.JOURNAL_UNAVAILABLE,
                support.offer(junction, "f.x", QualityOfService.GUARANTEED, "g"));
            assertBestEffortFlows(junction, journal, support);
        }
    }

    @Test
    void aFailedAppendMarksTheMessageFailedAndDoesNotDispatchIt()
    {
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final List<String> live = new ArrayList<>();
            junction.subscribe("f.>", m -> live.add(m.buffer().getStringWithoutLengthAscii(0, m.length())));

            final long journaled = support.offer(junction, "f.x", QualityOfService.GUARANTEED, "ok");
            JournalTestSupport.drive(junction, journal, 3);
            assertEquals(Durability.JOURNALED, junction.durability(journaled));

            // Accepted into the ring, then the disk fills before the journal stage appends it.
            final long accepted = support.offer(junction, "f.x", QualityOfService.GUARANTEED, "lost?");
            final long bestEffort = support.offer(junction, "f.x", QualityOfService.BEST_EFFORT, "be");
            assertTrue(OfferResult.isAccepted(accepted));
            journal.diskFull(true);
            JournalTestSupport.drive(junction, journal, 3);

            assertEquals(Durability.FAILED, junction.durability(accepted), "the publisher is told, not silence");
            assertEquals(Durability.JOURNALED, junction.durability(journaled));
            assertTrue(OfferResult.isAccepted(bestEffort));
            assertEquals(List.of("ok", "be"), live, "the failed message is not dispatched; best-effort is");
            assertTrue(support.errors.stream().anyMatch(e -> e.getMessage().contains("journal failed on shard 0")),
                support.errors.toString());

            journal.diskFull(false);
            assertEquals(OfferResult.JOURNAL_UNAVAILABLE,
                support.offer(junction, "f.x", QualityOfService.GUARANTEED, "after"),
                "a shard whose journal failed refuses guaranteed messages until restart");
        }
    }
}
