package io.junction.perf.suite;

/**
 * The shared workload every target runs: one publisher to {@code subscribers} subscribers, each message
 * {@code payloadBytes} long (the first {@link Stamp#HEADER_LENGTH} bytes carry the intended send time).
 */
public record Workload(int subscribers, int payloadBytes)
{
    public Workload
    {
        if (subscribers < 1)
        {
            throw new IllegalArgumentException("subscribers must be >= 1: " + subscribers);
        }
        if (payloadBytes < Stamp.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("payloadBytes must be >= " + Stamp.HEADER_LENGTH + ": " + payloadBytes);
        }
    }

    public String label()
    {
        return "1→" + subscribers + " " + (payloadBytes >= 1024 && payloadBytes % 1024 == 0 ?
            (payloadBytes / 1024) + " KiB" : payloadBytes + " B");
    }

    /** A label without spaces or arrows, for file names and CSV keys. */
    public String key()
    {
        return "1to" + subscribers + "-" + payloadBytes + "B";
    }
}
