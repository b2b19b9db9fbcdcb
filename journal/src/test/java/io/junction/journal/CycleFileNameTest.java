package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import net.openhft.chronicle.queue.RollCycles;

/**
 * Retention by age reads each file's cycle start from its name, whatever the roll cycle's format.
 */
class CycleFileNameTest
{
    @ParameterizedTest
    @EnumSource(value = RollCycles.class, names = "WEEKLY", mode = EnumSource.Mode.EXCLUDE) // Week-based names.
    void parsesTheStartOfTheCycleFromTheFileName(final RollCycles rollCycle)
    {
        final DateTimeFormatter format = JournalAgent.cycleFormatter(rollCycle);
        final long lengthMs = rollCycle.lengthInMillis();
        final long startMs = (1_700_000_000_000L / lengthMs) * lengthMs; // The start of a cycle.
        final String name = format.format(Instant.ofEpochMilli(startMs)) + ".cq4";
        assertEquals(startMs, JournalAgent.cycleStartMs(name, format), name);
        assertEquals(Long.MIN_VALUE, JournalAgent.cycleStartMs("metadata.cq4t", format));
    }
}
