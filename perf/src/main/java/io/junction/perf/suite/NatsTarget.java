package io.junction.perf.suite;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;

/**
 * NATS (core, at most once): Debian's {@code nats-server} started by the suite on a free loopback port in
 * its own directory, and the {@code io.nats:jnats} client; the publisher and each subscriber have a
 * connection of their own, each subscriber a dispatcher (a thread) of its own.
 */
public final class NatsTarget implements Target
{
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private ServerProcess server;
    private String url;
    private String version = "unknown";
    private int nextSubject;

    @Override
    public String name()
    {
        return "NATS";
    }

    @Override
    public double startSeconds()
    {
        return 1.0;
    }

    @Override
    public Kind kind()
    {
        return Kind.PEER;
    }

    @Override
    public String transport()
    {
        return "loopback TCP";
    }

    @Override
    public String semantics()
    {
        return "core NATS, at most once (slow consumers drop), a connection per client, default client options";
    }

    @Override
    public ProcessHandle serverProcess()
    {
        return null == server ? null : server.process().toHandle();
    }

    @Override
    public String version()
    {
        return version;
    }

    @Override
    public String prepare(final Path workDir) throws Exception
    {
        final ServerInstaller.Found found = ServerInstaller.findOrInstall("nats-server", List.of(), "nats-server");
        if (!found.isPresent())
        {
            return found.whyNot();
        }
        final int port = ServerProcess.freePort();
        server = ServerProcess.start("nats-server",
            List.of(found.executable().toString(), "-a", "127.0.0.1", "-p", Integer.toString(port),
                "-P", workDir.resolve("nats.pid").toString()),
            Map.of(), workDir);
        server.awaitPort(port, START_TIMEOUT_NS);
        url = "nats://127.0.0.1:" + port;
        try (io.nats.client.Connection probe = connect())
        {
            version = "nats-server " + probe.getServerInfo().getVersion() + ", jnats " + Nats.CLIENT_VERSION;
        }
        return null;
    }

    /** A new connection to the server, once prepared (for sections that bring their own clients). */
    io.nats.client.Connection newConnection() throws Exception
    {
        return connect();
    }

    private io.nats.client.Connection connect() throws Exception
    {
        return Nats.connect(new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(10)).build());
    }

    @Override
    public Target.Connection open(final Workload workload, final Receivers receivers) throws Exception
    {
        final String subject = "bench.quotes." + nextSubject++;
        final List<io.nats.client.Connection> connections = new ArrayList<>();
        try
        {
            for (int i = 0; i < receivers.subscribers(); i++)
            {
                final int index = i;
                final io.nats.client.Connection subscriberConnection = connect();
                connections.add(subscriberConnection);
                final Dispatcher dispatcher = subscriberConnection.createDispatcher(message ->
                {
                    final byte[] data = message.getData();
                    receivers.onMessage(index, Stamp.intendedSendNs(data), Stamp.runId(data));
                });
                dispatcher.subscribe(subject);
                subscriberConnection.flush(Duration.ofSeconds(10));
            }
            final io.nats.client.Connection publisher = connect();
            connections.add(publisher);
            return new Target.Connection()
            {
                @Override
                public boolean publish(final UnsafeBuffer payload, final int length)
                {
                    final byte[] bytes = payload.byteArray();
                    try
                    {
                        publisher.publish(subject,
                            bytes.length == length ? bytes : java.util.Arrays.copyOf(bytes, length));
                        return true;
                    }
                    catch (final IllegalStateException ex)
                    {
                        // The client's outgoing queue is full: back pressure, as the other targets report it.
                        return false;
                    }
                }

                @Override
                public void close()
                {
                    closeAll(connections);
                }
            };
        }
        catch (final Exception ex)
        {
            closeAll(connections);
            throw ex;
        }
    }

    private static void closeAll(final List<io.nats.client.Connection> connections)
    {
        for (final io.nats.client.Connection connection : connections)
        {
            try
            {
                connection.close();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() throws Exception
    {
        CloseHelper.close(server);
    }
}
