package io.junction;

/**
 * Receives the messages of a subscription, on that subscription's delivery agent, one at a time and in
 * order per topic.
 * <p>
 * A handler that throws is isolated: the fault is counted, the message is not delivered again, and the
 * subscription is restarted within its restart intensity (see {@link SubscriptionOptions}).
 */
@FunctionalInterface
public interface MessageHandler
{
    void onMessage(Message message) throws Exception;
}
