package io.junction.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The in-flight store of guaranteed publishes: the window bound in publisher sequences, the byte bound, answers out
 * of order, each answered once, and frames kept whole and intact across the byte ring's end.
 */
class InFlightPublishesTest
{
    @Test
    void boundsTheWindowInSequencesAndTheFramesInBytes()
    {
        final InFlightPublishes inFlight = new InFlightPublishes(4, 100);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
        for (long sequence = 10; sequence < 14; sequence++)
        {
            assertEquals(0, inFlight.check(sequence, 20));
            inFlight.add(sequence, 0, frame, 0, 20);
        }
        assertEquals(ClientResult.IN_FLIGHT_FULL, inFlight.check(14, 20), "4 awaiting their outcome");
        assertTrue(inFlight.answer(11));
        assertFalse(inFlight.answer(11), "answered once");
        assertEquals(ClientResult.IN_FLIGHT_FULL, inFlight.check(14, 20), "14 - 10 >= 4: the oldest is still 10");
        assertTrue(inFlight.answer(10));
        assertEquals(0, inFlight.check(14, 20));
        assertEquals(ClientResult.IN_FLIGHT_FULL, inFlight.check(16, 20), "16 - 12 >= 4: a gap of best-effort ones");
        assertEquals(ClientResult.IN_FLIGHT_BUFFER_FULL, inFlight.check(14, 61), "40 bytes held of 100");
        assertEquals(ClientResult.IN_FLIGHT_BUFFER_FULL, inFlight.check(14, 101));
        assertEquals(2, inFlight.pending());
    }

    @Test
    void keepsFramesWholeAcrossTheRingsEndWithAnswersOutOfOrder()
    {
        final int capacity = 1000;
        final InFlightPublishes inFlight = new InFlightPublishes(16, capacity);
        final Random random = new Random(42);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
        final ArrayDeque<Long> pending = new ArrayDeque<>();
        final java.util.Map<Long, Integer> lengths = new java.util.HashMap<>();
        long sequence = 1;
        for (int round = 0; round < 20_000; round++)
        {
            if (random.nextBoolean())
            {
                final int length = 1 + random.nextInt(200);
                if (0 == inFlight.check(sequence, length))
                {
                    for (int i = 0; i < length; i++)
                    {
                        frame.putByte(i, (byte)(sequence + i));
                    }
                    inFlight.add(sequence, round, frame, 0, length);
                    pending.add(sequence);
                    lengths.put(sequence, length);
                }
                sequence += 1 + random.nextInt(3);
            }
            else if (!pending.isEmpty())
            {
                // Answer one at random (refusals come before earlier publishes are durable).
                final Long[] all = pending.toArray(new Long[0]);
                final long answered = all[random.nextInt(all.length)];
                assertTrue(inFlight.answer(answered));
                pending.remove(answered);
            }
            // Every frame still awaiting its answer reads back intact.
            for (long entry = inFlight.head(); entry < inFlight.tail(); entry++)
            {
                if (!inFlight.isPending(entry))
                {
                    continue;
                }
                final long s = inFlight.sequence(entry);
                final int length = inFlight.frameLength(entry);
                assertEquals(lengths.get(s).intValue(), length);
                final int offset = inFlight.frameOffsetOf(entry);
                assertTrue(offset + length <= capacity, "whole, never split at the ring's end");
                for (int i = 0; i < length; i++)
                {
                    assertEquals((byte)(s + i), inFlight.frames().getByte(offset + i));
                }
            }
            assertEquals(pending.size(), inFlight.pending());
        }
    }
}
