package io.junction.tools;

/**
 * Why a remote subscriber's slow-subscriber policy dropped a CRITICAL message: the counter
 * {@code junction_protocol_critical_drops_total{reason}} says which of the daemon's limits ran out.
 */
enum CriticalDrop
{
    /** The subscription's credit (its CRITICAL credit, when the client grants one) was spent. */
    NO_CREDIT,
    /** Its connection's send buffer (and express lane) had no room and nothing below CRITICAL to drop for it. */
    SEND_BUFFER_FULL,
    /** An unsent CRITICAL message dropped from the send buffer to make room for a newer CRITICAL one. */
    EVICTED
}
