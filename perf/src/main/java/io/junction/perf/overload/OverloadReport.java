package io.junction.perf.overload;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

import io.junction.Priority;

/**
 * Writes the sweep as CSV, JSON and a PNG (goodput vs offered load; p99 per class vs offered load).
 */
final class OverloadReport
{
    private static final Priority[] REPORTED = { Priority.CRITICAL, Priority.HIGH, Priority.BULK };

    private final OverloadBenchmark.Settings settings;
    private final double capacity;
    private final double capacityAfter;
    private final Instant started;
    private final List<StepResult> results;
    private final String loadAtStart;

    OverloadReport(
        final OverloadBenchmark.Settings settings,
        final double capacity,
        final double capacityAfter,
        final Instant started,
        final List<StepResult> results,
        final String loadAtStart)
    {
        this.loadAtStart = loadAtStart;
        this.settings = settings;
        this.capacity = capacity;
        this.capacityAfter = capacityAfter;
        this.started = started;
        this.results = results;
    }

    static String summary(final StepResult r, final double capacity)
    {
        final StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
            "%-9s %4.1fx offered %,10d/s goodput %,10.0f/s (%5.1f%% of capacity) heap %4d->%4d MB gc %d alloc gen %d B pipe %d B",
            r.mode, r.multiplier, r.offeredRate, r.goodput(), 100 * r.goodput() / capacity,
            r.heapUsedBeforeBytes >> 20, r.heapUsedAfterBytes >> 20, r.gcCount,
            r.allocatedBytesGenerator, r.allocatedBytesPipeline));
        for (final Priority p : REPORTED)
        {
            final int c = p.ordinal();
            sb.append(String.format(Locale.ROOT,
                "%n    %-8s scheduled %,9d accepted %,9d shed %,9d unsent %,9d  p50 %,9.1f p99 %,9.1f p99.9 %,9.1f max %,10.1f us",
                p, r.scheduled[c], r.accepted[c], r.shed[c], r.unsent[c],
                r.micros(p, 50), r.micros(p, 99), r.micros(p, 99.9), r.micros(p, 100)));
        }
        return sb.toString();
    }

    /**
     * @return the PNG written beside the CSV and JSON.
     */
    Path write(final Path dir, final String base) throws IOException
    {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(base + ".csv"), csv());
        Files.writeString(dir.resolve(base + ".json"), json());
        final Path png = dir.resolve(base + ".png");
        plot(png);
        return png;
    }

    private String machine()
    {
        return String.format(Locale.ROOT, "cpu=%s; cores=%d; load average at start %s, at end %s; jvm=%s %s; os=%s %s",
            cpuModel(), Runtime.getRuntime().availableProcessors(), loadAtStart, loadAverage(),
            System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
            System.getProperty("os.name"), System.getProperty("os.version"));
    }

    static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException ex)
        {
            return "n/a";
        }
    }

    private static String cpuModel()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException ignore)
        {
            // Not Linux: fall through.
        }
        return System.getProperty("os.arch");
    }

    private String header()
    {
        return String.format(Locale.ROOT,
            "# Junction overload benchmark, %s UTC; %s; heap max %d MB; jvm args %s%n" +
            "# capacity %.0f msg/s (measured again after the sweep: %.0f msg/s); subscriber service time %d ns; ring %d; outbox %d; mix 5%% CRITICAL 20%% HIGH 75%% BULK;" +
            " warm-up %.1f s + window %.1f s per step; regulated = CoDel target %d us interval %d us + ring/8 reserved for CRITICAL + CRITICAL express lane %s; baseline = no regulation, generator retries on back pressure%n",
            started, machine(), Runtime.getRuntime().maxMemory() >> 20,
            ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter((a) -> !a.startsWith("--add")).toList(),
            capacity, capacityAfter, settings.serviceNs, settings.ringSize, settings.outboxCapacity, settings.warmupSeconds,
            settings.windowSeconds, settings.codelTargetNs / 1000, settings.codelIntervalNs / 1000,
            settings.expressCritical ? "on" : "off");
    }

    private String csv()
    {
        final StringBuilder sb = new StringBuilder(header());
        sb.append("mode,multiplier,offered_per_s,goodput_per_s,goodput_pct_capacity,heap_before_mb,heap_after_mb,gc_count," +
            "alloc_generator_bytes,alloc_pipeline_bytes");
        for (final Priority p : REPORTED)
        {
            final String n = p.name().toLowerCase(Locale.ROOT);
            sb.append(String.format(Locale.ROOT, ",%1$s_scheduled,%1$s_accepted,%1$s_shed,%1$s_unsent," +
                "%1$s_p50_us,%1$s_p99_us,%1$s_p999_us,%1$s_max_us", n));
        }
        sb.append('\n');
        for (final StepResult r : results)
        {
            sb.append(String.format(Locale.ROOT, "%s,%.1f,%d,%.0f,%.1f,%d,%d,%d,%d,%d", r.mode, r.multiplier, r.offeredRate,
                r.goodput(), 100 * r.goodput() / capacity, r.heapUsedBeforeBytes >> 20, r.heapUsedAfterBytes >> 20,
                r.gcCount, r.allocatedBytesGenerator, r.allocatedBytesPipeline));
            for (final Priority p : REPORTED)
            {
                final int c = p.ordinal();
                sb.append(String.format(Locale.ROOT, ",%d,%d,%d,%d,%.1f,%.1f,%.1f,%.1f", r.scheduled[c], r.accepted[c],
                    r.shed[c], r.unsent[c], r.micros(p, 50), r.micros(p, 99), r.micros(p, 99.9), r.micros(p, 100)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private String json()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
            "{%n  \"date\": \"%s\",%n  \"machine\": \"%s\",%n  \"capacityPerSecond\": %.0f,%n" +
            "  \"capacityAfterPerSecond\": %.0f,%n  \"serviceNs\": %d,%n" +
            "  \"codelTargetNs\": %d,%n  \"codelIntervalNs\": %d,%n  \"steps\": [%n",
            started, machine().replace("\"", "'"), capacity, capacityAfter, settings.serviceNs, settings.codelTargetNs,
            settings.codelIntervalNs));
        for (int i = 0; i < results.size(); i++)
        {
            final StepResult r = results.get(i);
            sb.append(String.format(Locale.ROOT,
                "    {\"mode\": \"%s\", \"multiplier\": %.1f, \"offeredPerSecond\": %d, \"goodputPerSecond\": %.0f, " +
                "\"heapBeforeBytes\": %d, \"heapAfterBytes\": %d, \"gcCount\": %d, \"allocatedBytesGenerator\": %d, " +
                "\"allocatedBytesPipeline\": %d, \"classes\": {",
                r.mode, r.multiplier, r.offeredRate, r.goodput(), r.heapUsedBeforeBytes, r.heapUsedAfterBytes, r.gcCount,
                r.allocatedBytesGenerator, r.allocatedBytesPipeline));
            for (int k = 0; k < REPORTED.length; k++)
            {
                final Priority p = REPORTED[k];
                final int c = p.ordinal();
                sb.append(String.format(Locale.ROOT,
                    "%s\"%s\": {\"scheduled\": %d, \"accepted\": %d, \"shed\": %d, \"unsent\": %d, \"p50Us\": %s, " +
                    "\"p99Us\": %s, \"p999Us\": %s, \"maxUs\": %s}",
                    k == 0 ? "" : ", ", p, r.scheduled[c], r.accepted[c], r.shed[c], r.unsent[c],
                    num(r.micros(p, 50)), num(r.micros(p, 99)), num(r.micros(p, 99.9)), num(r.micros(p, 100))));
            }
            sb.append(i == results.size() - 1 ? "}}\n" : "}},\n");
        }
        sb.append("  ]\n}\n");
        return sb.toString();
    }

    private static String num(final double value)
    {
        return Double.isNaN(value) ? "null" : String.format(Locale.ROOT, "%.1f", value);
    }

    private void plot(final Path file) throws IOException
    {
        final String subtitle = String.format(Locale.ROOT, " (capacity %.0f msg/s, %s UTC)", capacity, started);
        final XYChart goodput = new XYChartBuilder().width(900).height(500)
            .title("Goodput vs offered load" + subtitle).xAxisTitle("offered load (x capacity)")
            .yAxisTitle("goodput (% of capacity)").build();
        final XYChart p99 = new XYChartBuilder().width(900).height(500)
            .title("p99 latency of accepted messages per class").xAxisTitle("offered load (x capacity)")
            .yAxisTitle("p99 (us, log)").build();
        p99.getStyler().setYAxisLogarithmic(true);
        goodput.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        p99.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);

        for (final String mode : new String[]{ "regulated", "baseline" })
        {
            final List<Double> x = new ArrayList<>();
            final List<Double> y = new ArrayList<>();
            for (final StepResult r : results)
            {
                if (r.mode.equals(mode))
                {
                    x.add(r.multiplier);
                    y.add(100 * r.goodput() / capacity);
                }
            }
            goodput.addSeries(mode, x, y);

            for (final Priority p : REPORTED)
            {
                final List<Double> px = new ArrayList<>();
                final List<Double> py = new ArrayList<>();
                for (final StepResult r : results)
                {
                    final double v = r.micros(p, 99);
                    if (r.mode.equals(mode) && !Double.isNaN(v))
                    {
                        px.add(r.multiplier);
                        py.add(Math.max(v, 0.1));
                    }
                }
                if (!px.isEmpty())
                {
                    p99.addSeries(mode + " " + p, px, py);
                }
            }
        }
        BitmapEncoder.saveBitmap(List.of(goodput, p99), 2, 1, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
