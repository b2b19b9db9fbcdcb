package io.junction.tools;

import java.io.PrintStream;

import io.junction.Junction;

/**
 * The built-in load of {@code demo-load { rate, size }} on a thread of its own, with its live line each second.
 * It quiesces first at a stop: no more demo offers while the switch drains.
 */
final class DemoRunner implements DaemonComponent
{
    private final DemoLoad load;
    private final Thread thread;
    private volatile boolean running = true;

    DemoRunner(final Junction junction, final DemoConfig config, final PrintStream out)
    {
        load = new DemoLoad(junction, config.rate(), config.size(), out);
        thread = new Thread(() -> load.run(Long.MAX_VALUE, () -> running), "junction-demo-load");
        thread.setDaemon(true);
    }

    String describe()
    {
        return load.describe();
    }

    void start()
    {
        thread.start();
    }

    @Override
    public void quiesce(final long deadlineNs)
    {
        running = false;
        try
        {
            thread.join(5000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        load.close();
    }

    @Override
    public void close()
    {
        running = false;
        load.close();
    }
}
