package io.junction;

import java.util.ArrayList;
import java.util.List;

/**
 * The switch's active subscriptions, as an intrusive doubly-linked list through the subscriptions themselves:
 * adding and removing one takes constant time and allocates nothing, and there is no table to grow (a hash set
 * of 100,000 subscriptions spent a quarter of the subscribing thread's time resizing, and its nodes were more
 * objects for every young collection to copy). Subscribing and ending are control-path work from any thread,
 * so one lock guards it; the hot path never touches it.
 */
final class SubscriptionRegistry
{
    private SwitchSubscription first;
    private SwitchSubscription last;
    private int size;

    synchronized void add(final SwitchSubscription subscription)
    {
        subscription.registryPrevious = last;
        subscription.registryNext = null;
        if (null == last)
        {
            first = subscription;
        }
        else
        {
            last.registryNext = subscription;
        }
        last = subscription;
        subscription.registered = true;
        size++;
    }

    /**
     * @return true if it was registered (the first call for it), false otherwise.
     */
    synchronized boolean remove(final SwitchSubscription subscription)
    {
        if (!subscription.registered)
        {
            return false;
        }
        final SwitchSubscription previous = subscription.registryPrevious;
        final SwitchSubscription next = subscription.registryNext;
        if (null == previous)
        {
            first = next;
        }
        else
        {
            previous.registryNext = next;
        }
        if (null == next)
        {
            last = previous;
        }
        else
        {
            next.registryPrevious = previous;
        }
        subscription.registryPrevious = null;
        subscription.registryNext = null;
        subscription.registered = false;
        size--;
        return true;
    }

    synchronized int size()
    {
        return size;
    }

    /**
     * @return a copy of the active subscriptions, oldest first (allocates: for observers and for closing).
     */
    synchronized List<SwitchSubscription> snapshot()
    {
        final ArrayList<SwitchSubscription> copy = new ArrayList<>(size);
        for (SwitchSubscription s = first; null != s; s = s.registryNext)
        {
            copy.add(s);
        }
        return copy;
    }

    /**
     * @return true when no active subscription has a message queued.
     */
    synchronized boolean allIdle()
    {
        for (SwitchSubscription s = first; null != s; s = s.registryNext)
        {
            if (!s.isIdle())
            {
                return false;
            }
        }
        return true;
    }
}
