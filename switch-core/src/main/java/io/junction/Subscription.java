package io.junction;

/**
 * A live subscription. Closing it stops delivery; messages still in its outbox are discarded.
 */
public interface Subscription extends AutoCloseable
{
    long id();

    String pattern();

    /**
     * @return the name it was given in its {@link SubscriptionOptions#name(String)}, or null.
     */
    default String name()
    {
        return null;
    }

    /**
     * @return "subscription ID 'PATTERN' " and, when it has a name, "name=NAME ": how its counters' labels begin.
     */
    static String counterLabel(final long id, final String pattern, final String name)
    {
        return "subscription " + id + " '" + pattern + "' " + (null == name ? "" : "name=" + name + " ");
    }

    /**
     * @return true once every shard routes to it: any message offered after that is delivered to it.
     * {@link Junction#subscribe} returns when it is; {@link Junction#subscribeAsync} at once.
     */
    boolean isInEffect();

    /**
     * @return true while it can still deliver.
     */
    boolean isActive();

    /**
     * @return true once it has ended and its handler will not be called again: no delivery agent is in a turn of
     * it, and none will start one. A queue-group member's messages handed over after {@link #close()} (a turn
     * under way) have all reached its handler by then; the rest move to the other members. (On a shard's
     * {@link DeliveryThread#PIPELINE}, a call already under way there may still be finishing.)
     */
    boolean isQuiescent();

    /**
     * @return why it ended, or null while active.
     */
    TerminationReason terminationReason();

    /**
     * @return messages handed to the handler without fault.
     */
    long delivered();

    /**
     * @return messages lost to its slow-subscriber policy.
     */
    long dropped();

    /**
     * @return messages of one class lost to its slow-subscriber policy, counted when they were dropped.
     * The lowest class queued is dropped first.
     */
    long dropped(Priority priority);

    /**
     * @return times its handler threw.
     */
    long faults();

    /**
     * @return messages waiting in its outboxes.
     */
    long queueDepth();

    @Override
    void close();
}
