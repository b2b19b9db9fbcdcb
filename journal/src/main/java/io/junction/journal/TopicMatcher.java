package io.junction.journal;

import io.junction.topic.Topics;

/**
 * Whether a topic matches a pattern ({@code *} one token, {@code >} the rest), for a durable
 * subscription filtering the journal. Allocation-free.
 */
final class TopicMatcher
{
    private TopicMatcher()
    {
    }

    static boolean matches(final String pattern, final String topic)
    {
        int p = 0;
        int t = 0;
        final int patternLength = pattern.length();
        final int topicLength = topic.length();
        while (p < patternLength && t < topicLength)
        {
            final int patternEnd = tokenEnd(pattern, p);
            final int topicEnd = tokenEnd(topic, t);
            if (patternEnd - p == 1 && pattern.charAt(p) == Topics.FULL_WILDCARD)
            {
                return true;
            }
            final boolean single = patternEnd - p == 1 && pattern.charAt(p) == Topics.SINGLE_WILDCARD;
            if (!single && !pattern.regionMatches(p, topic, t, patternEnd - p) || !single && patternEnd - p != topicEnd - t)
            {
                return false;
            }
            p = patternEnd + 1;
            t = topicEnd + 1;
        }
        return p >= patternLength && t >= topicLength;
    }

    private static int tokenEnd(final String s, final int from)
    {
        final int end = s.indexOf(Topics.SEPARATOR, from);
        return end < 0 ? s.length() : end;
    }
}
