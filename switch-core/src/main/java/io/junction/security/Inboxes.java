package io.junction.security;

import io.junction.topic.Topics;

/**
 * Request/reply inboxes, as NATS has them: a requester subscribes to a private inbox and names a topic under it as
 * the reply topic of its requests. A principal may always subscribe under its own inbox prefix,
 * {@code _INBOX.<principal>.}, whatever its subscribe permissions say (so a user needs no permission to get
 * answers); a responder needs ordinary publish permission on the reply topic (for example {@code _INBOX.>}).
 * A principal whose name is not a single topic token has no own prefix and needs a subscribe permission.
 */
public final class Inboxes
{
    /** The first token of every inbox. */
    public static final String PREFIX = "_INBOX.";

    private Inboxes()
    {
    }

    /**
     * @return {@code _INBOX.<principal>.}, or {@code _INBOX.} for a principal whose name is not one topic token.
     */
    public static String prefixOf(final String principal)
    {
        return isToken(principal) ? PREFIX + principal + '.' : PREFIX;
    }

    /**
     * @return true if the pattern lies under the principal's own inbox prefix (then it may always subscribe).
     */
    public static boolean isOwnInbox(final Principal principal, final CharSequence pattern)
    {
        final String name = principal.name();
        if (!isToken(name) || pattern.length() <= PREFIX.length() + name.length() + 1)
        {
            return false;
        }
        final String prefix = PREFIX + name + '.';
        for (int i = 0; i < prefix.length(); i++)
        {
            if (pattern.charAt(i) != prefix.charAt(i))
            {
                return false;
            }
        }
        return null == Topics.validatePattern(pattern, 1024, 64);
    }

    private static boolean isToken(final String name)
    {
        if (name.isEmpty())
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c <= ' ' || c >= 127 || '.' == c || '*' == c || '>' == c)
            {
                return false;
            }
        }
        return true;
    }
}
