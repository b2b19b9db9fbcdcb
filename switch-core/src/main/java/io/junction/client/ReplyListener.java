package io.junction.client;

import io.junction.Message;

/**
 * Told what became of one request of {@link JunctionClient#request(String, io.junction.Priority,
 * org.agrona.DirectBuffer, int, int, long, ReplyListener)}: exactly one of the two, on the polling thread.
 */
public interface ReplyListener
{
    /**
     * The reply arrived. The message is a reused flyweight, valid only during this call.
     *
     * @param requestId what {@code request} returned.
     */
    void onReply(long requestId, Message reply);

    /**
     * No reply within the request's timeout (or the connection was lost first): a reply that comes later is
     * discarded and counted ({@link ClientStatistics#lateReplies()}).
     */
    void onTimedOut(long requestId);
}
