package io.junction;

/**
 * Why an offer or a subscription was refused as bad input. Each reason has its own counter.
 */
public enum RejectReason
{
    EMPTY_TOPIC("topic is null or empty"),
    EMPTY_TOKEN("topic or pattern has an empty token (leading, trailing or double '.')"),
    TOPIC_TOO_LONG("topic or pattern is longer than maxTopicLength"),
    TOO_MANY_TOKENS("topic or pattern has more than maxTopicTokens tokens"),
    ILLEGAL_CHARACTER("topic or pattern has a character outside printable ASCII, or a space"),
    WILDCARD_IN_TOPIC("a topic may not contain '*' or '>'; they are for patterns"),
    PARTIAL_WILDCARD("'*' and '>' must be whole tokens"),
    FULL_WILDCARD_NOT_LAST("'>' must be the last token of a pattern"),
    PAYLOAD_TOO_LARGE("payload is longer than maxMessageLength"),
    INVALID_BUFFER_RANGE("offset and length do not lie within the buffer"),
    MISSING_PRIORITY("priority is null"),
    /** Idempotent guaranteed publish: this publisher sequence of this publisher id was accepted before. */
    DUPLICATE("publisher sequence already accepted for this publisher id (journaled, or in flight)"),
    /** Idempotent guaranteed publish: older than the deduplication window, so it cannot be told new or not. */
    TOO_OLD_FOR_DEDUPLICATION("publisher sequence is older than the journal's deduplication window"),
    INVALID_PUBLISHER("publisherId must not be 0 and publisherSequence must be >= 1"),
    /** Request/reply: the reply topic is not a valid topic (empty, a wildcard, too long...). */
    INVALID_REPLY_TO("replyTo is not a valid topic"),
    /**
     * Request/reply: a request may not be guaranteed. The journal's record format keeps no reply topic, so a
     * journaled request would be replayed without one; a request is answered live or timed out instead.
     */
    /** No longer returned: the journal keeps a request's reply topic (record format 5). Kept for its wire code. */
    GUARANTEED_REQUEST("a request (with replyTo) must be best-effort");

    private final String description;

    RejectReason(final String description)
    {
        this.description = description;
    }

    public String description()
    {
        return description;
    }

    private static final RejectReason[] VALUES = values();

    static RejectReason get(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
