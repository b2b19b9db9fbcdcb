package io.junction.tools;

import java.util.List;
import java.util.function.Supplier;

import org.agrona.CloseHelper;
import org.agrona.concurrent.status.CountersManager;

import io.junction.observe.Alarm;

/**
 * Where the alarms' raises and clears go beyond the log: the webhook of {@code alarms.webhook}, replaced by a
 * reload that changes it. At a graceful stop the alarms still raised are posted cleared, so that a receiver is not
 * left with an alarm nobody clears.
 */
final class AlarmNotifications implements DaemonComponent
{
    private final CountersManager counters;
    private final org.agrona.ErrorHandler errors;
    private final Supplier<List<Alarm>> raised;
    private volatile WebhookNotifier webhook;
    private volatile WebhookConfig config;
    private volatile String nodeName;

    /**
     * @param raised the alarms raised at the stop, to clear.
     */
    AlarmNotifications(final DaemonConfig config, final DaemonCounters counters, final Supplier<List<Alarm>> raised)
    {
        this.counters = counters.manager();
        this.errors = counters.errors("webhook");
        this.raised = raised;
        apply(config);
    }

    void onAlarm(final Alarm alarm)
    {
        final WebhookNotifier notifier = webhook;
        if (null != notifier)
        {
            notifier.onAlarm(alarm);
        }
    }

    /**
     * Take the webhook of {@code next} (a reload): a new notifier if its URL, delivery or node name changed.
     */
    synchronized void apply(final DaemonConfig next)
    {
        final WebhookNotifier previous = webhook;
        final String name = next.node().nodeName();
        if (null != previous && next.webhook().equals(config) && name.equals(nodeName))
        {
            return;
        }
        webhook = next.webhook().enabled() ? new WebhookNotifier(next.webhook().url(), next.webhook().delivery(),
            WebhookNotifier.Node.current(name), counters, errors) : null;
        config = next.webhook();
        nodeName = name;
        CloseHelper.quietClose(previous);
    }

    @Override
    public synchronized void close()
    {
        final WebhookNotifier notifier = webhook;
        webhook = null;
        if (null != notifier)
        {
            notifier.clearAtStop(raised.get());
            notifier.close(config.delivery().timeout());
        }
    }
}
