package io.junction;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * Hands a routed message to its deliveries: each route gives the outbox it goes to (a queue group chooses
 * one member's), the outbox queues it (and puts its subscription in its delivery agent's lane when it
 * becomes ready), and a full outbox gets its subscription's slow-subscriber policy. Runs on its shard's
 * agent; allocates nothing.
 */
final class Dispatcher
{
    private final SwitchCounters counters;
    private final AtomicCounter stallsCounter;
    // The delivery lane of the last outbox served: a publisher that wakes the shard wakes it too. Written by
    // the shard's agent only when it changes, read racily by publishers (a stale lane costs one needless wake).
    private DeliveryLane lastLane;

    Dispatcher(final SwitchCounters counters, final AtomicCounter stallsCounter)
    {
        this.counters = counters;
        this.stallsCounter = stallsCounter;
    }

    /**
     * Offer a message to its outboxes from {@code from} on, applying each subscription's slow-subscriber
     * policy.
     *
     * @param firstTry false when resuming a message a back-pressuring outbox held up, so that a stall is
     *                 counted once.
     * @return the index of the back-pressuring outbox that had no room, or -1 when every outbox was served.
     */
    /**
     * @return the delivery lane this shard last handed a message to (null if none, or on the shard's thread).
     */
    DeliveryLane lastLane()
    {
        return lastLane;
    }

    int deliver(final MessageEvent event, final Route[] routes, final int from, final boolean firstTry)
    {
        for (int i = from; i < routes.length; i++)
        {
            final Outbox outbox = routes[i].select(event);
            if (null == outbox)
            {
                counters.onSubscriberDropped(event.priority); // a queue group with no member left
                continue;
            }
            final SwitchSubscription subscription = outbox.subscription();
            final DeliveryLane lane = subscription.lane();
            if (lane != lastLane)
            {
                lastLane = lane;
            }
            if (!subscription.isActive() || outbox.offer(event))
            {
                continue;
            }

            switch (subscription.policy())
            {
                case BACK_PRESSURE:
                    if (firstTry)
                    {
                        stallsCounter.increment();
                    }
                    return i;

                case DISCONNECT:
                    subscription.onDropped(event.priority);
                    subscription.terminate(TerminationReason.SLOW_CONSUMER, null);
                    break;

                default: // The dropping policies make room or drop inside the outbox, and never refuse.
                    subscription.onDropped(event.priority);
                    break;
            }
        }
        return -1;
    }
}
