package io.junction.security;

/**
 * What one principal may publish to and subscribe to. Implementations are immutable and thread-safe; they
 * are asked once per SUBSCRIBE and, for publish, once per new topic of a connection (callers cache the
 * answer per topic), so they are off the per-message path.
 */
public interface TopicPermissions
{
    /** Everything allowed (authentication off, or a principal granted everything). */
    TopicPermissions ALLOW_ALL = new TopicPermissions()
    {
        public boolean mayPublish(final CharSequence topic)
        {
            return true;
        }

        public boolean maySubscribe(final CharSequence pattern)
        {
            return true;
        }

        public String toString()
        {
            return "allow-all";
        }
    };

    /**
     * @param topic a valid topic (no wildcards).
     * @return true if the principal may publish to it.
     */
    boolean mayPublish(CharSequence topic);

    /**
     * @param pattern a valid pattern ({@code *} and {@code >} allowed).
     * @return true if every topic the pattern matches is one the principal may subscribe to.
     */
    boolean maySubscribe(CharSequence pattern);
}
