package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.JournalSink;
import io.junction.Priority;

/**
 * Reads by sequence range, from the start, from a learned block and after a reopen, one record per document (as a
 * clustered member writes) and in batches.
 */
class JournalCursorTest
{
    private static final int COUNT = JournalCursor.INDEX_INTERVAL * 3 + 17;

    @TempDir
    File dir;

    @Test
    void readsRangesBySequenceAndAfterReopening()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        try (Journal journal = Journal.launch(new Journal.Context().directory(dir).useInvoker(true)
            .recoverPublishers(false).errorHandler(Throwable::printStackTrace)))
        {
            final JournalSink.JournalWriter writer = journal.newWriter(0, 1);
            for (long sequence = 1; sequence <= COUNT; sequence++)
            {
                payload.putLong(0, sequence * 10);
                writer.append(sequence, "t." + (sequence % 3), Priority.NORMAL, sequence * 1_000, payload, 0, 8, 7,
                    sequence);
                if (sequence < COUNT / 2 || sequence % 5 == 0) // one per document, then batches of five
                {
                    writer.onEndOfBatch();
                }
            }
            writer.onEndOfBatch();
            try (JournalCursor cursor = journal.newCursor())
            {
                assertRange(cursor, 1, COUNT);
                assertRange(cursor, 300, 310);
                assertRange(cursor, 257, 257);
                assertRange(cursor, COUNT - 3, COUNT + 50);
                assertRange(cursor, 2, 1);
            }
            writer.close();
        }

        try (Journal reopened = Journal.launch(new Journal.Context().directory(dir).useInvoker(true)
            .recoverPublishers(false).errorHandler(Throwable::printStackTrace));
            JournalCursor cursor = reopened.newCursor())
        {
            assertEquals(COUNT, reopened.lastSequence());
            assertRange(cursor, 700, 790);
            assertRange(cursor, 5, 20);
            final List<Long> firstTwo = new ArrayList<>();
            assertEquals(2, cursor.read(500, COUNT, (m) -> firstTwo.add(m.sequence()) && firstTwo.size() < 2));
            assertEquals(List.of(500L, 501L), firstTwo);
        }
    }

    private static void assertRange(final JournalCursor cursor, final long from, final long to)
    {
        final List<Long> sequences = new ArrayList<>();
        final long read = cursor.read(from, to, (m) ->
        {
            assertEquals(m.sequence() * 10, m.buffer().getLong(m.offset()));
            assertEquals("t." + (m.sequence() % 3), m.topic());
            assertEquals(m.sequence(), m.publisherSequence());
            sequences.add(m.sequence());
            return true;
        });
        final List<Long> expected = new ArrayList<>();
        for (long sequence = from; sequence <= Math.min(to, COUNT); sequence++)
        {
            expected.add(sequence);
        }
        assertEquals(expected, sequences, "range " + from + ".." + to);
        assertEquals(expected.size(), read);
    }
}
