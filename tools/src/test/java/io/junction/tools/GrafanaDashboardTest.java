package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard shipped in the distribution: valid JSON whose every query names families that
 * {@code /metrics} has (the catalogue's, the JVM's and the process's), so a renamed family cannot leave it blank.
 */
class GrafanaDashboardTest
{
    static final File DASHBOARD = new File("src/main/dist/grafana/junction-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:junction|jvm|process)_[a-zA-Z0-9_]+)");

    @Test
    void everyExpressionNamesAFamilyTheExpositionHas() throws Exception
    {
        final JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD);
        assertEquals("junction", dashboard.path("uid").asText());
        final List<String> expressions = new ArrayList<>();
        for (final JsonNode panel : dashboard.path("panels"))
        {
            assertFalse(panel.path("title").asText().isBlank(), panel::toString);
            for (final JsonNode target : panel.path("targets"))
            {
                expressions.add(target.path("expr").asText());
            }
        }
        expressions.add(dashboard.path("templating").path("list").get(1).path("query").asText());
        assertTrue(expressions.size() >= 20, expressions::toString);

        final Set<String> known = new TreeSet<>(MetricCatalogue.familyNames());
        known.addAll(jvmAndProcessNames());
        final Set<String> used = new TreeSet<>();
        for (final String expression : expressions)
        {
            final Matcher matcher = METRIC.matcher(expression);
            assertTrue(matcher.find(), () -> "names no metric: " + expression);
            do
            {
                used.add(matcher.group(1));
                assertTrue(known.contains(matcher.group(1)),
                    () -> "'" + matcher.group(1) + "' in " + expression + " is not exposed; known: " + known);
            }
            while (matcher.find());
        }
        assertTrue(used.contains("junction_latency_seconds") && used.contains("junction_offer_shed_total") &&
            used.contains("jvm_memory_used_bytes") && used.contains("process_cpu_seconds_total"), used::toString);
    }

    /** Every sample name the JVM and process collectors write (summaries' _sum and _count included). */
    private static Set<String> jvmAndProcessNames()
    {
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
        final Set<String> names = new TreeSet<>();
        try (MetricsExposition exposition = new MetricsExposition(counters, 10))
        {
            for (final String line : new String(exposition.text(), StandardCharsets.UTF_8).split("\n"))
            {
                if (!line.startsWith("#") && !line.isBlank())
                {
                    names.add(line.split("[{ ]", 2)[0]);
                }
            }
        }
        return names;
    }
}
