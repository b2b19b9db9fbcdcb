package io.junction.journal;

/**
 * Receives a durable subscription's messages, on the journal's delivery thread (or the caller of
 * {@link Journal#doWork()}).
 */
@FunctionalInterface
public interface DurableMessageHandler
{
    /**
     * A message, in journal order. Acknowledge it (or a later one) with
     * {@link DurableSubscription#acknowledge(long)} once processed; after a restart delivery resumes after
     * the last acknowledged message, so anything not acknowledged is delivered again.
     */
    void onMessage(DurableSubscription subscription, JournalMessage message);

    /**
     * Deliver the message if it can be taken now: a handler that forwards messages somewhere bounded (a network
     * connection's send buffer, a window of unacknowledged messages) returns false when it is full, and delivery
     * stops there and offers the same message again on a later duty cycle, so nothing is skipped. By default
     * every message is taken ({@link #onMessage}).
     *
     * @return true if it took the message, false to have it offered again later.
     */
    default boolean tryMessage(final DurableSubscription subscription, final JournalMessage message)
    {
        onMessage(subscription, message);
        return true;
    }

    /**
     * Called on the delivery thread at the start of each of the subscription's duty cycles, with or without
     * messages (to acknowledge on that thread what another thread was told, for example).
     */
    default void onPoll(final DurableSubscription subscription)
    {
    }

    /**
     * It stopped delivering for good ({@link DurableSubscription#state()}: behind retention, a position mismatch on
     * resume, or its handler threw), on the thread that found it; {@code cause} says why.
     */
    default void onStopped(final DurableSubscription subscription, final Throwable cause)
    {
    }
}
