package io.junction.tools;

import io.junction.Junction;
import io.junction.ThreadingMode;
import io.junction.journal.Journal;
import io.junction.observe.SwitchLatency;

/**
 * The switch the daemon runs, launched as its config says. It quiesces by draining what it accepted (within
 * shutdown-timeout), once the network has stopped admitting.
 */
final class DaemonSwitch implements DaemonComponent
{
    private final Junction junction;
    /** {@code network.inline-shard}: the switch on the I/O agent's duty cycle; else null. */
    private final InlineShard inline;
    private final org.agrona.ErrorHandler errors;
    private volatile long ringAtStop;

    DaemonSwitch(final DaemonConfig config, final Journal journal, final DaemonCounters counters,
        final SwitchLatency latency)
    {
        final SwitchConfig switchConfig = config.switchConfig();
        inline = config.network().inlineShard() ? new InlineShard() : null;
        errors = counters.errors("switch");
        final Junction.Context context = new Junction.Context();
        if (null != inline)
        {
            // No threads of its own: the protocol server's I/O agent invokes it, woken by publishes from elsewhere.
            context.threadingMode(ThreadingMode.INVOKER).invokerWake(inline::wake);
        }
        junction = Junction.launch(context
            .journalSink(journal)
            .regulation(config.regulation().regulation())
            .expressCritical(config.regulation().expressCritical())
            .pipelineIdleStrategySupplier(switchConfig.idleStrategy().supplier())
            .deliveryIdleStrategySupplier(switchConfig.idleStrategy().supplier())
            .shards(switchConfig.shards())
            .ringSize(switchConfig.ringSize())
            .dropGraceNs(switchConfig.dropGrace().toNanos())
            .routeCommandQueueCapacity(switchConfig.routeCommandQueueCapacity())
            .maxMessageLength(switchConfig.maxMessageLength())
            .shutdownTimeoutNs(switchConfig.shutdownTimeout().toNanos())
            .countersManager(counters.manager())
            .latency(latency)
            .errorHandler(errors));
        if (null != inline)
        {
            inline.junction(junction);
        }
    }

    /**
     * @return the switch as the I/O agent runs it ({@code network.inline-shard}), or null when it has threads.
     */
    InlineShard inline()
    {
        return inline;
    }

    Junction junction()
    {
        return junction;
    }

    /**
     * @return the messages that were in the rings when the stop began draining them.
     */
    long ringAtStop()
    {
        return ringAtStop;
    }

    /**
     * Inline: the I/O agent stops invoking the switch before this thread drains it, so one thread runs it at a time.
     */
    private void handOver(final long deadlineNs)
    {
        if (null != inline && !junction.isClosed() && !inline.stopInvoking(deadlineNs))
        {
            errors.onError(new IllegalStateException("network.inline-shard: the I/O agent did not stop running the " +
                "switch by the stop's deadline; draining it anyway"));
        }
    }

    @Override
    public void quiesce(final long deadlineNs)
    {
        handOver(deadlineNs);
        ringAtStop = junction.ringOccupancy();
        junction.close(); // drains up to shutdown-timeout; the journal stages flush and close their appenders
    }

    @Override
    public void close()
    {
        handOver(System.nanoTime());
        junction.close();
    }
}
