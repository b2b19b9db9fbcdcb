package io.junction;

/**
 * What the switch promises about a message once it has accepted it.
 */
public enum QualityOfService
{
    /**
     * Routed from memory only: fast, and lost if the process dies before delivery.
     */
    BEST_EFFORT,

    /**
     * Appended to the journal before it is dispatched. The publisher learns that it is durable from
     * {@link Junction#durability(long)}: only a message that reached {@link Durability#JOURNALED} is
     * promised to survive a crash (what kind of crash depends on the journal's flush policy).
     */
    GUARANTEED
}
