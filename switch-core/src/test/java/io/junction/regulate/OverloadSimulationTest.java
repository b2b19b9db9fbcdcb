package io.junction.regulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.Publisher;
import io.junction.SlowSubscriberPolicy;
import io.junction.SubscriptionOptions;
import io.junction.ThreadingMode;

/**
 * The whole switch under open-loop overload in simulated time: INVOKER mode, a hand-driven clock, a
 * subscriber that takes a fixed service time per message, arrivals at a fixed rate with the benchmark's
 * class mix. Free of the machine's noise, it checks what the regulators are for: at 2x and 4x the
 * capacity, goodput stays at capacity and no CRITICAL message is shed or back-pressured.
 */
class OverloadSimulationTest
{
    private static final long SERVICE_NS = 10_000; // Capacity: 100,000 messages per second.
    private static final long WARMUP_NS = 200_000_000;
    private static final long WINDOW_NS = 400_000_000;

    @Test
    void holdsCapacityAndProtectsCriticalAtTwiceAndFourTimesCapacity()
    {
        final Result half = simulate(0.5, 0);
        final Result twice = simulate(2, 0);
        final Result fourTimes = simulate(4, 0);
        for (final Result result : new Result[]{ half, twice, fourTimes })
        {
            System.out.println(result);
        }

        assertTrue(half.goodputFraction() > 0.49, half.toString());
        assertEquals(0, half.shed[Priority.BULK.ordinal()], "nothing shed below capacity");
        for (final Result overloaded : new Result[]{ twice, fourTimes })
        {
            assertTrue(overloaded.goodputFraction() >= 0.9, overloaded.toString());
            assertEquals(0, overloaded.shed[Priority.CRITICAL.ordinal()], overloaded.toString());
            assertEquals(0, overloaded.backPressured[Priority.CRITICAL.ordinal()], overloaded.toString());
            assertTrue(overloaded.latency[Priority.CRITICAL.ordinal()].getValueAtPercentile(99) < 2_000_000,
                overloaded.toString());
        }
    }

    /**
     * As a shared machine does to the pipeline thread: it stops for 5 ms every 50 ms. Shedding must not
     * outlast the stalls: below capacity almost nothing is shed, and above it goodput holds.
     */
    @Test
    void recoversFromStallsOfTheConsumer()
    {
        final long stallNs = 5_000_000;
        final Result half = simulate(0.5, stallNs);
        final Result twice = simulate(2, stallNs);
        final Result fourTimes = simulate(4, stallNs);
        for (final Result result : new Result[]{ half, twice, fourTimes })
        {
            System.out.println("with stalls: " + result);
        }
        assertTrue(half.goodputFraction() > 0.45, half.toString());
        for (final Result overloaded : new Result[]{ twice, fourTimes })
        {
            assertTrue(overloaded.goodputFraction() >= 0.8, overloaded.toString());
            assertEquals(0, overloaded.shed[Priority.CRITICAL.ordinal()], overloaded.toString());
        }
    }

    static Priority classOf(final long i)
    {
        final int slot = (int)(i % 20);
        return 0 == slot ? Priority.CRITICAL : slot <= 4 ? Priority.HIGH : Priority.BULK;
    }

    /**
     * With the express lane, CRITICAL no longer waits behind the queue CoDel keeps for the lower classes:
     * at twice and four times capacity its p99 stays within a few service times (the one message in
     * service and the one in the outbox), while goodput holds and the lower classes keep their order.
     */
    @Test
    void theExpressLaneKeepsCriticalLatencyFlatUnderOverload()
    {
        for (final double multiplier : new double[]{ 2, 4 })
        {
            final Result fifo = simulate(multiplier, 0, false);
            final Result express = simulate(multiplier, 0, true);
            System.out.println("fifo:    " + fifo);
            System.out.println("express: " + express);
            assertTrue(express.goodputFraction() >= 0.9, express.toString());
            assertEquals(0, express.shed[Priority.CRITICAL.ordinal()], express.toString());
            final long criticalP99 = express.latency[Priority.CRITICAL.ordinal()].getValueAtPercentile(99);
            assertTrue(criticalP99 <= 3 * SERVICE_NS, express.toString());
            assertTrue(fifo.latency[Priority.CRITICAL.ordinal()].getValueAtPercentile(99) > 10 * criticalP99,
                "without it CRITICAL waits behind the queue: " + fifo);
        }
    }

    private static Result simulate(final double multiplier, final long stallNs)
    {
        return simulate(multiplier, stallNs, false);
    }

    private static Result simulate(final double multiplier, final long stallNs, final boolean expressCritical)
    {
        final ManualClock clock = new ManualClock();
        final long origin = clock.peek();
        final Result result = new Result(multiplier);
        final long[] lastDelivery = { Long.MIN_VALUE };
        final long windowStart = origin + WARMUP_NS;
        final long end = windowStart + WINDOW_NS;

        try (Junction junction = Junction.launch(new Junction.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .nanoClock(clock)
            .ringSize(4096)
            .dispatchBatchLimit(1)
            .deliveryBatchLimit(1)
            .expressCritical(expressCritical)
            .regulation(RegulationConfig.none()
                .withCodel(20 * SERVICE_NS, 200 * SERVICE_NS)
                .withCriticalReserve(512))))
        {
            junction.subscribe("sim.>", (message) ->
            {
                final long now = clock.peek();
                lastDelivery[0] = now;
                final long intended = message.buffer().getLong(0);
                if (intended >= windowStart)
                {
                    result.latency[message.priority().ordinal()].recordValue(now - intended);
                }
                if (now >= windowStart && now < end)
                {
                    result.delivered++;
                }
            }, SubscriptionOptions.defaults().slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE).outboxCapacity(1));

            final Publisher publisher = junction.publisher("sim");
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            final double periodNs = SERVICE_NS / multiplier;
            long i = 0;
            long nextArrival = origin;
            long consumerFreeAt = origin;
            long nextStall = origin + 50_000_000;
            while (nextArrival < end || consumerFreeAt < end)
            {
                if (nextArrival < end && nextArrival <= consumerFreeAt)
                {
                    clock.advance(nextArrival - clock.peek());
                    final Priority priority = classOf(i);
                    payload.putLong(0, nextArrival);
                    final long offer = publisher.offer("sim.orders", priority, payload, 0, 8);
                    if (nextArrival >= windowStart)
                    {
                        if (OfferResult.isShed(offer))
                        {
                            result.shed[priority.ordinal()]++;
                        }
                        else if (OfferResult.isBackPressured(offer))
                        {
                            result.backPressured[priority.ordinal()]++;
                        }
                    }
                    i++;
                    nextArrival = origin + (long)(i * periodNs);
                }
                else
                {
                    clock.advance(consumerFreeAt - clock.peek());
                    final long before = lastDelivery[0];
                    junction.doWork();
                    consumerFreeAt = lastDelivery[0] != before ? clock.peek() + SERVICE_NS : nextArrival;
                    if (stallNs > 0 && consumerFreeAt >= nextStall)
                    {
                        consumerFreeAt += stallNs;
                        nextStall += 50_000_000;
                    }
                }
            }
        }
        return result;
    }

    static final class Result
    {
        final double multiplier;
        final long[] shed = new long[4];
        final long[] backPressured = new long[4];
        final Histogram[] latency = new Histogram[4];
        long delivered;

        Result(final double multiplier)
        {
            this.multiplier = multiplier;
            for (int c = 0; c < latency.length; c++)
            {
                latency[c] = new Histogram(3);
            }
        }

        double goodputFraction()
        {
            return delivered * (double)SERVICE_NS / WINDOW_NS;
        }

        @Override
        public String toString()
        {
            final StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "simulated %.1fx: goodput %.1f%% of capacity", multiplier, 100 * goodputFraction()));
            for (final Priority p : new Priority[]{ Priority.CRITICAL, Priority.HIGH, Priority.BULK })
            {
                final Histogram h = latency[p.ordinal()];
                sb.append(String.format(Locale.ROOT, "; %s shed %d bp %d p50 %.0fus p99 %.0fus max %.0fus",
                    p, shed[p.ordinal()], backPressured[p.ordinal()], h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3));
            }
            return sb.toString();
        }
    }
}
