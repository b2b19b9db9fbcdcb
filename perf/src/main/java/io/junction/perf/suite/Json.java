package io.junction.perf.suite;

import java.util.List;
import java.util.Locale;

/**
 * The run's figures as JSON, written by hand (a handful of flat records; no library needed).
 */
final class Json
{
    private Json()
    {
    }

    static String of(
        final SuiteOptions options, final SuiteResults results, final String machine, final List<CapacityPlan> plans)
    {
        final StringBuilder out = new StringBuilder("{\n");
        out.append("  \"mode\": ").append(str(options.mode)).append(",\n");
        out.append("  \"p99TargetNs\": ").append(options.p99TargetNs).append(",\n");
        out.append("  \"headroom\": ").append(options.headroom).append(",\n");
        out.append("  \"machine\": ").append(str(machine)).append(",\n");

        out.append("  \"targets\": [");
        join(out, results.targets, t -> "{\"name\": " + str(t.name()) + ", \"kind\": " + str(t.kind().name()) +
            ", \"transport\": " + str(t.transport()) + ", \"version\": " + str(t.version()) +
            ", \"semantics\": " + str(t.semantics()) + "}");
        out.append("],\n  \"throughput\": [");
        join(out, results.throughput, r -> String.format(Locale.ROOT,
            "{\"target\": %s, \"subscribers\": %d, \"payloadBytes\": %d, \"sent\": %d, \"delivered\": %d, " +
            "\"seconds\": %.6f, \"msgsPerSec\": %.1f, \"deliveriesPerSec\": %.1f}",
            str(r.target()), r.workload().subscribers(), r.workload().payloadBytes(), r.sent(), r.delivered(),
            r.seconds(), r.msgsPerSec(), r.deliveriesPerSec()));
        out.append("],\n  \"latency\": [");
        join(out, results.latency, r -> String.format(Locale.ROOT,
            "{\"target\": %s, \"subscribers\": %d, \"payloadBytes\": %d, \"offeredRate\": %d, \"scheduled\": %d, " +
            "\"sent\": %d, \"delivered\": %d, \"saturated\": %b, %s, \"sendLagP99Ns\": %d, \"sendLagMaxNs\": %d}",
            str(r.target()), r.workload().subscribers(), r.workload().payloadBytes(), r.offeredRate(), r.scheduled(),
            r.sent(), r.delivered(), r.saturated(), percentiles(r.latency()), r.sendLag().p99Ns(),
            r.sendLag().maxNs()));
        out.append("],\n  \"roundTrips\": [");
        join(out, results.roundTrips, r -> "{\"limit\": " + str(r.name()) + ", \"transport\": " + str(r.transport()) +
            ", \"payloadBytes\": " + r.payloadBytes() + ", " + percentiles(r.roundTrip()) + "}");
        out.append("],\n  \"capacity\": [");
        join(out, plans, p -> String.format(Locale.ROOT,
            "{\"target\": %s, \"subscribers\": %d, \"payloadBytes\": %d, \"p99TargetNs\": %d, \"sustainedRate\": %d, " +
            "\"atHighestTested\": %b, \"suggestedTokenBucketRate\": %d, \"suggestedBurst\": %d, \"summary\": %s}",
            str(p.target()), p.workload().subscribers(), p.workload().payloadBytes(), p.p99TargetNs(),
            p.sustainedRate(), p.atHighestTested(), p.suggestedRate(), p.suggestedBurst(), str(p.sentence())));
        out.append("],\n  \"sections\": {");
        for (int i = 0; i < results.tables.size(); i++)
        {
            final SuiteResults.Table table = results.tables.get(i);
            out.append(i == 0 ? "\n    " : ",\n    ").append(str(table.key())).append(": [");
            for (int r = 0; r < table.rows().size(); r++)
            {
                final List<String> row = table.rows().get(r);
                out.append(r == 0 ? "\n      {" : ",\n      {");
                for (int c = 0; c < table.columns().size(); c++)
                {
                    out.append(c == 0 ? "" : ", ").append(str(table.columns().get(c))).append(": ")
                        .append(value(c < row.size() ? row.get(c) : null));
                }
                out.append('}');
            }
            out.append(table.rows().isEmpty() ? "]" : "\n    ]");
        }
        out.append(results.tables.isEmpty() ? "},\n" : "\n  },\n");
        out.append("  \"skipped\": [");
        join(out, results.skipped, s -> "{\"what\": " + str(s.what()) + ", \"why\": " + str(s.why()) + "}");
        out.append("]\n}\n");
        return out.toString();
    }

    private static String percentiles(final Percentiles p)
    {
        return String.format(Locale.ROOT, "\"count\": %d, \"p50Ns\": %d, \"p90Ns\": %d, \"p99Ns\": %d, " +
            "\"p999Ns\": %d, \"p9999Ns\": %d, \"maxNs\": %d",
            p.count(), p.p50Ns(), p.p90Ns(), p.p99Ns(), p.p999Ns(), p.p9999Ns(), p.maxNs());
    }

    private static <T> void join(
        final StringBuilder out, final List<T> items, final java.util.function.Function<T, String> f)
    {
        for (int i = 0; i < items.size(); i++)
        {
            out.append(i == 0 ? "\n    " : ",\n    ").append(f.apply(items.get(i)));
        }
        if (!items.isEmpty())
        {
            out.append("\n  ");
        }
    }

    /** A number as a JSON number, anything else as a string; empty or "NaN" as null. */
    static String value(final String text)
    {
        if (null == text || text.isEmpty() || "NaN".equals(text))
        {
            return "null";
        }
        return text.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?") ? text : str(text);
    }

    static String str(final String value)
    {
        if (null == value)
        {
            return "null";
        }
        final StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
