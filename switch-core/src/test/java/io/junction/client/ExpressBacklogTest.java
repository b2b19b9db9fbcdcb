package io.junction.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * An express subscription's store of frames below CRITICAL: first in, first out, bounded in frames and in bytes,
 * each frame kept whole and intact across the byte array's end and through its growth.
 */
class ExpressBacklogTest
{
    @Test
    void boundsTheFramesInCountAndInBytes()
    {
        final ExpressBacklog backlog = new ExpressBacklog(3, 100);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[128]);
        assertTrue(backlog.offer(frame, 0, 30));
        assertTrue(backlog.offer(frame, 0, 30));
        assertTrue(backlog.offer(frame, 0, 30));
        assertFalse(backlog.offer(frame, 0, 1), "3 frames at most");
        backlog.pop();
        assertFalse(backlog.offer(frame, 0, 31), "60 of 100 bytes held, in 30..90: 10 free at the end, 30 at the " +
            "start");
        assertTrue(backlog.offer(frame, 0, 30), "wraps to the start, before the oldest frame");
        assertFalse(backlog.offer(frame, 0, 101), "longer than the bound");
        assertEquals(3, backlog.size());
        assertEquals(3, backlog.clear());
        assertTrue(backlog.isEmpty());
        assertTrue(backlog.offer(frame, 0, 100), "empty: the whole array");
    }

    @Test
    void keepsFramesWholeAndInOrderAcrossTheEndAndThroughGrowth()
    {
        final int maxBytes = 200_000; // starts at 64 KiB and grows twice
        final ExpressBacklog backlog = new ExpressBacklog(1000, maxBytes);
        final Random random = new Random(42);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        final ArrayDeque<int[]> expected = new ArrayDeque<>(); // {number, length}
        int next = 0;
        long held = 0;
        for (int round = 0; round < 200_000; round++)
        {
            if (random.nextInt(100) < 52)
            {
                final int length = 8 + random.nextInt(2040);
                frame.putInt(0, next);
                for (int i = 4; i < length; i++)
                {
                    frame.putByte(i, (byte)(next + i));
                }
                final boolean kept = backlog.offer(frame, 0, length);
                final boolean room = expected.size() < 1000 && held + length <= maxBytes;
                if (kept)
                {
                    expected.addLast(new int[]{ next, length });
                    held += length;
                    next++;
                }
                else
                {
                    // Refused only without room in the bounds, or when no contiguous place is free: the free bytes
                    // are in two runs (the end and the start), or in one beside a skipped end shorter than a frame.
                    final long h = held;
                    assertTrue(!room || h + 2L * length + 2048 > maxBytes, () -> "refused with room: " + h);
                }
            }
            else if (!expected.isEmpty())
            {
                final int[] head = expected.removeFirst();
                assertEquals(head[1], backlog.headLength());
                final int offset = backlog.headOffset();
                assertEquals(head[0], backlog.buffer().getInt(offset), "first in, first out");
                for (int i = 4; i < head[1]; i++)
                {
                    assertEquals((byte)(head[0] + i), backlog.buffer().getByte(offset + i));
                }
                backlog.pop();
                held -= head[1];
            }
            assertEquals(expected.size(), backlog.size());
        }
        assertTrue(next > 10_000, "frames went through: " + next);
    }
}
