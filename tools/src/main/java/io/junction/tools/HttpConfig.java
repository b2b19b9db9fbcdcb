package io.junction.tools;

import java.time.Duration;

import com.typesafe.config.Config;

import static io.junction.tools.ConfigKeys.bool;
import static io.junction.tools.ConfigKeys.duration;
import static io.junction.tools.ConfigKeys.intAtLeast;
import static io.junction.tools.ConfigKeys.string;

/**
 * The HTTP endpoint ({@code http { ... }}; its admin token is part of {@link SecurityConfig}). A restart applies
 * changes.
 *
 * @param metricsMaxNamedSeries     series each per-subscription family of /metrics has for named subscriptions.
 * @param metricsMaxPrincipalSeries principals with a series of protocol connections of their own.
 */
public record HttpConfig(boolean enabled, String host, int port, int metricsMaxNamedSeries,
    int metricsMaxPrincipalSeries, Limits limits)
{
    /**
     * Bounds of the HTTP endpoint: a small fixed pool of workers, a bounded queue of requests waiting for one
     * (beyond it a request is refused and counted), and how long one request may take to arrive or be answered.
     */
    public record Limits(int threads, int maxQueued, Duration requestTimeout)
    {
    }

    static HttpConfig from(final Config config)
    {
        return new HttpConfig(
            bool(config, "http.enabled"),
            string(config, "http.host"),
            intAtLeast(config, "http.port", 0, 65535),
            intAtLeast(config, "http.metrics.max-named-series", 0, 1_000_000),
            intAtLeast(config, "http.metrics.max-principal-series", 0, 1_000_000),
            new Limits(
                intAtLeast(config, "http.threads", 1, 64),
                intAtLeast(config, "http.max-queued", 1, 1 << 16),
                duration(config, "http.request-timeout", true)));
    }
}
