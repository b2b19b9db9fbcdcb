package io.junction;

import java.util.Arrays;

import org.agrona.concurrent.Agent;

/**
 * Runs the subscriptions that share a thread. Membership changes are rare (copy-on-write); the duty
 * cycle reads one volatile array.
 */
final class DeliveryGroup implements Agent
{
    private static final SwitchSubscription[] EMPTY = new SwitchSubscription[0];

    private final String roleName;
    private volatile SwitchSubscription[] members = EMPTY;

    DeliveryGroup(final String roleName)
    {
        this.roleName = roleName;
    }

    synchronized void add(final SwitchSubscription subscription)
    {
        final SwitchSubscription[] current = members;
        final SwitchSubscription[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = subscription;
        members = next;
    }

    synchronized void remove(final SwitchSubscription subscription)
    {
        final SwitchSubscription[] current = members;
        for (int i = 0; i < current.length; i++)
        {
            if (current[i] == subscription)
            {
                final SwitchSubscription[] next = new SwitchSubscription[current.length - 1];
                System.arraycopy(current, 0, next, 0, i);
                System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                members = next;
                return;
            }
        }
    }

    @Override
    public int doWork()
    {
        int work = 0;
        for (final SwitchSubscription subscription : members)
        {
            work += subscription.doWork();
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
