package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

/**
 * The check on the response channel an Aeron client names in its handshake: only its own address over UDP, only
 * aeron:ipc over IPC, nothing else in the channel.
 */
class AeronResponseChannelTest
{
    private static final String UDP = "aeron:udp?endpoint=127.0.0.1:7421";
    private static final InetSocketAddress SOURCE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

    @Test
    void acceptsTheClientsOwnAddress()
    {
        assertNull(AeronEdge.checkResponseChannel("aeron:udp?endpoint=127.0.0.1:50000", SOURCE, UDP));
        assertNull(AeronEdge.checkResponseChannel("aeron:ipc", SOURCE, "aeron:ipc"));
    }

    @Test
    void refusesAnythingElseByName()
    {
        assertTrue(AeronEdge.checkResponseChannel("aeron:udp?endpoint=10.1.2.3:50000", SOURCE, UDP)
            .contains("not the address its datagrams come from"));
        assertTrue(AeronEdge.checkResponseChannel("aeron:udp?endpoint=localhost:50000", SOURCE, UDP)
            .contains("must be an IP address"));
        assertTrue(AeronEdge.checkResponseChannel("aeron:udp?endpoint=127.0.0.1:50000|control=10.0.0.1:1", SOURCE,
            UDP).contains("exactly"));
        assertTrue(AeronEdge.checkResponseChannel("aeron:udp?endpoint=127.0.0.1:0", SOURCE, UDP)
            .contains("out of range"));
        assertTrue(AeronEdge.checkResponseChannel("aeron:ipc", SOURCE, UDP).contains("aeron:udp"));
        assertTrue(AeronEdge.checkResponseChannel("aeron:udp?endpoint=127.0.0.1:50000", SOURCE, "aeron:ipc")
            .contains("aeron:ipc"));
        assertTrue(AeronEdge.checkResponseChannel("not a channel", SOURCE, UDP).contains("not an Aeron channel"));
        assertTrue(AeronEdge.checkResponseChannel(null, SOURCE, UDP).contains("printable"));
    }
}
