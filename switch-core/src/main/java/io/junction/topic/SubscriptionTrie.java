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
                node.fullWildcardValues().add(value);
                size++;
                return;
            }
            node = node.childFor(pattern.substring(start, end));
            if (end == length)
            {
                node.values().add(value);
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

        if (null != node.exact)
        {
            final Node<T> child = node.exact.get(topic, tokenStarts[tokenIndex], tokenEnds[tokenIndex]);
            if (null != child)
            {
                match(child, topic, tokenIndex + 1, tokens, out);
            }
        }
        if (null != node.singleWildcard)
        {
            match(node.singleWildcard, topic, tokenIndex + 1, tokens, out);
        }
    }

    private static <T> void addAll(final ArrayList<T> values, final List<T> out)
    {
        if (null == values)
        {
            return;
        }
        for (int i = 0, n = values.size(); i < n; i++)
        {
            out.add(values.get(i));
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
            return null != node.fullWildcardValues && node.fullWildcardValues.remove(value);
        }

        final boolean isStar = end - start == 1 && pattern.charAt(start) == Topics.SINGLE_WILDCARD;
        final Node<T> child = isStar ? node.singleWildcard :
            (null == node.exact ? null : node.exact.get(pattern, start, end));
        if (null == child)
        {
            return false;
        }

        final boolean removed = end == pattern.length() ?
            null != child.values && child.values.remove(value) : remove(child, pattern, end + 1, value);

        if (removed && child.isEmpty())
        {
            if (isStar)
            {
                node.singleWildcard = null;
            }
            else
            {
                node.exact.remove(pattern.substring(start, end));
                if (node.exact.size() == 0)
                {
                    node.exact = null;
                }
            }
        }
        return removed;
    }

    private static final class Node<T>
    {
        // Created on first use: a million subscriptions make a million nodes, most with one list or none.
        ArrayList<T> values;
        ArrayList<T> fullWildcardValues;
        TokenMap<Node<T>> exact;
        Node<T> singleWildcard;

        ArrayList<T> values()
        {
            if (null == values)
            {
                values = new ArrayList<>(1);
            }
            return values;
        }

        ArrayList<T> fullWildcardValues()
        {
            if (null == fullWildcardValues)
            {
                fullWildcardValues = new ArrayList<>(1);
            }
            return fullWildcardValues;
        }

        Node<T> childFor(final String token)
        {
            if (token.length() == 1 && token.charAt(0) == Topics.SINGLE_WILDCARD)
            {
                if (null == singleWildcard)
                {
                    singleWildcard = new Node<>();
                }
                return singleWildcard;
            }
            if (null == exact)
            {
                exact = new TokenMap<>();
            }
            Node<T> child = exact.get(token);
            if (null == child)
            {
                child = new Node<>();
                exact.put(token, child);
            }
            return child;
        }

        boolean isEmpty()
        {
            return (null == values || values.isEmpty()) && (null == fullWildcardValues || fullWildcardValues.isEmpty()) &&
                null == exact && null == singleWildcard;
        }
    }
}
