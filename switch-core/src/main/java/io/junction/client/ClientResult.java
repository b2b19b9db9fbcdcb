package io.junction.client;

import io.junction.OfferResult;

/**
 * The negative results of {@link JunctionClient#offer}: a {@code long}, so an offer allocates nothing. A value
 * {@code > 0} is the publish's publisher sequence. The codes that mean what they mean in the embedded switch are its
 * {@link OfferResult} codes ({@link #BACK_PRESSURED}, {@link #CLOSED}, rejections such as
 * {@code OfferResult.rejected(RejectReason.PAYLOAD_TOO_LARGE)}); the others are the client's own, below -10 and
 * above the rejection codes.
 */
public final class ClientResult
{
    /** The send buffer is full (the daemon reads slower than the application offers): poll, then try again. */
    public static final long BACK_PRESSURED = OfferResult.BACK_PRESSURED;

    /** The client was closed. */
    public static final long CLOSED = OfferResult.CLOSED;

    /** No connection to a daemon now (connecting, or waiting to reconnect): nothing was sent. */
    public static final long NOT_CONNECTED = -10;

    /**
     * A guaranteed publish beyond the in-flight window ({@link ClientContext#maxInFlight}): that many publisher
     * sequences since the oldest guaranteed publish still awaiting its outcome. Poll until outcomes arrive.
     */
    public static final long IN_FLIGHT_FULL = -11;

    /** The message does not fit the in-flight store kept for resending ({@link ClientContext#inFlightBufferBytes}). */
    public static final long IN_FLIGHT_BUFFER_FULL = -12;

    /** A request beyond {@link ClientContext#maxOutstandingRequests} awaiting their reply: poll, then try again. */
    public static final long TOO_MANY_REQUESTS = -13;

    private ClientResult()
    {
    }

    /**
     * For logs and error messages (allocates; not for the hot path).
     */
    public static String describe(final long result)
    {
        if (result > 0)
        {
            return "SENT(publisherSequence=" + result + ")";
        }
        if (result == NOT_CONNECTED)
        {
            return "NOT_CONNECTED";
        }
        if (result == IN_FLIGHT_FULL)
        {
            return "IN_FLIGHT_FULL";
        }
        if (result == TOO_MANY_REQUESTS)
        {
            return "TOO_MANY_REQUESTS";
        }
        if (result == IN_FLIGHT_BUFFER_FULL)
        {
            return "IN_FLIGHT_BUFFER_FULL";
        }
        return OfferResult.describe(result);
    }
}
