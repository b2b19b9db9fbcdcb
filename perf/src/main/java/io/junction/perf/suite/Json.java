package io.junction.perf.suite;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The run's figures as {@code results.json}, through Jackson: a tree built from the results, written indented
 * with {@code "key": value}.
 */
final class Json
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter WRITER = MAPPER.writer(new DefaultPrettyPrinter().withSeparators(
        Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

    private Json()
    {
    }

    static String of(
        final SuiteOptions options, final SuiteResults results, final String machine, final List<CapacityPlan> plans)
    {
        final ObjectNode root = MAPPER.createObjectNode();
        root.put("mode", options.mode);
        root.put("p99TargetNs", options.p99TargetNs);
        root.put("headroom", options.headroom);
        root.put("machine", machine);

        final ArrayNode targets = root.putArray("targets");
        results.targets.forEach((t) -> targets.addObject().put("name", t.name()).put("kind", t.kind().name())
            .put("transport", t.transport()).put("version", t.version()).put("semantics", t.semantics()));

        final ArrayNode throughput = root.putArray("throughput");
        results.throughput.forEach((r) -> throughput.addObject().put("target", r.target())
            .put("subscribers", r.workload().subscribers()).put("payloadBytes", r.workload().payloadBytes())
            .put("sent", r.sent()).put("delivered", r.delivered()).put("seconds", r.seconds())
            .put("msgsPerSec", r.msgsPerSec()).put("deliveriesPerSec", r.deliveriesPerSec()));

        final ArrayNode latency = root.putArray("latency");
        results.latency.forEach((r) ->
        {
            final ObjectNode row = latency.addObject().put("target", r.target())
                .put("subscribers", r.workload().subscribers()).put("payloadBytes", r.workload().payloadBytes())
                .put("offeredRate", r.offeredRate()).put("scheduled", r.scheduled()).put("sent", r.sent())
                .put("delivered", r.delivered()).put("saturated", r.saturated());
            percentiles(row, r.latency());
            row.put("sendLagP99Ns", r.sendLag().p99Ns()).put("sendLagMaxNs", r.sendLag().maxNs());
        });

        final ArrayNode roundTrips = root.putArray("roundTrips");
        results.roundTrips.forEach((r) -> percentiles(roundTrips.addObject().put("limit", r.name())
            .put("transport", r.transport()).put("payloadBytes", r.payloadBytes()), r.roundTrip()));

        final ArrayNode capacity = root.putArray("capacity");
        plans.forEach((p) -> capacity.addObject().put("target", p.target())
            .put("subscribers", p.workload().subscribers()).put("payloadBytes", p.workload().payloadBytes())
            .put("p99TargetNs", p.p99TargetNs()).put("sustainedRate", p.sustainedRate())
            .put("atHighestTested", p.atHighestTested()).put("suggestedTokenBucketRate", p.suggestedRate())
            .put("suggestedBurst", p.suggestedBurst()).put("summary", p.sentence()));

        final ObjectNode sections = root.putObject("sections");
        for (final SuiteResults.Table table : results.tables)
        {
            final ArrayNode rows = sections.putArray(table.key());
            for (final List<String> row : table.rows())
            {
                final ObjectNode object = rows.addObject();
                for (int c = 0; c < table.columns().size(); c++)
                {
                    value(object, table.columns().get(c), c < row.size() ? row.get(c) : null);
                }
            }
        }

        final ArrayNode skipped = root.putArray("skipped");
        results.skipped.forEach((s) -> skipped.addObject().put("what", s.what()).put("why", s.why()));
        try
        {
            return WRITER.writeValueAsString(root) + "\n";
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot write results.json", ex);
        }
    }

    private static void percentiles(final ObjectNode row, final Percentiles p)
    {
        row.put("count", p.count()).put("p50Ns", p.p50Ns()).put("p90Ns", p.p90Ns()).put("p99Ns", p.p99Ns())
            .put("p999Ns", p.p999Ns()).put("p9999Ns", p.p9999Ns()).put("maxNs", p.maxNs());
    }

    /** A table cell: a number as a JSON number, anything else as a string; empty or "NaN" as null. */
    static void value(final ObjectNode row, final String column, final String text)
    {
        if (null == text || text.isEmpty() || "NaN".equals(text))
        {
            row.putNull(column);
        }
        else if (text.matches("-?[0-9]+"))
        {
            try
            {
                row.put(column, Long.parseLong(text));
            }
            catch (final NumberFormatException ex)
            {
                row.put(column, new java.math.BigDecimal(text));
            }
        }
        else if (text.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?"))
        {
            row.put(column, new java.math.BigDecimal(text));
        }
        else
        {
            row.put(column, text);
        }
    }
}
