package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.junction.Junction;

/**
 * The demo's load: its rate ramps up over the warm-up, whose lines say so, and then holds the rate asked for.
 */
class DemoLoadTest
{
    private static final Pattern SENT = Pattern.compile("sent +([\\d,]+)");

    @Test
    void theGapBetweenSendsFallsFromTenTimesTheFullRatesToItOverTheWarmUp()
    {
        final long full = 10_000;
        assertEquals(100_000, DemoLoad.intervalNs(0, full), "a tenth of the rate at the start");
        final long half = DemoLoad.intervalNs(DemoLoad.WARM_UP_NS / 2, full);
        assertTrue(half > full && half < 100_000, "in between half way: " + half);
        assertEquals(full, DemoLoad.intervalNs(DemoLoad.WARM_UP_NS, full));
        assertEquals(full, DemoLoad.intervalNs(TimeUnit.SECONDS.toNanos(60), full));
    }

    @Test
    void theWarmUpSecondsAreMarkedAndTheSecondsAfterCarryTheFullRate()
    {
        final int rate = 20_000;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Junction junction = Junction.launch(new Junction.Context());
            PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            DemoLoad load = new DemoLoad(junction, rate, 64, out))
        {
            load.run(TimeUnit.MILLISECONDS.toNanos(3_500), () -> true);
        }
        final List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("(warm-up)") && lines.get(1).contains("(warm-up)"), lines.get(0));
        assertFalse(lines.get(2).contains("(warm-up)"), lines.get(2));
        assertTrue(sent(lines.get(0)) < rate * 0.7, "the first second ramps up: " + lines.get(0));
        // A publisher that falls behind sends what it owes in a burst, so a second's count holds under load too.
        assertTrue(sent(lines.get(2)) > rate * 0.8, "the full rate after the warm-up: " + lines.get(2));
    }

    private static long sent(final String line)
    {
        final Matcher matcher = SENT.matcher(line);
        assertTrue(matcher.find(), line);
        return Long.parseLong(matcher.group(1).replace(",", ""));
    }
}
