package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.DatagramSocket;

import org.junit.jupiter.api.Test;

class FreePortRangeTest
{
    @Test
    void aFreeHintIsKeptAndATakenOneIsReplacedByAFreeRange() throws Exception
    {
        final int hint = FreePortRange.startingAt(45_000, 1); // a free range, 45000 or another
        assertEquals(hint, FreePortRange.startingAt(hint, 1));
        try (DatagramSocket held = new DatagramSocket(hint + 3))
        {
            final int other = FreePortRange.startingAt(hint, 1);
            assertNotEquals(hint, other);
            for (int port = other; port < other + ClusterNode.Context.PORTS_PER_MEMBER; port++)
            {
                new DatagramSocket(port).close(); // throws if the range it gave is not free
            }
        }
    }
}
