package io.junction.tools;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The reply topics of one connection's requests as Strings, interned by their bytes, so that a requester that
 * names the same inbox on every request (as io.junction.client does) allocates nothing per request. Bounded and
 * direct-mapped: a reply topic whose slot holds another one is not cached (it costs a String), and counted, so a
 * client that names a new reply topic per request shows in the counters rather than in the heap.
 */
final class ReplyTopics
{
    private static final int SIZE = 16; // per connection, made on its first request: most name one or two inboxes

    private final String[] topics = new String[SIZE];
    private final AtomicCounter notCached;

    ReplyTopics(final AtomicCounter notCached)
    {
        this.notCached = notCached;
    }

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
        if (null == cached)
        {
            topics[slot] = topic;
        }
        else
        {
            notCached.increment(); // refused: the slot keeps the inbox it has (a steady requester's)
        }
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
