package io.junction.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.Subscription;
import io.junction.SubscriptionListener;
import io.junction.SubscriptionOptions;
import io.junction.TerminationReason;
import io.junction.ThreadingMode;

class JfrEventsTest
{
    @TempDir
    Path dir;

    @Test
    void alarmsShedBurstsAndSlowSubscriberDisconnectsAreRecorded() throws Exception
    {
        final Path file = dir.resolve("junction.jfr");
        try (Recording recording = new Recording())
        {
            recording.enable("io.junction.Alarm");
            recording.enable("io.junction.ShedBurst");
            recording.enable("io.junction.SlowSubscriberDisconnect");
            recording.start();

            try (Junction junction = Junction.launch(new Junction.Context()
                .threadingMode(ThreadingMode.INVOKER).ringSize(4));
                SwitchObserver observer = new SwitchObserver(new SwitchObserver.Context()
                    .countersManager(junction.context().countersManager()).burstThreshold(10)))
            {
                final Subscription slow = junction.subscribe("slow.>", (m) -> { }, SubscriptionOptions.defaults()
                    .slowSubscriberPolicy(SlowSubscriberPolicy.DISCONNECT).outboxCapacity(2)
                    .listener(SlowSubscriberJfrEvent.listener(SubscriptionListener.NO_OP)));
                junction.doWork();

                final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
                observer.onInterval(System.nanoTime());
                int backPressured = 0;
                for (int i = 0; i < 40; i++)
                {
                    if (OfferResult.isBackPressured(junction.offer("slow.a", Priority.NORMAL, payload, 0, 8)))
                    {
                        backPressured++;
                    }
                }
                assertTrue(backPressured >= 10, "the ring of 4 turned away " + backPressured);
                observer.onInterval(System.nanoTime() + 1);
                for (int i = 0; i < 10 && slow.isActive(); i++)
                {
                    junction.doWork();
                }
                assertEquals(TerminationReason.SLOW_CONSUMER, slow.terminationReason());
            }

            final AlarmEvaluator alarms = new AlarmEvaluator(System::currentTimeMillis, null);
            alarms.rules(List.of(new AlarmRule("jfr", Severity.CRITICAL, (now) -> 1, true, 0, 0, 0, "")));
            alarms.evaluate(TimeUnit.SECONDS.toNanos(1));

            recording.stop();
            recording.dump(file);
        }

        final List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertTrue(events.stream().anyMatch((e) -> e.getEventType().getName().equals("io.junction.Alarm") &&
            "jfr".equals(e.getString("alarm")) && e.getBoolean("raised")), events::toString);
        assertTrue(events.stream().anyMatch((e) -> e.getEventType().getName().equals("io.junction.ShedBurst") &&
            e.getLong("count") >= 10), events::toString);
        assertTrue(events.stream().anyMatch((e) ->
            e.getEventType().getName().equals("io.junction.SlowSubscriberDisconnect") &&
            "slow.>".equals(e.getString("pattern"))), events::toString);
    }
}
