package io.junction.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

import io.junction.Subscription;
import io.junction.SubscriptionListener;
import io.junction.TerminationReason;

/**
 * A JFR event for a subscription disconnected because it was too slow
 * ({@link TerminationReason#SLOW_CONSUMER}). Use {@link #listener(SubscriptionListener)} to emit it.
 */
@Name("io.junction.SlowSubscriberDisconnect")
@Label("Junction Slow Subscriber Disconnect")
@Category({ "Junction" })
@Description("A subscription was disconnected by its slow-subscriber policy.")
public final class SlowSubscriberJfrEvent extends Event
{
    @Label("Subscription id")
    long subscriptionId;

    @Label("Pattern")
    String pattern;

    @Label("Dropped")
    long dropped;

    /**
     * A listener that emits this event on a slow-consumer disconnect, then delegates.
     */
    public static SubscriptionListener listener(final SubscriptionListener delegate)
    {
        return new SubscriptionListener()
        {
            @Override
            public void onRestart(final Subscription subscription, final Throwable cause)
            {
                delegate.onRestart(subscription, cause);
            }

            @Override
            public void onTerminated(
                final Subscription subscription, final TerminationReason reason, final Throwable cause)
            {
                if (reason == TerminationReason.SLOW_CONSUMER)
                {
                    final SlowSubscriberJfrEvent event = new SlowSubscriberJfrEvent();
                    if (event.isEnabled())
                    {
                        event.subscriptionId = subscription.id();
                        event.pattern = subscription.pattern();
                        event.dropped = subscription.dropped();
                        event.commit();
                    }
                }
                delegate.onTerminated(subscription, reason, cause);
            }
        };
    }
}
