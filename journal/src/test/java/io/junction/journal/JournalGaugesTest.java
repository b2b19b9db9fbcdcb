package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Junction;
import io.junction.QualityOfService;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * The journal's gauges: position (last record number), size, roll cycles held and disk free, as the agent
 * refreshes them off the append path.
 */
class JournalGaugesTest
{
    private final JournalTestSupport support = new JournalTestSupport();
    private final SetTimeProvider time = new SetTimeProvider(TimeUnit.MILLISECONDS.toNanos(1_700_000_000_000L));

    @TempDir
    Path dir;

    @Test
    void reportsPositionSizeCyclesAndDiskFree()
    {
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile())
                .rollCycle(TestRollCycles.TEST_SECONDLY)
                .timeProvider(time)
                .retentionCheckIntervalNs(1)
                .diskCheckIntervalNs(1));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            journal.doWork();
            assertEquals(-1, journal.counters().lastRecordNumber());
            assertEquals(0, journal.counters().rollCycles());

            for (int i = 0; i < 3; i++) // one message per second: one roll-cycle file each
            {
                support.offer(junction, "g.m", QualityOfService.GUARANTEED, "m" + i);
                support.offer(junction, "g.m", QualityOfService.BEST_EFFORT, "not journaled");
                JournalTestSupport.drive(junction, journal, 3);
                time.advanceMillis(1000);
            }
            journal.doWork();

            assertEquals(2, journal.counters().lastRecordNumber());
            assertEquals(3, journal.counters().rollCycles());
            final File[] files = dir.toFile().listFiles((d, name) -> name.endsWith(".cq4"));
            long bytes = 0;
            for (final File file : files)
            {
                bytes += file.length();
            }
            assertTrue(bytes > 0);
            assertEquals(bytes, journal.counters().sizeBytes());
            final long usable = dir.toFile().getUsableSpace();
            assertTrue(journal.counters().diskFreeBytes() > 0 &&
                Math.abs(journal.counters().diskFreeBytes() - usable) < (256L << 20),
                () -> journal.counters().diskFreeBytes() + " vs " + usable);
            assertTrue(support.errors.isEmpty(), support.errors::toString);
        }
    }
}
