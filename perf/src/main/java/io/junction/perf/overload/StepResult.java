package io.junction.perf.overload;

import org.HdrHistogram.Histogram;

import io.junction.Priority;

/**
 * What one step of the sweep measured. Counts are per class, indexed by {@link Priority#ordinal()}.
 */
final class StepResult
{
    static final int CLASSES = Priority.values().length;

    final String mode;
    final double multiplier;
    final long offeredRate;
    final double windowSeconds;
    final long[] scheduled = new long[CLASSES];
    final long[] accepted = new long[CLASSES];
    final long[] shed = new long[CLASSES];
    final long[] unsent = new long[CLASSES];
    final long[] deliveredInWindow = new long[CLASSES];
    final Histogram[] latency = new Histogram[CLASSES];
    long heapUsedBeforeBytes;
    long heapUsedAfterBytes;
    long gcCount;
    long allocatedBytesGenerator;
    long allocatedBytesPipeline;

    StepResult(final String mode, final double multiplier, final long offeredRate, final double windowSeconds)
    {
        this.mode = mode;
        this.multiplier = multiplier;
        this.offeredRate = offeredRate;
        this.windowSeconds = windowSeconds;
    }

    long total(final long[] perClass)
    {
        long sum = 0;
        for (final long value : perClass)
        {
            sum += value;
        }
        return sum;
    }

    double goodput()
    {
        return total(deliveredInWindow) / windowSeconds;
    }

    double micros(final Priority priority, final double percentile)
    {
        final Histogram histogram = latency[priority.ordinal()];
        if (null == histogram || 0 == histogram.getTotalCount())
        {
            return Double.NaN;
        }
        final long value = percentile >= 100 ? histogram.getMaxValue() : histogram.getValueAtPercentile(percentile);
        return value / 1000.0;
    }
}
