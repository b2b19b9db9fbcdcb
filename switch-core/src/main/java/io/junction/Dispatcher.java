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
    private final AtomicCounter graceWaitsCounter;
    private final AtomicCounter graceExpiredCounter;
    private final org.agrona.concurrent.NanoClock nanoClock;
    private final long dropGraceNs; // 0: the dropping policies drop at once
    // The delivery lane of the last outbox served: a publisher that wakes the shard wakes it too. Written by
    // the shard's agent only when it changes, read racily by publishers (a stale lane costs one needless wake).
    private DeliveryLane lastLane;

    Dispatcher(
        final SwitchCounters counters,
        final AtomicCounter stallsCounter,
        final AtomicCounter graceWaitsCounter,
        final AtomicCounter graceExpiredCounter,
        final org.agrona.concurrent.NanoClock nanoClock,
        final long dropGraceNs)
    {
        this.counters = counters;
        this.stallsCounter = stallsCounter;
        this.graceWaitsCounter = graceWaitsCounter;
        this.graceExpiredCounter = graceExpiredCounter;
        this.nanoClock = nanoClock;
        this.dropGraceNs = dropGraceNs;
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
            // An ended subscription takes no more, except as a queue-group member the shard has not yet seen
            // leave: it still owns its keys, so the message queues with its others and moves with them when
            // its leave is applied (skipping it here lost it).
            final SlowSubscriberPolicy policy = subscription.policy();
            final boolean graceful = 0 != dropGraceNs && SlowSubscriberPolicy.BACK_PRESSURE != policy &&
                outbox.mayWaitBeforeDropping();
            if ((!subscription.isActive() && !(routes[i] instanceof QueueGroup)) || outbox.offer(event, !graceful))
            {
                continue;
            }
            if (graceful && waitForConsumer(outbox))
            {
                return i;
            }

            switch (policy)
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

                default: // The grace is over: the dropping policies make room or drop (counted), never refuse.
                    outbox.offer(event, true);
                    break;
            }
        }
        return -1;
    }

    /**
     * A full outbox whose policy would lose a message: hold the shard as BACK_PRESSURE does, for at most the
     * drop grace, so a consumer that only waits for a core (on a small machine the publishers and the shard
     * can keep both busy) drains it before anything is lost. Its room made wakes the shard.
     *
     * @return true to wait (retry this route next cycle); false once the grace is over.
     */
    private boolean waitForConsumer(final Outbox outbox)
    {
        final boolean begins = !outbox.isWaiting();
        if (outbox.waitBeforeDropping(nanoClock.nanoTime(), dropGraceNs))
        {
            if (begins)
            {
                graceWaitsCounter.increment();
            }
            return true;
        }
        graceExpiredCounter.increment();
        return false;
    }
}
