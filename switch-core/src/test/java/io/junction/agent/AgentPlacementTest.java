package io.junction.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;

class AgentPlacementTest
{
    @Test
    void anAgentOnAThreadOfItsOwnRunsUnderItsRoleNameReportsErrorsAndStopsOnClose()
    {
        final AtomicReference<String> threadName = new AtomicReference<>();
        final AtomicInteger cycles = new AtomicInteger();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final Agent agent = new TestAgent("test-placed-agent", () ->
        {
            threadName.set(Thread.currentThread().getName());
            if (cycles.incrementAndGet() == 3)
            {
                throw new IllegalStateException("third cycle");
            }
        });

        final AgentRunner runner = AgentPlacement.onThread(
            agent, new SleepingMillisIdleStrategy(1), AgentPlacement.ANY_CPU, errors::add);
        try
        {
            await().atMost(Duration.ofSeconds(30)).until(() -> cycles.get() > 3);
            assertEquals("test-placed-agent", threadName.get());
            assertEquals(1, errors.size(), "the failing cycle reached the error handler, and the agent went on");
            assertEquals("third cycle", errors.get(0).getMessage());
        }
        finally
        {
            runner.close();
        }
        assertTrue(runner.isClosed());
        final Thread thread = runner.thread();
        assertTrue(null == thread || !thread.isAlive(), "the thread ended with the runner");
    }

    @Test
    void anAgentOnTheCallerRunsOneDutyCyclePerInvoke()
    {
        final AtomicReference<Thread> ranOn = new AtomicReference<>();
        final AtomicInteger cycles = new AtomicInteger();
        final Agent agent = new TestAgent("test-invoked-agent", () ->
        {
            ranOn.set(Thread.currentThread());
            cycles.incrementAndGet();
        });

        try (AgentInvoker invoker = AgentPlacement.onCaller(agent, (error) -> { }))
        {
            assertTrue(invoker.isStarted());
            invoker.invoke();
            invoker.invoke();
            assertEquals(2, cycles.get());
            assertSame(Thread.currentThread(), ranOn.get());
        }
    }

    @Test
    void aCompositeRunsEachAgentOnceACycleUnderTheGivenName()
    {
        final AtomicInteger first = new AtomicInteger();
        final AtomicInteger second = new AtomicInteger();
        final Agent a = new TestAgent("a", first::incrementAndGet);
        final Agent composite = AgentPlacement.composite("both", a, new TestAgent("b", second::incrementAndGet));
        assertEquals("both", composite.roleName());
        assertSame(a, AgentPlacement.composite("a", a), "one agent under its own name needs no wrapper");

        try (AgentInvoker invoker = AgentPlacement.onCaller(composite, (error) -> { }))
        {
            invoker.invoke();
        }
        assertEquals(1, first.get());
        assertEquals(1, second.get());
    }

    @Test
    void coresAreSpreadOverTheGivenOnesOrNoneAtAll()
    {
        assertEquals(AgentPlacement.ANY_CPU, AgentPlacement.cpuFor(new int[0], 3));
        assertEquals(5, AgentPlacement.cpuFor(new int[]{ 4, 5 }, 3));
        assertFalse(AgentPlacement.ANY_CPU >= 0);
    }

    private static final class TestAgent implements Agent
    {
        private final String roleName;
        private final Runnable cycle;

        TestAgent(final String roleName, final Runnable cycle)
        {
            this.roleName = roleName;
            this.cycle = cycle;
        }

        @Override
        public int doWork()
        {
            cycle.run();
            return 1;
        }

        @Override
        public String roleName()
        {
            return roleName;
        }
    }
}
