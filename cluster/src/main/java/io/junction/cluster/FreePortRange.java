package io.junction.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A run of UDP ports free now for a one-host cluster's members ({@link ClusterNode.Context#basePort} plus ten a
 * member), so a test's or a benchmark's cluster never meets a port another process holds. The caller names a base
 * as a hint; it is kept when free, so a run on a quiet machine uses the ports it always did. Free when looked at:
 * the members bind them a moment later.
 */
public final class FreePortRange
{
    private static final int LOWEST = 30_000;
    private static final int BASES = 2_500;

    private FreePortRange()
    {
    }

    /**
     * @param hint    the base port wanted.
     * @param members the cluster's member count (ten ports each).
     * @return hint if its range is free, else the base of a free range from 30000 up.
     */
    public static int startingAt(final int hint, final int members)
    {
        final int count = members * ClusterNode.Context.PORTS_PER_MEMBER;
        if (isFree(hint, count))
        {
            return hint;
        }
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int base = LOWEST + ClusterNode.Context.PORTS_PER_MEMBER * ThreadLocalRandom.current().nextInt(BASES);
            if (isFree(base, count))
            {
                return base;
            }
        }
        throw new IllegalStateException("no run of " + count + " free UDP ports for " + members + " member(s)");
    }

    private static boolean isFree(final int base, final int count)
    {
        for (int port = base; port < base + count; port++)
        {
            // On the wildcard address, so the bind fails if any local address holds the port.
            try (DatagramSocket ignored = new DatagramSocket(port))
            {
                assert ignored.isBound();
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }
}
