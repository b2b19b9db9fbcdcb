package io.junction.journal;

import java.io.File;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.Agent;

import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

/**
 * The journal's own duty cycle, off the switch's pipeline: durable deliveries, retention and the disk check.
 * Retention runs on the same thread as the durable subscriptions, so a subscription never reads a file
 * while it is being deleted.
 */
final class JournalAgent implements Agent
{
    private static final String SUFFIX = ".cq4";

    private final Journal journal;
    private final Journal.Context ctx;
    private final JournalCounters counters;
    private final TimeProvider timeProvider;
    private final Retention retention;
    private final DateTimeFormatter cycleFormat;
    private long nextDiskCheckNs;
    private long nextRetentionCheckNs;
    private long nextSizeCheckNs;

    JournalAgent(final Journal journal, final Journal.Context ctx, final JournalCounters counters)
    {
        this.journal = journal;
        this.ctx = ctx;
        this.counters = counters;
        this.timeProvider = ctx.timeProvider();
        this.retention = ctx.retention();
        this.cycleFormat = cycleFormatter(ctx.rollCycle());
    }

    @Override
    public int doWork()
    {
        int work = 0;
        final DurableSubscription[] subscriptions = journal.subscriptionArray();
        for (int i = 0; i < subscriptions.length; i++)
        {
            work += subscriptions[i].poll(ctx.deliveryBatchLimit());
        }
        work += journal.releaseClosed();

        final long nowNs = System.nanoTime();
        if (nowNs - nextDiskCheckNs >= 0)
        {
            nextDiskCheckNs = nowNs + ctx.diskCheckIntervalNs();
            work += checkDisk();
            counters.lastRecordNumberCounter().setRelease(journal.nextRecordNumberValue() - 1);
        }
        if (nowNs - nextSizeCheckNs >= 0 && null != journal.queue())
        {
            // A directory listing: at the retention check's modest rate, never on the append path.
            nextSizeCheckNs = nowNs + ctx.retentionCheckIntervalNs();
            measureSize();
        }
        if (nowNs - nextRetentionCheckNs >= 0 && !retention.keepsAll() && null != journal.queue())
        {
            nextRetentionCheckNs = nowNs + ctx.retentionCheckIntervalNs();
            work += enforceRetention();
        }
        return work;
    }

    private void measureSize()
    {
        final List<File> files = cycleFiles();
        long totalBytes = 0;
        for (final File file : files)
        {
            totalBytes += allocatedBytes(file);
        }
        counters.sizeBytesCounter().setRelease(totalBytes);
        counters.rollCyclesCounter().setRelease(files.size());
    }

    private int checkDisk()
    {
        final long usable = ctx.directory().getUsableSpace();
        counters.diskFreeBytesCounter().setRelease(usable);
        final boolean full = usable < ctx.minFreeDiskBytes();
        if (full != journal.isDiskFull())
        {
            journal.diskFull(full);
            if (full)
            {
                counters.diskFullCounter().increment();
                journal.onError(new JournalException("journal disk full: " + usable + " bytes usable in " +
                    ctx.directory() + ", below minFreeDiskBytes=" + ctx.minFreeDiskBytes() +
                    "; guaranteed offers are refused until space is freed, best-effort traffic continues"));
            }
            return 1;
        }
        return 0;
    }

    /**
     * Delete the oldest roll-cycle files that the retention limits no longer allow, never the newest.
     */
    int enforceRetention()
    {
        final List<File> files = cycleFiles();
        if (files.size() <= 1)
        {
            return 0;
        }
        long totalBytes = 0;
        for (final File file : files)
        {
            totalBytes += allocatedBytes(file);
        }

        final RollCycle rollCycle = ctx.rollCycle();
        final long nowMs = timeProvider.currentTimeMillis();
        int deleted = 0;
        for (int i = 0; i < files.size() - 1; i++)
        {
            final File file = files.get(i);
            final long cycleStartMs = cycleStartMs(file); // Unknown for names without a date (WEEKLY): not aged.
            final boolean tooMany = files.size() - i > retention.maxCycles();
            final boolean tooOld = cycleStartMs != Long.MIN_VALUE &&
                nowMs - (cycleStartMs + rollCycle.lengthInMillis()) > retention.maxAgeMs();
            final boolean tooBig = totalBytes > retention.maxBytes();
            if (!tooMany && !tooOld && !tooBig)
            {
                break;
            }
            final long size = allocatedBytes(file);
            if (!file.delete())
            {
                journal.onError(new JournalException("retention could not delete " + file));
                break;
            }
            totalBytes -= size;
            deleted++;
            counters.retentionDeletedCyclesCounter().increment();
        }
        if (deleted > 0)
        {
            final SingleChronicleQueue queue = journal.queue();
            queue.refreshDirectoryListing();
            counters.sizeBytesCounter().setRelease(totalBytes);
            counters.rollCyclesCounter().setRelease(files.size() - deleted);
        }
        return deleted;
    }

    private List<File> cycleFiles()
    {
        final File[] all = ctx.directory().listFiles((dir, name) -> name.endsWith(SUFFIX));
        final List<File> files = new ArrayList<>();
        if (null != all)
        {
            files.addAll(java.util.Arrays.asList(all));
        }
        // The roll cycle's name format sorts in time order.
        files.sort((a, b) -> a.getName().compareTo(b.getName()));
        return files;
    }

    private long cycleStartMs(final File file)
    {
        return cycleStartMs(file.getName(), cycleFormat);
    }

    /**
     * The roll cycle's file-name format, with the fields it leaves out (hours of a daily cycle...) set to 0.
     */
    static DateTimeFormatter cycleFormatter(final RollCycle rollCycle)
    {
        return new DateTimeFormatterBuilder()
            .appendPattern(rollCycle.format())
            .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
            .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
            .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
            .toFormatter()
            .withZone(ZoneOffset.UTC);
    }

    /**
     * @return when the cycle of a queue file starts, in epoch milliseconds, or Long.MIN_VALUE if the name is
     * not a cycle file's.
     */
    static long cycleStartMs(final String fileName, final DateTimeFormatter format)
    {
        if (!fileName.endsWith(SUFFIX))
        {
            return Long.MIN_VALUE;
        }
        try
        {
            final String stamp = fileName.substring(0, fileName.length() - SUFFIX.length());
            return LocalDateTime.parse(stamp, format).toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        catch (final RuntimeException ex)
        {
            return Long.MIN_VALUE;
        }
    }

    private static long allocatedBytes(final File file)
    {
        // The apparent length: Chronicle grows its (sparse) files a block at a time as it writes.
        return file.length();
    }

    @Override
    public String roleName()
    {
        return "junction-journal";
    }
}
