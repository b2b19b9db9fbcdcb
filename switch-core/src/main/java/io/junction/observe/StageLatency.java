package io.junction.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * The latency of one stage of the pipeline (for example offer to deliver), recorded without locks or
 * allocation: each writer thread gets its own {@link SingleWriterRecorder}, and one reader thread sums
 * their interval histograms.
 */
public final class StageLatency
{
    /** Values above this are recorded as this: a stall that long is visible anyway. */
    public static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);
    public static final int SIGNIFICANT_DIGITS = 2;

    private final String name;
    private final List<SingleWriterRecorder> recorders = new CopyOnWriteArrayList<>();
    private final List<SingleWriterRecorder> released = new CopyOnWriteArrayList<>();
    private final Histogram interval = newHistogram();
    private Histogram recycled;

    public StageLatency(final String name)
    {
        this.name = name;
    }

    public String name()
    {
        return name;
    }

    /**
     * A recorder for one writer thread. Record with {@link #record(SingleWriterRecorder, long)}.
     */
    public SingleWriterRecorder newRecorder()
    {
        final SingleWriterRecorder recorder = new SingleWriterRecorder(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
        recorders.add(recorder);
        return recorder;
    }

    /**
     * The writer is gone: its last values are read once more, then it is dropped.
     */
    public void release(final SingleWriterRecorder recorder)
    {
        if (recorders.remove(recorder))
        {
            released.add(recorder);
        }
    }

    /**
     * Record a latency, clamped to [0, {@link #HIGHEST_TRACKABLE_NS}]. Allocation-free.
     */
    public static void record(final SingleWriterRecorder recorder, final long latencyNs)
    {
        recorder.recordValue(latencyNs < 0 ? 0 : Math.min(latencyNs, HIGHEST_TRACKABLE_NS));
    }

    /**
     * Sum of every writer's values since the last call. From one reader thread only; the histogram
     * returned is reused by the next call.
     */
    public Histogram intervalHistogram()
    {
        interval.reset();
        for (final SingleWriterRecorder recorder : recorders)
        {
            addInterval(recorder);
        }
        if (!released.isEmpty())
        {
            final List<SingleWriterRecorder> gone = new ArrayList<>(released);
            for (final SingleWriterRecorder recorder : gone)
            {
                addInterval(recorder);
            }
            released.removeAll(gone);
        }
        return interval;
    }

    private void addInterval(final SingleWriterRecorder recorder)
    {
        recycled = recorder.getIntervalHistogram(recycled);
        interval.add(recycled);
    }

    public static Histogram newHistogram()
    {
        return new Histogram(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    }
}
