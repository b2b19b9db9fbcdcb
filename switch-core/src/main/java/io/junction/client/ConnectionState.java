package io.junction.client;

/**
 * What a {@link ConnectionListener} is told about the client's link to Junction.
 */
public enum ConnectionState
{
    /** WELCOME received: subscriptions are re-established and unacknowledged guaranteed publishes resent. */
    CONNECTED,
    /** The link is down (the reason says why); the client reconnects with backoff unless it was closed. */
    DISCONNECTED,
    /** A cluster transport followed a new leader (not raised by the TCP transport). */
    LEADER_CHANGED,
    /** A cluster transport has no quorum: guaranteed publishes cannot become durable (not raised over TCP). */
    NO_QUORUM
}
