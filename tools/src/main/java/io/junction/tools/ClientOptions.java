package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import io.junction.client.ClientContext;
import io.junction.client.DisconnectReason;
import io.junction.client.JunctionClient;
import io.junction.cluster.ClusterMembers;
import io.junction.cluster.client.ClusterTransport;

/**
 * Where {@code junction pub} and {@code junction sub} find the daemon and who they are to it: {@code --url}, or
 * {@code --dir} (the {@value Daemon#PROPERTIES_FILE} a running daemon writes in its data directory, refused when the
 * pid it names is not running), or {@code --cluster} (a cluster's members), and {@code --user} with
 * {@code --password-file}.
 */
final class ClientOptions
{
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", description = "The daemon's protocol address: tcp://HOST:PORT, " +
        "tls://HOST:PORT for TLS, aeron:udp?endpoint=HOST:PORT (its aeron.ingress-endpoint) or aeron:ipc (default: " +
        ClientContext.DEFAULT_URL + ", or found with --dir).")
    String url;

    @Option(names = "--aeron-dir", paramLabel = "DIR", description = "For an aeron: url, the media driver to use " +
        "(for aeron:ipc the daemon's aeron.dir, listed in its " + Daemon.PROPERTIES_FILE + "); without it an " +
        "aeron:udp url runs a media driver inside this command.")
    File aeronDir;

    @Option(names = "--dir", paramLabel = "DIR", description = "A local daemon's data directory: its address is " +
        "read from DIR/" + Daemon.PROPERTIES_FILE + ".")
    File dir;

    @Option(names = "--cluster", paramLabel = "MEMBERS", description = "A cluster instead of a daemon: its member " +
        "list as the members are given it, e.g. 0=host1:20000|1=host2:20000|2=host3:20000 (the ingress of each).")
    String cluster;

    @Option(names = "--user", paramLabel = "NAME", description = "Authenticate as this user (with --password-file).")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE", description = "The user's password: the first line " +
        "of FILE.")
    File passwordFile;

    @Option(names = "--instance", paramLabel = "NAME", description = "The client's instance name (its publisher " +
        "is principal/instance; default: junction-cli-<pid>).")
    String instance;

    @Option(names = "--trust-store", paramLabel = "FILE", description = "With a tls:// url: the PKCS12 store of " +
        "certificates that vouch for the daemon's (default: the JDK's).")
    File trustStore;

    @Option(names = "--trust-store-password-file", paramLabel = "FILE", description = "The trust store's password: " +
        "the first line of FILE.")
    File trustStorePasswordFile;

    @Option(names = "--key-store", paramLabel = "FILE", description = "With a tls:// url: this client's PKCS12 key " +
        "and certificate; without --user it authenticates as the certificate's CN.")
    File keyStore;

    @Option(names = "--key-store-password-file", paramLabel = "FILE", description = "The key store's password: " +
        "the first line of FILE.")
    File keyStorePasswordFile;

    private String ingressEndpoints;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
        description = "How long to try to reach the daemon (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    /**
     * A problem that is the user's to fix: a one-line message, exit code {@link #EXIT}.
     */
    static final class NoDaemonException extends Exception
    {
        static final int EXIT = 2;
        private static final long serialVersionUID = 1L;

        NoDaemonException(final String message)
        {
            super(message);
        }
    }

    /**
     * @return the client's context from the options (usage errors exit 2).
     * @throws NoDaemonException when --dir names no running daemon.
     */
    ClientContext context() throws NoDaemonException
    {
        if ((null != url ? 1 : 0) + (null != dir ? 1 : 0) + (null != cluster ? 1 : 0) > 1)
        {
            throw new ParameterException(spec.commandLine(), "--url, --dir and --cluster are alternatives: give one");
        }
        if (null != cluster)
        {
            try
            {
                ingressEndpoints = ClusterMembers.parse(cluster).ingressEndpoints();
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ParameterException(spec.commandLine(), "--cluster " + cluster + ": " + ex.getMessage());
            }
        }
        if ((null == user) != (null == passwordFile))
        {
            throw new ParameterException(spec.commandLine(), "--user and --password-file go together");
        }
        final ClientContext ctx = new ClientContext()
            .url(null != dir ? urlFromDir(dir) : null != url ? url : ClientContext.DEFAULT_URL)
            .instance(null != instance ? instance : "junction-cli-" + ProcessHandle.current().pid())
            .connectTimeoutNs(connectTimeout.toNanos());
        if (null != user)
        {
            ctx.credentials(user, readPassword(passwordFile).toCharArray());
        }
        if (null != trustStore || null != keyStore)
        {
            final io.junction.client.ClientTls tls = new io.junction.client.ClientTls();
            if (null != trustStore)
            {
                tls.trustStore(trustStore.toPath(), null == trustStorePasswordFile ? null :
                    readPassword(trustStorePasswordFile).toCharArray());
            }
            if (null != keyStore)
            {
                tls.keyStore(keyStore.toPath(), null == keyStorePasswordFile ? new char[0] :
                    readPassword(keyStorePasswordFile).toCharArray());
            }
            ctx.tls(tls);
        }
        if (ctx.url().startsWith("aeron:"))
        {
            if (null != aeronDir)
            {
                ctx.aeronDirectory(aeronDir.getPath());
            }
            else if (ctx.url().startsWith("aeron:ipc"))
            {
                throw new ParameterException(spec.commandLine(), "an aeron:ipc url needs --aeron-dir: the daemon's " +
                    "media driver directory (aeron.dir in its " + Daemon.PROPERTIES_FILE + ")");
            }
            else
            {
                ctx.aeronEmbeddedDriver(true); // Its directory is a new temporary one, deleted when the command ends.
            }
        }
        else if (null != aeronDir)
        {
            throw new ParameterException(spec.commandLine(), "--aeron-dir goes with an aeron: url");
        }
        try
        {
            ctx.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        return ctx;
    }

    /**
     * @return a client of the daemon, or with {@code --cluster} of the cluster (the same API over a
     * {@link ClusterTransport}).
     * @throws NoDaemonException when no member of the cluster can be reached to find this host's address.
     */
    JunctionClient connect(final ClientContext ctx) throws NoDaemonException
    {
        if (null == ingressEndpoints)
        {
            return JunctionClient.connect(ctx);
        }
        try
        {
            return JunctionClient.connect(ctx, new ClusterTransport(new ClusterTransport.Context()
                .ingressEndpoints(ingressEndpoints)));
        }
        catch (final IllegalStateException | java.io.UncheckedIOException ex)
        {
            throw new NoDaemonException(ex.getMessage());
        }
    }

    /**
     * @return where the client goes, for messages.
     */
    String where(final ClientContext ctx)
    {
        return null != ingressEndpoints ? "the cluster " + ingressEndpoints : "the daemon at " + ctx.url();
    }

    private String readPassword(final File file)
    {
        try
        {
            final String text = Files.readString(file.toPath(), StandardCharsets.UTF_8);
            final int end = text.indexOf('\n');
            return (end < 0 ? text : text.substring(0, end)).replace("\r", "");
        }
        catch (final IOException ex)
        {
            throw new ParameterException(spec.commandLine(), "password file " + file + " cannot be read: " + ex);
        }
    }

    /**
     * @return the daemon's address from its daemon.properties, when the pid there is running.
     */
    static String urlFromDir(final File dir) throws NoDaemonException
    {
        final Properties properties;
        try
        {
            properties = Daemon.readProperties(dir);
        }
        catch (final IOException ex)
        {
            throw new NoDaemonException(ex.getMessage());
        }
        final String pid = properties.getProperty("pid", "");
        final Optional<ProcessHandle> process;
        try
        {
            process = ProcessHandle.of(Long.parseLong(pid));
        }
        catch (final NumberFormatException ex)
        {
            throw new NoDaemonException(new File(dir, Daemon.PROPERTIES_FILE) + " has no valid pid ('" + pid + "')");
        }
        if (process.isEmpty() || !process.get().isAlive())
        {
            throw new NoDaemonException("no daemon is running in " + dir + ": its " + Daemon.PROPERTIES_FILE +
                " names pid " + pid + ", which is not running (a stale file left by a daemon that was killed)");
        }
        String host = properties.getProperty("listen.host", "127.0.0.1");
        if (host.isEmpty() || "0.0.0.0".equals(host) || "::".equals(host))
        {
            host = "127.0.0.1"; // Listening on every address: this host's loopback is one of them.
        }
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + properties.getProperty("listen.port");
    }

    /**
     * Poll until connected, within the connect timeout.
     *
     * @return null once connected, else why not (one line).
     */
    static String awaitConnected(final JunctionClient client, final Duration timeout)
    {
        return awaitConnected(client, timeout, "the daemon at " + client.context().url());
    }

    static String awaitConnected(final JunctionClient client, final Duration timeout, final String where)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!client.isConnected())
        {
            if (0 == client.poll())
            {
                LockSupport.parkNanos(1_000_000);
            }
            if (client.disconnectReason() == DisconnectReason.AUTHENTICATION_FAILED)
            {
                return client.lastError();
            }
            if (System.nanoTime() - deadline > 0)
            {
                return "cannot reach " + where + " within " +
                    CliValues.text(timeout) + (client.lastError().isEmpty() ? "" : ": " + client.lastError());
            }
        }
        return null;
    }
}
