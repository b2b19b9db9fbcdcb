package io.junction.regulate;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import io.junction.Priority;

/**
 * One regulation rule: which messages it applies to (a topic pattern, a publisher or any, a set of
 * classes) and what it imposes on them (a token-bucket rate limit with burst, an in-flight limit,
 * whether sojourn-time shedding may shed them). Immutable: every {@code with...} returns a new rule.
 * <p>
 * All messages a rule matches share its bucket and its in-flight limit; for a limit per class, give
 * each class its own rule. A message is governed by the first rule that matches it.
 */
public final class Rule
{
    private final String topicPattern;
    private final String publisher;
    private final Set<Priority> classes;
    private final long ratePerSecond;
    private final int burst;
    private final long maxInFlight;
    private final boolean sojournShedding;

    private Rule(
        final String topicPattern,
        final String publisher,
        final Set<Priority> classes,
        final long ratePerSecond,
        final int burst,
        final long maxInFlight,
        final boolean sojournShedding)
    {
        this.topicPattern = Objects.requireNonNull(topicPattern, "topicPattern");
        this.publisher = publisher;
        this.classes = classes;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.maxInFlight = maxInFlight;
        this.sojournShedding = sojournShedding;
    }

    /**
     * A rule for the topics a pattern matches ({@code *} one token, {@code >} the rest), from any
     * publisher, of every class, that imposes nothing yet.
     */
    public static Rule forTopics(final String topicPattern)
    {
        return new Rule(topicPattern, null, EnumSet.allOf(Priority.class), 0, 0, 0, true);
    }

    /**
     * @param publisher the name given to {@code Junction.publisher(name)}; null for any publisher.
     */
    public Rule withPublisher(final String publisher)
    {
        return new Rule(topicPattern, publisher, classes, ratePerSecond, burst, maxInFlight, sojournShedding);
    }

    public Rule withClasses(final Priority first, final Priority... rest)
    {
        return new Rule(topicPattern, publisher, EnumSet.of(first, rest), ratePerSecond, burst, maxInFlight,
            sojournShedding);
    }

    /**
     * A token bucket: at most {@code burst} at once, refilled at {@code ratePerSecond}.
     */
    public Rule withRateLimit(final long ratePerSecond, final int burst)
    {
        new TokenBucket(ratePerSecond, burst); // Validates.
        return new Rule(topicPattern, publisher, classes, ratePerSecond, burst, maxInFlight, sojournShedding);
    }

    /**
     * At most {@code maxInFlight} of the rule's messages admitted and not yet dispatched from the ring.
     */
    public Rule withMaxInFlight(final long maxInFlight)
    {
        new InFlightLimit(maxInFlight); // Validates.
        return new Rule(topicPattern, publisher, classes, ratePerSecond, burst, maxInFlight, sojournShedding);
    }

    /**
     * @param sojournShedding false to exempt the rule's messages from sojourn-time (CoDel) shedding.
     */
    public Rule withSojournShedding(final boolean sojournShedding)
    {
        return new Rule(topicPattern, publisher, classes, ratePerSecond, burst, maxInFlight, sojournShedding);
    }

    public String topicPattern()
    {
        return topicPattern;
    }

    public String publisher()
    {
        return publisher;
    }

    public Set<Priority> classes()
    {
        return EnumSet.copyOf(classes);
    }

    public long ratePerSecond()
    {
        return ratePerSecond;
    }

    public int burst()
    {
        return burst;
    }

    public long maxInFlight()
    {
        return maxInFlight;
    }

    public boolean sojournShedding()
    {
        return sojournShedding;
    }

    boolean matches(final String publisherName, final String topic, final Priority priority)
    {
        return classes.contains(priority) &&
            (null == publisher || publisher.equals(publisherName)) &&
            TopicPattern.matches(topicPattern, topic);
    }

    @Override
    public String toString()
    {
        return "Rule{topics='" + topicPattern + "', publisher=" + (null == publisher ? "*" : publisher) +
            ", classes=" + classes + ", ratePerSecond=" + ratePerSecond + ", burst=" + burst +
            ", maxInFlight=" + maxInFlight + ", sojournShedding=" + sojournShedding + '}';
    }
}
