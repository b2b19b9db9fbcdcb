package io.junction;

/**
 * A change to a shard's routing table, applied by the shard's own agent so the table has one writer.
 */
final class RouteCommand
{
    final boolean add;
    final String pattern;
    final Outbox outbox;
    final SwitchSubscription added; // told when applied; null for a removal

    RouteCommand(final boolean add, final String pattern, final Outbox outbox, final SwitchSubscription added)
    {
        this.add = add;
        this.pattern = pattern;
        this.outbox = outbox;
        this.added = added;
    }
}
