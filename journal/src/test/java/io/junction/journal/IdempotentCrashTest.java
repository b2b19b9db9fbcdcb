package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.RejectReason;

/**
 * Idempotent publish across SIGKILL: a real child JVM streams publisher sequences with its publisher id and is
 * killed at a random moment; the next one resends everything the publisher did not see acknowledged (and a few it
 * did). Every acknowledged publisher sequence is in the journal exactly once, none is there twice, and the journal
 * refuses the resends of those it held as {@code DUPLICATE}, before and after each restart.
 */
class IdempotentCrashTest
{
    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 17, 29, 61, 97})
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void everyAcknowledgedPublisherSequenceIsJournaledExactlyOnce(final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final File journalDir = dir.resolve("journal").toFile();
        long highestAcknowledged = 0;
        long duplicatesRefused = 0;
        long journaledUnacknowledged = 0; // journaled before a kill, but the publisher never saw it acknowledged
        final List<Long> acknowledged = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++)
        {
            // Resend from the first unacknowledged, and up to 20 acknowledged ones before it.
            final long first = Math.max(1, highestAcknowledged + 1 - random.nextInt(21));
            final CrashingChild.Run run = CrashingChild.runAndKill(dir, round, 150 + random.nextInt(900), IdempotentCrashChild.class,
                journalDir.getAbsolutePath(), Long.toString(first), Long.toString(seed * 31 + round));
            final long acknowledgedBefore = highestAcknowledged;
            long expected = first;
            boolean journaledHere = false;
            for (final String line : run.lines)
            {
                if (line.startsWith("A ") || line.startsWith("D "))
                {
                    final long n = Long.parseLong(line.substring(2));
                    assertEquals(expected++, n, "acknowledged in order: " + line);
                    if (line.startsWith("D "))
                    {
                        // Journaled by an earlier run: only resends, so never after this run journaled a new one.
                        assertTrue(!journaledHere, "round " + round + ": duplicate " + n + " after a new sequence");
                        duplicatesRefused++;
                        journaledUnacknowledged += n > acknowledgedBefore ? 1 : 0;
                    }
                    journaledHere |= line.startsWith("A ");
                    acknowledged.add(n);
                    highestAcknowledged = Math.max(highestAcknowledged, n);
                }
            }
            assertTrue(expected > first, "round " + round + " acknowledged nothing before the kill: " + run.lines);
        }

        // The journal: each publisher sequence at most once, and every acknowledged one exactly once.
        final TreeMap<Long, Integer> journaled = new TreeMap<>();
        try (JournalReader reader = JournalReader.open(journalDir))
        {
            reader.read(StartPosition.earliest(), null, (m) ->
            {
                assertEquals(IdempotentCrashChild.PUBLISHER_ID, m.publisherId());
                assertEquals("p " + m.publisherSequence(), JournalTestSupport.payload(m));
                journaled.merge(m.publisherSequence(), 1, Integer::sum);
                return true;
            });
            assertEquals(List.of(), reader.verify());
        }
        for (final var entry : journaled.entrySet())
        {
            assertEquals(1, entry.getValue(), "publisher sequence " + entry.getKey() + " journaled twice");
        }
        for (final long n : acknowledged)
        {
            assertTrue(journaled.containsKey(n), "acknowledged publisher sequence " + n + " is not in the journal");
        }
        assertEquals(journaled.lastKey().longValue(), journaled.size(), "1.." + journaled.lastKey() + " without a gap");
        System.out.println("seed " + seed + ": " + journaled.size() + " publisher sequences journaled once, " +
            acknowledged.size() + " acknowledgements, " + duplicatesRefused + " resends refused as duplicates, of which " +
            journaledUnacknowledged + " had been journaled but not acknowledged before a kill");

        // And once more in this process: resending the last ones is refused, the next one accepted.
        final JournalTestSupport support = new JournalTestSupport();
        try (Journal journal = Journal.launch(support.journalContext(journalDir));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final long last = journaled.lastKey();
            for (long n = Math.max(1, last - 50); n <= last; n++)
            {
                assertEquals(OfferResult.rejected(RejectReason.DUPLICATE), offer(junction, support, n), "resend " + n);
            }
            assertTrue(OfferResult.isAccepted(offer(junction, support, last + 1)));
        }
    }

    private static long offer(final Junction junction, final JournalTestSupport support, final long n)
    {
        final int length = support.buffer.putStringWithoutLengthAscii(0, "p " + n);
        return junction.offer("crash.idempotent", Priority.NORMAL, support.buffer, 0, length,
            IdempotentCrashChild.PUBLISHER_ID, n);
    }
}
