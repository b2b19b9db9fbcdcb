package io.junction;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;

import io.junction.regulate.Admission;
import io.junction.regulate.RegulationCache;
import io.junction.regulate.Regulator;
import io.junction.topic.Topics;

/**
 * The path of every offer, with or without a {@link Publisher}: validate, let load regulation admit it,
 * copy it into its topic's {@link Shard} ring, and wake that shard. Any thread; never blocks, never
 * allocates.
 */
final class Ingress
{
    private final Shard[] shards;
    private final Regulator regulator;
    private final SwitchCounters counters;
    private final NanoClock nanoClock;
    private final JournalSink journalSink;
    private final int maxTopicLength;
    private final int maxTopicTokens;
    private final int maxMessageLength;
    private final ValidTopicCache validTopics = new ValidTopicCache();
    private final ValidTopicCache validReplyTopics = new ValidTopicCache(); // apart: inboxes would evict topics
    private volatile boolean isClosed;

    Ingress(final Junction.Context ctx, final Shard[] shards, final Regulator regulator, final SwitchCounters counters)
    {
        this.shards = shards;
        this.regulator = regulator;
        this.counters = counters;
        this.nanoClock = ctx.nanoClock();
        this.journalSink = ctx.journalSink();
        this.maxTopicLength = ctx.maxTopicLength();
        this.maxTopicTokens = ctx.maxTopicTokens();
        this.maxMessageLength = ctx.maxMessageLength();
    }

    /**
     * Refuse every offer from now on, with {@link OfferResult#CLOSED}.
     */
    void close()
    {
        isClosed = true;
    }

    /**
     * An idempotent guaranteed offer: reserve the publisher's sequence in the journal's deduplication, then
     * offer; a refused offer gives the reservation back.
     */
    long offerIdempotent(
        final String topic,
        final Priority priority,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence)
    {
        return offerIdempotent(regulator.anonymousCache(), topic, priority, buffer, offset, length, publisherId,
            publisherSequence);
    }

    /**
     * The idempotent guaranteed offer, regulated as the given publisher.
     */
    long offerIdempotent(
        final RegulationCache publisher,
        final String topic,
        final Priority priority,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence)
    {
        return offerIdempotent(publisher, topic, QueueGroup.NO_KEY, priority, buffer, offset, length, publisherId,
            publisherSequence, null, 0);
    }

    /**
     * As above, with a key for KEYED queue groups ({@link QueueGroup#NO_KEY} for none) and, for a request, its
     * reply topic and correlation id (null and 0 for none), journaled with it.
     */
    long offerIdempotent(
        final RegulationCache publisher,
        final String topic,
        final long key,
        final Priority priority,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence,
        final String replyTo,
        final long correlationId)
    {
        return offerIdempotent(publisher, topic, key, priority, Regulator.NO_TTL, buffer, offset, length, publisherId,
            publisherSequence, replyTo, correlationId);
    }

    /**
     * As above, with a time-to-live ({@link Regulator#NO_TTL} for none), which the journal keeps as an expiry.
     */
    long offerIdempotent(
        final RegulationCache publisher,
        final String topic,
        final long key,
        final Priority priority,
        final long ttlNs,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence,
        final String replyTo,
        final long correlationId)
    {
        final JournalSink sink = journalSink;
        if (0 == publisherId || publisherSequence < 1)
        {
            counters.onOfferRejected(RejectReason.INVALID_PUBLISHER);
            return OfferResult.rejected(RejectReason.INVALID_PUBLISHER);
        }
        if (null == sink || !sink.isAvailable())
        {
            return OfferResult.JOURNAL_UNAVAILABLE;
        }
        final long reserved = sink.reservePublisherSequence(publisherId, publisherSequence);
        if (reserved < 0)
        {
            final RejectReason reason = OfferResult.rejectReason(reserved);
            if (null != reason)
            {
                counters.onOfferRejected(reason);
            }
            return reserved;
        }
        final long result = offer(publisher, topic, key, priority, QualityOfService.GUARANTEED, ttlNs,
            buffer, offset, length, publisherId, publisherSequence, replyTo, correlationId);
        if (result < 0)
        {
            sink.releasePublisherSequence(publisherId, publisherSequence);
        }
        return result;
    }

    /**
     * Validate, regulate, then queue.
     *
     * @return the sequence ({@code >= 0}) when accepted, else a negative {@link OfferResult} code.
     */
    long offer(
        final RegulationCache publisher,
        final String topic,
        final long key,
        final Priority priority,
        final QualityOfService qos,
        final long ttlNs,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence)
    {
        return offer(publisher, topic, key, priority, qos, ttlNs, buffer, offset, length, publisherId,
            publisherSequence, null, 0);
    }

    /**
     * As above, for a request when {@code replyTo} is not null: a subscriber sees the reply topic and the
     * correlation id in {@link Message#replyTo()} and {@link Message#correlationId()}.
     */
    long offer(
        final RegulationCache publisher,
        final String topic,
        final long key,
        final Priority priority,
        final QualityOfService qos,
        final long ttlNs,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence,
        final String replyTo,
        final long correlationId)
    {
        if (isClosed)
        {
            return OfferResult.CLOSED;
        }

        RejectReason reason = validate(topic, priority, buffer, offset, length);
        if (null == reason && null != replyTo)
        {
            reason = validateReplyTo(replyTo, qos);
        }
        if (null != reason)
        {
            counters.onOfferRejected(reason);
            return OfferResult.rejected(reason);
        }

        final long batchNowNs = publisher.batchNowNs(); // the caller's, read once for a batch of offers
        final long nowNs = 0 != batchNowNs ? batchNowNs : nanoClock.nanoTime();
        final Shard shard = shardFor(topic);
        final Admission admission = regulator.resolve(publisher, topic, priority);
        final ShedReason shed = regulator.admit(admission, shard.index(), priority, ttlNs, nowNs);
        if (null != shed)
        {
            return OfferResult.shed(shed);
        }

        final long result = shard.offer(
            topic, key, priority, qos, nowNs, Regulator.deadlineNs(nowNs, ttlNs), admission, buffer, offset, length,
            publisherId, publisherSequence, replyTo, correlationId);
        if (result >= 0)
        {
            shard.wake();
        }
        else
        {
            admission.onNotQueued();
            if (OfferResult.BACK_PRESSURED == result)
            {
                regulator.onBackPressured(priority);
            }
        }
        return result;
    }

    private RejectReason validate(
        final String topic, final Priority priority, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!validTopics.contains(topic))
        {
            final RejectReason topicReason = Topics.validateTopic(topic, maxTopicLength, maxTopicTokens);
            if (null != topicReason)
            {
                return topicReason;
            }
            validTopics.add(topic);
        }
        if (null == priority)
        {
            return RejectReason.MISSING_PRIORITY;
        }
        if (length > maxMessageLength)
        {
            return RejectReason.PAYLOAD_TOO_LARGE;
        }
        if (null == buffer || offset < 0 || length < 0 || offset > buffer.capacity() - length)
        {
            return RejectReason.INVALID_BUFFER_RANGE;
        }
        return null;
    }

    /**
     * Answer a request on its reply topic, carrying its correlation id.
     */
    long reply(
        final RegulationCache publisher,
        final Message request,
        final Priority priority,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final String replyTo = request.replyTo();
        if (null == replyTo)
        {
            counters.onOfferRejected(RejectReason.INVALID_REPLY_TO);
            return OfferResult.rejected(RejectReason.INVALID_REPLY_TO);
        }
        return offer(publisher, replyTo, QueueGroup.NO_KEY, priority, QualityOfService.BEST_EFFORT, Regulator.NO_TTL,
            buffer, offset, length, 0, 0, null, request.correlationId());
    }

    private RejectReason validateReplyTo(final String replyTo, final QualityOfService qos)
    {
        // A guaranteed request is journaled with its reply topic (record format 5), so a replay can be answered.
        if (!validReplyTopics.contains(replyTo))
        {
            if (null != Topics.validateTopic(replyTo, maxTopicLength, maxTopicTokens))
            {
                return RejectReason.INVALID_REPLY_TO;
            }
            validReplyTopics.add(replyTo);
        }
        return null;
    }

    private Shard shardFor(final String topic)
    {
        return shards.length == 1 ? shards[0] : shards[(topic.hashCode() & Integer.MAX_VALUE) % shards.length];
    }
}
