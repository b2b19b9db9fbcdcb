package io.junction.tools;

/**
 * One part of the running daemon with one job (the journal, the switch, the protocol server, ...). {@link Daemon}
 * starts them in order and stops them in reverse, in two passes: every component {@link #quiesce}s (stops taking new
 * work and finishes what it took, by the stop's deadline), then every component closes.
 */
interface DaemonComponent extends AutoCloseable
{
    /**
     * Stop taking new work and finish what was taken, by {@code deadlineNs} ({@link System#nanoTime()}). Called
     * once, before any component closes; nothing to do by default.
     */
    default void quiesce(final long deadlineNs)
    {
    }

    /**
     * Release what this component holds; it does not throw for a failure the stop can only report.
     */
    @Override
    void close();

    /**
     * @return a component whose close closes {@code closeable} (quietly: a failure is left to the stop to report).
     */
    static DaemonComponent closing(final AutoCloseable closeable)
    {
        return () ->
        {
            try
            {
                closeable.close();
            }
            catch (final RuntimeException ex)
            {
                throw ex;
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        };
    }
}
