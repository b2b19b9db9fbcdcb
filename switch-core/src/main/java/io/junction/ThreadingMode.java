package io.junction;

/**
 * Where the pipeline agents run, as Aeron's media driver places its agents.
 */
public enum ThreadingMode
{
    /** A thread per shard: throughput grows with cores. Pin them with {@code Context.cpuAffinity}. */
    DEDICATED,

    /** One thread runs every shard's pipeline: the least CPU, the right choice on small machines. */
    SHARED,

    /**
     * No pipeline or delivery threads: the application drives everything by calling
     * {@link Junction#doWork()} (deterministic tests, or a caller that owns its threads).
     */
    INVOKER
}
