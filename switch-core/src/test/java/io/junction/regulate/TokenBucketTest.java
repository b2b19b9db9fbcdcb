package io.junction.regulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class TokenBucketTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void fullBucketPassesExactlyTheBurstAtOnce()
    {
        final TokenBucket bucket = new TokenBucket(1000, 5);
        final long now = 1_000_000_000L;
        for (int i = 0; i < 5; i++)
        {
            assertTrue(bucket.tryAcquire(now), "token " + i);
        }
        assertFalse(bucket.tryAcquire(now));
        assertEquals(0, bucket.available(now));
    }

    @Test
    void refillsAtTheConfiguredRate()
    {
        final TokenBucket bucket = new TokenBucket(1000, 1); // One per millisecond.
        long now = 0;
        assertTrue(bucket.tryAcquire(now));
        assertFalse(bucket.tryAcquire(now + MS - 1));
        now += MS;
        assertTrue(bucket.tryAcquire(now));
        assertFalse(bucket.tryAcquire(now));

        // Over one simulated second at 10 attempts per millisecond, exactly 1000 pass.
        int passed = 0;
        for (long t = now + MS / 10; t <= now + TimeUnit.SECONDS.toNanos(1); t += MS / 10)
        {
            if (bucket.tryAcquire(t))
            {
                passed++;
            }
        }
        assertEquals(1000, passed);
    }

    @Test
    void idleTimeRefillsUpToTheBurstOnly()
    {
        final TokenBucket bucket = new TokenBucket(100, 3);
        long now = 0;
        while (bucket.tryAcquire(now))
        {
            now += 0; // Drain it.
        }
        now += TimeUnit.SECONDS.toNanos(60);
        assertEquals(3, bucket.available(now));
        int passed = 0;
        while (bucket.tryAcquire(now))
        {
            passed++;
        }
        assertEquals(3, passed);
    }

    @Test
    void concurrentPublishersShareTheBurstExactly() throws InterruptedException
    {
        final TokenBucket bucket = new TokenBucket(1, 10_000);
        final java.util.concurrent.atomic.AtomicInteger passed = new java.util.concurrent.atomic.AtomicInteger();
        final Thread[] threads = new Thread[3];
        for (int t = 0; t < threads.length; t++)
        {
            threads[t] = new Thread(() ->
            {
                for (int i = 0; i < 10_000; i++)
                {
                    if (bucket.tryAcquire(5))
                    {
                        passed.incrementAndGet();
                    }
                }
            });
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertEquals(10_000, passed.get());
    }

    @Test
    void refundGivesBackOneToken()
    {
        final TokenBucket bucket = new TokenBucket(10, 1);
        assertTrue(bucket.tryAcquire(0));
        assertFalse(bucket.tryAcquire(0));
        bucket.refund();
        assertTrue(bucket.tryAcquire(0));
    }

    @Test
    void rejectsNonsense()
    {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(10, 0));
        assertThrows(IllegalArgumentException.class, () -> new InFlightLimit(0));
    }

    @Test
    void inFlightLimitHoldsUntilReleased()
    {
        final InFlightLimit limit = new InFlightLimit(2);
        assertTrue(limit.tryAcquire());
        assertTrue(limit.tryAcquire());
        assertFalse(limit.tryAcquire());
        limit.release();
        assertEquals(1, limit.inFlight());
        assertTrue(limit.tryAcquire());
    }
}
