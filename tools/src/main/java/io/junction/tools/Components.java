package io.junction.tools;

import java.util.ArrayDeque;
import java.util.Deque;

import org.slf4j.Logger;

/**
 * The components the daemon has started, in order: stopped in reverse, each failure logged and the stop carried on.
 */
final class Components
{
    private record Started(String name, DaemonComponent component)
    {
    }

    private final Deque<Started> started = new ArrayDeque<>();
    private final Logger log;

    Components(final Logger log)
    {
        this.log = log;
    }

    /**
     * @return {@code component}, now stopped with the others.
     */
    <T extends DaemonComponent> T add(final String name, final T component)
    {
        started.push(new Started(name, component));
        return component;
    }

    /**
     * A graceful stop: every component quiesces, newest first, by {@code deadlineNs}; then every one closes.
     */
    void stop(final long deadlineNs)
    {
        for (final Started each : started)
        {
            try
            {
                each.component().quiesce(deadlineNs);
            }
            catch (final RuntimeException ex)
            {
                log.warn("stopping the {} failed: {}", each.name(), ex.toString());
            }
        }
        closeAll();
    }

    /**
     * Close every component, newest first (a start that failed half way: nothing was admitted to drain).
     */
    void closeAll()
    {
        while (!started.isEmpty())
        {
            final Started each = started.pop();
            try
            {
                each.component().close();
            }
            catch (final RuntimeException ex)
            {
                log.warn("closing the {} failed: {}", each.name(), ex.toString());
            }
        }
    }
}
