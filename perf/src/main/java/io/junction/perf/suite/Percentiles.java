package io.junction.perf.suite;

import org.HdrHistogram.Histogram;

/**
 * A latency distribution summarised to the tail, in nanoseconds.
 */
public record Percentiles(long count, long p50Ns, long p90Ns, long p99Ns, long p999Ns, long p9999Ns, long maxNs)
{
    public static final double[] QUANTILES = { 50.0, 90.0, 99.0, 99.9, 99.99 };
    public static final String[] LABELS = { "p50", "p90", "p99", "p99.9", "p99.99", "max" };

    public static Percentiles of(final Histogram histogram)
    {
        return new Percentiles(
            histogram.getTotalCount(),
            histogram.getValueAtPercentile(50.0),
            histogram.getValueAtPercentile(90.0),
            histogram.getValueAtPercentile(99.0),
            histogram.getValueAtPercentile(99.9),
            histogram.getValueAtPercentile(99.99),
            histogram.getMaxValue());
    }

    /** The values in the order of {@link #LABELS}. */
    public long[] values()
    {
        return new long[] { p50Ns, p90Ns, p99Ns, p999Ns, p9999Ns, maxNs };
    }
}
