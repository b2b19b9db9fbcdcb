package io.junction.tools;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.Subscription;
import io.junction.SubscriptionOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts an embedded switch, publishes on a few topics to a few subscribers at a fixed rate, and prints
 * a live line each second: throughput, publish-to-deliver latency percentiles, and drops.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run an embedded switch with a demo load and print a live line each second.")
public final class DemoCommand implements Callable<Integer>
{
    private static final String[] TOPICS = { "prices.eur.usd", "prices.gbp.usd", "orders.new", "orders.cancel" };

    @Option(names = "--duration", defaultValue = "10s", description = "How long to run, e.g. 10s, 2m (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--rate", defaultValue = "200000", description = "Messages per second offered (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--size", defaultValue = "64", description = "Payload bytes (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--shards", defaultValue = "1", description = "Pipelines (default ${DEFAULT-VALUE}).")
    int shards;

    private volatile boolean running = true;

    @Override
    public Integer call() throws Exception
    {
        final long durationNs = parseDuration(duration).toNanos();
        final Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            running = false;
            awaitQuietly(stopped);
        }, "junction-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        try (Junction junction = Junction.launch(new Junction.Context().shards(shards)))
        {
            final Subscription[] subscriptions = {
                junction.subscribe("prices.>", m -> latency.recordValue(System.nanoTime() - m.timestampNs())),
                junction.subscribe("orders.*", m -> latency.recordValue(System.nanoTime() - m.timestampNs())),
                junction.subscribe("*.eur.*", m -> { }, SubscriptionOptions.defaults()
                    .slowSubscriberPolicy(SlowSubscriberPolicy.DROP_OLDEST)),
            };

            System.out.printf("junction demo: %d topics, %d subscribers, %d msg/s of %d bytes, %d shard(s), for %s%n",
                TOPICS.length, subscriptions.length, rate, size, shards, duration);
            publish(junction, subscriptions, latency, durationNs);
        }
        finally
        {
            stopped.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ignore)
            {
                // Already shutting down.
            }
        }
        return 0;
    }

    private void publish(
        final Junction junction, final Subscription[] subscriptions, final Recorder latency, final long durationNs)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[size]);
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / Math.max(1, rate);
        final long startNs = System.nanoTime();
        long nextSendNs = startNs;
        long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(1);
        long sent = 0;
        long backPressured = 0;
        long lastDelivered = 0;
        Histogram interval = null;
        int topic = 0;

        while (running && System.nanoTime() - startNs < durationNs)
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
                    nextSendNs += intervalNs;
                }
                else
                {
                    backPressured++;
                }
            }
            else
            {
                Thread.onSpinWait();
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
                System.out.printf(
                    "%4ds  sent %,9d/s  delivered %,9d/s  latency p50 %,7.1f us  p99 %,8.1f us  p99.9 %,8.1f us" +
                    "  max %,9.1f us  dropped %,d  back-pressured %,d%n",
                    TimeUnit.NANOSECONDS.toSeconds(now - startNs),
                    sent, delivered - lastDelivered,
                    interval.getValueAtPercentile(50) / 1000.0,
                    interval.getValueAtPercentile(99) / 1000.0,
                    interval.getValueAtPercentile(99.9) / 1000.0,
                    interval.getMaxValue() / 1000.0,
                    dropped, backPressured);
                lastDelivered = delivered;
                sent = 0;
                nextReportNs += TimeUnit.SECONDS.toNanos(1);
            }
        }
    }

    static Duration parseDuration(final String text)
    {
        final String value = text.trim().toLowerCase();
        if (value.endsWith("ms"))
        {
            return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (value.endsWith("s"))
        {
            return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        if (value.endsWith("m"))
        {
            return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(value));
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
