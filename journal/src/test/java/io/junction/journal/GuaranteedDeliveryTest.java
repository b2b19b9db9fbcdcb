package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Durability;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.QualityOfService;

class GuaranteedDeliveryTest
{
    private final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @Test
    void guaranteedMessageIsJournaledBeforeItIsDispatchedAndBestEffortSkipsTheJournal()
    {
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final List<String> live = new ArrayList<>();
            junction.subscribe("orders.>", m -> live.add(m.buffer().getStringWithoutLengthAscii(0, m.length())));
            final List<String> durable = new ArrayList<>();
            journal.subscribe("audit", "orders.>", StartPosition.earliest(), (s, m) ->
            {
                durable.add(JournalTestSupport.payload(m));
                s.acknowledge(m);
            });

            final long guaranteed = support.offer(junction, "orders.new", QualityOfService.GUARANTEED, "g1");
            final long bestEffort = support.offer(junction, "orders.new", QualityOfService.BEST_EFFORT, "b1");
            assertTrue(OfferResult.isAccepted(guaranteed), OfferResult.describe(guaranteed));
            assertTrue(OfferResult.isAccepted(bestEffort), OfferResult.describe(bestEffort));
            assertEquals(Durability.PENDING, junction.durability(guaranteed));

            JournalTestSupport.drive(junction, journal, 10);

            assertEquals(Durability.JOURNALED, junction.durability(guaranteed));
            assertEquals(List.of("g1", "b1"), live, "order kept across qualities of service");
            assertEquals(List.of("g1"), durable, "only the guaranteed message is journaled");
            assertEquals(1, journal.counters().appended());
            assertEquals(0, journal.subscriptions().get(0).acknowledgedRecordNumber());
            assertTrue(support.errors.isEmpty(), support.errors.toString());
        }
    }

    @Test
    void guaranteedOfferIsRefusedWithoutAJournalWhileBestEffortIsAccepted()
    {
        try (Junction junction = Junction.launch(support.switchContext(null)))
        {
            assertEquals(OfferResult.JOURNAL_UNAVAILABLE,
                support.offer(junction, "a.b", QualityOfService.GUARANTEED, "x"));
            assertTrue(OfferResult.isAccepted(support.offer(junction, "a.b", QualityOfService.BEST_EFFORT, "x")));
        }
    }

    @ParameterizedTest
    @EnumSource(FlushPolicy.class)
    void durabilityCoversEveryMessageOfABatchOnlyAfterTheBatchIsFlushed(final FlushPolicy flushPolicy)
    {
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()).flushPolicy(flushPolicy));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final long[] sequences = new long[100];
            for (int i = 0; i < sequences.length; i++)
            {
                sequences[i] = support.offer(junction, "t.x", QualityOfService.GUARANTEED, "m" + i);
                assertTrue(OfferResult.isAccepted(sequences[i]));
            }
            for (final long sequence : sequences)
            {
                assertEquals(Durability.PENDING, junction.durability(sequence));
            }
            JournalTestSupport.drive(junction, journal, 5);
            for (final long sequence : sequences)
            {
                assertEquals(Durability.JOURNALED, junction.durability(sequence));
            }
            assertEquals(Durability.UNKNOWN, junction.durability(sequences[99] + 1000));
            assertEquals(100, journal.counters().appended());
        }
    }
}
