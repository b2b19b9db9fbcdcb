package io.junction;

/**
 * Why a subscription ended.
 */
public enum TerminationReason
{
    /** The application closed it. */
    CLOSED,

    /** Its outbox overflowed under {@link SlowSubscriberPolicy#DISCONNECT}. */
    SLOW_CONSUMER,

    /** Its handler failed more often than its restart intensity allows. */
    RESTART_INTENSITY_EXCEEDED,

    /** The switch was closed. */
    SWITCH_CLOSED
}
