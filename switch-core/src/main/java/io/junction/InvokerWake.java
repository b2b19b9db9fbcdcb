package io.junction;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * {@link ThreadingMode#INVOKER} with a wake ({@link Junction.Context#invokerWake}): the caller's duty cycle may
 * idle in a wait of its own (a selector) that an unpark would not end. While it is armed, the first producer on
 * another thread that hands the switch work (an offer, a route change, a delivery) runs the caller's wake once.
 */
final class InvokerWake
{
    private static final VarHandle ARMED;

    static
    {
        try
        {
            ARMED = MethodHandles.lookup().findVarHandle(InvokerWake.class, "armed", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Runnable wake;
    private volatile boolean armed;

    InvokerWake(final Runnable wake)
    {
        this.wake = wake;
    }

    /**
     * The caller is about to idle: the next hand-off wakes it. It then looks for work once more before it idles.
     */
    void arm()
    {
        armed = true;
    }

    void disarm()
    {
        armed = false;
    }

    /**
     * Producer side, after its work is visible: only the producer that disarms it wakes the caller.
     */
    void wake()
    {
        if (armed && ARMED.compareAndSet(this, true, false))
        {
            wake.run();
        }
    }
}
