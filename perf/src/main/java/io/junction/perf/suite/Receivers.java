package io.junction.perf.suite;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import org.HdrHistogram.Histogram;

/**
 * What the subscribers of one connection received: per subscriber, a count and a latency histogram
 * (intended send time to receipt, in ns) of the messages of the current run. Each subscriber index is
 * written by one thread only (its delivery thread); the harness reads after the run has drained.
 * <p>
 * Messages of another run (warm-up, or late ones of an earlier run) are counted apart and not recorded.
 */
public final class Receivers
{
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(120);

    private final Histogram[] histograms;
    private final AtomicLongArray received;
    private final AtomicLongArray lastReceiptNs;
    private volatile int runId = -1;

    public Receivers(final int subscribers)
    {
        histograms = new Histogram[subscribers];
        for (int i = 0; i < subscribers; i++)
        {
            histograms[i] = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        }
        received = new AtomicLongArray(subscribers);
        lastReceiptNs = new AtomicLongArray(subscribers);
    }

    public int subscribers()
    {
        return histograms.length;
    }

    /**
     * Called by subscriber {@code index}'s thread for every message it receives.
     */
    public void onMessage(final int index, final long intendedSendNs, final int messageRunId)
    {
        final long nowNs = System.nanoTime();
        if (messageRunId == runId)
        {
            final long latencyNs = Math.max(0, nowNs - intendedSendNs);
            histograms[index].recordValue(Math.min(latencyNs, HIGHEST_TRACKABLE_NS));
            received.lazySet(index, received.get(index) + 1);
            lastReceiptNs.lazySet(index, nowNs);
        }
    }

    /**
     * Starts a new run: clears counts and histograms. Call only when no message of the current run is in
     * flight (after {@link #awaitAll} or at the start).
     */
    public void beginRun(final int newRunId)
    {
        runId = -1;
        for (int i = 0; i < histograms.length; i++)
        {
            histograms[i].reset();
            received.set(i, 0);
            lastReceiptNs.set(i, 0);
        }
        runId = newRunId;
    }

    /** Stops recording; messages still arriving are ignored. */
    public void endRun()
    {
        runId = -1;
    }

    public long minReceived()
    {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < histograms.length; i++)
        {
            min = Math.min(min, received.get(i));
        }
        return min;
    }

    public long totalReceived()
    {
        long total = 0;
        for (int i = 0; i < histograms.length; i++)
        {
            total += received.get(i);
        }
        return total;
    }

    public long lastReceiptNs()
    {
        long last = 0;
        for (int i = 0; i < histograms.length; i++)
        {
            last = Math.max(last, lastReceiptNs.get(i));
        }
        return last;
    }

    /**
     * Waits until every subscriber has received {@code expected} messages of this run, or the deadline.
     *
     * @return true if all arrived.
     */
    public boolean awaitAll(final long expected, final long deadlineNs)
    {
        while (minReceived() < expected)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        return true;
    }

    /** The latencies of all subscribers merged; call after the run has ended. */
    public Histogram merged()
    {
        final Histogram merged = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        for (final Histogram histogram : histograms)
        {
            merged.add(histogram);
        }
        return merged;
    }
}
