package io.junction.perf.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;

/**
 * RabbitMQ (AMQP 0-9-1): Debian's {@code rabbitmq-server} started by the suite as a plain child process
 * with a node, ports, Mnesia and log directories, plugins file, Erlang cookie (HOME) and epmd port of its
 * own, on 127.0.0.1 only; the {@code com.rabbitmq:amqp-client} client. One fanout exchange, each
 * subscriber an exclusive queue with a consumer on a connection of its own (auto-ack); transient messages,
 * no publisher confirms: RabbitMQ's fastest at-most-once setup.
 * <p>
 * Debian's {@code /usr/sbin/rabbitmq-server} wrapper switches to the rabbitmq user and drops the
 * environment, so the real script in {@code /usr/lib/rabbitmq/bin} is run. Stopped with
 * {@code rabbitmqctl stop}, then its private epmd is killed.
 */
public final class RabbitMqTarget implements Target
{
    private static final Path LIB_BIN = Path.of("/usr/lib/rabbitmq/bin");
    private static final long START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);

    private ServerProcess server;
    private Map<String, String> environment;
    private String nodeName;
    private Path ctl;
    private int epmdPort;
    private int port;
    private String version = "unknown";
    private int nextExchange;

    @Override
    public String name()
    {
        return "RabbitMQ";
    }

    @Override
    public double startSeconds()
    {
        return 22.0; // the broker starts in 5-7 s, and its saturated points wait out the drain timeout
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
        return "AMQP 0-9-1 fanout, transient messages, auto-ack, no publisher confirms (at most once), " +
            "a connection per client";
    }

    @Override
    public String version()
    {
        return version;
    }

    @Override
    public String prepare(final Path workDir) throws Exception
    {
        final ServerInstaller.Found found = ServerInstaller.findOrInstall(
            "rabbitmq-server", List.of(LIB_BIN.resolve("rabbitmq-server")), "rabbitmq-server");
        if (!found.isPresent())
        {
            return found.whyNot();
        }
        final ServerInstaller.Found ctlFound = ServerInstaller.find(
            "rabbitmqctl", List.of(LIB_BIN.resolve("rabbitmqctl")));
        ctl = ctlFound.executable();

        port = ServerProcess.freePort();
        epmdPort = ServerProcess.freePort();
        nodeName = "junction-bench-" + ProcessHandle.current().pid() + "@localhost";
        final Path plugins = workDir.resolve("enabled_plugins");
        Files.writeString(plugins, "[].\n");
        final Path envFile = workDir.resolve("rabbitmq-env.conf");
        Files.writeString(envFile, "");
        environment = new HashMap<>();
        environment.put("HOME", workDir.toString());
        environment.put("RABBITMQ_NODENAME", nodeName);
        environment.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        environment.put("RABBITMQ_NODE_PORT", Integer.toString(port));
        environment.put("RABBITMQ_DIST_PORT", Integer.toString(ServerProcess.freePort()));
        environment.put("RABBITMQ_MNESIA_BASE", workDir.resolve("mnesia").toString());
        environment.put("RABBITMQ_LOG_BASE", workDir.resolve("log").toString());
        environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", plugins.toString());
        environment.put("RABBITMQ_CONF_ENV_FILE", envFile.toString());
        environment.put("RABBITMQ_PID_FILE", workDir.resolve("rabbitmq.pid").toString());
        environment.put("ERL_EPMD_PORT", Integer.toString(epmdPort));
        environment.put("ERL_EPMD_ADDRESS", "127.0.0.1");

        server = ServerProcess.start("rabbitmq-server", List.of(found.executable().toString()), environment, workDir);
        server.awaitPort(port, START_TIMEOUT_NS);
        try (com.rabbitmq.client.Connection probe = factory().newConnection("junction-bench-probe"))
        {
            version = "rabbitmq-server " + probe.getServerProperties().get("version") + ", amqp-client " +
                com.rabbitmq.client.impl.ClientVersion.VERSION;
        }
        return null;
    }

    private ConnectionFactory factory()
    {
        final ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    @Override
    public Target.Connection open(final Workload workload, final Receivers receivers) throws Exception
    {
        final String exchange = "junction-bench-" + nextExchange++;
        final ConnectionFactory factory = factory();
        final List<com.rabbitmq.client.Connection> connections = new ArrayList<>();
        try
        {
            final com.rabbitmq.client.Connection publisherConnection = factory.newConnection("publisher");
            connections.add(publisherConnection);
            final Channel publisher = publisherConnection.createChannel();
            publisher.exchangeDeclare(exchange, "fanout", false, true, null);
            for (int i = 0; i < receivers.subscribers(); i++)
            {
                final int index = i;
                final com.rabbitmq.client.Connection subscriberConnection = factory.newConnection("subscriber-" + i);
                connections.add(subscriberConnection);
                final Channel channel = subscriberConnection.createChannel();
                final String queue = channel.queueDeclare().getQueue();
                channel.queueBind(queue, exchange, "");
                final DeliverCallback onDelivery = (tag, delivery) ->
                {
                    final byte[] body = delivery.getBody();
                    receivers.onMessage(index, Stamp.intendedSendNs(body), Stamp.runId(body));
                };
                channel.basicConsume(queue, true, onDelivery, tag -> { });
            }
            return new Target.Connection()
            {
                @Override
                public boolean publish(final UnsafeBuffer payload, final int length) throws IOException
                {
                    final byte[] bytes = payload.byteArray();
                    publisher.basicPublish(exchange, "", null,
                        bytes.length == length ? bytes : java.util.Arrays.copyOf(bytes, length));
                    return true;
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

    private static void closeAll(final List<com.rabbitmq.client.Connection> connections)
    {
        for (final com.rabbitmq.client.Connection connection : connections)
        {
            try
            {
                connection.close();
            }
            catch (final Exception ignore)
            {
                // Closing anyway; the broker drops an exclusive queue with its connection.
            }
        }
    }

    @Override
    public void close() throws Exception
    {
        if (null == server)
        {
            return;
        }
        try
        {
            if (null != ctl && server.process().isAlive())
            {
                final ProcessBuilder stop = new ProcessBuilder(ctl.toString(), "-n", nodeName, "stop")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(server.log().toFile()));
                stop.environment().putAll(environment);
                final Process process = stop.start();
                if (!process.waitFor(60, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
                server.process().waitFor(30, TimeUnit.SECONDS);
            }
        }
        finally
        {
            server.close();
            killEpmd();
        }
    }

    private void killEpmd() throws IOException, InterruptedException
    {
        final ServerInstaller.Found epmd = ServerInstaller.find("epmd", List.of());
        if (epmd.isPresent())
        {
            final ProcessBuilder kill = new ProcessBuilder(epmd.executable().toString(), "-port",
                Integer.toString(epmdPort), "-kill")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(server.log().toFile()));
            kill.environment().put("ERL_EPMD_PORT", Integer.toString(epmdPort));
            final Process process = kill.start();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
    }
}
