package io.junction.client;

import java.time.Instant;

import io.junction.protocol.codecs.StartPositionKind;

/**
 * Where a subscription served from the daemon's journal starts: only guaranteed (journaled) messages are there.
 * A durable subscription that has acknowledged before always resumes after its last acknowledged message, in the
 * daemon, whatever it asks; this applies the first time only.
 */
public final class StartAt
{
    private static final StartAt EARLIEST = new StartAt(StartPositionKind.EARLIEST, 0);
    private static final StartAt LATEST = new StartAt(StartPositionKind.NEW, 0);

    private final StartPositionKind kind;
    private final long value;

    private StartAt(final StartPositionKind kind, final long value)
    {
        this.kind = kind;
        this.value = value;
    }

    /**
     * @return from the oldest message the journal still holds (after its retention).
     */
    public static StartAt earliest()
    {
        return EARLIEST;
    }

    /**
     * @return messages journaled from now on.
     */
    public static StartAt latest()
    {
        return LATEST;
    }

    /**
     * @return from the first message whose sequence is {@code >= sequence}.
     */
    public static StartAt sequence(final long sequence)
    {
        return afterSequence(sequence - 1);
    }

    /**
     * @return from the first message whose sequence is {@code > sequence}.
     */
    public static StartAt afterSequence(final long sequence)
    {
        return new StartAt(StartPositionKind.AFTER_SEQUENCE, sequence);
    }

    /**
     * @return from the first message journaled at or after {@code time} (millisecond precision).
     */
    public static StartAt time(final Instant time)
    {
        return new StartAt(StartPositionKind.FROM_TIME, time.toEpochMilli());
    }

    StartPositionKind kind()
    {
        return kind;
    }

    long value()
    {
        return value;
    }

    /**
     * @return true when the daemon reads it from its journal (not only messages offered from now on).
     */
    boolean isReplay()
    {
        return StartPositionKind.NEW != kind;
    }

    @Override
    public String toString()
    {
        return kind == StartPositionKind.NEW ? "latest" : kind == StartPositionKind.EARLIEST ? "earliest" :
            kind + "(" + value + ")";
    }
}
