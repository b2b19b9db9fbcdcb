package io.junction;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Shared helpers for switch tests.
 */
final class TestSupport
{
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TestSupport()
    {
    }

    /** A received message, copied out of the flyweight. */
    record Received(String topic, long sequence, long value, Priority priority)
    {
    }

    /** A handler that keeps what it receives; safe to read from the test thread. */
    static class Collector implements MessageHandler
    {
        private final List<Received> received = new ArrayList<>();

        @Override
        public void onMessage(final Message message)
        {
            final Received copy = new Received(
                message.topic(), message.sequence(), message.buffer().getLong(message.offset()), message.priority());
            synchronized (received)
            {
                received.add(copy);
            }
        }

        List<Received> received()
        {
            synchronized (received)
            {
                return new ArrayList<>(received);
            }
        }

        int count()
        {
            synchronized (received)
            {
                return received.size();
            }
        }

        List<Long> values()
        {
            return received().stream().map(Received::value).toList();
        }

        void awaitCount(final int count)
        {
            await().atMost(TIMEOUT).until(() -> count() >= count);
        }
    }

    static UnsafeBuffer payload(final long value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        buffer.putLong(0, value);
        return buffer;
    }

    /**
     * Offer, retrying while back-pressured, until accepted or the deadline passes.
     */
    static long offer(final Junction junction, final String topic, final long value)
    {
        final UnsafeBuffer buffer = payload(value);
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true)
        {
            final long result = junction.offer(topic, Priority.NORMAL, buffer, 0, 8);
            if (result != OfferResult.BACK_PRESSURED)
            {
                return result;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("still back-pressured after " + TIMEOUT);
            }
            Thread.onSpinWait();
        }
    }

    /**
     * @return the sum of the switch's counters of one type (every shard's, say).
     */
    static long countOf(final Junction junction, final int typeId)
    {
        final long[] total = { 0 };
        junction.countersReader().forEach((counterId, type, key, label) ->
        {
            if (type == typeId)
            {
                total[0] += junction.countersReader().getCounterValue(counterId);
            }
        });
        return total[0];
    }

    static Junction.Context context()
    {
        return new Junction.Context()
            .shutdownTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .errorHandler(Throwable::printStackTrace);
    }

    /**
     * Fails a test that leaves a switch thread running after it ends.
     */
    static final class NoLeakedThreads implements AfterEachCallback
    {
        @Override
        public void afterEach(final ExtensionContext context)
        {
            await("switch threads to end").atMost(Duration.ofSeconds(10)).until(() -> junctionThreads().isEmpty());
        }

        static List<String> junctionThreads()
        {
            return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("junction-"))
                .toList();
        }
    }
}
