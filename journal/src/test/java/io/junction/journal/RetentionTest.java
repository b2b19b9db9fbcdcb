package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Junction;
import io.junction.QualityOfService;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

class RetentionTest
{
    private final JournalTestSupport support = new JournalTestSupport();
    private final SetTimeProvider time = new SetTimeProvider(TimeUnit.MILLISECONDS.toNanos(1_700_000_000_000L));

    @TempDir
    Path dir;

    private Journal.Context context(final Retention retention)
    {
        return support.journalContext(dir.toFile())
            .rollCycle(TestRollCycles.TEST_SECONDLY)
            .timeProvider(time)
            .retention(retention)
            .retentionCheckIntervalNs(1);
    }

    /**
     * One message per second, so one roll-cycle file per message.
     */
    private void publish(final Junction junction, final Journal journal, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            support.offer(junction, "r.m", QualityOfService.GUARANTEED, "m" + i);
            JournalTestSupport.drive(junction, journal, 3);
            time.advanceMillis(1000);
        }
    }

    private int cycleFiles()
    {
        final File[] files = dir.toFile().listFiles((d, name) -> name.endsWith(".cq4"));
        return null == files ? 0 : files.length;
    }

    private List<String> replayAll(final Journal journal)
    {
        final List<String> seen = new ArrayList<>();
        journal.subscribe(null, ">", StartPosition.earliest(), (s, m) -> seen.add(JournalTestSupport.payload(m)));
        journal.doWork();
        return seen;
    }

    @Test
    void keepsAtMostMaxCyclesFiles()
    {
        try (Journal journal = Journal.launch(context(Retention.keepAll().maxCycles(2)));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            publish(junction, journal, 0, 5);
            journal.doWork();
            assertEquals(2, cycleFiles());
            assertEquals(3, journal.counters().retentionDeletedCycles());
            assertEquals(List.of("m3", "m4"), replayAll(journal));
        }
        assertTrue(support.errors.isEmpty(), support.errors.toString());
    }

    @Test
    void deletesCyclesOlderThanMaxAge()
    {
        try (Journal journal = Journal.launch(context(Retention.keepAll().maxAgeMs(2_500)));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            publish(junction, journal, 0, 5);
            // Now = start + 5 s: cycles that ended more than 2.5 s ago are those of m0, m1 and m2... m1 ends at +2s.
            journal.doWork();
            assertEquals(List.of("m2", "m3", "m4"), replayAll(journal));
        }
        assertTrue(support.errors.isEmpty(), support.errors.toString());
    }

    @Test
    void deletesOldestCyclesBeyondMaxBytesButNeverTheNewest()
    {
        try (Journal journal = Journal.launch(context(Retention.keepAll().maxBytes(1))))
        {
            try (Junction junction = Junction.launch(support.switchContext(journal)))
            {
                publish(junction, journal, 0, 4);
            }
            journal.doWork();
            assertEquals(1, cycleFiles());
            assertEquals(List.of("m3"), replayAll(journal));
        }
    }

    @Test
    void durableSubscriberBehindRetentionGetsAnErrorAndACounterNotSkippedMessages()
    {
        try (Journal journal = Journal.launch(context(Retention.keepAll()));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            journal.subscribe("slow", ">", StartPosition.earliest(), (s, m) ->
            {
                if (m.recordNumber() == 0)
                {
                    s.acknowledge(m);
                }
            });
            journal.subscribe("fast", ">", StartPosition.earliest(), DurableSubscription::acknowledge);
            publish(junction, journal, 0, 3);
        }

        final List<String> fast = new ArrayList<>();
        final List<String> slow = new ArrayList<>();
        try (Journal journal = Journal.launch(context(Retention.keepAll().maxCycles(2)));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final DurableSubscription fastSubscription = journal.subscribe("fast", ">", StartPosition.earliest(),
                (s, m) ->
                {
                    fast.add(JournalTestSupport.payload(m));
                    s.acknowledge(m);
                });
            publish(junction, journal, 3, 6);
            journal.doWork();
            assertEquals(2, cycleFiles());

            final DurableSubscription slowSubscription = journal.subscribe("slow", ">", StartPosition.earliest(),
                (s, m) -> slow.add(JournalTestSupport.payload(m)));
            journal.doWork();

            assertEquals(DurableSubscription.State.ACTIVE, fastSubscription.state());
            assertEquals(DurableSubscription.State.BEHIND_RETENTION, slowSubscription.state());
            assertInstanceOf(JournalException.class, slowSubscription.failure());
            assertTrue(slowSubscription.failure().getMessage().contains("records 1 to 3 were deleted"),
                slowSubscription.failure().getMessage());
            assertEquals(1, journal.counters().behindRetention());
        }
        assertEquals(List.of("m3", "m4", "m5"), fast);
        assertEquals(List.of(), slow, "nothing delivered after the gap");
        assertEquals(1, support.errors.size(), support.errors.toString());
    }

    /**
     * Three messages per batch (one document each) and one batch per roll cycle: the retention check works on
     * records inside documents.
     */
    private void publishBatches(final Junction junction, final Journal journal, final int fromBatch, final int toBatch)
    {
        for (int batch = fromBatch; batch < toBatch; batch++)
        {
            for (int i = 0; i < 3; i++)
            {
                support.offer(junction, "r.m", QualityOfService.GUARANTEED, "m" + (3 * batch + i));
            }
            JournalTestSupport.drive(junction, journal, 3);
            time.advanceMillis(1000);
        }
    }

    @Test
    void durableSubscriberThatAcknowledgedInsideADeletedBatchIsBehindRetention()
    {
        try (Journal journal = Journal.launch(context(Retention.keepAll()));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            journal.subscribe("slow", ">", StartPosition.earliest(), (s, m) ->
            {
                if (m.recordNumber() == 1) // The middle of the first batch's document.
                {
                    s.acknowledge(m);
                }
            });
            journal.subscribe("fast", ">", StartPosition.earliest(), DurableSubscription::acknowledge);
            publishBatches(junction, journal, 0, 3);
            assertEquals(9, journal.nextRecordNumberValue());
        }

        final List<String> fast = new ArrayList<>();
        try (Journal journal = Journal.launch(context(Retention.keepAll().maxCycles(2)));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final DurableSubscription fastSubscription = journal.subscribe("fast", ">", StartPosition.earliest(),
                (s, m) ->
                {
                    fast.add(JournalTestSupport.payload(m));
                    s.acknowledge(m);
                });
            publishBatches(junction, journal, 3, 6);
            journal.doWork();
            assertEquals(2, cycleFiles());
            assertEquals(List.of("m12", "m13", "m14", "m15", "m16", "m17"), replayAll(journal));

            final DurableSubscription slowSubscription = journal.subscribe("slow", ">", StartPosition.earliest(),
                (s, m) -> fail("nothing may be delivered after the gap: " + m));
            journal.doWork();

            assertEquals(DurableSubscription.State.ACTIVE, fastSubscription.state());
            assertEquals(DurableSubscription.State.BEHIND_RETENTION, slowSubscription.state());
            assertTrue(slowSubscription.failure().getMessage().contains("records 2 to 11 were deleted"),
                slowSubscription.failure().getMessage());
            assertEquals(1, journal.counters().behindRetention());
        }
        assertEquals(List.of("m9", "m10", "m11", "m12", "m13", "m14", "m15", "m16", "m17"), fast);
        assertEquals(1, support.errors.size(), support.errors.toString());
    }
}
