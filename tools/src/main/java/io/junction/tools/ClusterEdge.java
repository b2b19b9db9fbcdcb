package io.junction.tools;

import org.agrona.DirectBuffer;

import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.ShedReason;
import io.junction.regulate.Admission;
import io.junction.regulate.RegulationCache;
import io.junction.regulate.Regulator;

/**
 * Where a clustered daemon's publish enters the cluster: the daemon's regulation (rates, in-flight, classes, the
 * rules of {@code regulation}) is applied here, as the connection's publisher, before the publish is handed to the
 * {@link ClusterGateway} and replicated, so the cluster only sees what the edge admitted. One per connection (its
 * regulation cache), on the connection's thread.
 */
final class ClusterEdge
{
    private static final Priority[] PRIORITIES = Priority.values();

    private final Regulator regulator;
    private final RegulationCache cache;
    private final ClusterGateway gateway;

    ClusterEdge(final Regulator regulator, final String publisherName, final ClusterGateway gateway)
    {
        this.regulator = regulator;
        this.cache = regulator.newCache(publisherName);
        this.gateway = gateway;
    }

    /**
     * @param ttlNs the PUBLISH's time to live: 0 none; one already run out ({@code < 0}) is shed EXPIRED here, as
     *              the daemon's own switch sheds it; a positive one is carried to the cluster, which expires the
     *              message on the log's clock.
     * @return for a guaranteed publish its gateway ticket ({@code > 0}), for a best-effort one 0; else a negative
     * {@link OfferResult} code: shed by regulation, or back pressured / closed by the gateway.
     */
    long publish(
        final String topic, final int priority, final boolean guaranteed, final long ttlNs, final DirectBuffer frame,
        final int topicOffset, final int topicLength, final int payloadOffset, final int payloadLength)
    {
        final Priority level = PRIORITIES[priority];
        final Admission admission = regulator.resolve(cache, topic, level);
        final long nowNs = System.nanoTime();
        // Only a time to live already run out is the edge's to judge: the local switch's queue delay is not the
        // cluster's, so a positive one is not weighed against it.
        final ShedReason shed = regulator.admit(admission, 0, level, ttlNs < 0 ? ttlNs : Regulator.NO_TTL, nowNs);
        if (null != shed)
        {
            gateway.onShed();
            return OfferResult.shed(shed);
        }
        final long result = gateway.offer(frame, topicOffset, topicLength, priority, guaranteed, ttlNs, nowNs,
            payloadOffset, payloadLength);
        if (result < 0)
        {
            admission.onNotQueued();
        }
        else
        {
            admission.onDequeued(); // Handed on: the in-flight limit counts what waits at this edge.
        }
        return result;
    }
}
