package io.junction;

import com.lmax.disruptor.RingBuffer;

/**
 * What a {@link Shard}'s agent writes as it dispatches, kept apart from what publishers read on every offer
 * (the ring, the sequence base, the parked thread): {@link ShardAgentPadding} puts them on cache lines of
 * their own, so a duty cycle does not take the publishers' line away from them.
 */
abstract class ShardAgentFields
{
    long cursorSeen = RingBuffer.INITIAL_CURSOR_VALUE; // the cursor at the last duty cycle

    Route[] stalledRoutes;
    int stalledIndex;

    // The CRITICAL express lane (Context.expressCritical): where the look-ahead resumes, and the one
    // CRITICAL message it has handed to some but not yet all of its outboxes.
    long expressNext;
    MessageEvent expressEvent;
    Route[] expressRoutes;
    int expressIndex;
}

/**
 * Two cache lines between the agent's fields above and the shard's own (a subclass's fields are laid out
 * after its superclasses').
 */
abstract class ShardAgentPadding extends ShardAgentFields
{
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;
}
