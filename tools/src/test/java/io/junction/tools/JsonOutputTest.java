package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import io.junction.observe.Alarm;
import io.junction.observe.AlarmRule;
import io.junction.observe.Severity;

/**
 * The tools' JSON through Jackson: what a webhook and {@code /alarms} carry, read back as a client would.
 */
class JsonOutputTest
{
    private static final AlarmRule RULE = new AlarmRule("shed \"rate\"", Severity.MAJOR, (now) -> 0, true, 1000, 0, 0,
        "line one\nline two\t\\");

    @Test
    void anAlarmReadsBackWithEveryFieldAndAwkwardTextIntact() throws Exception
    {
        final JsonNode node = JsonOutput.MAPPER.readTree(JsonOutput.alarm(new Alarm(RULE, true, 1200.5, 1_700_000_000_000L)));
        assertEquals("shed \"rate\"", node.get("alarm").asText());
        assertEquals("RAISED", node.get("state").asText());
        assertEquals("MAJOR", node.get("severity").asText());
        assertEquals(1200.5, node.get("value").asDouble());
        assertEquals("> 1000.0", node.get("condition").asText());
        assertEquals("line one\nline two\t\\", node.get("description").asText());
        assertEquals(1_700_000_000_000L, node.get("timeMs").asLong());
    }

    @Test
    void aValueThatIsNotANumberIsNullAndTheListIsAnArray() throws Exception
    {
        final String json = JsonOutput.alarms(List.of(new Alarm(RULE, false, Double.NaN, 1), new Alarm(RULE, true, 2, 3)));
        final JsonNode node = JsonOutput.MAPPER.readTree(json);
        assertTrue(node.isArray() && node.size() == 2, json);
        assertTrue(node.get(0).get("value").isNull(), json);
        assertEquals("CLEARED", node.get(0).get("state").asText());
        assertTrue(json.startsWith("[{\"alarm\":"), "fields in their documented order: " + json);
    }
}
