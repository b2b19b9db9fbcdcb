package io.junction.regulate;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One publisher's memory of which rule governs each topic and class under the current configuration,
 * so that the per-message decision is one map lookup. Rebuilt when the configuration changes.
 */
public final class RegulationCache
{
    static final int MAX_TOPICS = 4096;

    final String publisherName;
    /** The authenticated principal the publisher is bound to; null for none (embedded, anonymous offers). */
    final String principal;
    volatile Binding binding;
    /** The time its offers carry, set by its one thread per batch ({@code Publisher.batchTime}); 0: read the clock. */
    private long batchNowNs;

    RegulationCache(final String publisherName, final String principal)
    {
        this.publisherName = publisherName;
        this.principal = principal;
    }

    public String publisherName()
    {
        return publisherName;
    }

    public long batchNowNs()
    {
        return batchNowNs;
    }

    public void batchNowNs(final long nowNs)
    {
        this.batchNowNs = nowNs;
    }

    static final class Binding
    {
        final Regulator.Compiled compiled;
        final ConcurrentHashMap<String, Admission[]> byTopic = new ConcurrentHashMap<>();

        Binding(final Regulator.Compiled compiled)
        {
            this.compiled = compiled;
        }
    }
}
