package io.junction;

/**
 * Where a subscription's handler runs.
 */
public enum DeliveryThread
{
    /**
     * A thread of its own, fed through its outbox: a handler that blocks delays nobody else, at the cost of
     * a thread (and four counters) per subscription.
     */
    OWN,

    /**
     * The default: one of the switch's shared delivery agents ({@code Context.deliveryAgents}), fed through
     * its outbox. An idle subscription costs its agent nothing; a busy one gets a turn of at most
     * {@code deliveryBatchLimit} messages before the next ready subscription's. A handler that blocks a
     * turn longer than {@code Context.deliveryStallTimeoutNs} keeps only that agent's thread: a new agent
     * takes over the others on it, and the blocked one ends when its handler returns.
     */
    SHARED,

    /**
     * The shard's pipeline thread itself, with no outbox and no copy: the lowest latency and one thread
     * hop less, for handlers that are fast and never block. A slow handler holds its shard, as
     * {@link SlowSubscriberPolicy#BACK_PRESSURE} does; faults are still isolated and counted.
     */
    PIPELINE
}
