package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Priority;

/**
 * Reads a protocol connection's frames on its own thread and keeps what the daemon answered: messages
 * (counted, with their first 8 bytes checked for a +1 sequence), errors, pongs, durable acknowledgements.
 */
final class FrameRecorder implements AutoCloseable, ProtocolClient.FrameListener
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    final ProtocolClient client;
    final AtomicLong received = new AtomicLong();
    final AtomicLong lastValue = new AtomicLong(-1);
    final AtomicLong outOfOrder = new AtomicLong();
    final AtomicLong pongs = new AtomicLong();
    final List<Long> durable = new CopyOnWriteArrayList<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final Thread thread;
    volatile boolean subscribed;
    volatile boolean ended;

    FrameRecorder(final ProtocolClient client)
    {
        this.client = client;
        thread = client.startReader("test-frame-recorder", this, () -> ended = true);
    }

    void awaitSubscribed()
    {
        await().atMost(TIMEOUT).until(() -> subscribed || !errors.isEmpty());
        assertTrue(subscribed, errors::toString);
    }

    @Override
    public void onMessage(
        final long sequence, final Priority priority, final String topic, final UnsafeBuffer buffer,
        final int offset, final int length)
    {
        if (length >= 8)
        {
            final long value = buffer.getLong(offset);
            if (value != lastValue.get() + 1)
            {
                outOfOrder.incrementAndGet();
            }
            lastValue.set(value);
        }
        received.incrementAndGet();
    }

    @Override
    public void onDurable(final long sequence)
    {
        durable.add(sequence);
    }

    @Override
    public void onError(final int code, final String text)
    {
        errors.add(code + " " + text);
    }

    @Override
    public void onSubscribed(final String pattern)
    {
        subscribed = true;
    }

    @Override
    public void onPong()
    {
        pongs.incrementAndGet();
    }

    @Override
    public void close() throws Exception
    {
        client.close();
        thread.join(10_000);
    }
}
