package io.junction;

/**
 * Remembers topic strings that passed validation, so publishers that reuse their topic strings (as
 * they should) skip the character scan. Keyed by identity: a String is immutable, so the same instance
 * is still valid. Direct-mapped and racy by design: a lost update only costs a re-validation.
 */
final class ValidTopicCache
{
    private static final int SIZE = 1024;

    private final String[] entries = new String[SIZE];

    boolean contains(final String topic)
    {
        return null != topic && entries[topic.hashCode() & (SIZE - 1)] == topic;
    }

    void add(final String topic)
    {
        entries[topic.hashCode() & (SIZE - 1)] = topic;
    }
}
