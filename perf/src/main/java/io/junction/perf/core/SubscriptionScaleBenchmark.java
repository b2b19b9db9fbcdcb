package io.junction.perf.core;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.Subscription;
import io.junction.SubscriptionOptions;

/**
 * One switch with 100,000 or 1,000,000 subscriptions on the default options, one topic each (as a
 * subscription per online user is): the setup prints the heap each costs and the rate they were made at
 * ({@code subscribeAsync}); {@code publishToOne} is one message to one of them, timed until its handler
 * has it, with the router's trie at that size (route-cache misses: each message is to another user).
 * Compare the two sizes in the same run; {@link RouterMatchBenchmark} has the trie walk alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsPrepend = { "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms3g", "-Xmx3g" })
@State(Scope.Benchmark)
public class SubscriptionScaleBenchmark
{
    @Param({ "100000", "1000000" })
    public int subscriptions;

    private Junction junction;
    private AtomicLongArray received;
    private String[] topics;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
    private int next;

    @Setup(Level.Trial)
    public void setup()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        junction = Junction.launch(new Junction.Context().routeCacheSize(1024));
        received = new AtomicLongArray(subscriptions);
        topics = new String[subscriptions];
        final MessageHandlerFactory handlers = new MessageHandlerFactory(received);
        for (int i = 0; i < subscriptions; i++)
        {
            topics[i] = "users." + i + ".inbox";
        }
        final long heapBefore = usedHeapAfterGc(memory);
        final long startNs = System.nanoTime();
        Subscription last = null;
        for (int i = 0; i < subscriptions; i++)
        {
            last = junction.subscribeAsync(topics[i], handlers.forIndex(i), SubscriptionOptions.defaults());
        }
        while (!last.isInEffect())
        {
            Thread.onSpinWait();
        }
        final long elapsedNs = System.nanoTime() - startNs;
        final long heapAfter = usedHeapAfterGc(memory);
        System.out.printf("%n%,d subscriptions: %,d B of heap each (handlers included), subscribed at %,.0f/s%n",
            subscriptions, (heapAfter - heapBefore) / subscriptions, subscriptions * 1e9 / elapsedNs);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        junction.close();
    }

    @Benchmark
    public long publishToOne()
    {
        final int index = (next = (next + 7919) % subscriptions); // a prime stride: a new user each time
        final long before = received.get(index);
        while (junction.offer(topics[index], Priority.NORMAL, payload, 0, payload.capacity()) ==
            OfferResult.BACK_PRESSURED)
        {
            Thread.onSpinWait();
        }
        while (received.get(index) == before)
        {
            Thread.onSpinWait();
        }
        return before;
    }

    private static long usedHeapAfterGc(final MemoryMXBean memory)
    {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** A handler per subscription that counts into its slot, as a per-user session would. */
    private record MessageHandlerFactory(AtomicLongArray received)
    {
        io.junction.MessageHandler forIndex(final int index)
        {
            return message -> received.incrementAndGet(index);
        }
    }
}
