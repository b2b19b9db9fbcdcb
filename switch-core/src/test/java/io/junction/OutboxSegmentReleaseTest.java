package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A subscription that fell behind grows its outbox; once it has caught up and receives nothing more, its
 * shard gives the grown segments back without waiting for another message.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class OutboxSegmentReleaseTest
{
    private static final int BACKLOG = 500;

    @Test
    void anIdleSubscriptionGivesBackWhatItsBacklogGrew() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicLong delivered = new AtomicLong();
        try (Junction junction = Junction.launch(TestSupport.context()
            .deliveryStallTimeoutNs(TimeUnit.MINUTES.toNanos(5))))
        {
            final SwitchSubscription subscription = (SwitchSubscription)junction.subscribe("backlog", (m) ->
            {
                awaitQuietly(release);
                delivered.incrementAndGet();
            });
            final Outbox outbox = subscription.outbox(0);
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
            for (int i = 0; i < BACKLOG; i++)
            {
                assertTrue(junction.offer("backlog", Priority.NORMAL, payload, 0, payload.capacity()) >= 0);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> junction.ringOccupancy() == 0);
            assertTrue(outbox.slotsHeld() >= 256, "the backlog grew the outbox: " + outbox.slotsHeld());

            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> delivered.get() == BACKLOG);
            // Nothing more is offered: the shard gives the segments back on its own, after an idle interval.
            await().atMost(Duration.ofSeconds(30)).until(() -> outbox.slotsHeld() == Outbox.ClassQueue.FIRST_SEGMENT);

            // And the queue works on from the small segment.
            for (int i = 0; i < 20; i++)
            {
                assertTrue(junction.offer("backlog", Priority.NORMAL, payload, 0, payload.capacity()) >= 0);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> delivered.get() == BACKLOG + 20);
        }
        finally
        {
            release.countDown();
        }
    }

    @Test
    void aQueueInUseOrWrittenSinceTheLastLookKeepsItsSegments()
    {
        final long[] now = { 0 };
        final SegmentReclaimer reclaimer = new SegmentReclaimer(() -> now[0], 100);
        final Outbox.ClassQueue queue = new Outbox.ClassQueue(1024, null, reclaimer);
        final MessageEvent event = new MessageEvent(64);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        event.set("t", Priority.NORMAL, 0, 0, payload, 0, 8);
        for (int i = 0; i < 100; i++)
        {
            queue.write(event, i);
        }
        assertEquals(1, reclaimer.tracked(), "tracked once, however often it grew");
        assertEquals(64, queue.segmentSize(), "segments of 8, 16, 32, 64 hold the 100");

        assertEquals(0, reclaimer.reclaim(), "messages queued");
        for (long tail = 0; tail < 100; tail++)
        {
            queue.slot(tail);
            queue.releaseTail(tail + 1);
        }
        queue.write(event, 100); // a late one, taken at once: the queue is empty again, but was just written
        queue.slot(100);
        queue.releaseTail(101);
        now[0] += 100;
        assertEquals(0, reclaimer.reclaim(), "drained, but written since the last look");
        now[0] += 50;
        assertEquals(0, reclaimer.reclaim(), "not a whole interval since that look");
        assertEquals(64, queue.segmentSize(), "kept");
        now[0] += 50;
        assertEquals(1, reclaimer.reclaim(), "empty and unwritten for a whole interval");
        assertEquals(Outbox.ClassQueue.FIRST_SEGMENT, queue.slotsHeld());
        assertEquals(0, reclaimer.tracked());

        queue.write(event, 101);
        assertEquals(101, queue.tail);
        assertEquals(102, queue.head);
        assertEquals(101, queue.slot(101).order, "positions count on in the small segment");
        assertEquals(Outbox.ClassQueue.FIRST_SEGMENT, queue.slotsHeld());
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await(60, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
