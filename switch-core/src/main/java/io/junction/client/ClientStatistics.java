package io.junction.client;

/**
 * What a {@link JunctionClient} did and refused, as plain counts (read them on the polling thread, or as a
 * snapshot that may be a little stale from another). Each bound the client enforces has the count of what it
 * refused here.
 */
public final class ClientStatistics
{
    long published;
    long guaranteedPublished;
    long durable;
    long duplicatesAcknowledged;
    long guaranteedRefused;
    long bestEffortRefused;
    long timedOut;
    long inFlightFull;
    long inFlightBufferFull;
    long backPressured;
    long notConnected;
    long resent;
    long connects;
    long disconnects;
    long received;
    long discarded;
    long leavesTimedOut;
    long leavesCut;
    long closesTimedOut;
    long creditsGranted;
    long errors;
    long handlerFaults;
    long requests;
    long replies;
    long requestsTimedOut;
    long requestsRefused;
    long lateReplies;
    long expressBacklogFull;

    /** @return publishes sent (both qualities of service, resends not counted again). */
    public long published()
    {
        return published;
    }

    public long guaranteedPublished()
    {
        return guaranteedPublished;
    }

    /** @return guaranteed publishes answered DURABLE. */
    public long durable()
    {
        return durable;
    }

    /** @return DURABLE answers for a resend the journal already had (the daemon's deduplication). */
    public long duplicatesAcknowledged()
    {
        return duplicatesAcknowledged;
    }

    /** @return guaranteed publishes answered otherwise than DURABLE (refused, failed, timed out in the daemon). */
    public long guaranteedRefused()
    {
        return guaranteedRefused;
    }

    /** @return best-effort publishes the daemon refused (a best-effort publish is answered only then). */
    public long bestEffortRefused()
    {
        return bestEffortRefused;
    }

    /** @return guaranteed publishes given up after {@link ClientContext#outcomeTimeoutNs}. */
    public long timedOut()
    {
        return timedOut;
    }

    /** @return guaranteed offers refused {@link ClientResult#IN_FLIGHT_FULL}. */
    public long inFlightFull()
    {
        return inFlightFull;
    }

    /** @return guaranteed offers refused {@link ClientResult#IN_FLIGHT_BUFFER_FULL}. */
    public long inFlightBufferFull()
    {
        return inFlightBufferFull;
    }

    /** @return offers refused {@link ClientResult#BACK_PRESSURED}. */
    public long backPressured()
    {
        return backPressured;
    }

    /** @return offers refused {@link ClientResult#NOT_CONNECTED}. */
    public long notConnected()
    {
        return notConnected;
    }

    /** @return guaranteed publishes sent again after a reconnect. */
    public long resent()
    {
        return resent;
    }

    /** @return WELCOMEs received. */
    public long connects()
    {
        return connects;
    }

    public long disconnects()
    {
        return disconnects;
    }

    /** @return messages handed to subscription handlers. */
    public long received()
    {
        return received;
    }

    /**
     * @return messages for a subscription already closed, discarded: a best-effort one's after its close, a
     * queue-group member's after its UNSUBSCRIBED, or after {@link ClientContext#leaveDrainTimeoutNs}.
     */
    public long discarded()
    {
        return discarded;
    }

    /** @return closed queue-group members that gave up waiting for UNSUBSCRIBED (leave-drain timeout). */
    public long leavesTimedOut()
    {
        return leavesTimedOut;
    }

    /**
     * @return closed queue-group members whose connection was lost before UNSUBSCRIBED came (what the daemon had
     * sent them on it is lost with it; what it still held for them moved to the other members).
     */
    public long leavesCut()
    {
        return leavesCut;
    }

    /**
     * @return closes that gave up waiting for the daemon's answers at {@link ClientContext#closeTimeoutNs}.
     */
    public long closesTimedOut()
    {
        return closesTimedOut;
    }

    /** @return CREDIT frames sent. */
    public long creditsGranted()
    {
        return creditsGranted;
    }

    /** @return ERROR frames received. */
    public long errors()
    {
        return errors;
    }

    /** @return times a subscription's handler threw. */
    public long handlerFaults()
    {
        return handlerFaults;
    }

    /** @return requests sent ({@link JunctionClient#request}). */
    public long requests()
    {
        return requests;
    }

    /** @return replies matched to a request awaiting it. */
    public long replies()
    {
        return replies;
    }

    /** @return requests that had no reply within their timeout, or whose connection was lost first. */
    public long requestsTimedOut()
    {
        return requestsTimedOut;
    }

    /** @return requests refused because {@link ClientContext#maxOutstandingRequests} were awaiting a reply. */
    public long requestsRefused()
    {
        return requestsRefused;
    }

    /**
     * @return messages below CRITICAL of an {@link ClientSubscriptionOptions#expressCritical} subscription that found
     * its store full (more credit granted than its {@link ClientSubscriptionOptions#initialCredit}, or longer frames
     * than its {@link ClientSubscriptionOptions#expressBacklogBytes} hold): the oldest kept ones were handed over at
     * once to make room, so a CRITICAL message read after them waited for their handling.
     */
    public long expressBacklogFull()
    {
        return expressBacklogFull;
    }

    /** @return replies that matched no request awaiting one (it timed out first): discarded. */
    public long lateReplies()
    {
        return lateReplies;
    }

    @Override
    public String toString()
    {
        return "ClientStatistics{published=" + published + ", guaranteedPublished=" + guaranteedPublished +
            ", durable=" + durable + ", duplicatesAcknowledged=" + duplicatesAcknowledged + ", guaranteedRefused=" +
            guaranteedRefused + ", bestEffortRefused=" + bestEffortRefused + ", timedOut=" + timedOut +
            ", inFlightFull=" + inFlightFull + ", inFlightBufferFull=" + inFlightBufferFull + ", backPressured=" +
            backPressured + ", notConnected=" + notConnected + ", resent=" + resent + ", connects=" + connects +
            ", disconnects=" + disconnects + ", received=" + received + ", discarded=" + discarded +
            ", leavesTimedOut=" + leavesTimedOut + ", leavesCut=" + leavesCut + ", closesTimedOut=" + closesTimedOut +
            ", creditsGranted=" + creditsGranted + ", errors=" + errors + ", handlerFaults=" + handlerFaults + ", requests=" + requests + ", replies=" + replies +
            ", requestsTimedOut=" + requestsTimedOut + ", requestsRefused=" + requestsRefused + ", lateReplies=" +
            lateReplies + ", expressBacklogFull=" + expressBacklogFull + '}';
    }
}
