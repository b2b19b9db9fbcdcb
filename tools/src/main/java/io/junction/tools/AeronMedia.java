package io.junction.tools;

import java.io.File;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.junction.client.EmbeddedMediaDriver;

/**
 * The daemon's media driver and Aeron client for its Aeron edge: an embedded driver ({@code aeron.embedded-driver},
 * its directory deleted at stop) or a running one at {@code aeron.dir}, and an Aeron client whose conductor runs on
 * the I/O agent that serves the Aeron sessions (an agent invoker: no thread of its own), as does the embedded driver
 * with {@code aeron.threading-mode = invoker}. Closed after the protocol
 * server, whose agent has stopped by then.
 */
final class AeronMedia implements DaemonComponent
{
    private final EmbeddedMediaDriver driver;
    private final Aeron aeron;
    private final String directory;

    private AeronMedia(final EmbeddedMediaDriver driver, final Aeron aeron, final String directory)
    {
        this.driver = driver;
        this.aeron = aeron;
        this.directory = directory;
    }

    static AeronMedia launch(final AeronConfig config, final File dataDir, final ErrorHandler errors)
    {
        EmbeddedMediaDriver driver = null;
        String directory = config.dir().isEmpty() ? null : Daemon.resolve(dataDir, config.dir()).getPath();
        try
        {
            if (config.embeddedDriver())
            {
                if (null == directory)
                {
                    final File shm = new File("/dev/shm");
                    directory = shm.isDirectory() && shm.canWrite() ?
                        new File(shm, "junction-aeron-" + ProcessHandle.current().pid()).getPath() :
                        new File(dataDir, "aeron").getPath();
                }
                driver = config.invokedDriver() ?
                    EmbeddedMediaDriver.launchInvoked(new File(directory), config.termLength(), config.receiverWindow()) :
                    EmbeddedMediaDriver.launch(new File(directory), config.termLength(), config.busyDriver(),
                    "dedicated".equals(config.threadingMode()), config.receiverWindow());
            }
            final Aeron.Context context = new Aeron.Context().useConductorAgentInvoker(true).errorHandler(errors);
            if (null != driver && null != driver.invoker())
            {
                // The driver has no thread: the client's blocking calls (start, the ingress) run its duty cycle.
                context.driverAgentInvoker(driver.invoker());
            }
            if (null != directory)
            {
                context.aeronDirectoryName(directory);
            }
            if (null == driver && !CommonContext.isDriverActive(
                new File(context.aeronDirectoryName()), context.driverTimeoutMs(), (line) -> { }))
            {
                // Fail at once with the directory named, rather than wait out Aeron's driver timeout.
                throw new IllegalStateException("no running media driver at " + context.aeronDirectoryName() +
                    " (aeron.embedded-driver = false: start one there, or set aeron.dir to its directory)");
            }
            final Aeron aeron = Aeron.connect(context);
            return new AeronMedia(driver, aeron, aeron.context().aeronDirectoryName());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw new IllegalStateException("cannot start the Aeron edge" + (null == directory ? "" : " (driver " +
                "directory " + directory + ")") + ": " + ex.getMessage(), ex);
        }
    }

    Aeron aeron()
    {
        return aeron;
    }

    /**
     * @return the embedded driver's duty cycle when it has no thread ({@code aeron.threading-mode = invoker}), for
     * the I/O agent to invoke; else null.
     */
    AgentInvoker driverInvoker()
    {
        return null == driver ? null : driver.invoker();
    }

    String directory()
    {
        return directory;
    }

    boolean isEmbedded()
    {
        return null != driver;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }
}
