package io.junction;

/**
 * Where a subscription's handler runs.
 */
public enum DeliveryThread
{
    /**
     * A thread of its own, fed through its outbox: a handler that blocks delays nobody else. The default.
     */
    OWN,

    /**
     * The switch's one shared delivery thread, fed through its outbox: cheaper on small machines, for
     * well-behaved handlers (one that blocks delays the others on that thread, never the pipeline).
     */
    SHARED,

    /**
     * The shard's pipeline thread itself, with no outbox and no copy: the lowest latency and one thread
     * hop less, for handlers that are fast and never block. A slow handler holds its shard, as
     * {@link SlowSubscriberPolicy#BACK_PRESSURE} does; faults are still isolated and counted.
     */
    PIPELINE
}
