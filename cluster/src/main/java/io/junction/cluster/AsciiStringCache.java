package io.junction.cluster;

import org.agrona.DirectBuffer;

/**
 * Turns ASCII bytes into a String without allocating when the same text was seen recently: a direct-mapped
 * cache by hash. Topics repeat, so the routing path keeps to the Strings the trie needs without garbage.
 * Single-threaded.
 */
public final class AsciiStringCache
{
    private final String[] entries;
    private final int mask;

    public AsciiStringCache(final int capacityPowerOfTwo)
    {
        if (Integer.bitCount(capacityPowerOfTwo) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacityPowerOfTwo);
        }
        entries = new String[capacityPowerOfTwo];
        mask = capacityPowerOfTwo - 1;
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
        entries[slot] = text;
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
