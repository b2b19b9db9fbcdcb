package io.junction.observe;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * One writer thread's latency histogram, recorded in batches: the writer enters a
 * {@link WriterReaderPhaser} critical section once per batch (two atomic adds) and records each value
 * with a plain histogram increment, so the cost per message is a few nanoseconds. The reader swaps the
 * active and inactive histograms, as HdrHistogram's recorders do.
 * <p>
 * Writer: {@link #beginBatch()}, {@link #record(long)}..., {@link #endBatch(long)}, always paired.
 */
public final class LatencyRecorder
{
    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private volatile Histogram active = StageLatency.newHistogram();
    private Histogram inactive = StageLatency.newHistogram();
    private Histogram writing;

    LatencyRecorder()
    {
    }

    /**
     * @return a token for {@link #endBatch(long)}.
     */
    public long beginBatch()
    {
        final long token = phaser.writerCriticalSectionEnter();
        writing = active;
        return token;
    }

    /**
     * Record one latency, clamped to [0, {@link StageLatency#HIGHEST_TRACKABLE_NS}]. Between
     * {@link #beginBatch()} and {@link #endBatch(long)} only. Allocation-free.
     */
    public void record(final long latencyNs)
    {
        writing.recordValue(latencyNs < 0 ? 0 : Math.min(latencyNs, StageLatency.HIGHEST_TRACKABLE_NS));
    }

    public void endBatch(final long token)
    {
        phaser.writerCriticalSectionExit(token);
    }

    /**
     * Add what was recorded since the last call to {@code sum}. From one reader thread.
     */
    void addIntervalTo(final Histogram sum)
    {
        phaser.readerLock();
        try
        {
            inactive.reset();
            final Histogram recorded = active;
            active = inactive;
            inactive = recorded;
            phaser.flipPhase();
            sum.add(recorded);
        }
        finally
        {
            phaser.readerUnlock();
        }
    }
}
