package io.junction.tools;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The protocol server as a part of the daemon: at a stop it first stops admitting (new connections, PUBLISHes)
 * while the switch drains what it accepted, then answers the guaranteed PUBLISHes still waiting on the journal
 * (within journal.durable-timeout and the stop's deadline) and closes.
 */
final class ProtocolListener implements DaemonComponent
{
    /** Past the stop's deadline, how long the last durable answers may still take to be written. */
    private static final long ANSWER_GRACE_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final ProtocolServer server;
    private final LongSupplier durableTimeoutNs;
    private long deadlineNs = System.nanoTime();

    /**
     * @param durableTimeoutNs journal.durable-timeout as last reloaded.
     */
    ProtocolListener(final ProtocolServer server, final LongSupplier durableTimeoutNs)
    {
        this.server = server;
        this.durableTimeoutNs = durableTimeoutNs;
    }

    ProtocolServer server()
    {
        return server;
    }

    @Override
    public void quiesce(final long deadlineNs)
    {
        this.deadlineNs = deadlineNs;
        server.stopAdmitting(deadlineNs);
    }

    @Override
    public void close()
    {
        server.awaitDurableAnswers(Math.min(durableTimeoutNs.getAsLong(),
            Math.max(0, deadlineNs - System.nanoTime()) + ANSWER_GRACE_NS));
        server.close();
    }
}
