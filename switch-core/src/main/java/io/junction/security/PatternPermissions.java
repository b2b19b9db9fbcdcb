package io.junction.security;

import io.junction.topic.Topics;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link TopicPermissions} from pattern lists: a publish or subscribe is allowed when one allow pattern covers
 * it ({@link Topics#covers}) and no deny pattern could match any topic it names ({@link Topics#intersects}).
 * "orders.&gt;" covers "orders.eu.*"; a deny of "orders.secret.&gt;" refuses a subscribe to "orders.&gt;", since
 * that subscription would receive secret orders. A subscribe must be covered by a single allow pattern (allow
 * "a.*" and "a.*.&gt;" does not allow "a.&gt;"): conservative, never wider than granted.
 * <p>
 * Immutable and thread-safe; the patterns are checked when built.
 */
public final class PatternPermissions implements TopicPermissions
{
    /** Nothing allowed: the permissions of a principal with no grant. */
    public static final PatternPermissions NONE = builder().build();

    /** The longest permission pattern and its most tokens (as the daemon's topic limits). */
    private static final int MAX_PATTERN_LENGTH = 1024;
    private static final int MAX_PATTERN_TOKENS = 64;

    private final String[] publishAllow;
    private final String[] publishDeny;
    private final String[] subscribeAllow;
    private final String[] subscribeDeny;

    private PatternPermissions(final Builder builder)
    {
        this.publishAllow = builder.publishAllow.toArray(new String[0]);
        this.publishDeny = builder.publishDeny.toArray(new String[0]);
        this.subscribeAllow = builder.subscribeAllow.toArray(new String[0]);
        this.subscribeDeny = builder.subscribeDeny.toArray(new String[0]);
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /** Publish to and subscribe to what the patterns cover, with no deny list. */
    public static PatternPermissions of(final List<String> publish, final List<String> subscribe)
    {
        return builder().allowPublish(publish).allowSubscribe(subscribe).build();
    }

    public boolean mayPublish(final CharSequence topic)
    {
        return anyCovers(publishAllow, topic) && !anyIntersects(publishDeny, topic);
    }

    public boolean maySubscribe(final CharSequence pattern)
    {
        return anyCovers(subscribeAllow, pattern) && !anyIntersects(subscribeDeny, pattern);
    }

    private static boolean anyCovers(final String[] patterns, final CharSequence requested)
    {
        for (final String pattern : patterns)
        {
            if (Topics.covers(pattern, requested))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean anyIntersects(final String[] patterns, final CharSequence requested)
    {
        for (final String pattern : patterns)
        {
            if (Topics.intersects(pattern, requested))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString()
    {
        return "publish " + List.of(publishAllow) + " deny " + List.of(publishDeny) +
            ", subscribe " + List.of(subscribeAllow) + " deny " + List.of(subscribeDeny);
    }

    public static final class Builder
    {
        private final List<String> publishAllow = new ArrayList<>();
        private final List<String> publishDeny = new ArrayList<>();
        private final List<String> subscribeAllow = new ArrayList<>();
        private final List<String> subscribeDeny = new ArrayList<>();

        private Builder()
        {
        }

        public Builder allowPublish(final List<String> patterns)
        {
            return addAll(publishAllow, patterns);
        }

        public Builder denyPublish(final List<String> patterns)
        {
            return addAll(publishDeny, patterns);
        }

        public Builder allowSubscribe(final List<String> patterns)
        {
            return addAll(subscribeAllow, patterns);
        }

        public Builder denySubscribe(final List<String> patterns)
        {
            return addAll(subscribeDeny, patterns);
        }

        public PatternPermissions build()
        {
            return new PatternPermissions(this);
        }

        private Builder addAll(final List<String> into, final List<String> patterns)
        {
            for (final String pattern : patterns)
            {
                if (null == pattern || null != Topics.validatePattern(pattern, MAX_PATTERN_LENGTH, MAX_PATTERN_TOKENS))
                {
                    throw new IllegalArgumentException("invalid permission pattern: \"" + pattern + "\" (" +
                        (null == pattern ? "null" : Topics.validatePattern(pattern, MAX_PATTERN_LENGTH,
                        MAX_PATTERN_TOKENS)) + ")");
                }
                into.add(pattern);
            }
            return this;
        }
    }
}
