package io.junction.perf.suite;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The targets of the shared workload, in report order: Junction, the limits under it, the peers. Add a
 * target here (e.g. "Junction remote" over the daemon's protocol, "Junction journaled") and it is
 * measured, plotted and compared like the others. "Junction remote" (the daemon over loopback TCP) is the row to
 * compare with the peers; "Junction embedded" (in-process) is kept as a row of its own.
 */
public final class Targets
{
    private Targets()
    {
    }

    public static List<Supplier<Target>> all()
    {
        final List<Supplier<Target>> targets = new ArrayList<>();
        targets.add(JunctionRemoteTarget::new);
        targets.add(JunctionRemoteTarget::yielding);
        targets.add(JunctionRemoteTarget::aeronUdp);
        targets.add(JunctionRemoteTarget::aeronUdpLowLatency);
        targets.add(JunctionRemoteTarget::aeronUdpInvoker);
        targets.add(JunctionEmbeddedTarget::new);
        targets.add(JunctionEmbeddedTarget::yielding);
        targets.add(RawDisruptorTarget::new);
        targets.add(() -> new AeronTarget(AeronTarget.Medium.IPC));
        targets.add(() -> new AeronTarget(AeronTarget.Medium.UDP));
        targets.add(NatsTarget::new);
        targets.add(RabbitMqTarget::new);
        return targets;
    }
}
