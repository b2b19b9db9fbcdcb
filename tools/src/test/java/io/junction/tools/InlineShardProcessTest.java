package io.junction.tools;

import static io.junction.tools.DaemonTestSupport.read;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.SubscribedDecoder;
import io.junction.protocol.codecs.WelcomeDecoder;

/**
 * {@code network.inline-shard = true} in a real daemon process: the switch runs on the I/O thread (no shard or
 * delivery threads), messages go round trip, a subscriber that never reads does not hold a reading one back, a
 * queue group is served, a back-pressure queue-group member that never reads does not hold the I/O thread (its
 * messages wait in its outbox), and a SIGTERM with messages in flight delivers them and exits within the shutdown
 * timeout.
 */
class InlineShardProcessTest
{
    private static final Duration TIMEOUT = DaemonChild.TIMEOUT;
    private static final int SHUTDOWN_TIMEOUT_S = 5;
    /**
     * 20 MB of 1 KB messages to a group of two: far more than the member that does not read has buffers for. A daemon
     * whose I/O thread is held stops reading the publisher, whose blocking write then no interrupt ends: the tests
     * that publish them time out on a thread of their own, and closing the sockets after them ends that write.
     */
    private static final int GROUP_MESSAGES = 20_000;

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withConfig(
        "shutdown-timeout = " + SHUTDOWN_TIMEOUT_S + "s",
        "listen { port = 0, publish-timeout = 10s }",
        "http.enabled = false",
        "alarms.rules = []",
        "network.inline-shard = true");

    @Test
    void servesOnTheIoThreadIsNotHeldByASubscriberThatNeverReadsAndStopsBySigterm() throws Exception
    {
        final JunctionProcess running = daemon.start();
        final int port = daemon.port();
        assertTrue(running.output().contains("network.inline-shard"), running::output);
        assertNoSwitchThreads(running.process().pid());

        // A subscriber that says it will take back-pressure and never reads after its SUBSCRIBED would hold the I/O
        // thread; this one drops (drop-newest) once its send buffer and socket are full.
        final ProtocolClient stuck = ProtocolClient.raw("127.0.0.1", port, 64 * 1024);
        daemon.closeAfter(stuck);
        stuck.hello("stuck", ProtocolFrames.VERSION, 0);
        stuck.subscribe("load.>", SlowSubscriberPolicy.DROP_NEWEST, -1);
        final ProtocolClient.FrameListener ignore = new ProtocolClient.FrameListener()
        {
        };
        assertEquals(WelcomeDecoder.TEMPLATE_ID, stuck.read(ignore));
        assertEquals(SubscribedDecoder.TEMPLATE_ID, stuck.read(ignore));

        // The reading one takes back-pressure: nothing of it may be dropped, so it sees every message in order.
        final FrameRecorder good = new FrameRecorder(new ProtocolClient("127.0.0.1", port));
        daemon.closeAfter(good);
        good.client.subscribe("load.>", SlowSubscriberPolicy.BACK_PRESSURE, -1);
        good.awaitSubscribed();
        final FrameRecorder worker = new FrameRecorder(new ProtocolClient("127.0.0.1", port));
        daemon.closeAfter(worker);
        worker.client.subscribe("work.>", null, -1, "workers");
        worker.awaitSubscribed();

        final FrameRecorder publisher = new FrameRecorder(new ProtocolClient("127.0.0.1", port));
        daemon.closeAfter(publisher);
        final int count = 20_000; // 20 MB of 1 KB messages: far more than the stuck one's buffers hold
        publishNumbered(publisher.client, "load.x", 0, count, 1000);
        publishNumbered(publisher.client, "work.x", 0, 1000, 8);
        await().atMost(TIMEOUT).until(() -> good.received.get() == count && worker.received.get() == 1000);
        assertEquals(count - 1, good.lastValue.get());
        assertEquals(0, good.outOfOrder.get());
        assertEquals(0, worker.outOfOrder.get());
        assertTrue(publisher.refusals.isEmpty(), publisher.refusals::toString);
        assertTrue(daemon.stat("protocol subscriber messages dropped") > 0, "the stuck subscriber dropped");

        // SIGTERM with messages in flight: every accepted one reaches the reading subscriber, within the timeout.
        final int inFlight = 5_000;
        publishNumbered(publisher.client, "load.x", count, inFlight, 1000);
        publisher.sync(); // every one accepted by now
        assertStopsBySigtermWithinTheTimeout(running);
        await().atMost(TIMEOUT).until(() -> good.ended);
        assertEquals(count + inFlight, good.received.get(), running::output);
        assertEquals(0, good.outOfOrder.get());
        assertTrue(running.output().contains("junction: stopped"), running::output);
        assertFalse(running.output().contains("did not stop running the switch"), running::output);
    }

    /**
     * A queue-group member under back-pressure that never reads once its send buffer and socket are full used to wait
     * for room on the I/O thread, which writes every socket: no other connection was served. Its messages now wait
     * in its outbox, the other member takes the rest, other subscribers and PINGs are answered; once it reads, it
     * gets what was held for it, and no message of the group is lost or given twice.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // see GROUP_MESSAGES
    void aBackPressureQueueGroupMemberThatNeverReadsDoesNotHoldTheIoThread() throws Exception
    {
        daemon.start();
        final HeldMember held = holdAQueueGroupMember(daemon.port());

        held.stuck().startReader("test-stuck-reader", held.stuckTally()); // it reads at last
        await().atMost(TIMEOUT).until(() -> held.stuckTally().received.get() + held.workerTally().received.get() ==
            GROUP_MESSAGES);
        assertTrue(held.stuckTally().received.get() > 0, "the member that did not read had been given some");
        held.assertEachOnce();
    }

    /**
     * The same held member at a SIGTERM: the stop does not wait on it past the shutdown timeout, exits 0, and says
     * what it could not deliver.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // see GROUP_MESSAGES
    void aSigtermCompletesWhileABackPressureQueueGroupMemberNeverReads() throws Exception
    {
        final JunctionProcess running = daemon.start();
        holdAQueueGroupMember(daemon.port());

        assertStopsBySigtermWithinTheTimeout(running);
        assertTrue(running.output().contains("could not be delivered at stop"), running::output);
        assertTrue(running.output().contains("junction: stopped"), running::output);
        assertFalse(running.output().contains("did not stop running the switch"), running::output);
    }

    @Test
    void inlineShardWithSeveralIoAgentsIsAConfigErrorWithoutAStackTrace() throws Exception
    {
        final File config = daemon.writeConfig("network.io-agents = 2");
        final File out = daemon.tmp().resolve("two.txt").toFile();
        assertEquals(RunCommand.EXIT_CONFIG, JunctionProcess.run(out, "run", "--config", config.getPath()),
            () -> read(out));
        assertTrue(read(out).contains("junction: config error: key 'network.inline-shard': runs the switch on the " +
            "one I/O thread, so it needs network.io-agents = 1, was 2"), () -> read(out));
        assertFalse(read(out).contains("\tat "), () -> read(out));
    }

    /**
     * One SIGTERM: exit 0 within the shutdown timeout, the server's second for clients to take their buffers, and a
     * start-up margin.
     */
    private static void assertStopsBySigtermWithinTheTimeout(final JunctionProcess running) throws Exception
    {
        final long startNs = System.nanoTime();
        running.process().destroy();
        assertTrue(running.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), running::output);
        final long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertEquals(0, running.process().exitValue(), running::output);
        assertTrue(stopMs < TimeUnit.SECONDS.toMillis(SHUTDOWN_TIMEOUT_S) + 4_000,
            "stopped in " + stopMs + " ms: " + running.output());
    }

    /**
     * A BALANCED group of two back-pressure members: one joins first and never reads after its SUBSCRIBED (its small
     * socket receive buffer, the daemon's socket and its send buffer fill), the other reads; the group's messages are
     * published, then messages to a third subscriber, which must all arrive while the first member is held.
     */
    private HeldMember holdAQueueGroupMember(final int port) throws Exception
    {
        final ProtocolClient stuck = daemon.closeAfter(ProtocolClient.raw("127.0.0.1", port, 64 * 1024));
        stuck.hello("stuck", ProtocolFrames.VERSION, 0);
        stuck.subscribe("work.>", SlowSubscriberPolicy.BACK_PRESSURE, -1, "workers");
        final ProtocolClient.FrameListener ignore = new ProtocolClient.FrameListener()
        {
        };
        assertEquals(WelcomeDecoder.TEMPLATE_ID, stuck.read(ignore));
        assertEquals(SubscribedDecoder.TEMPLATE_ID, stuck.read(ignore));

        final Tally workerTally = new Tally();
        final ProtocolClient worker = daemon.closeAfter(new ProtocolClient("127.0.0.1", port));
        worker.startReader("test-worker-reader", workerTally);
        worker.subscribe("work.>", SlowSubscriberPolicy.BACK_PRESSURE, -1, "workers");
        await().atMost(TIMEOUT).until(() -> workerTally.subscribed);
        final FrameRecorder other = daemon.closeAfter(new FrameRecorder(new ProtocolClient("127.0.0.1", port)));
        other.client.subscribe("other.>", SlowSubscriberPolicy.BACK_PRESSURE, -1);
        other.awaitSubscribed();
        final FrameRecorder publisher = daemon.closeAfter(new FrameRecorder(new ProtocolClient("127.0.0.1", port)));

        publishNumbered(publisher.client, "work.x", 0, GROUP_MESSAGES, 1000);
        publisher.sync(); // a PONG: the I/O thread read them all
        // What the first member has no room for waits in its outbox (sampled each observe-interval).
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() ->
            daemon.stat("subscriptions queue depth max") > 0);
        final int others = 1000;
        publishNumbered(publisher.client, "other.x", 0, others, 8);
        await().atMost(TIMEOUT).until(() -> other.received.get() == others);
        assertEquals(0, other.outOfOrder.get());
        publisher.sync();
        assertTrue(publisher.refusals.isEmpty(), publisher.refusals::toString);
        assertTrue(workerTally.received.get() > 0, "the reading member is served");
        return new HeldMember(stuck, new Tally(), workerTally);
    }

    private record HeldMember(ProtocolClient stuck, Tally stuckTally, Tally workerTally)
    {
        void assertEachOnce()
        {
            assertEquals(0, stuckTally.duplicates.get() + workerTally.duplicates.get(), "none twice to one member");
            final BitSet both = stuckTally.seen();
            both.and(workerTally.seen());
            assertTrue(both.isEmpty(), () -> "given to both members: " + both);
            final BitSet all = stuckTally.seen();
            all.or(workerTally.seen());
            assertEquals(GROUP_MESSAGES, all.cardinality());
            assertEquals(GROUP_MESSAGES, all.nextClearBit(0), "every one of 0.." + (GROUP_MESSAGES - 1));
        }
    }

    /**
     * The numbers (first 8 bytes) of the messages a connection's reader thread receives.
     */
    private static final class Tally implements ProtocolClient.FrameListener
    {
        final AtomicLong received = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        volatile boolean subscribed;
        private final BitSet seen = new BitSet();

        @Override
        public void onSubscribed(final long subscriptionId, final String pattern)
        {
            subscribed = true;
        }

        @Override
        public void onMessage(
            final long subscriptionId, final long sequence, final Priority priority, final String topic,
            final DirectBuffer buffer, final int offset, final int length)
        {
            final int number = (int)buffer.getLong(offset);
            synchronized (seen)
            {
                if (seen.get(number))
                {
                    duplicates.incrementAndGet();
                }
                seen.set(number);
            }
            received.incrementAndGet();
        }

        BitSet seen()
        {
            synchronized (seen)
            {
                return (BitSet)seen.clone();
            }
        }
    }

    /**
     * Linux names each thread after its Java name (15 characters): no shard or delivery thread may be there.
     */
    private static void assertNoSwitchThreads(final long pid) throws IOException
    {
        final Path tasks = Path.of("/proc", Long.toString(pid), "task");
        if (!Files.isDirectory(tasks))
        {
            return; // Not Linux: the log line above is the check.
        }
        final List<String> names = new ArrayList<>();
        try (Stream<Path> each = Files.list(tasks))
        {
            for (final Path task : (Iterable<Path>)each::iterator)
            {
                try
                {
                    names.add(Files.readString(task.resolve("comm")).trim());
                }
                catch (final IOException ex)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        assertTrue(names.stream().anyMatch((name) -> name.startsWith("junction-networ")), names::toString);
        assertFalse(names.stream().anyMatch((name) -> name.startsWith("junction-shard") ||
            name.startsWith("junction-deliv")), names::toString);
    }

    private static void publishNumbered(final ProtocolClient publisher, final String topic, final int from,
        final int count, final int length) throws IOException
    {
        final byte[] payload = new byte[length];
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        for (int i = from; i < from + count; i++)
        {
            buffer.putLong(0, i);
            publisher.publish(topic, Priority.NORMAL, payload, 0, payload.length);
        }
        publisher.flush();
    }
}
