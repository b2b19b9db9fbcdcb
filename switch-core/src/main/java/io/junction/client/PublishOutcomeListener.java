package io.junction.client;

/**
 * Told, on the thread that calls {@link JunctionClient#poll()}, what became of each guaranteed publish: exactly once
 * per publisher sequence that {@link JunctionClient#offer} returned, never cumulatively.
 */
@FunctionalInterface
public interface PublishOutcomeListener
{
    PublishOutcomeListener NO_OP = (publisherSequence, outcome, sequence, reasonCode) -> {};

    /**
     * @param publisherSequence what the offer returned.
     * @param sequence          the journal's (switch's) sequence when durable; -1 if none or unknown.
     * @param reasonCode        the daemon's {@link io.junction.OfferResult} code for a refusal (0 when durable,
     *                          or the DUPLICATE rejection code for a resend the journal already had).
     */
    void onOutcome(long publisherSequence, PublishOutcome outcome, long sequence, int reasonCode);
}
