package io.junction.tools;

import java.io.File;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.slf4j.Logger;

import io.junction.Junction;
import io.junction.agent.AgentPlacement;
import io.junction.journal.Journal;
import io.junction.observe.SwitchLatency;
import io.junction.observe.SwitchObserver;

/**
 * The observer's thread: each observe-interval the counters file's heartbeat, the gauges, the latency percentiles
 * (and the histogram log), the alarms, and the cluster member's counters. Its close takes a last observation, so the
 * last latency reaches the histogram log.
 */
final class DaemonObserver implements DaemonComponent
{
    private final SwitchObserver observer;
    private final DeliveredTotal delivered;
    private final AgentRunner runner;
    private final Logger log;

    /**
     * @param journal null when the journal is off; cluster null when there is none.
     */
    DaemonObserver(final DaemonConfig config, final File dataDir, final DaemonCounters counters,
        final SwitchLatency latency, final Junction junction, final DaemonAlarms alarms, final ProtocolServer server,
        final Journal journal, final DaemonCluster cluster, final Logger log)
    {
        this.log = log;
        final ObserveConfig observe = config.observe();
        observer = new SwitchObserver(new SwitchObserver.Context()
            .countersFile(counters.file())
            .latency(latency)
            .subscriptions(junction::subscriptions)
            .alarms(alarms.evaluator())
            .histogramLogFile(observe.histogramLog() ? new File(dataDir, Daemon.HISTOGRAM_LOG_FILE) : null)
            .intervalNs(observe.interval().toNanos())
            .burstThreshold(observe.shedBurstThreshold()));
        observer.addGauge("ring occupancy", junction::ringOccupancy);
        observer.addGauge("protocol max send buffer bytes", server::maxBufferedBytes);
        observer.addGauge("disk free MB", () -> dataDir.getUsableSpace() >> 20);
        if (null != journal)
        {
            observer.addGauge("journal available", () -> journal.isAvailable() ? 1 : 0);
        }
        observer.onInterval(System.nanoTime());
        delivered = new DeliveredTotal(counters.manager(), junction::subscriptions);
        final long intervalNs = observe.interval().toNanos();
        // Placed as the switch's and the journal's agents are; it sleeps 5 ms when idle (it works once an interval).
        final Agent agent = new Agent()
        {
            private long nextTotalNs = System.nanoTime();

            @Override
            public int doWork()
            {
                alarms.applyPending();
                if (null != cluster)
                {
                    cluster.update();
                }
                final int work = observer.doWork();
                final long nowNs = System.nanoTime();
                if (nowNs - nextTotalNs >= 0) // last: a failure here cannot keep the observer from its work
                {
                    nextTotalNs = nowNs + intervalNs;
                    delivered.update();
                }
                return work;
            }

            @Override
            public String roleName()
            {
                return "junction-observer";
            }
        };
        runner = AgentPlacement.onThread(
            agent, new SleepingMillisIdleStrategy(5), AgentPlacement.ANY_CPU, counters.errors("observer"));
    }

    @Override
    public void close()
    {
        runner.close();
        try
        {
            delivered.update();
            observer.onInterval(System.nanoTime()); // the last latency into the histogram log
        }
        catch (final RuntimeException ex)
        {
            log.warn("last observation failed: {}", ex.toString());
        }
        observer.close();
        delivered.close();
    }
}
