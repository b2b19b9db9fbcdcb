package io.junction.topic;

import java.util.Arrays;

/**
 * An open-addressing map from a token to a value that is looked up by a range of a larger string,
 * so that matching a topic against the trie needs no substring.
 */
final class TokenMap<V>
{
    private static final float LOAD_FACTOR = 0.6f;

    private String[] keys;
    private Object[] values;
    private int size;

    TokenMap()
    {
        keys = new String[2]; // most nodes have one child: grows from here
        values = new Object[2];
    }

    int size()
    {
        return size;
    }

    @SuppressWarnings("unchecked")
    V get(final String text, final int from, final int to)
    {
        final String[] keys = this.keys;
        final int mask = keys.length - 1;
        final int length = to - from;
        int index = spread(hash(text, from, to)) & mask;
        String key;
        while (null != (key = keys[index]))
        {
            if (key.length() == length && key.regionMatches(0, text, from, length))
            {
                return (V)values[index];
            }
            index = (index + 1) & mask;
        }
        return null;
    }

    V get(final String token)
    {
        return get(token, 0, token.length());
    }

    void put(final String token, final V value)
    {
        if (size + 1 > keys.length * LOAD_FACTOR)
        {
            rehash(keys.length << 1);
        }
        final int mask = keys.length - 1;
        int index = spread(token.hashCode()) & mask;
        String key;
        while (null != (key = keys[index]))
        {
            if (key.equals(token))
            {
                values[index] = value;
                return;
            }
            index = (index + 1) & mask;
        }
        keys[index] = token;
        values[index] = value;
        size++;
    }

    void remove(final String token)
    {
        remove(token, 0, token.length());
    }

    /**
     * Remove the key {@code text[from, to)}, without cutting it out of the text.
     */
    void remove(final String text, final int from, final int to)
    {
        final int mask = keys.length - 1;
        final int length = to - from;
        int index = spread(hash(text, from, to)) & mask;
        String key;
        while (null != (key = keys[index]))
        {
            if (key.length() == length && key.regionMatches(0, text, from, length))
            {
                keys[index] = null;
                values[index] = null;
                size--;
                compactChain(index);
                return;
            }
            index = (index + 1) & mask;
        }
    }

    @SuppressWarnings("unchecked")
    void forEachValue(final java.util.function.Consumer<V> consumer)
    {
        for (int i = 0; i < keys.length; i++)
        {
            if (null != keys[i])
            {
                consumer.accept((V)values[i]);
            }
        }
    }

    private void compactChain(final int deleteIndex)
    {
        final int mask = keys.length - 1;
        int hole = deleteIndex;
        int index = (deleteIndex + 1) & mask;
        String key;
        while (null != (key = keys[index]))
        {
            final int home = spread(key.hashCode()) & mask;
            // The entry may fill the hole unless its home lies cyclically within (hole, index].
            final boolean movable = index > hole ? (home <= hole || home > index) : (home <= hole && home > index);
            if (movable)
            {
                keys[hole] = key;
                values[hole] = values[index];
                keys[index] = null;
                values[index] = null;
                hole = index;
            }
            index = (index + 1) & mask;
        }
    }

    private void rehash(final int capacity)
    {
        final String[] oldKeys = keys;
        final Object[] oldValues = values;
        keys = new String[capacity];
        values = new Object[capacity];
        final int mask = capacity - 1;
        for (int i = 0; i < oldKeys.length; i++)
        {
            final String key = oldKeys[i];
            if (null != key)
            {
                int index = spread(key.hashCode()) & mask;
                while (null != keys[index])
                {
                    index = (index + 1) & mask;
                }
                keys[index] = key;
                values[index] = oldValues[i];
            }
        }
    }

    /** Same as {@link String#hashCode()} over the range, so stored keys use their cached hash. */
    static int hash(final String text, final int from, final int to)
    {
        int h = 0;
        for (int i = from; i < to; i++)
        {
            h = 31 * h + text.charAt(i);
        }
        return h;
    }

    /**
     * Mixes the low bits: tokens that are decimal numbers (user ids, session ids) have String hashes that run in
     * sequence, which linear probing turned into long chains (4 probes a lookup at 100,000 such keys, 1.3 so).
     */
    private static int spread(final int hash)
    {
        final int mixed = hash * 0x9E3779B9;
        return mixed ^ (mixed >>> 16);
    }

    @Override
    public String toString()
    {
        return "TokenMap" + Arrays.toString(keys);
    }
}
