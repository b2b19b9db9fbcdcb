package io.junction.tools;

import java.io.File;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.status.CountersManager;

import io.junction.journal.Journal;
import io.junction.journal.Retention;

/**
 * Opening the journal as {@code journal { ... }} says, under the data directory unless journal.dir says otherwise.
 */
final class DaemonJournal
{
    private DaemonJournal()
    {
    }

    static Journal open(
        final JournalConfig config, final File dataDir, final CountersManager counters, final ErrorHandler errors)
    {
        Retention retention = Retention.keepAll();
        if (!config.retentionMaxAge().isZero())
        {
            retention = retention.maxAgeMs(Math.max(1, config.retentionMaxAge().toMillis()));
        }
        if (config.retentionMaxBytes() > 0)
        {
            retention = retention.maxBytes(config.retentionMaxBytes());
        }
        if (config.retentionMaxCycles() > 0)
        {
            retention = retention.maxCycles(config.retentionMaxCycles());
        }
        return Journal.launch(new Journal.Context()
            .directory(dir(dataDir, config))
            .flushPolicy(config.flushPolicy())
            .retention(retention)
            .minFreeDiskBytes(config.minFreeDiskBytes())
            .deduplicationWindow(config.deduplicationWindow())
            .countersManager(counters)
            .errorHandler(errors));
    }

    /**
     * @return the journal's directory for a daemon's data directory and journal settings.
     */
    static File dir(final File dataDir, final JournalConfig config)
    {
        return config.dir().isEmpty() ? new File(dataDir, "journal") : Daemon.resolve(dataDir, config.dir());
    }
}
