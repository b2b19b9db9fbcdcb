package io.junction.cluster;

import java.util.function.Supplier;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.junction.agent.AgentPlacement;
import org.agrona.concurrent.IdleStrategy;

/**
 * Where a cluster member's agents run: the threading of its media driver and archive, the idle strategy of
 * every agent (driver, archive, consensus module, service container), and the cores their threads are pinned
 * to, all through {@link AgentPlacement} as the switch and the journal place theirs. Aeron makes the threads;
 * this gives it the factories.
 */
final class MemberPlacement
{
    // The order threads are given cores in: the member's busiest first.
    private static final int SERVICE = 0;
    private static final int CONSENSUS = 1;
    private static final int DRIVER = 2;
    private static final int ARCHIVE = 3;
    private static final int SENDER = 4;
    private static final int RECEIVER = 5;

    private final ThreadingMode threadingMode;
    private final ArchiveThreadingMode archiveThreadingMode;
    private final Supplier<IdleStrategy> idleStrategySupplier;
    private final int[] cpus;

    /**
     * @param cpus the cores to spread the member's threads over; empty leaves them to the operating system.
     */
    MemberPlacement(
        final ThreadingMode threadingMode,
        final ArchiveThreadingMode archiveThreadingMode,
        final Supplier<IdleStrategy> idleStrategySupplier,
        final int[] cpus)
    {
        this.threadingMode = threadingMode;
        this.archiveThreadingMode = archiveThreadingMode;
        this.idleStrategySupplier = idleStrategySupplier;
        this.cpus = cpus.clone();
    }

    MediaDriver.Context place(final MediaDriver.Context driver)
    {
        driver.threadingMode(threadingMode)
            .sharedIdleStrategy(idleStrategySupplier.get())
            .conductorIdleStrategy(idleStrategySupplier.get())
            .senderIdleStrategy(idleStrategySupplier.get())
            .receiverIdleStrategy(idleStrategySupplier.get());
        if (cpus.length > 0)
        {
            driver.sharedThreadFactory(AgentPlacement.threadFactory(cpu(DRIVER)))
                .sharedNetworkThreadFactory(AgentPlacement.threadFactory(cpu(SENDER)))
                .conductorThreadFactory(AgentPlacement.threadFactory(cpu(DRIVER)))
                .senderThreadFactory(AgentPlacement.threadFactory(cpu(SENDER)))
                .receiverThreadFactory(AgentPlacement.threadFactory(cpu(RECEIVER)));
        }
        return driver;
    }

    Archive.Context place(final Archive.Context archive)
    {
        archive.threadingMode(archiveThreadingMode).idleStrategySupplier(idleStrategySupplier);
        if (cpus.length > 0)
        {
            archive.threadFactory(AgentPlacement.threadFactory(cpu(ARCHIVE)))
                .recorderThreadFactory(AgentPlacement.threadFactory(cpu(ARCHIVE)))
                .replayerThreadFactory(AgentPlacement.threadFactory(cpu(ARCHIVE)));
        }
        return archive;
    }

    ConsensusModule.Context place(final ConsensusModule.Context consensus)
    {
        consensus.idleStrategySupplier(idleStrategySupplier);
        if (cpus.length > 0)
        {
            consensus.threadFactory(AgentPlacement.threadFactory(cpu(CONSENSUS)));
        }
        return consensus;
    }

    ClusteredServiceContainer.Context place(final ClusteredServiceContainer.Context container)
    {
        container.idleStrategySupplier(idleStrategySupplier);
        if (cpus.length > 0)
        {
            container.threadFactory(AgentPlacement.threadFactory(cpu(SERVICE)));
        }
        return container;
    }

    private int cpu(final int thread)
    {
        return AgentPlacement.cpuFor(cpus, thread);
    }
}
