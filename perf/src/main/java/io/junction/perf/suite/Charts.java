package io.junction.perf.suite;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's plots, as PNG files (XChart, headless): throughput bars, latency percentile curves per
 * workload, and p99 against offered rate for capacity planning.
 */
public final class Charts
{
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 560;
    private static final double FLOOR = 0.01;

    private Charts()
    {
    }

    /** Throughput per workload, one bar per target, log scale (the limits and peers are far apart). */
    public static Path throughput(final SuiteResults results, final List<Workload> workloads, final Path dir)
        throws IOException
    {
        final CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
            .title("Throughput: messages/s from one publisher, delivered to every subscriber (log scale)")
            .xAxisTitle("workload").yAxisTitle("messages/s").build();
        style(chart.getStyler());
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisDecimalPattern("#,###");
        final List<String> categories = workloads.stream().map(Workload::label).toList();
        final double floor = logFloor(results.throughput.stream().mapToDouble(ThroughputResult::msgsPerSec).toArray());
        chart.getStyler().setYAxisMin(floor);
        for (final SuiteResults.TargetInfo target : results.targets)
        {
            final List<Double> values = new ArrayList<>();
            for (final Workload workload : workloads)
            {
                values.add(results.throughput.stream()
                    .filter(r -> r.target().equals(target.name()) && r.workload().equals(workload))
                    .mapToDouble(ThroughputResult::msgsPerSec).map(v -> Math.max(v, floor)).findFirst().orElse(floor));
            }
            chart.addSeries(label(target), categories, values);
        }
        return save(chart, dir.resolve("throughput.png"));
    }

    /** Latency percentiles (p50 … max) at one rate for one workload, one curve per target. */
    public static Path latencyPercentiles(
        final SuiteResults results, final Workload workload, final long rate, final Path dir) throws IOException
    {
        final CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
            .title("Latency at " + String.format("%,d", rate) + " msg/s, " + workload.label() +
                " (intended send → receipt, µs, log scale)")
            .xAxisTitle("percentile").yAxisTitle("µs").build();
        style(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        chart.getStyler().setYAxisLogarithmic(true);
        final List<String> categories = List.of(Percentiles.LABELS);
        chart.getStyler().setYAxisMin(logFloor(results.latency.stream()
            .filter(r -> r.workload().equals(workload) && r.offeredRate() == rate)
            .mapToDouble(r -> r.latency().p50Ns() / 1e3).toArray()));
        int series = 0;
        for (final LatencyResult result : results.latency)
        {
            if (result.workload().equals(workload) && result.offeredRate() == rate)
            {
                final List<Double> values = new ArrayList<>();
                for (final long value : result.latency().values())
                {
                    values.add(Math.max(FLOOR, value / 1e3));
                }
                chart.addSeries(result.target() + (result.saturated() ? " (saturated)" : ""), categories, values);
                series++;
            }
        }
        return series == 0 ? null : save(chart, dir.resolve("latency-" + workload.key() + "-" + rate + ".png"));
    }

    /** p99 against offered rate on one workload, per target, with the latency target as a line. */
    public static Path capacity(
        final SuiteResults results, final Workload workload, final long p99TargetNs, final Path dir) throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
            .title("p99 latency vs offered rate, " + workload.label() + " (log-log); dashed: the p99 target")
            .xAxisTitle("offered messages/s").yAxisTitle("p99 µs").build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        final Map<String, List<LatencyResult>> byTarget = new LinkedHashMap<>();
        for (final LatencyResult result : results.latency)
        {
            if (result.workload().equals(workload))
            {
                byTarget.computeIfAbsent(result.target(), k -> new ArrayList<>()).add(result);
            }
        }
        double minRate = Double.MAX_VALUE;
        double maxRate = 0;
        for (final Map.Entry<String, List<LatencyResult>> entry : byTarget.entrySet())
        {
            final List<LatencyResult> points = entry.getValue().stream()
                .sorted((a, b) -> Long.compare(a.offeredRate(), b.offeredRate())).toList();
            final double[] x = points.stream().mapToDouble(LatencyResult::offeredRate).toArray();
            final double[] y = points.stream().mapToDouble(p -> Math.max(FLOOR, p.latency().p99Ns() / 1e3)).toArray();
            chart.addSeries(entry.getKey(), x, y);
            for (final double rate : x)
            {
                minRate = Math.min(minRate, rate);
                maxRate = Math.max(maxRate, rate);
            }
        }
        if (byTarget.isEmpty())
        {
            return null;
        }
        final XYSeries target = chart.addSeries("p99 target " + p99TargetNs / 1e3 + " µs",
            new double[] { minRate, maxRate }, new double[] { p99TargetNs / 1e3, p99TargetNs / 1e3 });
        target.setMarker(SeriesMarkers.NONE);
        target.setLineColor(Color.RED);
        target.setLineStyle(new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER,
            10f, new float[] { 8f, 6f }, 0f));
        return save(chart, dir.resolve("capacity-" + workload.key() + ".png"));
    }

    /**
     * Latency percentile curves of a section (Junction beside its limit), µs on a log axis.
     *
     * @param series per name, one value in µs per label.
     */
    public static Path percentileCurves(
        final String title, final List<String> labels, final Map<String, double[]> series, final Path file)
        throws IOException
    {
        final CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
            .title(title).xAxisTitle("percentile").yAxisTitle("µs").build();
        style(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(logFloor(series.values().stream()
            .flatMapToDouble(java.util.Arrays::stream).toArray()));
        for (final Map.Entry<String, double[]> entry : series.entrySet())
        {
            final List<Double> values = new ArrayList<>();
            for (final double value : entry.getValue())
            {
                values.add(Math.max(FLOOR, value));
            }
            chart.addSeries(entry.getKey(), labels, values);
        }
        return save(chart, file);
    }

    /**
     * Aggregate rate against a count (shards, publishers), one line per series, linear axes from zero.
     *
     * @param series per name, one value per count.
     */
    public static Path scaling(final String title, final int[] counts, final Map<String, double[]> series, final Path file)
        throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
            .title(title).xAxisTitle("shards (= publishers)").yAxisTitle("messages/s").build();
        style(chart.getStyler());
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern("#,###");
        final double[] x = java.util.Arrays.stream(counts).asDoubleStream().toArray();
        for (final Map.Entry<String, double[]> entry : series.entrySet())
        {
            chart.addSeries(entry.getKey(), x, entry.getValue()).setMarker(SeriesMarkers.CIRCLE);
        }
        return save(chart, file);
    }

    /** A power of ten at or below the smallest positive value: bars and log axes need a floor above 0. */
    static double logFloor(final double[] values)
    {
        double min = Double.MAX_VALUE;
        for (final double value : values)
        {
            if (value > 0)
            {
                min = Math.min(min, value);
            }
        }
        return min == Double.MAX_VALUE ? 1.0 : Math.pow(10, Math.floor(Math.log10(Math.max(min, FLOOR))));
    }

    private static String label(final SuiteResults.TargetInfo target)
    {
        return target.name() + " [" + target.kind().name().toLowerCase() + ", " + target.transport() + "]";
    }

    private static void style(final Styler styler)
    {
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setChartBackgroundColor(Color.WHITE);
    }

    private static Path save(final org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, final Path file)
        throws IOException
    {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
