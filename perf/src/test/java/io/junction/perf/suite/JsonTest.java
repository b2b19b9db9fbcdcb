package io.junction.perf.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * {@code results.json} through Jackson: valid JSON, table cells typed (numbers as numbers, text as strings, NaN
 * and blanks as null), awkward text intact.
 */
class JsonTest
{
    @Test
    void resultsReadBackWithTypedCells() throws Exception
    {
        final SuiteResults results = new SuiteResults();
        results.targets.add(new SuiteResults.TargetInfo("Junction \"embedded\"", Target.Kind.JUNCTION, "in-process",
            "0.1", "at-most-once\nordered"));
        results.tables.add(new SuiteResults.Table("overload", "Overload", List.of("rate", "p99", "note", "gap"),
            List.of(List.of("10000", "1.5e3", "shed LOW", "NaN"), List.of("20000"))));
        results.skipped.add(new SuiteResults.Skipped("nats", "no server binary"));
        final String json = Json.of(SuiteOptions.tiny(), results, "2 cores", List.of());
        assertTrue(json.contains("\"overload\": ["), json);

        final JsonNode root = new ObjectMapper().readTree(json);
        assertEquals("Junction \"embedded\"", root.at("/targets/0/name").asText());
        assertEquals("at-most-once\nordered", root.at("/targets/0/semantics").asText());
        final JsonNode row = root.at("/sections/overload/0");
        assertTrue(row.get("rate").isIntegralNumber() && row.get("rate").asLong() == 10000, row::toString);
        assertEquals(1500.0, row.get("p99").asDouble());
        assertEquals("shed LOW", row.get("note").asText());
        assertTrue(row.get("gap").isNull(), row::toString);
        assertTrue(root.at("/sections/overload/1/note").isNull(), "a short row's missing cells are null");
        assertEquals("no server binary", root.at("/skipped/0/why").asText());
        assertEquals("2 cores", root.get("machine").asText());
        assertTrue(root.get("capacity").isArray());
    }
}
