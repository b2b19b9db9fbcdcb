package io.junction;

/**
 * What happens when a subscription's bounded outbox is full because its handler is slower than the
 * traffic it receives. Only {@link #BACK_PRESSURE} lets a slow subscriber slow anybody else down.
 */
public enum SlowSubscriberPolicy
{
    /** Overwrite the oldest undelivered message: the subscriber always sees the latest (market data). */
    DROP_OLDEST,

    /** Discard the new message: the subscriber sees a prefix of the stream, then a gap. */
    DROP_NEWEST,

    /** Terminate the subscription and tell the application: nothing delivered out of order or with gaps. */
    DISCONNECT,

    /**
     * Hold the shard's pipeline until the outbox has room; the ring fills and publishers see
     * {@link OfferResult#BACK_PRESSURED}. Lossless, at the cost of every subscriber on the same shard.
     */
    BACK_PRESSURE
}
