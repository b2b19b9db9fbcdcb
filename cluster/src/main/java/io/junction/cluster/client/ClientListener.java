package io.junction.cluster.client;

import io.junction.cluster.codecs.ErrorCode;

/**
 * Outcomes of requests, called on the thread that calls {@link JunctionClient#poll()}.
 */
public interface ClientListener
{
    /**
     * A publish is in the replicated log.
     *
     * @param sequence  the switch sequence, or -1 when it was a resend of a publish already in the log.
     */
    default void onPublishAck(final long publisherSequence, final long sequence, final boolean duplicate)
    {
    }

    /**
     * A request was refused; for a publish the correlation id is its publisher sequence.
     */
    default void onError(final long correlationId, final int requestTemplateId, final ErrorCode code, final String reason)
    {
    }

    /**
     * The client is connected to a leader (again): after the first connect, a new leader or a reconnect.
     */
    default void onConnected(final long clusterSessionId, final int leaderMemberId)
    {
    }
}
