package io.junction.perf.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The round-trip limits: raw Aeron ping-pong over IPC and loopback UDP, 64-byte messages, one in flight.
 */
public final class RoundTripSection implements Section
{
    private static final int PAYLOAD = 64;

    @Override
    public String title()
    {
        return "Round trip: raw Aeron IPC and UDP";
    }

    @Override
    public long estimateSeconds(final SuiteOptions options)
    {
        return 1 + Math.round(2 * (options.roundTrips * 1.2) / 20_000.0);
    }

    @Override
    public void run(final SuiteOptions options, final SuiteResults results) throws Exception
    {
        for (final AeronTarget.Medium medium : AeronTarget.Medium.values())
        {
            final Path workDir = Files.createTempDirectory("junction-bench-rtt-");
            try (AeronTarget target = new AeronTarget(medium))
            {
                if (!options.includes(target))
                {
                    continue;
                }
                target.prepare(workDir);
                final Percentiles rtt = target.roundTrip(
                    PAYLOAD, options.roundTrips / 5, options.roundTrips, TimeUnit.SECONDS.toNanos(60));
                results.roundTrips.add(
                    new SuiteResults.RoundTripResult(target.name(), target.transport(), PAYLOAD, rtt));
                results.note(String.format(java.util.Locale.ROOT,
                    "%s round trip: p50 %.1f us, p99 %.1f us, max %.1f us",
                    target.name(), rtt.p50Ns() / 1e3, rtt.p99Ns() / 1e3, rtt.maxNs() / 1e3));
            }
            catch (final Exception ex)
            {
                results.skip("round trip " + medium, "failed: " + ex);
            }
            finally
            {
                SharedWorkloadSection.deleteRecursively(workDir);
            }
        }
    }
}
