package io.junction.observe;

import org.agrona.concurrent.status.CountersReader;

/**
 * Metrics over the counters of a {@link CountersReader}, selected by type id or label.
 */
public final class CounterMetrics
{
    private CounterMetrics()
    {
    }

    /**
     * The sum of every allocated counter of a type (for example all shards' back-pressured offers).
     */
    public static Metric sumOfType(final CountersReader reader, final int typeId)
    {
        return (nowNs) -> aggregate(reader, typeId, false);
    }

    /**
     * The largest value among the counters of a type (for example the deepest subscriber queue).
     */
    public static Metric maxOfType(final CountersReader reader, final int typeId)
    {
        return (nowNs) -> aggregate(reader, typeId, true);
    }

    /**
     * The value of the counter with exactly this label (0 while there is none).
     */
    public static Metric byLabel(final CountersReader reader, final String label)
    {
        return (nowNs) ->
        {
            final long[] found = { 0 };
            reader.forEach((value, id, counterLabel) ->
            {
                if (counterLabel.equals(label))
                {
                    found[0] = value;
                }
            });
            return found[0];
        };
    }

    private static double aggregate(final CountersReader reader, final int typeId, final boolean max)
    {
        long result = 0;
        final int maxId = reader.maxCounterId();
        for (int id = 0; id <= maxId; id++)
        {
            if (reader.getCounterState(id) == CountersReader.RECORD_ALLOCATED && reader.getCounterTypeId(id) == typeId)
            {
                final long value = reader.getCounterValue(id);
                result = max ? Math.max(result, value) : result + value;
            }
        }
        return result;
    }
}
