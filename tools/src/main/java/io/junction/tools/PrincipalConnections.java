package io.junction.tools;

import java.util.HashMap;
import java.util.Map;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * Protocol connections open, by principal: the protocol's connections have no names of their own, but each says
 * HELLO as a principal, so one gauge per principal with connections open ({@code junction_protocol_principal_connections}),
 * at most {@code http.metrics.max-principal-series} of them; connections of further principals add up in
 * {@code principal="_other"}, and each such connection is counted as capped. A principal's series is freed when
 * its last connection closes. Called once per connection at HELLO and at close (the I/O agents' threads), never
 * per message.
 */
final class PrincipalConnections
{
    public static final int CONNECTIONS_TYPE_ID = 1706;
    public static final int CAPPED_TYPE_ID = 1707;
    static final String LABEL = "protocol connections: principal=";

    /** One principal's connections. */
    static final class Series
    {
        private final String principal;
        private final AtomicCounter connections;
        private int open;

        private Series(final String principal, final AtomicCounter connections)
        {
            this.principal = principal;
            this.connections = connections;
        }
    }

    private final CountersManager counters;
    private final Map<String, Series> series = new HashMap<>();
    private final Series other;
    private final AtomicCounter capped;
    private volatile int maxSeries;

    PrincipalConnections(final CountersManager counters, final int maxSeries)
    {
        this.counters = counters;
        this.maxSeries = maxSeries;
        other = new Series(MetricCatalogue.OTHER, counters.newCounter(LABEL + MetricCatalogue.OTHER,
            CONNECTIONS_TYPE_ID));
        capped = counters.newCounter("protocol principal series capped: connections in _other", CAPPED_TYPE_ID);
    }

    /**
     * @param maxSeries principals with series of their own at once (the daemon's http.metrics.max-principal-series).
     */
    void maxSeries(final int maxSeries)
    {
        this.maxSeries = maxSeries;
    }

    /**
     * A connection said HELLO as {@code principal}.
     *
     * @return its series, to hand back to {@link #close} when the connection closes.
     */
    synchronized Series open(final String principal)
    {
        Series of = series.get(principal);
        if (null == of)
        {
            of = series.size() < maxSeries ? newSeries(principal) : null;
            if (null == of)
            {
                capped.increment();
                of = other;
            }
            else
            {
                series.put(principal, of);
            }
        }
        of.connections.setRelease(++of.open);
        return of;
    }

    synchronized void close(final Series of)
    {
        of.connections.setRelease(--of.open);
        if (0 == of.open && of != other)
        {
            series.remove(of.principal);
            of.connections.close();
        }
    }

    private Series newSeries(final String principal)
    {
        try
        {
            return new Series(principal, counters.newCounter(LABEL + principal, CONNECTIONS_TYPE_ID));
        }
        catch (final IllegalStateException ex)
        {
            return null; // counters-capacity is full: the connection is counted in _other
        }
    }
}
