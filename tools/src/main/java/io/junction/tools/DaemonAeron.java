package io.junction.tools;

import java.io.File;
import java.util.Properties;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.status.CountersManager;

/**
 * The daemon's Aeron edge as one component: its counters and media driver start before the protocol server, the
 * edge joins the server's first I/O agent once the server runs, and both close after the server has (its agent no
 * longer polls them); the embedded driver's directory is deleted then.
 */
final class DaemonAeron implements DaemonComponent
{
    private final AeronConfig config;
    private final AeronEdge.Counters counters;
    private final AeronMedia media;
    private AeronEdge edge;

    private DaemonAeron(final AeronConfig config, final AeronEdge.Counters counters, final AeronMedia media)
    {
        this.config = config;
        this.counters = counters;
        this.media = media;
    }

    static DaemonAeron launch(
        final AeronConfig config, final File dataDir, final CountersManager manager, final ErrorHandler errors)
    {
        final AeronEdge.Counters counters = new AeronEdge.Counters(manager);
        try
        {
            return new DaemonAeron(config, counters, AeronMedia.launch(config, dataDir, errors));
        }
        catch (final RuntimeException ex)
        {
            counters.close();
            throw ex;
        }
    }

    /**
     * Serve Aeron clients through the server's session logic.
     */
    void serve(final ProtocolServer server)
    {
        edge = new AeronEdge(server, media, config, counters);
        server.attachAeron(edge);
    }

    String describe()
    {
        return "aeron on " + edge.describe() + " (" + (media.isEmbedded() ? "embedded" : "external") +
            " media driver, dir " + media.directory() + ")";
    }

    /**
     * What a client on this host needs to find the edge ({@code daemon.properties}).
     */
    void addProperties(final Properties properties)
    {
        properties.setProperty("aeron.dir", media.directory());
        properties.setProperty("aeron.ingress-stream-id", Integer.toString(config.ingressStreamId()));
        final String endpoint = edge.resolvedUdpEndpoint();
        if (null != endpoint)
        {
            properties.setProperty("aeron.ingress-endpoint", endpoint);
        }
        properties.setProperty("aeron.ipc", Boolean.toString(config.ipc()));
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(media, counters);
    }
}
