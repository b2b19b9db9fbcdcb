package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ComponentsTest
{
    @Test
    void aStopQuiescesEveryComponentNewestFirstThenClosesThemNewestFirstCarryingOnPastAFailure()
    {
        final List<String> steps = new ArrayList<>();
        final Components components = new Components(LoggerFactory.getLogger(ComponentsTest.class));
        for (final String name : List.of("journal", "switch", "server"))
        {
            components.add(name, new DaemonComponent()
            {
                @Override
                public void quiesce(final long deadlineNs)
                {
                    steps.add("quiesce " + name);
                    if (name.equals("server"))
                    {
                        throw new IllegalStateException("refused");
                    }
                }

                @Override
                public void close()
                {
                    steps.add("close " + name);
                    if (name.equals("switch"))
                    {
                        throw new IllegalStateException("refused");
                    }
                }
            });
        }
        components.stop(System.nanoTime());
        assertEquals(List.of("quiesce server", "quiesce switch", "quiesce journal",
            "close server", "close switch", "close journal"), steps);

        steps.clear();
        components.stop(System.nanoTime());
        assertEquals(List.of(), steps, "each component stops once");
    }

    @Test
    void aStartThatFailedHalfWayClosesWhatStartedWithoutQuiescing()
    {
        final List<String> steps = new ArrayList<>();
        final Components components = new Components(LoggerFactory.getLogger(ComponentsTest.class));
        components.add("journal", () -> steps.add("close journal"));
        components.add("switch", () -> steps.add("close switch"));
        components.closeAll();
        assertEquals(List.of("close switch", "close journal"), steps);
    }
}
