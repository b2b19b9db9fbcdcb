package io.junction.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class StageLatencyTest
{
    @Test
    void sumsEveryWritersIntervalAndReadsAReleasedWriterOnceMore()
    {
        final StageLatency stage = new StageLatency("test");
        final LatencyRecorder a = stage.newRecorder();
        final LatencyRecorder b = stage.newRecorder();

        record(a, 1_000);
        record(b, 2_000);
        record(b, -5); // clock skew: recorded as 0
        Histogram interval = stage.intervalHistogram();
        assertEquals(3, interval.getTotalCount());
        assertEquals(2_000, interval.getMaxValue(), 20);

        record(a, 3_000);
        record(b, StageLatency.HIGHEST_TRACKABLE_NS * 2); // clamped, never throws
        stage.release(b);
        interval = stage.intervalHistogram();
        assertEquals(2, interval.getTotalCount());

        record(a, 4_000);
        interval = stage.intervalHistogram();
        assertEquals(1, interval.getTotalCount(), "the released writer is read no more");
        assertEquals(0, stage.intervalHistogram().getTotalCount(), "each value is read once");
    }

    @Test
    void aReaderSwapsWhileAWriterRecordsWithoutLosingAValue() throws Exception
    {
        final StageLatency stage = new StageLatency("concurrent");
        final LatencyRecorder recorder = stage.newRecorder();
        final int batches = 20_000;
        final Thread writer = new Thread(() ->
        {
            for (int i = 0; i < batches; i++)
            {
                final long token = recorder.beginBatch();
                for (int j = 0; j < 10; j++)
                {
                    recorder.record(100 + j);
                }
                recorder.endBatch(token);
            }
        });
        writer.start();
        long total = 0;
        while (writer.isAlive())
        {
            total += stage.intervalHistogram().getTotalCount();
        }
        writer.join();
        total += stage.intervalHistogram().getTotalCount();
        assertEquals(batches * 10L, total);
    }

    private static void record(final LatencyRecorder recorder, final long value)
    {
        final long token = recorder.beginBatch();
        recorder.record(value);
        recorder.endBatch(token);
    }
}
