package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.agrona.CloseHelper;

import io.junction.observe.CountersFile;
import io.junction.observe.CountersFileReader;
import io.junction.security.PrivateFiles;

/**
 * The daemon's data directory, held for as long as it runs: created (0700) if need be, locked against a second
 * daemon (and the journal's directory with it), and the place of {@value Daemon#PROPERTIES_FILE}, written once the
 * daemon is ready and deleted at its stop.
 */
final class DataDirectory implements DaemonComponent
{
    private final File dir;
    private final File countersDir;
    private final List<DirectoryLock> locks = new ArrayList<>();
    private boolean wroteProperties;

    private DataDirectory(final File dir, final File countersDir)
    {
        this.dir = dir;
        this.countersDir = countersDir;
    }

    /**
     * Create (if need be) and lock the data directory of {@code config}, refusing one another daemon uses.
     */
    static DataDirectory open(final DaemonConfig config) throws IOException
    {
        final NodeConfig node = config.node();
        final File dir = node.dir().isEmpty() ?
            Files.createTempDirectory("junction-").toFile() : new File(node.dir()).getAbsoluteFile();
        if (!dir.isDirectory())
        {
            try
            {
                PrivateFiles.createDirectories(dir.toPath()); // 0700: payloads, counters and the admin token
            }
            catch (final IOException ex)
            {
                throw new IOException("cannot create the data directory " + dir + ": " + ex.getMessage(), ex);
            }
        }
        final DataDirectory directory = new DataDirectory(dir,
            node.countersDir().isEmpty() ? dir : Daemon.resolve(dir, node.countersDir()));
        try
        {
            directory.lock(config.journal());
        }
        catch (final IOException ex)
        {
            directory.close(); // releases what it locked; another daemon's daemon.properties stays
            throw ex;
        }
        new File(dir, Daemon.PROPERTIES_FILE).delete();
        return directory;
    }

    private void lock(final JournalConfig journal) throws IOException
    {
        locks.add(DirectoryLock.acquire(dir, "data directory"));
        if (journal.enabled())
        {
            try
            {
                locks.add(DirectoryLock.acquire(Daemon.journalDir(dir, journal), "journal directory"));
            }
            catch (final DirectoryLock.InUseException ex)
            {
                throw ex;
            }
            catch (final IOException ex)
            {
                // A directory the journal cannot use either: it starts unavailable, with its alarm.
            }
        }
        refuseIfInUse(countersDir);
    }

    private static void refuseIfInUse(final File dir) throws IOException
    {
        if (!new File(dir, CountersFile.FILE_NAME).isFile())
        {
            return;
        }
        try (CountersFileReader reader = CountersFileReader.open(dir))
        {
            if (reader.isAlive(System.currentTimeMillis(), 10_000))
            {
                throw new IOException("the data directory " + dir + " is in use by the running daemon pid " +
                    reader.pid());
            }
        }
        catch (final IllegalStateException ex)
        {
            // Not a counters file we can read: replaced.
        }
    }

    File dir()
    {
        return dir;
    }

    File countersDir()
    {
        return countersDir;
    }

    /**
     * Say where the daemon listens, so that tools and tests find it: written last at start.
     */
    void writeProperties(final Properties properties) throws IOException
    {
        final java.io.StringWriter text = new java.io.StringWriter();
        properties.store(text, "junction daemon");
        PrivateFiles.writeString(new File(dir, Daemon.PROPERTIES_FILE).toPath(), text.toString());
        wroteProperties = true;
    }

    @Override
    public void close()
    {
        if (wroteProperties)
        {
            new File(dir, Daemon.PROPERTIES_FILE).delete();
            wroteProperties = false;
        }
        CloseHelper.quietCloseAll(locks);
        locks.clear();
    }
}
