package io.junction;

/**
 * A subscribe the switch refused because a shard's queue of route changes stayed full: that shard is not applying
 * them (its thread is held, by a pipeline handler for example). Nothing of the subscription remains; the caller
 * may retry once the shard catches up. A subscribe that finds the queue full waits for room up to the switch's
 * control timeout, so a burst of subscribes larger than the queue goes at the shard's pace; once one has waited
 * that long in vain, the next are refused at once while the shard still applies nothing, so that callers (a
 * daemon's control thread, a session's start) do not pile up behind a stalled shard, and the stall shows as
 * counted refusals ({@code shard N route additions refused}) an operator can alarm on.
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
