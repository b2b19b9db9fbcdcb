package io.junction.security;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS over a real non-blocking {@link SocketChannel} pair on loopback, both ends driven by one thread that never
 * blocks: handshake, data both ways larger than a record, client certificates required or not, orderly close.
 * Keys are made for the test by the JDK's keytool (child processes).
 */
class TlsSessionTest
{
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    static Path keys;

    private static SSLContext serverContext;
    private static SSLContext clientContext;
    private static SSLContext clientWithCertificate;

    @BeforeAll
    static void makeKeys() throws Exception
    {
        // Two keytool runs at once (a JVM start each is slow on a loaded machine); each store's own certificate
        // is what the other side trusts.
        final Process server = keytool("server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
        final Process client = keytool("client", "CN=alice", null);
        await(server);
        await(client);
        final File serverStore = keys.resolve("server.p12").toFile();
        final File clientStore = keys.resolve("client.p12").toFile();
        serverContext = context(serverStore, clientStore);
        clientContext = context(null, serverStore);
        clientWithCertificate = context(clientStore, serverStore);
    }

    @Test
    @Timeout(60)
    void handshakesAndCarriesDataBothWaysWithoutBlocking() throws Exception
    {
        try (Pair pair = Pair.open())
        {
            final TlsSession server = TlsSession.server(serverContext, TlsSession.ClientAuth.NONE);
            final TlsSession client = TlsSession.client(clientContext, "localhost", pair.port);
            pump(pair, client, server, () -> client.isHandshakeComplete() && server.isHandshakeComplete());
            assertNull(server.peerPrincipal(), "no client certificate asked for");
            assertEquals("CN=localhost", client.peerPrincipal().getName());

            final byte[] request = randomBytes(100_000, 1);   // several records
            final byte[] reply = randomBytes(40_000, 2);
            final ByteArrayOutputStream atServer = new ByteArrayOutputStream();
            final ByteArrayOutputStream atClient = new ByteArrayOutputStream();
            final ByteBuffer toServer = ByteBuffer.wrap(request);
            final ByteBuffer toClient = ByteBuffer.wrap(reply);
            pump(pair, client, server, () ->
            {
                client.wrap(toServer);
                server.wrap(toClient);
                drain(server, atServer);
                drain(client, atClient);
                return atServer.size() == request.length && atClient.size() == reply.length;
            });
            assertArrayEquals(request, atServer.toByteArray());
            assertArrayEquals(reply, atClient.toByteArray());

            // Orderly close: the server reads end of stream once the client's close_notify arrives.
            client.close();
            final ByteBuffer scratch = ByteBuffer.allocate(16);
            pump(pair, client, server, () -> server.read(scratch) == -1);
        }
    }

    @Test
    @Timeout(60)
    void aRequiredClientCertificateIsCheckedAndNamesThePrincipal() throws Exception
    {
        try (Pair pair = Pair.open())
        {
            final TlsSession server = TlsSession.server(serverContext, TlsSession.ClientAuth.NEED);
            final TlsSession client = TlsSession.client(clientWithCertificate, "localhost", pair.port);
            pump(pair, client, server, () -> client.isHandshakeComplete() && server.isHandshakeComplete() &&
                null != server.peerPrincipal());
            assertEquals("CN=alice", server.peerPrincipal().getName());
        }

        try (Pair pair = Pair.open())
        {
            final TlsSession server = TlsSession.server(serverContext, TlsSession.ClientAuth.NEED);
            final TlsSession client = TlsSession.client(clientContext, "localhost", pair.port);
            assertThrows(SSLException.class, () -> pump(pair, client, server, () -> false),
                "a client without a certificate fails the handshake");
        }
    }

    @Test
    @Timeout(60)
    void theClientRefusesAServerWhoseNameDoesNotMatch() throws Exception
    {
        try (Pair pair = Pair.open())
        {
            final TlsSession server = TlsSession.server(serverContext, TlsSession.ClientAuth.NONE);
            final TlsSession client = TlsSession.client(clientContext, "junction.example", pair.port);
            assertThrows(SSLException.class, () -> pump(pair, client, server, () -> false));
        }
    }

    private interface Condition
    {
        boolean met() throws IOException;
    }

    /** Drive both ends until the condition holds; a failure of either end is thrown. */
    private static void pump(final Pair pair, final TlsSession client, final TlsSession server, final Condition done)
        throws IOException
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        while (!done.met())
        {
            client.writeTo(pair.client);
            server.writeTo(pair.server);
            client.readFrom(pair.client);
            server.readFrom(pair.server);
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("not done within the deadline");
            }
            Thread.onSpinWait();
        }
    }

    private static void drain(final TlsSession session, final ByteArrayOutputStream into) throws SSLException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (session.read(buffer) > 0)
        {
            into.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
    }

    private static byte[] randomBytes(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A connected pair of non-blocking channels on loopback. */
    private static final class Pair implements AutoCloseable
    {
        final SocketChannel client;
        final SocketChannel server;
        final int port;

        private Pair(final SocketChannel client, final SocketChannel server, final int port)
        {
            this.client = client;
            this.server = server;
            this.port = port;
        }

        static Pair open() throws IOException
        {
            try (ServerSocketChannel acceptor = ServerSocketChannel.open())
            {
                acceptor.bind(new InetSocketAddress("127.0.0.1", 0));
                final int port = ((InetSocketAddress)acceptor.getLocalAddress()).getPort();
                final SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                final SocketChannel server = acceptor.accept();
                client.configureBlocking(false);
                server.configureBlocking(false);
                return new Pair(client, server, port);
            }
        }

        @Override
        public void close() throws IOException
        {
            client.close();
            server.close();
        }
    }

    private static Process keytool(final String alias, final String dname, final String san) throws Exception
    {
        final File store = keys.resolve(alias + ".p12").toFile();
        final List<String> command = new ArrayList<>(List.of(keytoolPath(), "-J-XX:TieredStopAtLevel=1",
            "-J-XX:+UseSerialGC", "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
            "-validity", "2", "-dname", dname, "-storetype", "PKCS12", "-keystore", store.getPath(),
            "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
        if (null != san)
        {
            command.addAll(List.of("-ext", san));
        }
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void await(final Process process) throws Exception
    {
        final String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "keytool finished");
        assertEquals(0, process.exitValue(), output);
    }

    private static String keytoolPath()
    {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static SSLContext context(final File keyStore, final File trustStore) throws Exception
    {
        return TlsContexts.create(null == keyStore ? null : keyStore.toPath(), PASSWORD, trustStore.toPath(), PASSWORD,
            "PKCS12");
    }
}
