package io.junction.tools;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * One I/O agent's count of the publishes it read (offered and accepted, by class) and the bytes it received, kept
 * in plain fields and added to the server's counters once per duty cycle: no locked add per message. With one
 * agent (the default) the counters have one writer, so the adds are ordered stores, not locked ones either.
 */
final class PublishTally
{
    private final long[] offered;
    private final long[] accepted;
    private long acceptedTotal;
    private long bytesReceived;
    private boolean dirty;

    PublishTally(final int classes)
    {
        offered = new long[classes];
        accepted = new long[classes];
    }

    void offered(final int priority)
    {
        offered[priority]++;
        dirty = true;
    }

    void accepted(final int priority)
    {
        accepted[priority]++;
        acceptedTotal++;
        dirty = true;
    }

    void received(final long bytes)
    {
        bytesReceived += bytes;
        dirty = true;
    }

    /**
     * Add what was counted since the last call to the server's counters.
     *
     * @param singleWriter true when this agent is the counters' only writer.
     */
    void flush(final ProtocolServer server, final boolean singleWriter)
    {
        if (!dirty)
        {
            return;
        }
        dirty = false;
        final AtomicCounter[] offeredCounters = server.offeredByClass();
        final AtomicCounter[] acceptedCounters = server.acceptedByClass();
        for (int i = 0; i < offered.length; i++)
        {
            add(offeredCounters[i], offered[i], singleWriter);
            offered[i] = 0;
            add(acceptedCounters[i], accepted[i], singleWriter);
            accepted[i] = 0;
        }
        add(server.publishesAccepted(), acceptedTotal, singleWriter);
        acceptedTotal = 0;
        server.bytesReceived(bytesReceived, singleWriter);
        bytesReceived = 0;
    }

    private static void add(final AtomicCounter counter, final long delta, final boolean singleWriter)
    {
        if (0 == delta)
        {
            return;
        }
        if (singleWriter)
        {
            counter.getAndAddOrdered(delta);
        }
        else
        {
            counter.getAndAdd(delta);
        }
    }
}
