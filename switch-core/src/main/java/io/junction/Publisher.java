package io.junction;

import org.agrona.DirectBuffer;

import io.junction.regulate.RegulationCache;
import io.junction.regulate.Regulator;

/**
 * A named source of messages, from {@link Junction#publisher(String)}. Rules can regulate it by name,
 * and its offers can carry a time-to-live. Thread-safe; cheaper when each publishing thread has its own.
 */
public final class Publisher
{
    /** A time-to-live meaning "none". */
    public static final long NO_TTL = Regulator.NO_TTL;

    /** A key meaning "none": a keyed queue group then hashes the topic. */
    public static final long NO_KEY = QueueGroup.NO_KEY;

    private final Ingress ingress;
    private final RegulationCache cache;

    Publisher(final Ingress ingress, final RegulationCache cache)
    {
        this.ingress = ingress;
        this.cache = cache;
    }

    public String name()
    {
        return cache.publisherName();
    }

    /**
     * The time the offers that follow carry (their timestamp, the start of a time-to-live), on the switch's clock
     * ({@code Context.nanoClock}), until the next call: for a caller that read the clock once for a batch of
     * messages it received together (one socket read), so that each offer does not read it again. 0, the
     * default: each offer reads the clock. Only for a publisher that one thread uses.
     */
    public void batchTime(final long nowNs)
    {
        cache.batchNowNs(nowNs);
    }

    /**
     * As {@link Junction#offer}, regulated as this publisher.
     */
    public long offer(
        final String topic, final Priority priority, final DirectBuffer buffer, final int offset, final int length)
    {
        return ingress.offer(cache, topic, QueueGroup.NO_KEY, priority, QualityOfService.BEST_EFFORT, NO_TTL,
            buffer, offset, length, 0, 0);
    }

    /**
     * As {@link Junction#offer(String, Priority, QualityOfService, DirectBuffer, int, int)}, regulated as this
     * publisher.
     */
    public long offer(
        final String topic,
        final Priority priority,
        final QualityOfService qos,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return ingress.offer(cache, topic, QueueGroup.NO_KEY, priority, qos, NO_TTL, buffer, offset, length, 0, 0);
    }

    /**
     * As the idempotent {@link Junction#offer(String, Priority, DirectBuffer, int, int, long, long)}, regulated as
     * this publisher.
     */
    public long offer(
        final String topic,
        final Priority priority,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence)
    {
        return ingress.offerIdempotent(cache, topic, priority, buffer, offset, length, publisherId, publisherSequence);
    }

    /**
     * The idempotent guaranteed offer with a key for {@link QueueGroupDiscipline#KEYED} queue groups ({@link #NO_KEY}
     * for none) and, for a request, its reply topic and correlation id (null and 0 for none): journaled with it, so
     * that a responder reading it back from the journal can still answer.
     */
    public long offer(
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
        return ingress.offerIdempotent(cache, topic, key, priority, buffer, offset, length, publisherId,
            publisherSequence, replyTo, correlationId);
    }

    /**
     * As above, with a time-to-live ({@link #NO_TTL} for none): see
     * {@link #offer(String, Priority, QualityOfService, long, DirectBuffer, int, int)}.
     */
    public long offer(
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
        return ingress.offerIdempotent(cache, topic, key, priority, ttlNs, buffer, offset, length, publisherId,
            publisherSequence, replyTo, correlationId);
    }

    /**
     * Offer with a quality of service and a time-to-live ({@link #NO_TTL} for none). A message still queued at its
     * deadline is dropped and counted as {@link ShedReason#EXPIRED}, as with
     * {@link #offer(String, Priority, long, DirectBuffer, int, int)}. A {@link QualityOfService#GUARANTEED} one is
     * journaled with its expiry (on the journal's clock): live subscribers that have not had it by then never get
     * it, and durable subscriptions and replays that reach it later pass over it and count it
     * ({@code journal expired: durable} or {@code replay}).
     */
    public long offer(
        final String topic,
        final Priority priority,
        final QualityOfService qos,
        final long ttlNs,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return ingress.offer(cache, topic, QueueGroup.NO_KEY, priority, qos, ttlNs, buffer, offset, length, 0, 0);
    }

    /**
     * Offer a request: a subscriber sees {@code replyTo} in {@link Message#replyTo()} and {@code correlationId} in
     * {@link Message#correlationId()}, and answers by publishing on {@code replyTo} (see
     * {@link Junction#reply(Message, Priority, DirectBuffer, int, int)}). A guaranteed request (see below) is
     * journaled with its reply topic and correlation id; {@code replyTo} must be a valid topic
     * ({@link RejectReason#INVALID_REPLY_TO}).
     *
     * @param replyTo       the topic to answer on; null: an ordinary offer.
     * @param correlationId the requester's number for it, echoed in the reply (0: none).
     */
    public long offer(
        final String topic,
        final Priority priority,
        final String replyTo,
        final long correlationId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return offer(topic, priority, QualityOfService.BEST_EFFORT, NO_TTL, replyTo, correlationId, buffer, offset,
            length);
    }

    /**
     * As above, with a quality of service and a time-to-live ({@link #NO_TTL} for none; a guaranteed one is
     * journaled with its expiry): a {@link QualityOfService#GUARANTEED} request is journaled with its reply topic; with a null
     * {@code replyTo} it is an ordinary offer that carries {@code correlationId} (a reply from another process).
     */
    public long offer(
        final String topic,
        final Priority priority,
        final QualityOfService qos,
        final long ttlNs,
        final String replyTo,
        final long correlationId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return ingress.offer(cache, topic, QueueGroup.NO_KEY, priority, qos, ttlNs, buffer, offset, length, 0, 0,
            replyTo, correlationId);
    }

    /**
     * As above, with a key for {@link QueueGroupDiscipline#KEYED} queue groups (as
     * {@link Junction#offer(String, long, Priority, DirectBuffer, int, int)}; {@link #NO_KEY} for none).
     */
    public long offer(
        final String topic,
        final long key,
        final Priority priority,
        final QualityOfService qos,
        final long ttlNs,
        final String replyTo,
        final long correlationId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return ingress.offer(cache, topic, key, priority, qos, ttlNs, buffer, offset, length, 0, 0, replyTo,
            correlationId);
    }

    /**
     * Answer a request: publish on its {@link Message#replyTo()}, carrying its {@link Message#correlationId()}.
     *
     * @return as {@link #offer}; {@link OfferResult#rejected} {@link RejectReason#INVALID_REPLY_TO} if the message
     * is not a request.
     */
    public long reply(
        final Message request, final Priority priority, final DirectBuffer buffer, final int offset, final int length)
    {
        return ingress.reply(cache, request, priority, buffer, offset, length);
    }

    /**
     * Offer a message that must be delivered within {@code ttlNs} of now (by the switch's nanoClock) or
     * not at all: one still queued at its deadline is dropped and counted as {@link ShedReason#EXPIRED}.
     * A {@code ttlNs <= 0}, or one no longer than the current queueing delay, is shed at once as EXPIRED.
     */
    public long offer(
        final String topic,
        final Priority priority,
        final long ttlNs,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return ingress.offer(cache, topic, QueueGroup.NO_KEY, priority, QualityOfService.BEST_EFFORT, ttlNs,
            buffer, offset, length, 0, 0);
    }

    @Override
    public String toString()
    {
        return "Publisher{" + name() + '}';
    }
}
