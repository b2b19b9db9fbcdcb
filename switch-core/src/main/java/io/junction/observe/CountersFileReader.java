package io.junction.observe;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * Reads a {@link CountersFile} from another process, read-only.
 */
public final class CountersFileReader implements AutoCloseable
{
    /**
     * One counter's value at the time of reading.
     */
    public record CounterValue(int id, int typeId, String label, long value)
    {
    }

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersReader reader;

    private CountersFileReader(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, CountersFile.HEADER_LENGTH);
        final int magic = header.getIntVolatile(CountersFile.MAGIC_OFFSET);
        if (magic != CountersFile.MAGIC)
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException("not a junction counters file (or not yet initialised): magic=0x" +
                Integer.toHexString(magic));
        }
        final int version = header.getInt(CountersFile.VERSION_OFFSET);
        if (version != CountersFile.VERSION)
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException("counters file layout version " + version + ", this reader knows " +
                CountersFile.VERSION);
        }
        final int metadataLength = header.getInt(CountersFile.METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(CountersFile.VALUES_LENGTH_OFFSET);
        reader = new CountersReader(
            new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH + metadataLength, valuesLength),
            StandardCharsets.US_ASCII);
    }

    /**
     * Map the counters file of a node directory (or the file itself).
     */
    public static CountersFileReader open(final File dirOrFile)
    {
        final File file = dirOrFile.isDirectory() ? new File(dirOrFile, CountersFile.FILE_NAME) : dirOrFile;
        if (!file.isFile())
        {
            throw new IllegalStateException("no counters file at " + file + " (is the daemon running with that dir?)");
        }
        if (file.length() < CountersFile.HEADER_LENGTH)
        {
            throw new IllegalStateException("counters file " + file + " is too short: " + file.length() + " bytes");
        }
        return new CountersFileReader(IoUtil.mapExistingFile(file, FileChannel.MapMode.READ_ONLY, "counters"));
    }

    public CountersReader countersReader()
    {
        return reader;
    }

    public long pid()
    {
        return header.getLong(CountersFile.PID_OFFSET);
    }

    public long startTimeMs()
    {
        return header.getLong(CountersFile.START_TIME_OFFSET);
    }

    public long heartbeatMs()
    {
        return header.getLongVolatile(CountersFile.HEARTBEAT_OFFSET);
    }

    /**
     * @return when the owner stopped (epoch ms), or 0 while it has not stopped cleanly.
     */
    public long stopTimeMs()
    {
        return header.getLongVolatile(CountersFile.STOP_TIME_OFFSET);
    }

    /**
     * @return true once the owner closed the file cleanly: the values are those at its stop.
     */
    public boolean isStopped()
    {
        return state() == CountersFile.STATE_CLOSED;
    }

    public int state()
    {
        return header.getIntVolatile(CountersFile.STATE_OFFSET);
    }

    /**
     * @return true if the owner is running and beat within the timeout.
     */
    public boolean isAlive(final long nowMs, final long timeoutMs)
    {
        return state() == CountersFile.STATE_RUNNING && nowMs - heartbeatMs() <= timeoutMs &&
            ProcessHandle.of(pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * @return every allocated counter with its value now.
     */
    public List<CounterValue> snapshot()
    {
        final List<CounterValue> values = new ArrayList<>();
        reader.forEach((value, counterId, label) ->
            values.add(new CounterValue(counterId, reader.getCounterTypeId(counterId), label, value)));
        return values;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
