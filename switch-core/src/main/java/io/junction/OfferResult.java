package io.junction;

/**
 * The result of {@link Junction#offer}: a {@code long}, so that an offer allocates nothing.
 * <p>
 * A value {@code >= 0} means accepted, and is the message's sequence. A negative value is one of the
 * constants below, for a rejection {@link #rejected(RejectReason)}, or for a message load regulation
 * refused {@link #shed(ShedReason)}; decode it with the static methods.
 */
public final class OfferResult
{
    /** The ring is full: transient, try again. */
    public static final long BACK_PRESSURED = -1;

    /** The switch is closed or closing. */
    public static final long CLOSED = -2;

    /**
     * A guaranteed offer was refused because the journal cannot take it (none configured, not
     * writable, disk full, failed): the error handler and the journal's counters say why.
     * Best-effort offers are still accepted.
     */
    public static final long JOURNAL_UNAVAILABLE = -3;

    private static final long REJECTED_BASE = -100;

    private static final long SHED_BASE = -200;

    private static final int SHED_REASONS = ShedReason.values().length;
    private static final int REJECT_REASONS = RejectReason.values().length;

    private OfferResult()
    {
    }

    public static long rejected(final RejectReason reason)
    {
        return REJECTED_BASE - reason.ordinal();
    }

    /**
     * @return the code of an offer that load regulation refused: {@code -200 - reason.ordinal()}.
     */
    public static long shed(final ShedReason reason)
    {
        return SHED_BASE - reason.ordinal();
    }

    public static boolean isShed(final long result)
    {
        return result <= SHED_BASE && result > SHED_BASE - SHED_REASONS;
    }

    /**
     * @return the reason an offer was shed, or null if the result is not a shed.
     */
    public static ShedReason shedReason(final long result)
    {
        return isShed(result) ? ShedReason.get((int)(SHED_BASE - result)) : null;
    }

    public static boolean isAccepted(final long result)
    {
        return result >= 0;
    }

    public static boolean isBackPressured(final long result)
    {
        return result == BACK_PRESSURED;
    }

    public static boolean isRejected(final long result)
    {
        return result <= REJECTED_BASE && result > REJECTED_BASE - REJECT_REASONS;
    }

    /**
     * @return the reason of a rejection, or null if the result is not a rejection.
     */
    public static RejectReason rejectReason(final long result)
    {
        return isRejected(result) ? RejectReason.get((int)(REJECTED_BASE - result)) : null;
    }

    /**
     * A human-readable form, for logs and error messages (allocates; not for the hot path).
     */
    public static String describe(final long result)
    {
        if (isAccepted(result))
        {
            return "ACCEPTED(sequence=" + result + ")";
        }
        if (result == BACK_PRESSURED)
        {
            return "BACK_PRESSURED";
        }
        if (result == CLOSED)
        {
            return "CLOSED";
        }
        if (result == JOURNAL_UNAVAILABLE)
        {
            return "JOURNAL_UNAVAILABLE";
        }
        final RejectReason reason = rejectReason(result);
        if (null != reason)
        {
            return "REJECTED(" + reason + ": " + reason.description() + ")";
        }
        final ShedReason shedReason = shedReason(result);
        if (null != shedReason)
        {
            return "SHED(" + shedReason + ": " + shedReason.description() + ")";
        }
        return "UNKNOWN(" + result + ")";
    }
}
