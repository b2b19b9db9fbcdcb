package io.junction.client;

/**
 * Why the client is {@link ConnectionState#DISCONNECTED}.
 */
public enum DisconnectReason
{
    /** Not connected yet. */
    NONE,
    /** The TCP connect failed or timed out (no daemon there?). */
    CONNECT_FAILED,
    /** No WELCOME within the connect timeout. */
    HELLO_TIMEOUT,
    /** The daemon refused the credentials: retrying with the same ones will not help. */
    AUTHENTICATION_FAILED,
    /** The daemon closed the connection, or it broke. */
    CONNECTION_LOST,
    /** Nothing heard from the daemon for the heartbeat timeout. */
    HEARTBEAT_TIMEOUT,
    /** The daemon sent an ERROR that ends the session (it names the problem), or a frame that did not decode. */
    PROTOCOL_ERROR,
    /**
     * Another connection said HELLO as this {@code principal/instance} and took the publisher stream over: the
     * client does not reconnect (it would take it back), the application decides.
     */
    PUBLISHER_IN_USE,
    /** The application closed the client. */
    CLOSED
}
