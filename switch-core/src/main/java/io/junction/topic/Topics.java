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

    /**
     * Whether a pattern covers a request: every topic the requested pattern (or topic) matches is matched by
     * the pattern. "orders.&gt;" covers "orders.eu.*"; "orders.*" does not cover "orders.&gt;". With a topic as
     * the request this is plain matching. Both must be valid; allocates nothing.
     */
    public static boolean covers(final CharSequence pattern, final CharSequence requested)
    {
        final int pLength = pattern.length();
        final int rLength = requested.length();
        int p = 0;
        int r = 0;
        while (true)
        {
            final int pEnd = tokenEnd(pattern, p);
            final int rEnd = tokenEnd(requested, r);
            if (isToken(pattern, p, pEnd, FULL_WILDCARD))
            {
                return true;
            }
            if (isToken(requested, r, rEnd, FULL_WILDCARD))
            {
                return false;
            }
            if (!isToken(pattern, p, pEnd, SINGLE_WILDCARD) && !sameToken(pattern, p, pEnd, requested, r, rEnd))
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

    /**
     * Whether two valid patterns (or topics) match at least one topic in common; allocates nothing.
     */
    public static boolean intersects(final CharSequence a, final CharSequence b)
    {
        final int aLength = a.length();
        final int bLength = b.length();
        int i = 0;
        int j = 0;
        while (true)
        {
            final int aEnd = tokenEnd(a, i);
            final int bEnd = tokenEnd(b, j);
            if (isToken(a, i, aEnd, FULL_WILDCARD) || isToken(b, j, bEnd, FULL_WILDCARD))
            {
                return true;
            }
            if (!isToken(a, i, aEnd, SINGLE_WILDCARD) && !isToken(b, j, bEnd, SINGLE_WILDCARD) &&
                !sameToken(a, i, aEnd, b, j, bEnd))
            {
                return false;
            }
            final boolean aLast = aEnd == aLength;
            final boolean bLast = bEnd == bLength;
            if (aLast || bLast)
            {
                return aLast && bLast;
            }
            i = aEnd + 1;
            j = bEnd + 1;
        }
    }

    private static int tokenEnd(final CharSequence text, final int start)
    {
        int i = start;
        final int length = text.length();
        while (i < length && text.charAt(i) != SEPARATOR)
        {
            i++;
        }
        return i;
    }

    private static boolean isToken(final CharSequence text, final int start, final int end, final char wildcard)
    {
        return end - start == 1 && text.charAt(start) == wildcard;
    }

    private static boolean sameToken(
        final CharSequence a, final int aStart, final int aEnd, final CharSequence b, final int bStart, final int bEnd)
    {
        if (aEnd - aStart != bEnd - bStart)
        {
            return false;
        }
        for (int i = aStart, j = bStart; i < aEnd; i++, j++)
        {
            if (a.charAt(i) != b.charAt(j))
            {
                return false;
            }
        }
        return true;
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
