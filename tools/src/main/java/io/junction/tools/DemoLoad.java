package io.junction.tools;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.Subscription;
import io.junction.SubscriptionOptions;

/**
 * A built-in load on an embedded switch: a few topics, a few subscribers, a fixed rate, and a live line
 * each second (throughput, publish-to-deliver latency percentiles, drops). Used by {@code junction demo}
 * and by {@code junction run} with {@code demo-load.rate > 0}.
 */
public final class DemoLoad implements AutoCloseable
{
    static final String[] TOPICS = { "prices.eur.usd", "prices.gbp.usd", "orders.new", "orders.cancel" };
    /**
     * The rate ramps up over the first seconds, from a tenth of the rate: the JIT compiles the offer and
     * delivery paths meanwhile, and interpreted code that met the full rate at once fell behind and dropped
     * (thousands of messages in the first second at 200,000 msg/s). Those seconds' lines say "warm-up".
     */
    static final long WARM_UP_NS = TimeUnit.SECONDS.toNanos(2);
    private static final double FIRST_SHARE = 0.1;

    private final Junction junction;
    private final int rate;
    private final int size;
    private final PrintStream out;
    private final Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
    private final Subscription[] subscriptions;

    public DemoLoad(final Junction junction, final int rate, final int size, final PrintStream out)
    {
        this.junction = junction;
        this.rate = rate;
        this.size = Math.max(8, size);
        this.out = out;
        subscriptions = new Subscription[]{
            junction.subscribe("prices.>", m -> latency.recordValue(System.nanoTime() - m.timestampNs())),
            junction.subscribe("orders.*", m -> latency.recordValue(System.nanoTime() - m.timestampNs())),
            junction.subscribe("*.eur.*", m -> { }, SubscriptionOptions.defaults()
                .slowSubscriberPolicy(SlowSubscriberPolicy.DROP_OLDEST)),
        };
    }

    public String describe()
    {
        return TOPICS.length + " topics, " + subscriptions.length + " subscribers, " + rate + " msg/s of " + size +
            " bytes";
    }

    /**
     * Publish at the rate until the duration has passed or {@code running} says stop.
     */
    public void run(final long durationNs, final BooleanSupplier running)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[size]);
        final long fullIntervalNs = TimeUnit.SECONDS.toNanos(1) / Math.max(1, rate);
        final long startNs = System.nanoTime();
        long nextSendNs = startNs;
        long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(1);
        long sent = 0;
        long backPressured = 0;
        long lastDelivered = 0;
        Histogram interval = null;
        int topic = 0;

        while (running.getAsBoolean() && System.nanoTime() - startNs < durationNs)
        {
            final long now = System.nanoTime();
            if (now - nextSendNs >= 0)
            {
                payload.putLong(0, sent);
                final long result = junction.offer(TOPICS[topic], Priority.NORMAL, payload, 0, size);
                if (OfferResult.isAccepted(result))
                {
                    sent++;
                    topic = (topic + 1) & (TOPICS.length - 1);
                    nextSendNs += intervalNs(now - startNs, fullIntervalNs);
                }
                else if (result == OfferResult.CLOSED)
                {
                    return;
                }
                else
                {
                    backPressured++;
                }
            }
            else
            {
                // Ahead of schedule: sleep until the next send is due and then send what is owed in a burst. A
                // publisher that spins here takes a whole core, and on a small machine the switch's own threads
                // then wait out the scheduler's time slices behind it: milliseconds of latency that are the
                // load generator's, not the switch's.
                LockSupport.parkNanos(nextSendNs - now);
            }

            if (now - nextReportNs >= 0)
            {
                interval = latency.getIntervalHistogram(interval);
                long delivered = 0;
                long dropped = 0;
                for (final Subscription subscription : subscriptions)
                {
                    delivered += subscription.delivered();
                    dropped += subscription.dropped();
                }
                out.printf(
                    "%4ds  per second: sent %,9d  delivered %,9d  latency p50 %,7.1f us  p99 %,8.1f us  p99.9 %,8.1f us" +
                    "  max %,9.1f us  |  totals: dropped %,d  back-pressured %,d%s%n",
                    TimeUnit.NANOSECONDS.toSeconds(now - startNs),
                    sent, delivered - lastDelivered,
                    interval.getValueAtPercentile(50) / 1000.0,
                    interval.getValueAtPercentile(99) / 1000.0,
                    interval.getValueAtPercentile(99.9) / 1000.0,
                    interval.getMaxValue() / 1000.0,
                    dropped, backPressured, inWarmUp(now - startNs) ? "  (warm-up)" : "");
                lastDelivered = delivered;
                sent = 0;
                nextReportNs += TimeUnit.SECONDS.toNanos(1);
            }
        }
    }

    /** Whether the second that a line at {@code elapsedNs} reports began within the warm-up. */
    private static boolean inWarmUp(final long elapsedNs)
    {
        return elapsedNs - TimeUnit.SECONDS.toNanos(1) < WARM_UP_NS;
    }

    /**
     * The gap to the next send: the full rate's after the warm-up, during it a rate that rises in a line from
     * {@value #FIRST_SHARE} of it.
     */
    static long intervalNs(final long elapsedNs, final long fullIntervalNs)
    {
        if (elapsedNs >= WARM_UP_NS)
        {
            return fullIntervalNs;
        }
        final double share = FIRST_SHARE + (1 - FIRST_SHARE) * elapsedNs / (double)WARM_UP_NS;
        return (long)(fullIntervalNs / share);
    }

    @Override
    public void close()
    {
        for (final Subscription subscription : subscriptions)
        {
            CloseHelper.quietClose(subscription);
        }
    }
}
