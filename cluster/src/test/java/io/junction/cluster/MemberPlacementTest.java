package io.junction.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.junction.agent.AgentPlacement;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

/**
 * A cluster member's agents are placed as the switch's and the journal's are: threading modes and the idle
 * strategy reach every Aeron context, the default idle strategy is {@link AgentPlacement}'s, and pinned cores
 * come as {@link AgentPlacement} thread factories (none unless asked, so Aeron's own are kept).
 */
class MemberPlacementTest
{
    @Test
    void theDefaultsAreTheSwitchsBackoffAndSharedThreadingWithAeronsThreadFactories()
    {
        final MemberPlacement placement = new MemberPlacement(
            ThreadingMode.SHARED, ArchiveThreadingMode.SHARED, AgentPlacement.BACKOFF_IDLE_STRATEGY, new int[0]);
        final MediaDriver.Context driver = new MediaDriver.Context();
        final java.util.concurrent.ThreadFactory aeronsOwn = driver.sharedThreadFactory();
        placement.place(driver);
        assertEquals(ThreadingMode.SHARED, driver.threadingMode());
        assertTrue(driver.sharedIdleStrategy() instanceof BackoffIdleStrategy);
        assertSame(aeronsOwn, driver.sharedThreadFactory(), "no affinity: Aeron's factory is kept");
        final Archive.Context archive = placement.place(new Archive.Context());
        assertEquals(ArchiveThreadingMode.SHARED, archive.threadingMode());
        assertTrue(archive.idleStrategy() instanceof BackoffIdleStrategy);
        assertTrue(placement.place(new ConsensusModule.Context()).idleStrategy() instanceof BackoffIdleStrategy);
        assertTrue(placement.place(new ClusteredServiceContainer.Context()).idleStrategy() instanceof
            BackoffIdleStrategy);
    }

    @Test
    void aChosenIdleStrategyThreadingAndCoresReachEveryContext() throws InterruptedException
    {
        final Supplier<IdleStrategy> yielding = YieldingIdleStrategy::new;
        final MemberPlacement placement = new MemberPlacement(
            ThreadingMode.DEDICATED, ArchiveThreadingMode.DEDICATED, yielding, new int[]{ 0 });
        final MediaDriver.Context driver = new MediaDriver.Context();
        final java.util.concurrent.ThreadFactory aeronsOwn = driver.conductorThreadFactory();
        placement.place(driver);
        assertEquals(ThreadingMode.DEDICATED, driver.threadingMode());
        assertTrue(driver.conductorIdleStrategy() instanceof YieldingIdleStrategy);
        assertTrue(driver.senderIdleStrategy() instanceof YieldingIdleStrategy);
        assertTrue(driver.receiverIdleStrategy() instanceof YieldingIdleStrategy);
        assertNotSame(aeronsOwn, driver.conductorThreadFactory(), "a pinning factory");
        final Archive.Context archive = placement.place(new Archive.Context());
        assertEquals(ArchiveThreadingMode.DEDICATED, archive.threadingMode());
        assertTrue(archive.idleStrategy() instanceof YieldingIdleStrategy);
        final ClusteredServiceContainer.Context container = placement.place(new ClusteredServiceContainer.Context());
        assertTrue(container.idleStrategy() instanceof YieldingIdleStrategy);

        // A thread from the pinning factory runs what it is given.
        final CountDownLatch ran = new CountDownLatch(1);
        final Thread thread = container.threadFactory().newThread(ran::countDown);
        thread.start();
        assertTrue(ran.await(30, TimeUnit.SECONDS));
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }
}
