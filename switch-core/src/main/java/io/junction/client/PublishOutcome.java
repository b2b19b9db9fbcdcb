package io.junction.client;

import io.junction.protocol.codecs.OutcomeCode;

/**
 * What became of one guaranteed publish, reported once per publish to the {@link PublishOutcomeListener}.
 */
public enum PublishOutcome
{
    /** In the daemon's journal under its flush policy: the sequence is the journal's (-1 when a resend was known). */
    DURABLE,
    /** The journal failed before it was durable: not accepted. */
    FAILED,
    /** Load regulation refused it: the reason code is the {@link io.junction.OfferResult} shed code. */
    SHED,
    /** Bad input, or a resend older than the deduplication window: the reason code says which. */
    REJECTED,
    /** Not journaled within the daemon's durable timeout, or no outcome within {@link ClientContext#outcomeTimeoutNs}. */
    TIMED_OUT,
    /** The daemon stayed full for its publish timeout. */
    BACK_PRESSURED,
    /** The daemon has no usable journal. */
    UNAVAILABLE,
    /** The daemon is stopping and admits nothing more. */
    CLOSED,
    /** The principal may not publish to that topic. */
    NOT_AUTHORISED,
    /** A combination the daemon does not take. */
    UNSUPPORTED;

    private static final PublishOutcome[] BY_CODE = new PublishOutcome[OutcomeCode.values().length];

    static
    {
        BY_CODE[OutcomeCode.DURABLE.ordinal()] = DURABLE;
        BY_CODE[OutcomeCode.FAILED.ordinal()] = FAILED;
        BY_CODE[OutcomeCode.SHED.ordinal()] = SHED;
        BY_CODE[OutcomeCode.REJECTED.ordinal()] = REJECTED;
        BY_CODE[OutcomeCode.TIMED_OUT.ordinal()] = TIMED_OUT;
        BY_CODE[OutcomeCode.BACK_PRESSURED.ordinal()] = BACK_PRESSURED;
        BY_CODE[OutcomeCode.UNAVAILABLE.ordinal()] = UNAVAILABLE;
        BY_CODE[OutcomeCode.CLOSED.ordinal()] = CLOSED;
        BY_CODE[OutcomeCode.NOT_AUTHORISED.ordinal()] = NOT_AUTHORISED;
        BY_CODE[OutcomeCode.UNSUPPORTED.ordinal()] = UNSUPPORTED;
    }

    static PublishOutcome of(final OutcomeCode code)
    {
        return null == code || code == OutcomeCode.NULL_VAL ? UNSUPPORTED : BY_CODE[code.ordinal()];
    }
}
