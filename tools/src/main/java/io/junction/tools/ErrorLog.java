package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.errors.ErrorConsumer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.slf4j.Logger;

/**
 * The daemon's errors: each distinct error (type, message, stack) once in {@value #FILE_NAME} in the data
 * directory with its count and first and last times, an Agrona {@link DistinctErrorLog} that another process reads
 * ({@code junction stat --errors}), and a log line per error up to {@link #LOG_LINES_PER_SECOND} a second, so a
 * storm of the same error neither floods the log nor hides that it goes on.
 */
final class ErrorLog implements AutoCloseable
{
    static final String FILE_NAME = "errors.dat";
    /** At start, the last run's {@value #FILE_NAME} is renamed to this. */
    static final String PREVIOUS_FILE_NAME = "errors-previous.dat";
    static final int LOG_LINES_PER_SECOND = 10;

    private final MappedByteBuffer mapped;
    private final DistinctErrorLog log;
    private final Logger logger;
    private final AtomicLong windowStartMs = new AtomicLong();
    private final AtomicLong linesInWindow = new AtomicLong();
    private final AtomicLong notLogged = new AtomicLong();
    private final AtomicCounter notRecorded;
    private final EpochClock clock;

    /**
     * @param notRecorded counts the errors the file had no room left for.
     */
    ErrorLog(final File dir, final int capacity, final EpochClock clock, final Logger logger, final AtomicCounter notRecorded)
    {
        this.notRecorded = notRecorded;
        this.clock = clock;
        this.logger = logger;
        final File file = new File(dir, FILE_NAME);
        if (file.exists())
        {
            // The last run's errors (a crash's too) stay readable, one run back.
            try
            {
                java.nio.file.Files.move(file.toPath(), new File(dir, PREVIOUS_FILE_NAME).toPath(),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException("cannot keep the last run's " + file, ex);
            }
        }
        mapped = IoUtil.mapNewFile(file, capacity, true);
        log = new DistinctErrorLog(new UnsafeBuffer(mapped), clock);
    }

    /**
     * @param what names the component in the log line, e.g. "journal".
     * @return a handler that records, then logs within the rate; it never throws.
     */
    ErrorHandler handler(final String what)
    {
        return (error) -> onError(what, error);
    }

    void onError(final String what, final Throwable error)
    {
        if (!log.record(error))
        {
            notRecorded.increment();
        }
        final long nowMs = clock.time();
        final long start = windowStartMs.get();
        if (nowMs - start >= TimeUnit.SECONDS.toMillis(1) && windowStartMs.compareAndSet(start, nowMs))
        {
            linesInWindow.set(0);
            final long skipped = notLogged.getAndSet(0);
            if (skipped > 0)
            {
                logger.warn("{} more error(s) not logged: see junction stat --errors", skipped);
            }
        }
        if (linesInWindow.incrementAndGet() <= LOG_LINES_PER_SECOND)
        {
            logger.error("{} error: {}", what, JunctionCli.describe(error));
        }
        else
        {
            notLogged.incrementAndGet();
        }
    }

    /**
     * Read the distinct errors of a daemon's data directory, from any process, while it runs or after.
     *
     * @return how many distinct errors.
     */
    static int read(final File dir, final ErrorConsumer consumer) throws IOException
    {
        final File file = new File(dir, FILE_NAME);
        if (!file.isFile())
        {
            throw new IOException("no " + FILE_NAME + " in " + dir + " (is it a daemon's data directory?)");
        }
        final MappedByteBuffer buffer = IoUtil.mapExistingFile(file, FileChannel.MapMode.READ_ONLY, FILE_NAME);
        try
        {
            return ErrorLogReader.read(new UnsafeBuffer(buffer), consumer);
        }
        finally
        {
            IoUtil.unmap(buffer);
        }
    }

    /**
     * Write the file back; the mapping stays for a late error from a closing thread (the GC unmaps it).
     */
    @Override
    public void close()
    {
        mapped.force();
    }
}
