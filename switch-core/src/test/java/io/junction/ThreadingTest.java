package io.junction;

import static io.junction.TestSupport.offer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import net.openhft.affinity.Affinity;

/**
 * Placement of the pipeline: threads per mode, and pinning to cores.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class ThreadingTest
{
    @Test
    void dedicatedModeRunsAThreadPerShardAndSharedModeOne()
    {
        try (Junction junction = Junction.launch(TestSupport.context().shards(3)))
        {
            assertEquals(3, pipelineThreads(), "one per shard");
        }
        try (Junction junction = Junction.launch(TestSupport.context().shards(3).threadingMode(ThreadingMode.SHARED)))
        {
            assertEquals(0, pipelineThreads());
            assertTrue(TestSupport.NoLeakedThreads.junctionThreads().contains("junction-shards"), "one for all");
        }
        try (Junction junction = Junction.launch(TestSupport.context().shards(3).threadingMode(ThreadingMode.INVOKER)))
        {
            junction.subscribe("a", message -> { });
            assertTrue(TestSupport.NoLeakedThreads.junctionThreads().isEmpty(), "the caller drives everything");
        }
    }

    @Test
    void pinsShardThreadsToTheGivenCores()
    {
        final Set<Integer> cpus = ConcurrentHashMap.newKeySet();
        try (Junction junction = Junction.launch(TestSupport.context().shards(2).cpuAffinity(0)))
        {
            junction.subscribe(">", message -> cpus.add(Affinity.getCpu()), SubscriptionOptions.defaults()
                .deliveryThread(DeliveryThread.PIPELINE));
            for (int i = 0; i < 200; i++)
            {
                offer(junction, "topic." + i, i);
            }
            await().atMost(TestSupport.TIMEOUT).until(() -> !cpus.isEmpty());
        }
        assertEquals(Set.of(0), cpus, "handlers on the pipeline ran only on core 0");
    }

    private static long pipelineThreads()
    {
        return TestSupport.NoLeakedThreads.junctionThreads().stream().filter(name -> name.startsWith("junction-shard-"))
            .count();
    }
}
