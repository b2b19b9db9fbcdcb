package io.junction.perf.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.Object2ObjectHashMap;
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
import org.openjdk.jmh.annotations.Warmup;

import io.junction.topic.SubscriptionTrie;

/**
 * The router's cost to find the subscribers of a topic, with 10, 1,000, 100,000 and 1,000,000 subscriptions:
 * 70% exact patterns, 20% with '*' and 10% with '>'. {@code trieMatch} is a route-cache miss (the
 * trie walk); {@code cachedRoute} is a hit, which is what a steady topic set costs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = { "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx2g" })
@State(Scope.Thread)
public class RouterMatchBenchmark
{
    private static final int TOPICS = 4096;

    @Param({ "10", "1000", "100000", "1000000" })
    public int subscriptions;

    private SubscriptionTrie<Integer> trie;
    private final Object2ObjectHashMap<String, Integer[]> cache = new Object2ObjectHashMap<>();
    private final List<Integer> matches = new ArrayList<>();
    private String[] topics;
    private int next;

    @Setup(Level.Trial)
    public void setup()
    {
        final Random random = new Random(1);
        trie = new SubscriptionTrie<>(32);
        final String[] venues = { "xnas", "xlon", "xpar", "xetr" };
        for (int i = 0; i < subscriptions; i++)
        {
            final String instrument = "i" + i;
            final String venue = venues[random.nextInt(venues.length)];
            final int kind = random.nextInt(10);
            final String pattern;
            if (kind < 7)
            {
                pattern = "md." + venue + "." + instrument + ".trade";
            }
            else if (kind < 9)
            {
                pattern = "md.*." + instrument + ".trade";
            }
            else
            {
                pattern = "md." + venue + "." + instrument + ".>";
            }
            trie.add(pattern, i);
        }

        topics = new String[TOPICS];
        for (int i = 0; i < TOPICS; i++)
        {
            topics[i] = "md." + venues[random.nextInt(venues.length)] + ".i" + random.nextInt(subscriptions) + ".trade";
            matches.clear();
            trie.match(topics[i], matches);
            cache.put(topics[i], matches.toArray(new Integer[0]));
        }
    }

    @Benchmark
    public int trieMatch()
    {
        final String topic = topics[next++ & (TOPICS - 1)];
        matches.clear();
        return trie.match(topic, matches);
    }

    @Benchmark
    public int cachedRoute()
    {
        final String topic = topics[next++ & (TOPICS - 1)];
        return cache.get(topic).length;
    }
}
