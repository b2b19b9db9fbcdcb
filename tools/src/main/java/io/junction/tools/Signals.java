package io.junction.tools;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

/**
 * POSIX signal handling through {@code sun.misc.Signal} (module jdk.unsupported), reached reflectively
 * so the build stays free of internal-API warnings. The JDK has no supported API for SIGHUP, nor for
 * telling a first SIGTERM from a second.
 */
final class Signals
{
    private Signals()
    {
    }

    /**
     * Handle a signal (e.g. "TERM", "INT", "HUP") on the JVM's signal thread.
     *
     * @return false if the process was started with the signal ignored (as {@code nohup} does to SIGHUP): the JVM
     * keeps it ignored, so the handler never runs.
     * @throws IllegalStateException if the JVM does not allow it (e.g. run with -Xrs).
     */
    static boolean handle(final String name, final Consumer<String> handler)
    {
        try
        {
            final Class<?> signalClass = Class.forName("sun.misc.Signal");
            final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            final Constructor<?> constructor = signalClass.getConstructor(String.class);
            final Method getName = signalClass.getMethod("getName");
            final Object proxy = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[]{ handlerClass },
                (instance, method, args) ->
                {
                    if ("handle".equals(method.getName()))
                    {
                        handler.accept((String)getName.invoke(args[0]));
                        return null;
                    }
                    if ("toString".equals(method.getName()))
                    {
                        return "junction signal handler for SIG" + name;
                    }
                    if ("hashCode".equals(method.getName()))
                    {
                        return System.identityHashCode(instance);
                    }
                    if ("equals".equals(method.getName()))
                    {
                        return instance == args[0];
                    }
                    return null;
                });
            final Object previous =
                signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, constructor.newInstance(name), proxy);
            return previous != handlerClass.getField("SIG_IGN").get(null);
        }
        catch (final java.lang.reflect.InvocationTargetException ex)
        {
            throw new IllegalStateException("cannot handle SIG" + name + ": " + ex.getCause(), ex.getCause());
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            throw new IllegalStateException("cannot handle SIG" + name + ": " + ex, ex);
        }
    }
}
