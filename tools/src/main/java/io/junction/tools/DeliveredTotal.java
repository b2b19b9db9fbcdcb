package io.junction.tools;

import java.util.List;
import java.util.function.Supplier;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.junction.Subscription;

/**
 * Messages delivered by every subscription, named or not, in one counter ({@code junction_delivered_total}). The
 * switch gives only named subscriptions counters of their own (so that 100,000 unnamed ones take none); the
 * observer's thread adds up what each delivered since its last look, once each observe-interval. What a subscription
 * delivered after the last look before it ended is not counted.
 */
final class DeliveredTotal implements AutoCloseable
{
    public static final int TYPE_ID = 1705;

    private final Supplier<List<Subscription>> subscriptions;
    private final AtomicCounter total;
    // Agrona's map refuses to store its missing value, and 0 delivered is common: -1 means "not seen before".
    private static final long NOT_SEEN = -1;
    private Long2LongHashMap last = new Long2LongHashMap(NOT_SEEN);
    private Long2LongHashMap next = new Long2LongHashMap(NOT_SEEN);

    DeliveredTotal(final CountersManager counters, final Supplier<List<Subscription>> subscriptions)
    {
        this.subscriptions = subscriptions;
        total = counters.newCounter("subscriptions delivered (all)", TYPE_ID);
    }

    /**
     * On the observer's thread: add what each subscription delivered since the last update.
     */
    void update()
    {
        long added = 0;
        for (final Subscription subscription : subscriptions.get())
        {
            final long delivered = subscription.delivered();
            final long before = last.get(subscription.id());
            added += Math.max(0, delivered - (NOT_SEEN == before ? 0 : before));
            next.put(subscription.id(), delivered);
        }
        final Long2LongHashMap seen = next;
        next = last;
        next.clear();
        last = seen; // those that ended are forgotten
        total.getAndAddRelease(added);
    }

    long value()
    {
        return total.get();
    }

    @Override
    public void close()
    {
        total.close();
    }
}
