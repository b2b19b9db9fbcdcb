package io.junction.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * What {@code GET /metrics} serves, through the Prometheus Java client: the counters as catalogued families, JVM
 * and process metrics, and {@code junction_build_info{version,commit}}. A registry of its own, so several
 * daemons in one JVM (tests, embedding) do not share series.
 */
final class MetricsExposition implements AutoCloseable
{
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final AtomicCounter capped;
    private final AtomicCounter folded;

    /**
     * @param maxNamedSeries series a per-subscription family has for named subscriptions (the rest add up in
     *                       {@value MetricCatalogue#OTHER}); {@code http.metrics.max-named-series}.
     */
    MetricsExposition(final CountersManager counters, final int maxNamedSeries)
    {
        capped = counters.newCounter("metrics scrapes over the named-series cap", MetricCatalogue.SERIES_CAPPED_TYPE_ID);
        folded = counters.newCounter("metrics named series folded at the last scrape",
            MetricCatalogue.SERIES_FOLDED_TYPE_ID);
        registry.register(new CountersCollector(counters, maxNamedSeries, capped, folded));
        JvmMetrics.builder().register(registry);
        final BuildInfo build = BuildInfo.load();
        final InfoSnapshot buildInfo = InfoSnapshot.builder().name("junction_build")
            .help("The running Junction's version and commit.")
            .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                .labels(Labels.of("version", build.version(), "commit", build.commit())).build())
            .build();
        registry.register(() -> buildInfo);
    }

    String contentType()
    {
        return writer.getContentType();
    }

    MetricSnapshots scrape()
    {
        return registry.scrape();
    }

    byte[] text()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
        try
        {
            writer.write(out, registry.scrape());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(capped, folded);
    }
}
