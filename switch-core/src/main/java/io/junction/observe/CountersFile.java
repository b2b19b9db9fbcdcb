package io.junction.observe;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;

import org.agrona.IoUtil;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * A memory-mapped counters file that another process can read (see {@link CountersFileReader}):
 * a one-page header, then the metadata region of an Agrona {@link CountersManager}, then its values.
 * <p>
 * Hand {@link #countersManager()} to {@code Junction.Context.countersManager(..)}: every counter the
 * switch allocates is then visible from outside. The owner calls {@link #heartbeat(long)} about once a
 * second so a reader can tell a live process from a file left by a dead one.
 *
 * <pre>
 *   0  int  magic 'JNCT'            16 long pid
 *   4  int  layout version           24 long start time, epoch ms
 *   8  int  metadata region length   32 long heartbeat, epoch ms (0 once closed cleanly)
 *  12  int  values region length     40 int  state: 0 starting, 1 running, 2 closed
 *                                    48 long stop time, epoch ms (0 until closed)
 * </pre>
 * From {@link #stopping()} on, a counter its owner frees keeps its slot and last value, so after a stop the file
 * holds what the counters were when the process stopped.
 */
public final class CountersFile implements AutoCloseable
{
    public static final String FILE_NAME = "counters.dat";
    public static final int MAGIC = 0x4A4E4354; // "JNCT"
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 4096;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int METADATA_LENGTH_OFFSET = 8;
    public static final int VALUES_LENGTH_OFFSET = 12;
    public static final int PID_OFFSET = 16;
    public static final int START_TIME_OFFSET = 24;
    public static final int HEARTBEAT_OFFSET = 32;
    public static final int STATE_OFFSET = 40;
    public static final int STOP_TIME_OFFSET = 48;
    public static final int STATE_STARTING = 0;
    public static final int STATE_RUNNING = 1;
    public static final int STATE_CLOSED = 2;

    /** A freed counter is not reused for this long, so a late write never lands in a new owner's. */
    private static final long FREE_TO_REUSE_TIMEOUT_MS = 1000;

    private final File file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final RetainingCountersManager countersManager;
    private final EpochClock clock;
    private boolean closed;

    private CountersFile(final File file, final int capacity, final EpochClock clock)
    {
        this.file = file;
        this.clock = clock;
        final int valuesLength = capacity * CountersReader.COUNTER_LENGTH;
        final int metadataLength = capacity * CountersReader.METADATA_LENGTH;
        mapped = IoUtil.mapNewFile(file, (long)HEADER_LENGTH + metadataLength + valuesLength, true);
        header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        countersManager = new RetainingCountersManager(
            new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength),
            StandardCharsets.US_ASCII,
            clock,
            FREE_TO_REUSE_TIMEOUT_MS);

        final long nowMs = clock.time();
        header.putInt(VERSION_OFFSET, VERSION);
        header.putInt(METADATA_LENGTH_OFFSET, metadataLength);
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_TIME_OFFSET, nowMs);
        header.putLongVolatile(HEARTBEAT_OFFSET, nowMs);
        header.putIntVolatile(STATE_OFFSET, STATE_STARTING);
        // Written last: a reader that sees the magic sees a complete layout.
        header.putIntVolatile(MAGIC_OFFSET, MAGIC);
    }

    /**
     * Create (or replace) the counters file {@value #FILE_NAME} in a directory.
     *
     * @param capacity counters it can hold.
     */
    public static CountersFile create(final File directory, final int capacity, final EpochClock clock)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        final File file = new File(directory, FILE_NAME);
        try
        {
            io.junction.security.PrivateFiles.createDirectories(directory.toPath());
            java.nio.file.Files.deleteIfExists(file.toPath());
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException("cannot replace " + file + ": " + ex, ex);
        }
        final CountersFile countersFile = new CountersFile(file, capacity, clock);
        try
        {
            io.junction.security.PrivateFiles.restrict(file.toPath()); // 0600: labels name topics and subscribers
        }
        catch (final java.io.IOException ex)
        {
            countersFile.close();
            throw new IllegalStateException("cannot make " + file + " private: " + ex, ex);
        }
        return countersFile;
    }

    public File file()
    {
        return file;
    }

    public CountersManager countersManager()
    {
        return countersManager;
    }

    /**
     * Tell readers the process is alive and running.
     */
    public void heartbeat(final long nowMs)
    {
        if (!closed)
        {
            header.putLongRelease(HEARTBEAT_OFFSET, nowMs);
            if (header.getInt(STATE_OFFSET) != STATE_RUNNING)
            {
                header.putIntRelease(STATE_OFFSET, STATE_RUNNING);
            }
        }
    }

    /**
     * The owner is stopping: from now on a freed counter keeps its slot and its last value, so the file shows the
     * counters as they were at the stop (a reader tells them apart by {@link #STATE_CLOSED} and the stop time).
     */
    public void stopping()
    {
        countersManager.retain = true;
    }

    /**
     * Mark the file closed (readers see the last values and that the process ended cleanly) and unmap it.
     * The file stays for post-mortem reading; the next {@link #create} replaces it.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            header.putLongVolatile(STOP_TIME_OFFSET, clock.time());
            header.putIntVolatile(STATE_OFFSET, STATE_CLOSED);
            header.putLongVolatile(HEARTBEAT_OFFSET, 0);
            mapped.force();
            IoUtil.unmap(mapped);
        }
    }

    /**
     * Frees counters as usual until {@link #stopping()}, then keeps them.
     */
    private static final class RetainingCountersManager extends CountersManager
    {
        private volatile boolean retain;

        RetainingCountersManager(
            final UnsafeBuffer metadata,
            final UnsafeBuffer values,
            final java.nio.charset.Charset charset,
            final EpochClock clock,
            final long freeToReuseTimeoutMs)
        {
            super(metadata, values, charset, clock, freeToReuseTimeoutMs);
        }

        @Override
        public void free(final int counterId)
        {
            if (!retain)
            {
                super.free(counterId);
            }
        }
    }
}
