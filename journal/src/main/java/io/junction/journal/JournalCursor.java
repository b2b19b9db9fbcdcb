package io.junction.journal;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.util.Arrays;

/**
 * Reads a journal's messages by switch sequence, for a journal written by one shard (sequences increase with the
 * queue), as a clustered member's replays do. It learns, as it reads, the queue index of the first document of each
 * block of {@link #INDEX_INTERVAL} sequences, so a read starts from the nearest known block rather than from the
 * start of the journal. Made by {@link Journal#newCursor()}; one thread; close it before the journal.
 */
public final class JournalCursor implements AutoCloseable
{
    public static final int INDEX_INTERVAL = 256;

    private final ExcerptTailer tailer;
    private final JournalDocument document = new JournalDocument();
    private final JournalMessage message = new JournalMessage();
    private long[] blocks = new long[64];
    private long[] indices = new long[64];
    private int known;

    JournalCursor(final ExcerptTailer tailer)
    {
        this.tailer = tailer;
    }

    /**
     * Visit the messages with {@code fromSequence <= sequence <= toSequence} in order, until the visitor returns
     * false. Documents that fail their check are passed over.
     *
     * @return the number of messages visited.
     */
    public long read(final long fromSequence, final long toSequence, final JournalReader.MessageVisitor visitor)
    {
        if (fromSequence > toSequence)
        {
            return 0;
        }
        final int at = Arrays.binarySearch(blocks, 0, known, fromSequence / INDEX_INTERVAL);
        final int nearest = at >= 0 ? at : -at - 2;
        if (nearest < 0 || !tailer.moveToIndex(indices[nearest]))
        {
            tailer.toStart();
        }

        long visited = 0;
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return visited;
                }
                if (dc.isMetaData() || JournalDocument.VALID != document.wrap(dc.index(), dc.wire().bytes()) ||
                    !document.hasNext())
                {
                    continue;
                }
                learn(document.peekSequence() / INDEX_INTERVAL, dc.index());
                while (document.hasNext())
                {
                    final long sequence = document.peekSequence();
                    if (sequence > toSequence)
                    {
                        return visited;
                    }
                    if (sequence < fromSequence)
                    {
                        document.skip();
                        continue;
                    }
                    document.next(message);
                    visited++;
                    if (!visitor.onMessage(message))
                    {
                        return visited;
                    }
                }
            }
        }
    }

    private void learn(final long block, final long index)
    {
        if (known > 0 && blocks[known - 1] >= block)
        {
            return;
        }
        if (known == blocks.length)
        {
            blocks = Arrays.copyOf(blocks, known * 2);
            indices = Arrays.copyOf(indices, known * 2);
        }
        blocks[known] = block;
        indices[known] = index;
        known++;
    }

    @Override
    public void close()
    {
        tailer.close();
    }
}
