package io.junction.cluster;

/**
 * A cluster session that speaks the Junction protocol (it said HELLO): replicated state, in the snapshot. Its
 * publisher id, the key its publishes are deduplicated by, is derived from its publisher name, so a client that
 * reconnects (a new session) with the same {@code principal/instance} keeps its deduplication.
 */
final class ProtocolSession
{
    final long sessionId;
    final long publisherId;
    final String publisher;
    final String principal;

    ProtocolSession(final long sessionId, final long publisherId, final String publisher, final String principal)
    {
        this.sessionId = sessionId;
        this.publisherId = publisherId;
        this.publisher = publisher;
        this.principal = principal;
    }

    /**
     * @return a 64-bit FNV-1a hash of the publisher name, negative (old clients of the replicated-switch protocol
     * choose positive random ids, so the two never meet).
     */
    static long publisherId(final String publisher)
    {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < publisher.length(); i++)
        {
            hash ^= publisher.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash | Long.MIN_VALUE;
    }
}
