package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.DirectBuffer;

import io.junction.Priority;
import io.junction.protocol.codecs.EndReasonCode;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.OutcomeCode;

/**
 * Reads a protocol connection's frames on its own thread and keeps what the daemon answered: messages
 * (counted, with their first 8 bytes checked for a +1 sequence), errors, pongs, outcomes of guaranteed publishes,
 * coalesced refusals (with the number of publishes they refuse).
 */
final class FrameRecorder implements AutoCloseable, ProtocolClient.FrameListener
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    final ProtocolClient client;
    final AtomicLong received = new AtomicLong();
    final AtomicLong firstValue = new AtomicLong(-1);
    final AtomicLong lastValue = new AtomicLong(-1);
    final AtomicLong outOfOrder = new AtomicLong();
    final AtomicLong pongs = new AtomicLong();
    /** Switch sequences of the guaranteed publishes answered DURABLE, in order. */
    final List<Long> durable = new CopyOnWriteArrayList<>();
    /** Every outcome, as "publisherSequence OUTCOME sequence reasonCode". */
    final List<String> outcomes = new CopyOnWriteArrayList<>();
    /** Outcomes other than DURABLE, as "OUTCOME publisherSequence". */
    final List<String> failedOutcomes = new CopyOnWriteArrayList<>();
    /** ERROR frames as "CODE text". */
    final List<String> errors = new CopyOnWriteArrayList<>();
    /** COALESCED_REFUSAL frames as "count OUTCOME reasonCode first..last text". */
    final List<String> refusals = new CopyOnWriteArrayList<>();
    /** Publishes refused, over every COALESCED_REFUSAL. */
    final AtomicLong refused = new AtomicLong();
    final List<Long> subscriptions = new CopyOnWriteArrayList<>();
    /** Every MESSAGE with its request/reply fields, payload as ASCII. */
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final List<String> unsubscribed = new CopyOnWriteArrayList<>();
    final Thread thread;
    volatile String publisher;
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

    /**
     * Wait for the PONG to a PING sent now: every earlier frame of this connection was answered by then.
     */
    void sync() throws java.io.IOException
    {
        final long before = pongs.get();
        client.ping();
        await().atMost(TIMEOUT).until(() -> pongs.get() > before || ended);
    }

    @Override
    public void onWelcome(final long sessionId, final String principal, final String publisher)
    {
        this.publisher = publisher;
    }

    @Override
    public void onMessage(
        final long subscriptionId, final long sequence, final Priority priority, final String topic,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (length >= 8)
        {
            final long value = buffer.getLong(offset);
            firstValue.compareAndSet(-1, value);
            if (value != lastValue.get() + 1)
            {
                outOfOrder.incrementAndGet();
            }
            lastValue.set(value);
        }
        received.incrementAndGet();
    }

    /** A MESSAGE as seen, with its request/reply fields. */
    record Seen(String topic, long correlationId, String replyTo, String payload)
    {
    }

    @Override
    public void onMessage(final long subscriptionId, final long sequence, final Priority priority,
        final String topic, final long correlationId, final String replyTo, final DirectBuffer buffer,
        final int offset, final int length)
    {
        seen.add(new Seen(topic, correlationId, replyTo, buffer.getStringWithoutLengthAscii(offset, length)));
        onMessage(subscriptionId, sequence, priority, topic, buffer, offset, length);
    }

    @Override
    public void onOutcome(final long publisherSequence, final long sequence, final OutcomeCode outcome,
        final int reasonCode)
    {
        outcomes.add(publisherSequence + " " + outcome + " " + sequence + " " + reasonCode);
        if (outcome == OutcomeCode.DURABLE)
        {
            durable.add(sequence);
        }
        else
        {
            failedOutcomes.add(outcome + " " + publisherSequence);
        }
    }

    @Override
    public void onRefused(final long count, final long first, final long last, final OutcomeCode outcome,
        final int reasonCode, final String text)
    {
        refusals.add(count + " " + outcome + " " + reasonCode + " " + first + ".." + last + " " + text);
        refused.addAndGet(count);
    }

    @Override
    public void onError(final ErrorCode code, final long correlation, final String text)
    {
        errors.add(code + " " + text);
    }

    @Override
    public void onSubscribed(final long subscriptionId, final String pattern)
    {
        subscriptions.add(subscriptionId);
        subscribed = true;
    }

    @Override
    public void onUnsubscribed(final long subscriptionId, final EndReasonCode reason, final long delivered,
        final long dropped)
    {
        unsubscribed.add(subscriptionId + " " + reason + " delivered " + delivered + " dropped " + dropped);
    }

    @Override
    public void onPong(final long value)
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
