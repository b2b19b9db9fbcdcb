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
 * each class its own rule. A rule {@link #withPrincipal for principals} is a quota per principal: each
 * principal it matches has a bucket and an in-flight limit of its own. A message is governed by the first rule
 * that matches it.
 */
public final class Rule
{
    private final String topicPattern;
    private final String publisher;
    private final String principal;
    private final Set<Priority> classes;
    private final long ratePerSecond;
    private final int burst;
    private final long maxInFlight;
    private final boolean sojournShedding;

    private Rule(
        final String topicPattern,
        final String publisher,
        final String principal,
        final Set<Priority> classes,
        final long ratePerSecond,
        final int burst,
        final long maxInFlight,
        final boolean sojournShedding)
    {
        this.topicPattern = Objects.requireNonNull(topicPattern, "topicPattern");
        this.publisher = publisher;
        this.principal = principal;
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
        return new Rule(topicPattern, null, null, EnumSet.allOf(Priority.class), 0, 0, 0, true);
    }

    /**
     * @param publisher the name given to {@code Junction.publisher(name)}; null for any publisher.
     */
    public Rule withPublisher(final String publisher)
    {
        return new Rule(topicPattern, publisher, principal, classes, ratePerSecond, burst, maxInFlight,
            sojournShedding);
    }

    /**
     * Only the offers of publishers bound to an authenticated principal this matches, each principal with its own
     * bucket and in-flight limit: a quota per principal, which no client can spend for another by claiming its
     * names (the principal is what authentication said, not a name the client chose).
     *
     * @param principal a principal's name, or a glob where {@code *} stands for any characters ({@code "*"}: every
     *                  principal, {@code "team-*"}); null for any publisher, with or without a principal.
     */
    public Rule withPrincipal(final String principal)
    {
        return new Rule(topicPattern, publisher, principal, classes, ratePerSecond, burst, maxInFlight,
            sojournShedding);
    }

    public Rule withClasses(final Priority first, final Priority... rest)
    {
        return new Rule(topicPattern, publisher, principal, EnumSet.of(first, rest), ratePerSecond, burst, maxInFlight,
            sojournShedding);
    }

    /**
     * A token bucket: at most {@code burst} at once, refilled at {@code ratePerSecond}.
     */
    public Rule withRateLimit(final long ratePerSecond, final int burst)
    {
        new TokenBucket(ratePerSecond, burst); // Validates.
        return new Rule(topicPattern, publisher, principal, classes, ratePerSecond, burst, maxInFlight,
            sojournShedding);
    }

    /**
     * At most {@code maxInFlight} of the rule's messages admitted and not yet dispatched from the ring.
     */
    public Rule withMaxInFlight(final long maxInFlight)
    {
        new InFlightLimit(maxInFlight); // Validates.
        return new Rule(topicPattern, publisher, principal, classes, ratePerSecond, burst, maxInFlight,
            sojournShedding);
    }

    /**
     * @param sojournShedding false to exempt the rule's messages from sojourn-time (CoDel) shedding.
     */
    public Rule withSojournShedding(final boolean sojournShedding)
    {
        return new Rule(topicPattern, publisher, principal, classes, ratePerSecond, burst, maxInFlight,
            sojournShedding);
    }

    public String topicPattern()
    {
        return topicPattern;
    }

    public String publisher()
    {
        return publisher;
    }

    /** @return the principal (or glob) the rule is for, or null for any publisher. */
    public String principal()
    {
        return principal;
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
        return matches(publisherName, null, topic, priority);
    }

    /**
     * @param principalName the authenticated principal the publisher is bound to, or null.
     */
    boolean matches(final String publisherName, final String principalName, final String topic, final Priority priority)
    {
        return classes.contains(priority) &&
            (null == publisher || publisher.equals(publisherName)) &&
            (null == principal || (null != principalName && glob(principal, 0, principalName, 0))) &&
            TopicPattern.matches(topicPattern, topic);
    }

    /** {@code *} matches any run of characters; everything else itself. */
    static boolean glob(final String pattern, final int p, final String text, final int t)
    {
        if (p == pattern.length())
        {
            return t == text.length();
        }
        if (pattern.charAt(p) == '*')
        {
            for (int i = t; i <= text.length(); i++)
            {
                if (glob(pattern, p + 1, text, i))
                {
                    return true;
                }
            }
            return false;
        }
        return t < text.length() && pattern.charAt(p) == text.charAt(t) && glob(pattern, p + 1, text, t + 1);
    }

    @Override
    public String toString()
    {
        return "Rule{topics='" + topicPattern + "', publisher=" + (null == publisher ? "*" : publisher) +
            (null == principal ? "" : ", principal=" + principal) +
            ", classes=" + classes + ", ratePerSecond=" + ratePerSecond + ", burst=" + burst +
            ", maxInFlight=" + maxInFlight + ", sojournShedding=" + sojournShedding + '}';
    }
}
