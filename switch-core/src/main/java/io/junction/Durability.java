package io.junction;

/**
 * Where a guaranteed message stands, as {@link Junction#durability(long)} reports it for its sequence.
 * An enum constant, so asking allocates nothing.
 */
public enum Durability
{
    /** Accepted into the ring, not yet journaled: ask again. */
    PENDING,

    /** Appended to the journal and flushed by its flush policy: it survives a crash. */
    JOURNALED,

    /**
     * The journal failed before this message was durable: it is not dispatched, and the publisher must
     * treat it as not accepted (the journal's error handler and counters say why).
     */
    FAILED,

    /** The sequence is not one this switch assigned since it started (from before a restart, or never). */
    UNKNOWN
}
