package io.junction.client;

/**
 * Told of every change of the connection, on the thread that calls {@link JunctionClient#poll()}.
 */
@FunctionalInterface
public interface ConnectionListener
{
    ConnectionListener NO_OP = (state, reason, detail) -> {};

    /**
     * @param reason for {@link ConnectionState#DISCONNECTED}; {@link DisconnectReason#NONE} otherwise.
     * @param detail for people: the daemon's address and what happened.
     */
    void onConnectionState(ConnectionState state, DisconnectReason reason, String detail);
}
