package io.junction.topic;

import java.util.Arrays;

/**
 * An open-addressing map from a token to a value that is looked up by a range of a larger string,
 * so that matching a topic against the trie needs no substring.
 * <p>
 * Each slot keeps its key's hash, compared before the characters: siblings are often numbers of one length
 * (user or session ids), which a length check alone does not tell apart.
 */
final class TokenMap<V>
{
    private static final float LOAD_FACTOR = 0.6f;

    private String[] keys;
    private int[] hashes;
    private Object[] values;
    private int size;

    TokenMap()
    {
        keys = new String[4]; // a node makes one for its second child: grows from here
        hashes = new int[4];
        values = new Object[4];
    }

    int size()
    {
        return size;
    }

    @SuppressWarnings("unchecked")
    V get(final String text, final int from, final int to)
    {
        final int index = indexOf(text, from, to);
        return index < 0 ? null : (V)values[index];
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
        final int hash = token.hashCode();
        final int mask = keys.length - 1;
        int index = spread(hash) & mask;
        String key;
        while (null != (key = keys[index]))
        {
            if (hashes[index] == hash && key.equals(token))
            {
                values[index] = value;
                return;
            }
            index = (index + 1) & mask;
        }
        keys[index] = token;
        hashes[index] = hash;
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
        final int index = indexOf(text, from, to);
        if (index >= 0)
        {
            keys[index] = null;
            values[index] = null;
            size--;
            compactChain(index);
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

    private int indexOf(final String text, final int from, final int to)
    {
        final String[] keys = this.keys;
        final int mask = keys.length - 1;
        final int length = to - from;
        final int hash = hash(text, from, to);
        int index = spread(hash) & mask;
        String key;
        while (null != (key = keys[index]))
        {
            if (hashes[index] == hash && key.length() == length && key.regionMatches(0, text, from, length))
            {
                return index;
            }
            index = (index + 1) & mask;
        }
        return -1;
    }

    private void compactChain(final int deleteIndex)
    {
        final int mask = keys.length - 1;
        int hole = deleteIndex;
        int index = (deleteIndex + 1) & mask;
        String key;
        while (null != (key = keys[index]))
        {
            final int home = spread(hashes[index]) & mask;
            // The entry may fill the hole unless its home lies cyclically within (hole, index].
            final boolean movable = index > hole ? (home <= hole || home > index) : (home <= hole && home > index);
            if (movable)
            {
                keys[hole] = key;
                hashes[hole] = hashes[index];
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
        final int[] oldHashes = hashes;
        final Object[] oldValues = values;
        keys = new String[capacity];
        hashes = new int[capacity];
        values = new Object[capacity];
        final int mask = capacity - 1;
        for (int i = 0; i < oldKeys.length; i++)
        {
            final String key = oldKeys[i];
            if (null != key)
            {
                int index = spread(oldHashes[i]) & mask;
                while (null != keys[index])
                {
                    index = (index + 1) & mask;
                }
                keys[index] = key;
                hashes[index] = oldHashes[i];
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
