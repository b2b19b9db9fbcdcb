package io.junction.topic;

import java.util.ArrayList;
import java.util.List;

/**
 * A trie of subscription patterns keyed by token, with '*' and '>' children, matched against topics.
 * <p>
 * Single-threaded: it is owned by the router of one shard. {@link #match} allocates nothing once its
 * output list has grown to the largest match.
 *
 * @param <T> what a subscription is represented by.
 */
public final class SubscriptionTrie<T>
{
    private static final Object NOT_FOUND = new Object();

    private final Node<T> root = new Node<>();
    private final int[] tokenStarts;
    private final int[] tokenEnds;
    private int size;

    public SubscriptionTrie(final int maxTokens)
    {
        tokenStarts = new int[maxTokens + 1];
        tokenEnds = new int[maxTokens + 1];
    }

    /**
     * @return the number of (pattern, value) entries.
     */
    public int size()
    {
        return size;
    }

    /**
     * Add a value under a pattern that has already been validated with {@link Topics#validatePattern}.
     */
    public void add(final String pattern, final T value)
    {
        Node<T> node = root;
        int start = 0;
        final int length = pattern.length();
        while (true)
        {
            int end = pattern.indexOf(Topics.SEPARATOR, start);
            if (end < 0)
            {
                end = length;
            }
            if (end - start == 1 && pattern.charAt(start) == Topics.FULL_WILDCARD)
            {
                node.fullWildcardValues = with(node.fullWildcardValues, value);
                size++;
                return;
            }
            node = node.childFor(pattern, start, end);
            if (end == length)
            {
                node.values = with(node.values, value);
                size++;
                return;
            }
            start = end + 1;
        }
    }

    /**
     * @return true if the value was found under the pattern and removed.
     */
    public boolean remove(final String pattern, final T value)
    {
        final boolean removed = remove(root, pattern, 0, value);
        if (removed)
        {
            size--;
        }
        return removed;
    }

    /**
     * Append to {@code out} every value whose pattern matches the topic.
     *
     * @param topic a topic already validated with {@link Topics#validateTopic}.
     * @return the number of values appended.
     */
    public int match(final String topic, final List<T> out)
    {
        final int tokens = tokenize(topic);
        final int before = out.size();
        if (tokens > 0)
        {
            match(root, topic, 0, tokens, out);
        }
        return out.size() - before;
    }

    private void match(final Node<T> node, final String topic, final int tokenIndex, final int tokens, final List<T> out)
    {
        if (tokenIndex == tokens)
        {
            addAll(node.values, out);
            return;
        }

        addAll(node.fullWildcardValues, out);

        final Node<T> child = node.child(topic, tokenStarts[tokenIndex], tokenEnds[tokenIndex]);
        if (null != child)
        {
            match(child, topic, tokenIndex + 1, tokens, out);
        }
        if (null != node.singleWildcard)
        {
            match(node.singleWildcard, topic, tokenIndex + 1, tokens, out);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void addAll(final Object values, final List<T> out)
    {
        if (null == values)
        {
            return;
        }
        if (values instanceof Many)
        {
            final Many many = (Many)values;
            for (int i = 0, n = many.size(); i < n; i++)
            {
                out.add((T)many.get(i));
            }
        }
        else
        {
            out.add((T)values);
        }
    }

    /**
     * A node's values are held in one slot: null, the one value itself (most patterns have one subscriber, so
     * a list each would be two objects more per subscription), or a {@link Many} of two or more, in the order
     * they were added.
     */
    private static Object with(final Object slot, final Object value)
    {
        if (null == slot)
        {
            return value;
        }
        if (slot instanceof Many)
        {
            ((Many)slot).add(value);
            return slot;
        }
        final Many many = new Many();
        many.add(slot);
        many.add(value);
        return many;
    }

    /**
     * @return the slot without the first value equal to this one, or {@link #NOT_FOUND}.
     */
    private static Object without(final Object slot, final Object value)
    {
        if (null == slot)
        {
            return NOT_FOUND;
        }
        if (slot instanceof Many)
        {
            final Many many = (Many)slot;
            if (!many.remove(value))
            {
                return NOT_FOUND;
            }
            return many.size() == 1 ? many.get(0) : many;
        }
        return value.equals(slot) ? null : NOT_FOUND;
    }

    /** Two or more values of one node; private, so that no value can be one. */
    private static final class Many extends ArrayList<Object>
    {
        private static final long serialVersionUID = 1L;

        Many()
        {
            super(2);
        }
    }

    private int tokenize(final String topic)
    {
        final int length = topic.length();
        final int maxTokens = tokenStarts.length - 1;
        int count = 0;
        int start = 0;
        for (int i = 0; i <= length; i++)
        {
            if (i == length || topic.charAt(i) == Topics.SEPARATOR)
            {
                if (count == maxTokens)
                {
                    return 0;
                }
                tokenStarts[count] = start;
                tokenEnds[count] = i;
                count++;
                start = i + 1;
            }
        }
        return count;
    }

    private boolean remove(final Node<T> node, final String pattern, final int start, final T value)
    {
        int end = pattern.indexOf(Topics.SEPARATOR, start);
        if (end < 0)
        {
            end = pattern.length();
        }
        if (end - start == 1 && pattern.charAt(start) == Topics.FULL_WILDCARD)
        {
            final Object left = without(node.fullWildcardValues, value);
            if (NOT_FOUND == left)
            {
                return false;
            }
            node.fullWildcardValues = left;
            return true;
        }

        final boolean isStar = end - start == 1 && pattern.charAt(start) == Topics.SINGLE_WILDCARD;
        final Node<T> child = isStar ? node.singleWildcard : node.child(pattern, start, end);
        if (null == child)
        {
            return false;
        }

        final boolean removed;
        if (end == pattern.length())
        {
            final Object left = without(child.values, value);
            removed = NOT_FOUND != left;
            if (removed)
            {
                child.values = left;
            }
        }
        else
        {
            removed = remove(child, pattern, end + 1, value);
        }

        if (removed && child.isEmpty())
        {
            if (isStar)
            {
                node.singleWildcard = null;
            }
            else
            {
                node.removeChild(pattern, start, end);
            }
        }
        return removed;
    }

    private static final class Node<T>
    {
        // Created on first use: a million subscriptions make a million nodes, most with one value or none.
        Object values;             // see with()
        Object fullWildcardValues; // see with()
        // Exact-token children: the first held inline (most nodes have one, and a map would be three objects
        // more per subscription), a map from the second on.
        String onlyToken;
        Node<T> onlyChild;
        TokenMap<Node<T>> exact;
        Node<T> singleWildcard;

        /**
         * @return the child for the exact token {@code text[from, to)}, or null.
         */
        Node<T> child(final String text, final int from, final int to)
        {
            if (null != exact)
            {
                return exact.get(text, from, to);
            }
            final String token = onlyToken;
            final int length = to - from;
            return null != token && token.length() == length && token.regionMatches(0, text, from, length) ?
                onlyChild : null;
        }

        /**
         * @return the child for the token {@code pattern[start, end)}, made if there is none; its key is cut from
         * the pattern only when the child is new.
         */
        Node<T> childFor(final String pattern, final int start, final int end)
        {
            if (end - start == 1 && pattern.charAt(start) == Topics.SINGLE_WILDCARD)
            {
                if (null == singleWildcard)
                {
                    singleWildcard = new Node<>();
                }
                return singleWildcard;
            }
            Node<T> child = child(pattern, start, end);
            if (null == child)
            {
                child = new Node<>();
                final String token = pattern.substring(start, end);
                if (null == exact && null == onlyToken)
                {
                    onlyToken = token;
                    onlyChild = child;
                }
                else
                {
                    if (null == exact)
                    {
                        exact = new TokenMap<>();
                        exact.put(onlyToken, onlyChild);
                        onlyToken = null;
                        onlyChild = null;
                    }
                    exact.put(token, child);
                }
            }
            return child;
        }

        void removeChild(final String text, final int from, final int to)
        {
            if (null != exact)
            {
                exact.remove(text, from, to);
                if (exact.size() == 0)
                {
                    exact = null;
                }
            }
            else
            {
                onlyToken = null;
                onlyChild = null;
            }
        }

        boolean isEmpty()
        {
            return null == values && null == fullWildcardValues && null == onlyToken && null == exact &&
                null == singleWildcard;
        }
    }
}
