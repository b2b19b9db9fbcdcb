package io.junction;

/**
 * Why load regulation refused (or dropped) a message although it was valid input. Each reason has a
 * counter per {@link Priority}.
 */
public enum ShedReason
{
    RATE_LIMITED("the token bucket of the matching rule is empty"),
    IN_FLIGHT_LIMITED("the matching rule already has its maximum of messages in flight"),
    QUEUE_DELAY("the queueing delay is above the CoDel target: lower classes are being shed"),
    RESERVED_FOR_CRITICAL("the ring is nearly full and its last slots are kept for CRITICAL messages"),
    EXPIRED("the time-to-live ran out before delivery");

    private static final ShedReason[] VALUES = values();

    private final String description;

    ShedReason(final String description)
    {
        this.description = description;
    }

    public String description()
    {
        return description;
    }

    public static ShedReason get(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
