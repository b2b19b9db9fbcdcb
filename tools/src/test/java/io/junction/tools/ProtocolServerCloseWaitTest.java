package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * How long {@link ProtocolServer#close()} waits for its agents to count what a stop could not deliver: up to the
 * stop's deadline (from {@code shutdown-timeout}), at least {@link ProtocolServer#CLOSE_COUNT_MIN_NS}, and that
 * least when no stop gave a deadline.
 */
class ProtocolServerCloseWaitTest
{
    private static final long NOW = 1_000_000_000_000L;

    @Test
    void waitsUntilTheStopsDeadline()
    {
        assertEquals(TimeUnit.SECONDS.toNanos(4), ProtocolServer.countWaitNs(NOW + TimeUnit.SECONDS.toNanos(4), NOW));
    }

    @Test
    void waitsAtLeastTheFloorWhenTheDeadlineIsNearOrPast()
    {
        assertEquals(ProtocolServer.CLOSE_COUNT_MIN_NS, ProtocolServer.countWaitNs(NOW + 1_000, NOW));
        assertEquals(ProtocolServer.CLOSE_COUNT_MIN_NS, ProtocolServer.countWaitNs(NOW - TimeUnit.SECONDS.toNanos(1), NOW));
    }

    @Test
    void waitsTheFloorWithoutAStop()
    {
        assertEquals(ProtocolServer.CLOSE_COUNT_MIN_NS, ProtocolServer.countWaitNs(Long.MAX_VALUE, NOW));
    }
}
