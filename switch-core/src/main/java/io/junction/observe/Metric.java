package io.junction.observe;

/**
 * A value an alarm watches, sampled on the evaluator's thread.
 */
@FunctionalInterface
public interface Metric
{
    /**
     * @param nowNs the evaluator's clock, for rates.
     */
    double sample(long nowNs);

    /**
     * This metric as a rate per second of its increase (for monotonic counters).
     */
    default Metric perSecond()
    {
        final Metric source = this;
        return new Metric()
        {
            private boolean primed;
            private double lastValue;
            private long lastNs;
            private double rate;

            @Override
            public double sample(final long nowNs)
            {
                final double value = source.sample(nowNs);
                if (primed && nowNs > lastNs)
                {
                    rate = Math.max(0, value - lastValue) * 1e9 / (nowNs - lastNs);
                }
                primed = true;
                lastValue = value;
                lastNs = nowNs;
                return rate;
            }
        };
    }
}
