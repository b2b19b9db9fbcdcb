package io.junction.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.junit.jupiter.api.Test;

class StageLatencyTest
{
    @Test
    void sumsEveryWritersIntervalAndReadsAReleasedWriterOnceMore()
    {
        final StageLatency stage = new StageLatency("test");
        final SingleWriterRecorder a = stage.newRecorder();
        final SingleWriterRecorder b = stage.newRecorder();

        StageLatency.record(a, 1_000);
        StageLatency.record(b, 2_000);
        StageLatency.record(b, -5); // clock skew: recorded as 0
        Histogram interval = stage.intervalHistogram();
        assertEquals(3, interval.getTotalCount());
        assertEquals(2_000, interval.getMaxValue(), 20);

        StageLatency.record(a, 3_000);
        StageLatency.record(b, StageLatency.HIGHEST_TRACKABLE_NS * 2); // clamped, never throws
        stage.release(b);
        interval = stage.intervalHistogram();
        assertEquals(2, interval.getTotalCount());

        StageLatency.record(a, 4_000);
        interval = stage.intervalHistogram();
        assertEquals(1, interval.getTotalCount(), "the released writer is read no more");
    }
}
