package io.junction.tools;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.junction.Junction;
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
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            running = false;
            awaitQuietly(stopped);
        }, "junction-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        try (Junction junction = Junction.launch(new Junction.Context().shards(shards));
            DemoLoad load = new DemoLoad(junction, rate, size, System.out))
        {
            System.out.printf("junction demo: %s, %d shard(s), for %s%n", load.describe(), shards, duration);
            load.run(durationNs, () -> running);
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
