package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Junction;
import io.junction.QualityOfService;

class ResumeAfterRestartTest
{
    private final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @Test
    void durableSubscriberResumesAfterItsLastAcknowledgedMessage()
    {
        final List<String> firstRun = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            journal.subscribe("billing", "a.>", StartPosition.earliest(), (s, m) ->
            {
                final String payload = JournalTestSupport.payload(m);
                firstRun.add(payload);
                if (!payload.equals("m4")) // Processed m0..m3 and acknowledged; m4 delivered, not acknowledged.
                {
                    if (firstRun.size() <= 4)
                    {
                        s.acknowledge(m);
                    }
                }
            });
            for (int i = 0; i < 5; i++)
            {
                support.offer(junction, "a.b", QualityOfService.GUARANTEED, "m" + i);
            }
            JournalTestSupport.drive(junction, journal, 5);
        }
        assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), firstRun);

        final List<String> secondRun = new ArrayList<>();
        final List<Long> recordNumbers = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final DurableSubscription subscription = journal.subscribe(
                "billing", "a.>", StartPosition.latest(), (s, m) ->
                {
                    secondRun.add(JournalTestSupport.payload(m));
                    recordNumbers.add(m.recordNumber());
                    s.acknowledge(m);
                });
            assertEquals(3, subscription.acknowledgedRecordNumber());
            support.offer(junction, "a.b", QualityOfService.GUARANTEED, "m5");
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(5, subscription.acknowledgedRecordNumber());
        }
        assertEquals(List.of("m4", "m5"), secondRun, "resumes after the last acknowledged, not at latest");
        assertEquals(List.of(4L, 5L), recordNumbers);

        final List<String> thirdRun = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile())))
        {
            journal.subscribe("billing", "a.>", StartPosition.earliest(), (s, m) ->
                thirdRun.add(JournalTestSupport.payload(m)));
            journal.doWork();
        }
        assertEquals(List.of(), thirdRun, "everything was acknowledged");
        assertTrue(support.errors.isEmpty(), support.errors.toString());
    }
}
