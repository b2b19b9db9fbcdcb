package io.junction;

/**
 * Told of the life events of a subscription, on its delivery agent's thread. Must not block.
 */
public interface SubscriptionListener
{
    SubscriptionListener NO_OP = new SubscriptionListener()
    {
    };

    /**
     * Every shard routes to it now (on a shard's thread: return at once). Useful after
     * {@link Junction#subscribeAsync}.
     */
    default void onInEffect(final Subscription subscription)
    {
    }

    /**
     * The handler threw and the subscription was restarted (with a fresh handler if a factory was given).
     */
    default void onRestart(final Subscription subscription, final Throwable cause)
    {
    }

    /**
     * The subscription ended and will deliver nothing more.
     *
     * @param cause the last fault for {@link TerminationReason#RESTART_INTENSITY_EXCEEDED}, else null.
     */
    default void onTerminated(final Subscription subscription, final TerminationReason reason, final Throwable cause)
    {
    }
}
