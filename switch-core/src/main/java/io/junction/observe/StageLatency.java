package io.junction.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * The latency of one stage of the pipeline (for example offer to deliver), recorded without locks or
 * allocation: each writer thread gets its own {@link LatencyRecorder}, and one reader thread sums their
 * interval histograms.
 */
public final class StageLatency
{
    /** Values above this are recorded as this: a stall that long is visible anyway. */
    public static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);
    public static final int SIGNIFICANT_DIGITS = 2;

    private final String name;
    private final List<Writer> writers = new CopyOnWriteArrayList<>();
    private final List<Writer> released = new CopyOnWriteArrayList<>();
    private final Histogram interval = newHistogram();

    public StageLatency(final String name)
    {
        this.name = name;
    }

    public String name()
    {
        return name;
    }

    /**
     * A recorder for one writer thread.
     */
    public LatencyRecorder newRecorder()
    {
        final LatencyRecorder recorder = new LatencyRecorder();
        writers.add(new Writer(recorder));
        return recorder;
    }

    /**
     * The writer is gone: its last values are read once more, then it is dropped.
     */
    public void release(final LatencyRecorder recorder)
    {
        for (final Writer writer : writers)
        {
            if (writer.recorder == recorder && writers.remove(writer))
            {
                released.add(writer);
            }
        }
    }

    /**
     * Sum of every writer's values since the last call. From one reader thread only; the histogram
     * returned is reused by the next call.
     */
    public Histogram intervalHistogram()
    {
        interval.reset();
        for (final Writer writer : writers)
        {
            writer.addIntervalTo(interval);
        }
        if (!released.isEmpty())
        {
            final List<Writer> gone = new ArrayList<>(released);
            for (final Writer writer : gone)
            {
                writer.addIntervalTo(interval);
            }
            released.removeAll(gone);
        }
        return interval;
    }

    /**
     * A registered recorder.
     */
    private static final class Writer
    {
        final LatencyRecorder recorder;

        Writer(final LatencyRecorder recorder)
        {
            this.recorder = recorder;
        }

        void addIntervalTo(final Histogram sum)
        {
            recorder.addIntervalTo(sum);
        }
    }

    public static Histogram newHistogram()
    {
        return new Histogram(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    }
}
