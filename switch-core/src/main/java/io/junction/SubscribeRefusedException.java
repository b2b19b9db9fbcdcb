package io.junction;

/**
 * A subscribe the switch refused because a shard's queue of route changes is full: that shard is not applying
 * them (its thread is held, by a pipeline handler for example). Nothing of the subscription remains; the caller
 * may retry once the shard catches up. Refused at once rather than waited on, so that no caller (a daemon's I/O
 * thread, a session's start) is held by a stalled shard, and the stall shows as a counted refusal.
 */
public final class SubscribeRefusedException extends IllegalStateException
{
    private final int shard;

    public SubscribeRefusedException(final String pattern, final int shard, final int capacity)
    {
        super("subscribe to '" + pattern + "' refused: shard " + shard + " has " + capacity +
            " route additions not yet applied (routeCommandQueueCapacity), so it is not applying subscription " +
            "changes; retry once it catches up");
        this.shard = shard;
    }

    /**
     * @return the shard whose queue was full.
     */
    public int shard()
    {
        return shard;
    }
}
