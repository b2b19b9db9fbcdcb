package io.junction.cluster;

import io.junction.topic.Topics;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-principal permissions on topic patterns: what each principal may publish to and subscribe to. A request
 * is allowed when one of the principal's patterns covers it: a topic for publish, a pattern for subscribe
 * ("orders.>" covers "orders.eu.*", "orders.*" does not cover "orders.>").
 * <p>
 * Immutable once built; every node must be given the same permissions, since the clustered service applies
 * them to the replicated log.
 */
public final class TopicPermissions
{
    private static final TopicPermissions ALLOW_ALL = new TopicPermissions(null);

    private final Map<String, Grant> grantsByPrincipal;

    private TopicPermissions(final Map<String, Grant> grantsByPrincipal)
    {
        this.grantsByPrincipal = grantsByPrincipal;
    }

    /**
     * @return permissions that allow everything to everyone (no authorisation).
     */
    public static TopicPermissions allowAll()
    {
        return ALLOW_ALL;
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return the grant of a principal (never null; a principal with no grant may do nothing).
     */
    public Grant grantFor(final byte[] encodedPrincipal)
    {
        if (null == grantsByPrincipal)
        {
            return Grant.ALL;
        }
        final String principal = null == encodedPrincipal ? "" : new String(encodedPrincipal, StandardCharsets.US_ASCII);
        return grantsByPrincipal.getOrDefault(principal, Grant.NONE);
    }

    /**
     * @return true if the permission pattern covers every topic the requested pattern (or topic) matches.
     */
    public static boolean covers(final String permission, final String requested)
    {
        int p = 0;
        int r = 0;
        final int pLength = permission.length();
        final int rLength = requested.length();
        while (true)
        {
            final int pEnd = tokenEnd(permission, p);
            final int rEnd = tokenEnd(requested, r);
            final boolean pFull = pEnd - p == 1 && permission.charAt(p) == Topics.FULL_WILDCARD;
            final boolean rFull = rEnd - r == 1 && requested.charAt(r) == Topics.FULL_WILDCARD;
            if (pFull)
            {
                return true;
            }
            if (rFull)
            {
                return false;
            }
            final boolean pStar = pEnd - p == 1 && permission.charAt(p) == Topics.SINGLE_WILDCARD;
            if (!pStar && !permission.regionMatches(p, requested, r, pEnd - p) || !pStar && pEnd - p != rEnd - r)
            {
                return false;
            }
            final boolean pLast = pEnd == pLength;
            final boolean rLast = rEnd == rLength;
            if (pLast || rLast)
            {
                return pLast && rLast;
            }
            p = pEnd + 1;
            r = rEnd + 1;
        }
    }

    private static int tokenEnd(final String text, final int start)
    {
        final int end = text.indexOf(Topics.SEPARATOR, start);
        return end < 0 ? text.length() : end;
    }

    /**
     * What one principal may do.
     */
    public static final class Grant
    {
        static final Grant ALL = new Grant(new String[]{ ">" }, new String[]{ ">" });
        static final Grant NONE = new Grant(new String[0], new String[0]);

        private final String[] publishPatterns;
        private final String[] subscribePatterns;

        Grant(final String[] publishPatterns, final String[] subscribePatterns)
        {
            this.publishPatterns = publishPatterns;
            this.subscribePatterns = subscribePatterns;
        }

        public boolean mayPublish(final String topic)
        {
            return anyCovers(publishPatterns, topic);
        }

        public boolean maySubscribe(final String pattern)
        {
            return anyCovers(subscribePatterns, pattern);
        }

        private static boolean anyCovers(final String[] patterns, final String requested)
        {
            for (final String pattern : patterns)
            {
                if (covers(pattern, requested))
                {
                    return true;
                }
            }
            return false;
        }
    }

    public static final class Builder
    {
        private final Map<String, Grant> grants = new HashMap<>();

        /**
         * Grant a principal the patterns it may publish to and subscribe to (replacing any earlier grant).
         */
        public Builder grant(final String principal, final List<String> publish, final List<String> subscribe)
        {
            for (final String pattern : publish)
            {
                requireValid(pattern);
            }
            for (final String pattern : subscribe)
            {
                requireValid(pattern);
            }
            grants.put(principal, new Grant(publish.toArray(new String[0]), subscribe.toArray(new String[0])));
            return this;
        }

        public TopicPermissions build()
        {
            return new TopicPermissions(new HashMap<>(grants));
        }

        private static void requireValid(final String pattern)
        {
            if (null != Topics.validatePattern(pattern, 1024, 64))
            {
                throw new IllegalArgumentException("invalid permission pattern: " + pattern);
            }
        }
    }
}
