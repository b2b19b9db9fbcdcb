package io.junction.tools;

import java.io.File;
import java.io.IOException;

import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.status.CountersManager;
import org.slf4j.Logger;

import io.junction.observe.CountersFile;
import io.junction.security.PrivateFiles;

/**
 * The daemon's counters file ({@code counters.dat}, in counters-dir) and its distinct error log
 * ({@code errors.dat}): what {@code junction stat} reads from another process. At a stop the counters keep their
 * last values, marked stopped.
 */
final class DaemonCounters implements DaemonComponent
{
    private final CountersFile countersFile;
    private final ErrorLog errorLog;

    private DaemonCounters(final CountersFile countersFile, final ErrorLog errorLog)
    {
        this.countersFile = countersFile;
        this.errorLog = errorLog;
    }

    static DaemonCounters create(final DataDirectory directory, final DaemonConfig config, final Logger log)
        throws IOException
    {
        final File dir = directory.dir();
        final File countersDir = directory.countersDir();
        final CountersFile countersFile = CountersFile.create(countersDir, config.observe().countersCapacity(),
            SystemEpochClock.INSTANCE);
        try
        {
            final File location = new File(dir, Daemon.COUNTERS_LOCATION_FILE);
            if (countersDir.equals(dir))
            {
                location.delete();
            }
            else
            {
                PrivateFiles.writeString(location.toPath(), countersDir.getPath() + System.lineSeparator());
            }
            return new DaemonCounters(countersFile, new ErrorLog(dir, config.node().errorLogCapacity(),
                SystemEpochClock.INSTANCE, log, countersFile.countersManager().newCounter(
                "error log full: errors not recorded", Daemon.ERRORS_NOT_RECORDED_TYPE_ID)));
        }
        catch (final IOException | RuntimeException ex)
        {
            countersFile.close();
            throw ex;
        }
    }

    CountersFile file()
    {
        return countersFile;
    }

    CountersManager manager()
    {
        return countersFile.countersManager();
    }

    /**
     * @return where the errors of {@code source} go: recorded once each in errors.dat, logged within a rate.
     */
    org.agrona.ErrorHandler errors(final String source)
    {
        return errorLog.handler(source);
    }

    /**
     * From now on a counter freed keeps its last value in the file.
     */
    void stopping()
    {
        countersFile.stopping();
    }

    @Override
    public void close()
    {
        countersFile.close();
        errorLog.close();
    }
}
