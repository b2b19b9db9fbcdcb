package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;

import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * Repeated errors: each distinct one kept once with its count in the memory-mapped error log, read by another process
 * ({@code junction stat --errors}), and logged at a bounded rate.
 */
class ErrorLogTest
{
    @TempDir
    Path tmp;

    @Test
    void eachDistinctErrorIsKeptOnceWithItsCountReadableFromAnotherProcessAndTheLogIsRateBounded() throws Exception
    {
        final Logger logger = (Logger)org.slf4j.LoggerFactory.getLogger("junction.test-errors");
        final ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
        final AtomicCounter notRecorded = counters.newCounter("error log full", Daemon.ERRORS_NOT_RECORDED_TYPE_ID);
        try (ErrorLog errors = new ErrorLog(tmp.toFile(), 64 << 10, SystemEpochClock.INSTANCE, logger, notRecorded))
        {
            final IllegalStateException same = new IllegalStateException("the same failure");
            for (int i = 0; i < 25; i++)
            {
                errors.handler("switch").onError(same);
            }
            errors.handler("journal").onError(new java.io.IOException("a different failure"));
        }
        finally
        {
            logger.detachAppender(lines);
        }
        assertTrue(lines.list.size() <= ErrorLog.LOG_LINES_PER_SECOND + 2,
            "at most 10 lines a second (and a line saying how many were not): " + lines.list.size());
        assertTrue(lines.list.get(0).getFormattedMessage().equals("switch error: the same failure"),
            lines.list.get(0).getFormattedMessage());
        assertEquals(0, notRecorded.get());

        final File output = tmp.resolve("errors.txt").toFile();
        assertEquals(0, JunctionProcess.run(output, "stat", "--dir", tmp.toString(), "--errors"), () -> read(output));
        final String text = read(output);
        assertTrue(text.contains("25 observation(s)") && text.contains("java.lang.IllegalStateException: the same failure"),
            text);
        assertTrue(text.contains("1 observation(s)") && text.contains("java.io.IOException: a different failure"), text);
        assertTrue(text.contains("at io.junction.tools.ErrorLogTest"), "with its stack: " + text);
        assertTrue(text.contains("2 distinct error(s)"), text);
    }

    private static String read(final File file)
    {
        return DaemonTestSupport.read(file);
    }
}
