package io.junction.regulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.Publisher;
import io.junction.ShedReason;
import io.junction.SlowSubscriberPolicy;
import io.junction.SubscriptionOptions;
import io.junction.ThreadingMode;

/**
 * Real threads: publishers on their own threads, the pipeline on its own, the configuration swapped
 * back and forth while they run. Every accepted message is delivered; every refusal is counted.
 */
class ConcurrentRegulationTest
{
    @Test
    void swappingConfigurationsUnderLoadLosesNothing() throws InterruptedException
    {
        final AtomicLong delivered = new AtomicLong();
        final RegulationConfig limited = RegulationConfig.none().withCodel()
            .withRule(Rule.forTopics("t.>").withClasses(Priority.BULK).withRateLimit(50_000, 100))
            .withRule(Rule.forTopics("t.>").withMaxInFlight(64));
        try (Junction junction = Junction.launch(new Junction.Context()
            .threadingMode(ThreadingMode.SHARED)
            .ringSize(256)
            .regulation(limited)))
        {
            junction.subscribe("t.>", (message) -> delivered.incrementAndGet(),
                SubscriptionOptions.defaults().slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE));

            final AtomicBoolean running = new AtomicBoolean(true);
            final AtomicLong accepted = new AtomicLong();
            final AtomicLong shed = new AtomicLong();
            final Thread[] publishers = new Thread[2];
            for (int p = 0; p < publishers.length; p++)
            {
                final Publisher publisher = junction.publisher("p" + p);
                publishers[p] = new Thread(() ->
                {
                    final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
                    long i = 0;
                    while (running.get())
                    {
                        final Priority priority = Priority.get((int)(i++ & 3));
                        final long result = publisher.offer("t.x", priority, payload, 0, 8);
                        if (OfferResult.isAccepted(result))
                        {
                            accepted.incrementAndGet();
                        }
                        else if (OfferResult.isShed(result))
                        {
                            shed.incrementAndGet();
                        }
                    }
                });
                publishers[p].start();
            }

            final long deadlineNs = System.nanoTime() + 30_000_000_000L;
            for (int swap = 0; swap < 200; swap++)
            {
                junction.regulation(0 == (swap & 1) ? RegulationConfig.none() : limited);
                final long progress = accepted.get() + 20; // Let some traffic through under each.
                while (accepted.get() < progress && System.nanoTime() < deadlineNs)
                {
                    Thread.onSpinWait();
                }
            }
            junction.regulation(limited);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> shed.get() > 0 && accepted.get() > 1000);
            running.set(false);
            for (final Thread publisher : publishers)
            {
                publisher.join(30_000);
            }

            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.get() == accepted.get());
            long counted = 0;
            for (final Priority priority : Priority.values())
            {
                for (final ShedReason reason : ShedReason.values())
                {
                    counted += junction.regulator().shedCount(priority, reason);
                }
            }
            assertEquals(shed.get(), counted, "every shed counted once");
            final Admission inFlight = junction.regulator().resolve(
                junction.regulator().newCache("any"), "t.x", Priority.HIGH);
            assertEquals(0, inFlight.inFlight().inFlight(), "every in-flight slot released");
            assertTrue(delivered.get() > 1000);
        }
    }
}
