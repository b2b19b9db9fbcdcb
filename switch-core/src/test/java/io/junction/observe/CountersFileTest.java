package io.junction.observe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Junction;
import io.junction.Priority;
import io.junction.SwitchCounters;

class CountersFileTest
{
    @TempDir
    Path dir;

    @Test
    void aReaderSeesTheSwitchCountersHeartbeatAndLatency()
    {
        final SwitchLatency latency = new SwitchLatency();
        try (CountersFile file = CountersFile.create(dir.toFile(), 256, SystemEpochClock.INSTANCE);
            Junction junction = Junction.launch(new Junction.Context()
                .countersManager(file.countersManager()).latency(latency));
            SwitchObserver observer = new SwitchObserver(new SwitchObserver.Context()
                .countersFile(file).latency(latency).subscriptions(junction::subscriptions)
                .histogramLogFile(dir.resolve("latency.hlog").toFile()));
            CountersFileReader reader = CountersFileReader.open(dir.toFile()))
        {
            assertEquals(CountersFile.STATE_STARTING, reader.state());
            final AtomicCounter delivered = file.countersManager().newCounter("test delivered", 9999);
            junction.subscribe("a.>", (m) -> delivered.increment(),
                io.junction.SubscriptionOptions.defaults().name("a"));
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < 100; i++)
            {
                assertTrue(junction.offer("a.b", Priority.NORMAL, payload, 0, 8) >= 0);
            }
            await().atMost(10, TimeUnit.SECONDS).until(() -> delivered.get() == 100);
            await().atMost(10, TimeUnit.SECONDS).until(() -> junction.ringOccupancy() == 0);

            observer.onInterval(System.nanoTime());
            assertTrue(reader.isAlive(System.currentTimeMillis(), 5000));
            assertEquals(ProcessHandle.current().pid(), reader.pid());

            final List<CountersFileReader.CounterValue> values = reader.snapshot();
            assertTrue(values.stream().anyMatch((v) -> v.typeId() == SwitchCounters.SHARD_DISPATCHED_TYPE_ID &&
                v.value() == 100), values::toString);
            assertTrue(values.stream().anyMatch((v) -> v.typeId() == SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID &&
                v.label().equals("subscription 1 'a.>' name=a queue depth") && v.value() == 0), values::toString);
            assertTrue(values.stream().anyMatch((v) ->
                v.typeId() == SwitchObserver.SUBSCRIPTIONS_QUEUE_DEPTH_MAX_TYPE_ID &&
                v.label().equals("subscriptions queue depth max") && v.value() == 0), values::toString);
            assertTrue(values.stream().anyMatch((v) -> v.label().equals("latency offer_to_deliver count") &&
                v.value() == 100), values::toString);
            assertTrue(values.stream().anyMatch((v) -> v.label().equals("latency offer_to_deliver p99 ns") &&
                v.value() > 0), values::toString);
        }

        try (CountersFileReader reader = CountersFileReader.open(dir.toFile()))
        {
            assertEquals(CountersFile.STATE_CLOSED, reader.state());
            assertFalse(reader.isAlive(System.currentTimeMillis(), 5000));
        }
        assertTrue(readLog().contains("offer_to_deliver"), "histogram log has the stage's tag");
    }

    @Test
    void afterStoppingFreedCountersKeepTheirLastValuesAndTheFileSaysWhenItStopped() throws Exception
    {
        final CountersFile file = CountersFile.create(dir.toFile(), 64, org.agrona.concurrent.SystemEpochClock.INSTANCE);
        final org.agrona.concurrent.status.AtomicCounter early = file.countersManager().newCounter("freed early", 1);
        final org.agrona.concurrent.status.AtomicCounter late = file.countersManager().newCounter("freed at stop", 1);
        late.set(42);
        early.close();
        final long beforeMs = System.currentTimeMillis();
        file.stopping();
        late.close();
        file.close();
        try (CountersFileReader reader = CountersFileReader.open(dir.toFile()))
        {
            assertTrue(reader.isStopped());
            assertTrue(reader.stopTimeMs() >= beforeMs, "stop time " + reader.stopTimeMs());
            final List<CountersFileReader.CounterValue> values = reader.snapshot();
            assertTrue(values.stream().anyMatch((v) -> v.label().equals("freed at stop") && v.value() == 42),
                values::toString);
            assertFalse(values.stream().anyMatch((v) -> v.label().equals("freed early")), values::toString);
        }
    }

    @Test
    void refusesAFileThatIsNotACountersFile() throws Exception
    {
        final File bogus = dir.resolve(CountersFile.FILE_NAME).toFile();
        Files.write(bogus.toPath(), new byte[CountersFile.HEADER_LENGTH]);
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> CountersFileReader.open(dir.toFile()));
        assertTrue(ex.getMessage().contains("not a junction counters file"), ex.getMessage());
    }

    private String readLog()
    {
        try
        {
            return Files.readString(dir.resolve("latency.hlog"));
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
