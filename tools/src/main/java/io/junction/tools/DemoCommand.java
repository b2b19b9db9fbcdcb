package io.junction.tools;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.junction.Junction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Starts an embedded switch, publishes on a few topics to a few subscribers at a fixed rate, and prints
 * a live line each second: throughput, publish-to-deliver latency percentiles, and drops.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run an embedded switch with a demo load and print a live line each second.")
public final class DemoCommand implements Callable<Integer>
{
    /** The payload carries the send time: at least a long. */
    static final int MIN_SIZE = 8;

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", defaultValue = "10s",
        description = "How long to run, e.g. 10s, 500ms, 2m, >= 1s (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--rate", defaultValue = "200000", converter = CliValues.RateConverter.class,
        description = "Messages per second offered, e.g. 200000 or 200k, 1..100m (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--size", defaultValue = "64", converter = CliValues.SizeConverter.class,
        description = "Payload bytes, e.g. 64 or 1k, 8.." + Junction.Context.DEFAULT_MAX_MESSAGE_LENGTH +
            " (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--shards", defaultValue = "1", description = "Pipelines, 1..64 (default ${DEFAULT-VALUE}).")
    int shards;

    private volatile boolean running = true;

    @Override
    public Integer call() throws Exception
    {
        CliValues.check(spec, "--duration", duration, Duration.ofSeconds(1));
        CliValues.check(spec, "--rate", rate, 1, 100_000_000);
        CliValues.check(spec, "--size", size, MIN_SIZE, Junction.Context.DEFAULT_MAX_MESSAGE_LENGTH);
        CliValues.check(spec, "--shards", shards, 1, 64);
        final long durationNs = duration.toNanos();
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
            System.out.printf("junction demo: %s, %d shard(s), for %s%n", load.describe(), shards, CliValues.text(duration));
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
