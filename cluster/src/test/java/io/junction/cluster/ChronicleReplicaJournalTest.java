package io.junction.cluster;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChronicleReplicaJournalTest
{
    @TempDir
    File dir;

    @Test
    void appendsIdempotentlyAndReadsRangesAcrossIndexBlocksAndReopen()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        final int count = ChronicleReplicaJournal.INDEX_INTERVAL * 3 + 17;
        try (ChronicleReplicaJournal journal = new ChronicleReplicaJournal(dir))
        {
            for (int sequence = 1; sequence <= count; sequence++)
            {
                payload.putLong(0, sequence * 7L);
                assertTrue(journal.append(sequence, sequence * 10L, sequence % 4, "t." + (sequence % 5), payload, 0, 8));
            }
            assertFalse(journal.append(count, 0, 0, "t.x", payload, 0, 8), "a replayed sequence is not appended twice");
            assertEquals(count, journal.lastSequence());
            assertRange(journal, 300, 520);
        }

        try (ChronicleReplicaJournal reopened = new ChronicleReplicaJournal(dir))
        {
            assertEquals(count, reopened.lastSequence());
            assertRange(reopened, 1, count);
            assertRange(reopened, 700, count);
            assertEquals(0, reopened.read(count + 1, count + 10, (s, t, p, topic, b, o, l) -> true));
            assertEquals(3, reopened.read(10, 20, (s, t, p, topic, b, o, l) -> s < 12), "stops when told");
            assertFalse(reopened.append(5, 0, 0, "t.x", payload, 0, 8));
            assertTrue(reopened.append(count + 1, 0, 0, "t.x", payload, 0, 8));
        }
    }

    private static void assertRange(final ChronicleReplicaJournal journal, final long from, final long to)
    {
        final List<Long> sequences = new ArrayList<>();
        journal.read(from, to, (sequence, timestamp, priority, topic, buffer, offset, length) ->
        {
            assertEquals(sequence * 10L, timestamp);
            assertEquals(sequence % 4, priority);
            assertEquals("t." + (sequence % 5), topic);
            assertEquals(sequence * 7L, buffer.getLong(offset));
            sequences.add(sequence);
            return true;
        });
        assertEquals(to - from + 1, sequences.size());
        assertEquals(from, sequences.get(0));
        assertEquals(to, sequences.get(sequences.size() - 1));
    }
}
