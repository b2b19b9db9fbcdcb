package io.junction.regulate;

/**
 * Matches one topic against one pattern ({@code *} one token, {@code >} one or more). Used when a
 * topic is first seen under a configuration, not per message.
 */
final class TopicPattern
{
    private TopicPattern()
    {
    }

    static boolean matches(final String pattern, final String topic)
    {
        int p = 0;
        int t = 0;
        while (true)
        {
            final int pEnd = tokenEnd(pattern, p);
            final int tEnd = tokenEnd(topic, t);
            final int pLength = pEnd - p;
            if (1 == pLength && pattern.charAt(p) == '>')
            {
                return true;
            }
            final boolean single = 1 == pLength && pattern.charAt(p) == '*';
            if (!single && !pattern.regionMatches(p, topic, t, Math.max(pLength, tEnd - t)))
            {
                return false;
            }
            final boolean patternDone = pEnd == pattern.length();
            final boolean topicDone = tEnd == topic.length();
            if (patternDone || topicDone)
            {
                return patternDone && topicDone;
            }
            p = pEnd + 1;
            t = tEnd + 1;
        }
    }

    private static int tokenEnd(final String s, final int from)
    {
        final int dot = s.indexOf('.', from);
        return dot < 0 ? s.length() : dot;
    }
}
