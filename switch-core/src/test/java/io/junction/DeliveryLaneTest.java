package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

/**
 * The lane's wake-up: the first producer to find the agent parked takes its thread and unparks it, once; the
 * agent then knows it was woken. Nodes come out in the order they went in.
 */
class DeliveryLaneTest
{
    private static final class Item extends DeliveryLane.Node
    {
    }

    @Test
    void theFirstWakeTakesTheParkedThreadAndUnparksItAndTheAgentKnows() throws InterruptedException
    {
        final DeliveryLane lane = new DeliveryLane(0);
        final boolean[] sawWoken = new boolean[1];
        final Thread agent = new Thread(() ->
        {
            lane.parked(Thread.currentThread());
            while (!lane.wasWoken())
            {
                LockSupport.park(); // until the lane's wake, however spurious the returns before it
            }
            sawWoken[0] = true;
            lane.parked(null);
        }, "lane-test-agent");
        agent.setDaemon(true);
        agent.start();
        try
        {
            await().atMost(Duration.ofSeconds(30)).until(() -> agent.getState() == Thread.State.WAITING);
            lane.wake();
            assertTrue(lane.wasWoken(), "the waker took the parked thread");
            lane.wake(); // a second producer finds no one parked: no second unpark
            agent.join(Duration.ofSeconds(30).toMillis());
            assertFalse(agent.isAlive(), "the wake ended the park");
            assertTrue(sawWoken[0]);
        }
        finally
        {
            LockSupport.unpark(agent);
            agent.join(Duration.ofSeconds(30).toMillis());
        }
    }

    @Test
    void aLaneWithNoParkedAgentIsNotWokenAndPushesComeOutInOrder()
    {
        final DeliveryLane lane = new DeliveryLane(0);
        lane.parked(Thread.currentThread());
        assertFalse(lane.wasWoken(), "nothing woke it yet");
        final Item first = new Item();
        final Item second = new Item();
        lane.push(first);
        assertTrue(lane.wasWoken(), "a push wakes a parked agent");
        LockSupport.parkNanos(1); // take the permit the push gave this thread
        lane.parked(null);
        lane.push(second);
        assertTrue(lane.hasWork());
        assertSame(first, lane.poll());
        assertSame(second, lane.poll());
        assertNull(lane.poll());
    }
}
