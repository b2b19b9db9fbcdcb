package io.junction.journal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Durability;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.QualityOfService;
import io.junction.ThreadingMode;

/**
 * Several shards, each with its own journal stage and appender on its own thread, into one journal.
 */
class MultiShardJournalTest
{
    private static final int SHARDS = 3;
    private static final int MESSAGES = 3_000;

    private final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @Test
    void shardsJournalConcurrentlyInOrderPerTopicAndSequencesContinueAfterRestart()
    {
        final long[] sequences = new long[MESSAGES];
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()).useInvoker(false));
            Junction junction = Junction.launch(support.switchContext(journal)
                .threadingMode(ThreadingMode.DEDICATED)
                .shards(SHARDS)))
        {
            for (int i = 0; i < MESSAGES; i++)
            {
                long result;
                while (OfferResult.isBackPressured(
                    result = support.offer(junction, "topic." + (i % 7), QualityOfService.GUARANTEED, "m" + i)))
                {
                    Thread.onSpinWait();
                }
                assertTrue(OfferResult.isAccepted(result), OfferResult.describe(result));
                sequences[i] = result;
            }
            await().atMost(Duration.ofSeconds(60)).until(() ->
            {
                for (final long sequence : sequences)
                {
                    if (junction.durability(sequence) != Durability.JOURNALED)
                    {
                        return false;
                    }
                }
                return true;
            });
        }

        long maxSequence = -1;
        for (final long sequence : sequences)
        {
            maxSequence = Math.max(maxSequence, sequence);
        }
        final List<JournalMessageCopy> replayed = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()));
            Junction junction = Junction.launch(support.switchContext(journal).shards(SHARDS)))
        {
            assertEquals(maxSequence, journal.lastSequence(), "recovered from the last record of every shard");
            assertEquals(MESSAGES, journal.nextRecordNumberValue());
            final long next = support.offer(junction, "topic.0", QualityOfService.GUARANTEED, "after");
            assertTrue(next > maxSequence);

            journal.subscribe(null, ">", StartPosition.earliest(), (s, m) -> replayed.add(
                new JournalMessageCopy(m.recordNumber(), m.topic(), JournalTestSupport.payload(m))));
            while (journal.doWork() > 0)
            {
                // Replay everything there is.
            }
        }

        assertEquals(MESSAGES, replayed.size());
        final Map<String, Integer> lastPerTopic = new HashMap<>();
        for (int i = 0; i < replayed.size(); i++)
        {
            final JournalMessageCopy copy = replayed.get(i);
            assertEquals(i, copy.recordNumber, "record numbers follow journal order without gaps");
            final int n = Integer.parseInt(copy.payload.substring(1));
            final Integer previous = lastPerTopic.put(copy.topic, n);
            assertTrue(null == previous || previous < n, "per-topic order: " + copy.topic + " " + previous + " " + n);
        }
        assertTrue(support.errors.isEmpty(), support.errors.toString());
    }

    private static final class JournalMessageCopy
    {
        final long recordNumber;
        final String topic;
        final String payload;

        JournalMessageCopy(final long recordNumber, final String topic, final String payload)
        {
            this.recordNumber = recordNumber;
            this.topic = topic;
            this.payload = payload;
        }
    }
}
