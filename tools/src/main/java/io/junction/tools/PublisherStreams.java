package io.junction.tools;

import java.nio.charset.StandardCharsets;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The idempotent publisher streams of the protocol server: a HELLO's {@code principal/instance} names a stream,
 * stable across reconnects and daemon restarts, whose publisher id keys the journal's deduplication window. The
 * id is derived, not stored: {@link #publisherId(String)} is a well-mixed 64-bit hash of the name.
 * <p>
 * The journal's deduplication takes one thread at a time per publisher id, so at most one connection holds a
 * stream: a second HELLO for it takes the stream over (the first connection is closed with
 * {@code ERROR PUBLISHER_IN_USE}) and waits until the first has let it go. A connection lets go once it is closed and
 * its guaranteed publishes in flight have their outcome (or passed their durable timeout), so the new connection's
 * resend of one of them is never told DURABLE before the journal has it. Called on the I/O agents at HELLO and
 * close only: a monitor is fine here.
 */
final class PublisherStreams
{
    private final Long2ObjectHashMap<Owner> owners = new Long2ObjectHashMap<>();

    /**
     * A stable, non-zero id for a stream name: FNV-1a over its UTF-8 bytes, finished with MurmurHash3's 64-bit
     * mixer so that names differing in one character land far apart. Two names share an id with probability about
     * n²/2⁶⁵ for n streams; if they did, they would share one deduplication window, and one stream's sequence
     * could be refused as the other's duplicate (answered DURABLE without being journaled). The server refuses a
     * colliding HELLO while the other name is connected; a collision with a stream not connected is not detected.
     */
    static long publisherId(final String name)
    {
        long hash = 0xcbf29ce484222325L;
        for (final byte b : name.getBytes(StandardCharsets.UTF_8))
        {
            hash ^= b & 0xFF;
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return 0 == hash ? 1 : hash;
    }

    /**
     * Take the stream for {@code connection}, if no other connection holds it.
     *
     * @return null if it is the connection's now (or was already), else the connection holding it.
     */
    synchronized Claim claim(final long publisherId, final String name, final ProtocolConnection connection)
    {
        final Owner owner = owners.get(publisherId);
        if (null == owner)
        {
            owners.put(publisherId, new Owner(name, connection));
            return null;
        }
        if (owner.connection == connection)
        {
            return null;
        }
        return new Claim(owner.connection, !owner.name.equals(name));
    }

    /**
     * Let the stream go, if {@code connection} holds it.
     */
    synchronized void release(final long publisherId, final ProtocolConnection connection)
    {
        final Owner owner = owners.get(publisherId);
        if (null != owner && owner.connection == connection)
        {
            owners.remove(publisherId);
        }
    }

    synchronized int size()
    {
        return owners.size();
    }

    /**
     * @param holder    the connection holding the stream.
     * @param collision true if it holds it under another name with the same id.
     */
    record Claim(ProtocolConnection holder, boolean collision)
    {
    }

    private record Owner(String name, ProtocolConnection connection)
    {
    }
}
