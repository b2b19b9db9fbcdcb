package io.junction;

import java.util.concurrent.CountDownLatch;

/**
 * A change to a shard's routing table, applied by the shard's own agent so the table has one writer.
 */
final class RouteCommand
{
    final boolean add;
    final String pattern;
    final Outbox outbox;
    final CountDownLatch applied;

    RouteCommand(final boolean add, final String pattern, final Outbox outbox, final CountDownLatch applied)
    {
        this.add = add;
        this.pattern = pattern;
        this.outbox = outbox;
        this.applied = applied;
    }
}
