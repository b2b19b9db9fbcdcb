package io.junction.cluster;

import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.service.Cluster;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * On the leader, asks the consensus module for a snapshot (the control toggle an operator's {@code ClusterTool
 * snapshot} sets) once per interval of cluster time since the last snapshot. Cluster time moves only with the log,
 * so an idle cluster, with nothing to purge, takes none.
 */
final class SnapshotSchedule
{
    private final Cluster cluster;
    private final long intervalNs;
    private final ServiceCounters counters;
    private AtomicCounter controlToggle;
    private long lastSnapshotNs = Long.MIN_VALUE;

    SnapshotSchedule(final Cluster cluster, final long intervalNs, final ServiceCounters counters)
    {
        this.cluster = cluster;
        this.intervalNs = intervalNs;
        this.counters = counters;
    }

    /**
     * A snapshot was taken (scheduled or not) at this cluster time: the interval starts again.
     */
    void onSnapshot(final long clusterTimeNs)
    {
        lastSnapshotNs = clusterTimeNs;
    }

    int doWork()
    {
        if (intervalNs <= 0 || cluster.role() != Cluster.Role.LEADER || null == cluster.timeUnit())
        {
            return 0;
        }
        final long nowNs = SwitchStateMachine.clusterTimeNs(cluster);
        if (Long.MIN_VALUE == lastSnapshotNs)
        {
            lastSnapshotNs = nowNs; // A new leader counts from its first look, not from the start of time.
            return 0;
        }
        if (nowNs - lastSnapshotNs < intervalNs)
        {
            return 0;
        }
        if (null == controlToggle)
        {
            controlToggle = ClusterControl.findControlToggle(
                cluster.aeron().countersReader(), cluster.context().clusterId());
            if (null == controlToggle)
            {
                return 0;
            }
        }
        if (ClusterControl.ToggleState.SNAPSHOT.toggle(controlToggle))
        {
            lastSnapshotNs = nowNs; // onSnapshot moves it again when the snapshot is taken.
            counters.onSnapshotScheduled();
            return 1;
        }
        return 0; // Another action is under way: try again on the next duty cycle.
    }
}
