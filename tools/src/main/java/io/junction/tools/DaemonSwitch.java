package io.junction.tools;

import io.junction.Junction;
import io.junction.journal.Journal;
import io.junction.observe.SwitchLatency;

/**
 * The switch the daemon runs, launched as its config says. It quiesces by draining what it accepted (within
 * shutdown-timeout), once the network has stopped admitting.
 */
final class DaemonSwitch implements DaemonComponent
{
    private final Junction junction;
    private volatile long ringAtStop;

    DaemonSwitch(final DaemonConfig config, final Journal journal, final DaemonCounters counters,
        final SwitchLatency latency)
    {
        final SwitchConfig switchConfig = config.switchConfig();
        junction = Junction.launch(new Junction.Context()
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
            .errorHandler(counters.errors("switch")));
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

    @Override
    public void quiesce(final long deadlineNs)
    {
        ringAtStop = junction.ringOccupancy();
        junction.close(); // drains up to shutdown-timeout; the journal stages flush and close their appenders
    }

    @Override
    public void close()
    {
        junction.close();
    }
}
