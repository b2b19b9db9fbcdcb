package io.junction.topic;

import io.junction.RejectReason;

/**
 * Syntax of topics and patterns. A topic is one or more non-empty tokens separated by '.', each made
 * of printable ASCII other than '*' and '>'. A pattern may also use '*' (exactly one token) and '>'
 * (one or more tokens, last only), as NATS subjects do.
 * <p>
 * The checks allocate nothing: they return null when the input is valid, else the reason.
 */
public final class Topics
{
    public static final char SEPARATOR = '.';
    public static final char SINGLE_WILDCARD = '*';
    public static final char FULL_WILDCARD = '>';

    private Topics()
    {
    }

    public static RejectReason validateTopic(final CharSequence topic, final int maxLength, final int maxTokens)
    {
        return validate(topic, maxLength, maxTokens, false);
    }

    public static RejectReason validatePattern(final CharSequence pattern, final int maxLength, final int maxTokens)
    {
        return validate(pattern, maxLength, maxTokens, true);
    }

    public static boolean isWildcard(final CharSequence pattern)
    {
        for (int i = 0, n = pattern.length(); i < n; i++)
        {
            final char c = pattern.charAt(i);
            if (c == SINGLE_WILDCARD || c == FULL_WILDCARD)
            {
                return true;
            }
        }
        return false;
    }

    private static RejectReason validate(
        final CharSequence text, final int maxLength, final int maxTokens, final boolean isPattern)
    {
        if (null == text || text.length() == 0)
        {
            return RejectReason.EMPTY_TOPIC;
        }

        final int length = text.length();
        if (length > maxLength)
        {
            return RejectReason.TOPIC_TOO_LONG;
        }

        int tokens = 1;
        int tokenStart = 0;
        for (int i = 0; i <= length; i++)
        {
            final boolean end = i == length;
            final char c = end ? SEPARATOR : text.charAt(i);
            if (c == SEPARATOR)
            {
                final int tokenLength = i - tokenStart;
                if (tokenLength == 0)
                {
                    return RejectReason.EMPTY_TOKEN;
                }
                if (!end && ++tokens > maxTokens)
                {
                    return RejectReason.TOO_MANY_TOKENS;
                }
                tokenStart = i + 1;
            }
            else if (c == SINGLE_WILDCARD || c == FULL_WILDCARD)
            {
                if (!isPattern)
                {
                    return RejectReason.WILDCARD_IN_TOPIC;
                }
                final boolean wholeToken = i == tokenStart && (i + 1 == length || text.charAt(i + 1) == SEPARATOR);
                if (!wholeToken)
                {
                    return RejectReason.PARTIAL_WILDCARD;
                }
                if (c == FULL_WILDCARD && i + 1 != length)
                {
                    return RejectReason.FULL_WILDCARD_NOT_LAST;
                }
            }
            else if (c <= ' ' || c > '~')
            {
                return RejectReason.ILLEGAL_CHARACTER;
            }
        }
        return null;
    }
}
