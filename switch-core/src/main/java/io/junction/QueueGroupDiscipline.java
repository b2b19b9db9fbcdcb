package io.junction;

/**
 * How a queue group picks the one member that gets each message. Both are deterministic (no randomness,
 * no clock): replicas that see the same subscriptions and messages in the same order pick alike.
 */
public enum QueueGroupDiscipline
{
    /**
     * The member with the fewest messages queued (ties: the next in turn). Spreads load; no order between
     * members.
     */
    BALANCED,

    /**
     * The member a key hashes to: the publisher's key ({@link Junction#offer(String, long, Priority,
     * org.agrona.DirectBuffer, int, int)}) or else the topic, so each key's messages are delivered in order
     * by one member. When members join, a key that moves keeps going to its old member until that member
     * has drained what it had queued, then goes to its new one.
     */
    KEYED
}
