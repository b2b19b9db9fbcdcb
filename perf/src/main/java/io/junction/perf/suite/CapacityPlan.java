package io.junction.perf.suite;

import java.util.List;
import java.util.Locale;

/**
 * What a target sustains at a p99 latency target, read off its measured latency-vs-rate curve, and the
 * regulator settings that keep it there with headroom.
 * <p>
 * Sustained rate: the highest offered rate at which this and every lower measured rate met the target
 * without saturating. Suggested token-bucket rate: {@code headroom} × that. Suggested burst: the messages
 * the target drains, at its measured maximum throughput, in half the latency target, so that a full
 * burst adds at most half the budget of queueing.
 *
 * @param sustainedRate   0 if even the lowest rate missed the target.
 * @param atHighestTested the sustained rate is the highest rate measured: the real limit is higher.
 * @param nextRate        the first measured rate that missed the target (0 if none).
 * @param nextP99Ns       its p99 (0 if none).
 */
public record CapacityPlan(
    String target, Workload workload, long p99TargetNs, long sustainedRate, long p99AtSustainedNs,
    boolean atHighestTested, long nextRate, long nextP99Ns, boolean nextSaturated, long lowestRate,
    long suggestedRate, long suggestedBurst)
{
    public static CapacityPlan of(
        final String target, final Workload workload, final List<LatencyResult> points, final double maxThroughput,
        final long p99TargetNs, final double headroom)
    {
        final List<LatencyResult> sorted = points.stream()
            .filter(p -> p.target().equals(target) && p.workload().equals(workload))
            .sorted((a, b) -> Long.compare(a.offeredRate(), b.offeredRate())).toList();
        long sustained = 0;
        long p99AtSustained = 0;
        long nextRate = 0;
        long nextP99 = 0;
        boolean nextSaturated = false;
        for (final LatencyResult point : sorted)
        {
            if (!point.saturated() && point.latency().p99Ns() <= p99TargetNs)
            {
                sustained = point.offeredRate();
                p99AtSustained = point.latency().p99Ns();
            }
            else
            {
                nextRate = point.offeredRate();
                nextP99 = point.latency().p99Ns();
                nextSaturated = point.saturated();
                break;
            }
        }
        final boolean atHighest = !sorted.isEmpty() && nextRate == 0;
        final long suggestedRate = (long)(sustained * headroom);
        final long burst = Math.max(1, (long)(maxThroughput * p99TargetNs / 2e9));
        return new CapacityPlan(target, workload, p99TargetNs, sustained, p99AtSustained, atHighest, nextRate,
            nextP99, nextSaturated, sorted.isEmpty() ? 0 : sorted.get(0).offeredRate(), suggestedRate,
            sustained == 0 ? 0 : burst);
    }

    /** One line of plain English for the report. */
    public String sentence()
    {
        final String targetText = us(p99TargetNs);
        if (sustainedRate == 0)
        {
            return String.format(Locale.ROOT,
                "%s misses p99 ≤ %s even at the lowest rate measured (%,d msg/s: p99 %s%s).",
                target, targetText, lowestRate, us(nextP99Ns), nextSaturated ? ", saturated" : "");
        }
        final String beyond = atHighestTested ?
            " (the highest rate measured: the real limit is higher)" :
            String.format(Locale.ROOT, "; at %,d msg/s p99 was %s%s", nextRate, us(nextP99Ns),
                nextSaturated ? " (saturated)" : "");
        return String.format(Locale.ROOT,
            "%s sustains %s%,d msg/s at p99 ≤ %s (p99 %s there)%s. Suggested regulation: token bucket %,d msg/s " +
            "(%.0f%% of it), burst %,d.",
            target, atHighestTested ? "at least " : "", sustainedRate, targetText, us(p99AtSustainedNs), beyond,
            suggestedRate, 100.0 * suggestedRate / sustainedRate, suggestedBurst);
    }

    static String us(final long ns)
    {
        return String.format(Locale.ROOT, ns >= 10_000 ? "%.0f µs" : "%.1f µs", ns / 1e3);
    }
}
