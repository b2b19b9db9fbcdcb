package io.junction.journal;

/**
 * Where a subscription to the journal starts reading the first time. A durable subscription that has
 * acknowledged before always resumes after its last acknowledged message instead.
 */
public final class StartPosition
{
    enum Kind
    {
        EARLIEST, LATEST, SEQUENCE, TIME
    }

    private static final StartPosition EARLIEST = new StartPosition(Kind.EARLIEST, 0);
    private static final StartPosition LATEST = new StartPosition(Kind.LATEST, 0);

    private final Kind kind;
    private final long value;

    private StartPosition(final Kind kind, final long value)
    {
        this.kind = kind;
        this.value = value;
    }

    /**
     * @return from the oldest message the journal still holds (after retention).
     */
    public static StartPosition earliest()
    {
        return EARLIEST;
    }

    /**
     * @return only messages journaled after the subscription starts.
     */
    public static StartPosition latest()
    {
        return LATEST;
    }

    /**
     * @return from the first message whose switch sequence is {@code >= sequence}.
     */
    public static StartPosition sequence(final long sequence)
    {
        return new StartPosition(Kind.SEQUENCE, sequence);
    }

    /**
     * @return from the first message journaled at or after {@code epochNs} (nanoseconds since the epoch).
     */
    public static StartPosition time(final long epochNs)
    {
        return new StartPosition(Kind.TIME, epochNs);
    }

    Kind kind()
    {
        return kind;
    }

    long value()
    {
        return value;
    }

    @Override
    public String toString()
    {
        return kind == Kind.EARLIEST || kind == Kind.LATEST ? kind.name() : kind.name() + "(" + value + ")";
    }
}
