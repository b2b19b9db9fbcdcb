package io.junction;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * An outbox's class queue takes memory as its depth grows and gives it back once drained.
 */
class OutboxClassQueueTest
{
    private final MessageEvent event = new MessageEvent(64);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
    private long order;

    private void write(final Outbox.ClassQueue queue, final long value)
    {
        payload.putLong(0, value);
        event.set("t", Priority.NORMAL, 0, value, payload, 0, 8);
        queue.write(event, order++);
    }

    private static long take(final Outbox.ClassQueue queue)
    {
        final long tail = queue.tail;
        final Message message = queue.slot(tail);
        final long value = message.buffer().getLong(0);
        queue.releaseTail(tail + 1);
        return value;
    }

    @Test
    void aShallowQueueStaysSmallADeepOneGrowsAndIsGivenBackWhenDrained()
    {
        final Outbox.ClassQueue queue = new Outbox.ClassQueue(1024);
        long next = 0;
        for (int i = 0; i < 10_000; i++)
        {
            write(queue, i);
            assertEquals(next++, take(queue));
        }
        assertEquals(Outbox.ClassQueue.FIRST_SEGMENT, queue.segmentSize(), "depth 1 never needs more");

        for (int i = 0; i < 1000; i++)
        {
            write(queue, 10_000 + i);
        }
        assertEquals(512, queue.segmentSize(), "segments of 8, 16 ... 512 hold the 1000");
        assertEquals(1000, queue.depth());
        for (int i = 0; i < 1000; i++)
        {
            assertEquals(next++, take(queue), "in order across the segments");
        }

        write(queue, 11_000);
        assertEquals(Outbox.ClassQueue.FIRST_SEGMENT, queue.segmentSize(), "the large segment is let go");
        assertEquals(next, take(queue));
    }
}
