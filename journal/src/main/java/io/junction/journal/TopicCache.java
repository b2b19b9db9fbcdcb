package io.junction.journal;

/**
 * Turns topic bytes read from the journal back into Strings without allocating for topics seen before:
 * a small direct-mapped cache keyed by the bytes' hash.
 */
final class TopicCache
{
    private static final int SIZE = 1024;

    private final String[] entries = new String[SIZE];

    String get(final byte[] bytes, final int length)
    {
        return get(bytes, 0, length);
    }

    String get(final byte[] bytes, final int offset, final int length)
    {
        int hash = 1;
        for (int i = 0; i < length; i++)
        {
            hash = 31 * hash + bytes[offset + i];
        }
        final int slot = (hash ^ (hash >>> 16)) & (SIZE - 1);
        final String cached = entries[slot];
        if (null != cached && equals(cached, bytes, offset, length))
        {
            return cached;
        }
        final String topic = new String(bytes, offset, length, java.nio.charset.StandardCharsets.US_ASCII);
        entries[slot] = topic;
        return topic;
    }

    private static boolean equals(final String topic, final byte[] bytes, final int offset, final int length)
    {
        if (topic.length() != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (topic.charAt(i) != bytes[offset + i])
            {
                return false;
            }
        }
        return true;
    }
}
