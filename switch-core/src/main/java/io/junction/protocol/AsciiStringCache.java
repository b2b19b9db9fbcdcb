package io.junction.protocol;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Turns ASCII bytes (a topic, a reply topic) into a String without allocating when the same text was seen
 * recently: a direct-mapped cache by hash, so a steady set of topics costs no String per message. A collision
 * costs one String; by default the newer text then takes the slot, or with {@link #keepingResidents} the slot
 * keeps what it has and the refusal is counted (for caches a remote party fills, so that naming a new text per
 * frame shows in the counters rather than churning the cache). Single-threaded.
 */
public final class AsciiStringCache
{
    private final String[] entries;
    private final int mask;
    private final AtomicCounter notCached;

    public AsciiStringCache(final int capacityPowerOfTwo)
    {
        this(capacityPowerOfTwo, null);
    }

    private AsciiStringCache(final int capacityPowerOfTwo, final AtomicCounter notCached)
    {
        if (Integer.bitCount(capacityPowerOfTwo) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacityPowerOfTwo);
        }
        entries = new String[capacityPowerOfTwo];
        mask = capacityPowerOfTwo - 1;
        this.notCached = notCached;
    }

    /**
     * @param notCached counts the texts refused a slot because another holds it.
     * @return a cache whose first text in a slot stays there.
     */
    public static AsciiStringCache keepingResidents(final int capacityPowerOfTwo, final AtomicCounter notCached)
    {
        return new AsciiStringCache(capacityPowerOfTwo, notCached);
    }

    public String get(final DirectBuffer buffer, final int offset, final int length)
    {
        int hash = length;
        for (int i = 0; i < length; i++)
        {
            hash = 31 * hash + buffer.getByte(offset + i);
        }
        final int slot = (hash ^ (hash >>> 16)) & mask;
        final String cached = entries[slot];
        if (null != cached && equals(cached, buffer, offset, length))
        {
            return cached;
        }
        final String text = buffer.getStringWithoutLengthAscii(offset, length);
        if (null == cached || null == notCached)
        {
            entries[slot] = text;
        }
        else
        {
            notCached.increment();
        }
        return text;
    }

    private static boolean equals(final String text, final DirectBuffer buffer, final int offset, final int length)
    {
        if (text.length() != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (text.charAt(i) != (char)buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }
}
