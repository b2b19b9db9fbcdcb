package io.junction.client;

/**
 * Told, on the polling thread, of best-effort publishes the daemon refused (a best-effort publish is answered only
 * then): one call per run of publishes refused alike, as the daemon coalesces them, never one per publish.
 * Guaranteed publishes are told through their {@link PublishOutcomeListener} instead, one by one.
 */
@FunctionalInterface
public interface RefusalListener
{
    RefusalListener NO_OP = (count, outcome, reasonCode) -> {};

    /**
     * @param count      best-effort publishes in the run.
     * @param outcome    why ({@link PublishOutcome#SHED}, {@link PublishOutcome#REJECTED}, {@link PublishOutcome#BACK_PRESSURED}...).
     * @param reasonCode the daemon's {@link io.junction.OfferResult} code.
     */
    void onRefused(long count, PublishOutcome outcome, int reasonCode);
}
