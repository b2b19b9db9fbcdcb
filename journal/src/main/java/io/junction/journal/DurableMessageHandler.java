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
}
