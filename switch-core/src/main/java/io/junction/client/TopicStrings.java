package io.junction.client;

import org.agrona.DirectBuffer;

/**
 * The topic strings of received messages, cached by their bytes so that a subscriber of a steady set of topics
 * allocates no String per message. Direct-mapped: a collision costs one String.
 */
final class TopicStrings
{
    private static final int SIZE = 512;

    private final String[] topics = new String[SIZE];

    String lookup(final DirectBuffer buffer, final int offset, final int length)
    {
        int hash = length;
        for (int i = 0; i < length; i++)
        {
            hash = 31 * hash + buffer.getByte(offset + i);
        }
        final int slot = (hash ^ (hash >>> 16)) & (SIZE - 1);
        final String cached = topics[slot];
        if (null != cached && cached.length() == length && matches(cached, buffer, offset, length))
        {
            return cached;
        }
        final String topic = buffer.getStringWithoutLengthAscii(offset, length);
        topics[slot] = topic;
        return topic;
    }

    private static boolean matches(final String topic, final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (topic.charAt(i) != (char)buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }
}
