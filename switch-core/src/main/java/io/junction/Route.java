package io.junction;

/**
 * What a shard's router finds for a topic: one subscription's outbox, or a queue group that picks one of
 * its members' outboxes for each message.
 */
abstract class Route
{
    /**
     * @return the outbox this message goes to, or null if there is none to take it (a group with no
     * active member).
     */
    abstract Outbox select(MessageEvent event);
}
