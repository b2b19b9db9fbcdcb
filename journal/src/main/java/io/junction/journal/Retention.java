package io.junction.journal;

/**
 * How much of the journal to keep. The journal deletes whole roll-cycle files, oldest first, and never the
 * newest one; limits combine (a file goes when any limit says so). A durable subscription whose
 * unacknowledged messages are deleted stops with an error instead of skipping them.
 */
public final class Retention
{
    private static final Retention KEEP_ALL = new Retention(Long.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE);

    private final long maxAgeMs;
    private final long maxBytes;
    private final int maxCycles;

    private Retention(final long maxAgeMs, final long maxBytes, final int maxCycles)
    {
        this.maxAgeMs = maxAgeMs;
        this.maxBytes = maxBytes;
        this.maxCycles = maxCycles;
    }

    public static Retention keepAll()
    {
        return KEEP_ALL;
    }

    /**
     * @return this, and also delete a roll cycle once it ended more than {@code maxAgeMs} ago (read from the file's
     * name; WEEKLY cycles' week-based names are not aged).
     */
    public Retention maxAgeMs(final long maxAgeMs)
    {
        require(maxAgeMs > 0, "maxAgeMs");
        return new Retention(maxAgeMs, maxBytes, maxCycles);
    }

    /**
     * @return this, and also delete the oldest cycles while the files take more than {@code maxBytes} on disk.
     */
    public Retention maxBytes(final long maxBytes)
    {
        require(maxBytes > 0, "maxBytes");
        return new Retention(maxAgeMs, maxBytes, maxCycles);
    }

    /**
     * @return this, and also keep at most {@code maxCycles} roll-cycle files.
     */
    public Retention maxCycles(final int maxCycles)
    {
        require(maxCycles >= 1, "maxCycles");
        return new Retention(maxAgeMs, maxBytes, maxCycles);
    }

    private static void require(final boolean condition, final String name)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    public long maxAgeMs()
    {
        return maxAgeMs;
    }

    public long maxBytes()
    {
        return maxBytes;
    }

    public int maxCycles()
    {
        return maxCycles;
    }

    boolean keepsAll()
    {
        return maxAgeMs == Long.MAX_VALUE && maxBytes == Long.MAX_VALUE && maxCycles == Integer.MAX_VALUE;
    }

    @Override
    public String toString()
    {
        return "Retention{maxAgeMs=" + maxAgeMs + ", maxBytes=" + maxBytes + ", maxCycles=" + maxCycles + '}';
    }
}
