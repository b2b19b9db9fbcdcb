package io.junction.cluster;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.junction.cluster.codecs.ErrorCode;
import org.agrona.CloseHelper;

/**
 * Counters of the clustered service, one per outcome, in the node's media driver counters file (so
 * {@code AeronStat} shows them). Type ids are stable: {@value #TYPE_ID_BASE} + the ordinal below.
 */
public final class ServiceCounters implements AutoCloseable
{
    public static final int TYPE_ID_BASE = 1500;
    /** The log position up to which the service has applied messages (lag = commit position - this). */
    public static final int APPLIED_POSITION_TYPE_ID = 1620;
    /** 1 once the member stopped because its journal could not be written (disk below its minimum free bytes). */
    public static final int HALTED_TYPE_ID = 1640;

    private final Counter published;
    private final Counter delivered;
    private final Counter duplicatePublishes;
    private final Counter egressDropped;
    private final Counter replayed;
    private final Counter appliedPosition;
    private final Counter halted;
    private final Counter[] errorsByCode = new Counter[ErrorCode.INVALID_FIELD.value() + 1];

    ServiceCounters(final Aeron aeron, final int memberId)
    {
        final String suffix = " member=" + memberId;
        published = aeron.addCounter(TYPE_ID_BASE, "junction-cluster published" + suffix);
        delivered = aeron.addCounter(TYPE_ID_BASE + 1, "junction-cluster delivered" + suffix);
        duplicatePublishes = aeron.addCounter(TYPE_ID_BASE + 2, "junction-cluster duplicate publishes" + suffix);
        egressDropped = aeron.addCounter(TYPE_ID_BASE + 3, "junction-cluster egress dropped" + suffix);
        replayed = aeron.addCounter(TYPE_ID_BASE + 4, "junction-cluster replayed deliveries" + suffix);
        appliedPosition = aeron.addCounter(APPLIED_POSITION_TYPE_ID, "junction-cluster applied log position" + suffix);
        halted = aeron.addCounter(HALTED_TYPE_ID, "junction-cluster halted: journal unwritable" + suffix);
        for (final ErrorCode code : ErrorCode.values())
        {
            if (code != ErrorCode.NULL_VAL)
            {
                errorsByCode[code.value()] = aeron.addCounter(
                    TYPE_ID_BASE + 10 + code.value(), "junction-cluster error " + code.name() + suffix);
            }
        }
    }

    public long published()
    {
        return published.get();
    }

    public long delivered()
    {
        return delivered.get();
    }

    public long duplicatePublishes()
    {
        return duplicatePublishes.get();
    }

    public long egressDropped()
    {
        return egressDropped.get();
    }

    public long replayed()
    {
        return replayed.get();
    }

    public long appliedPosition()
    {
        return appliedPosition.get();
    }

    public long halted()
    {
        return halted.get();
    }

    public long errors(final ErrorCode code)
    {
        return errorsByCode[code.value()].get();
    }

    void onPublished()
    {
        published.incrementRelease();
    }

    void onDelivered()
    {
        delivered.incrementRelease();
    }

    void onDuplicate()
    {
        duplicatePublishes.incrementRelease();
    }

    void onEgressDropped()
    {
        egressDropped.incrementRelease();
    }

    void onReplayed()
    {
        replayed.incrementRelease();
    }

    void onApplied(final long logPosition)
    {
        appliedPosition.setRelease(logPosition);
    }

    void onHalted()
    {
        halted.setRelease(1);
    }

    void onError(final ErrorCode code)
    {
        errorsByCode[code.value()].incrementRelease();
    }

    public void close()
    {
        CloseHelper.closeAll(published, delivered, duplicatePublishes, egressDropped, replayed, appliedPosition, halted);
        CloseHelper.closeAll(errorsByCode);
    }
}
