package io.junction.tools;

import static io.junction.tools.ClientTestSupport.TIMEOUT;
import static io.junction.tools.ClientTestSupport.pollUntil;
import static io.junction.tools.ClientTestSupport.port;
import static io.junction.tools.ClientTestSupport.startDaemon;
import static io.junction.tools.ClientTestSupport.writeConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Priority;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientTls;
import io.junction.client.DisconnectReason;
import io.junction.client.JunctionClient;
import io.junction.observe.CountersFileReader;
import io.junction.security.PasswordHash;

/**
 * TLS on the daemon's protocol port, against a real daemon child process over real sockets with certificates made by
 * keytool: pub/sub over TLS, a password over TLS (also from a non-loopback address), a client certificate as the
 * principal (an untrusted one refused in the handshake, a trusted one naming no principal refused in HELLO), and
 * hostile clients (plaintext on the TLS port, a silent TCP connection, a handshake stalled half-way) closed with
 * their counters moving while a well-behaved TLS client keeps being served; then SIGTERM with such clients attached.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsProcessTest
{
    private Path tmp;

    private TestCertificates certificates;
    private Path clientTrust;
    private Path bob;
    private Path carol;
    private Path impostor;
    private File node;
    private JunctionProcess daemon;
    private int port;
    /** An address of this host that is not loopback, or null. */
    private String external;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    void launchDaemon(@TempDir final Path dir) throws Exception
    {
        tmp = dir;
        external = nonLoopbackAddress();
        certificates = new TestCertificates(tmp);
        final Path server = certificates.keyStore("server", "localhost",
            "dns:localhost,ip:127.0.0.1" + (null == external ? "" : ",ip:" + external));
        bob = certificates.keyStore("bob", "bob", null);
        carol = certificates.keyStore("carol", "carol", null);
        impostor = certificates.keyStore("impostor", "bob", null); // says bob, but no one vouches for it
        clientTrust = certificates.trustStore("client-trust", server);
        final Path daemonTrust = certificates.trustStore("daemon-trust", bob, carol);

        node = tmp.resolve("node").toFile();
        final String hash = PasswordHash.create("s3cret".toCharArray(), 2_000).encoded();
        daemon = startDaemon(tmp, writeConfig(tmp, node, 0,
            "listen.host = \"0.0.0.0\"",
            "security {",
            "  authentication = required",
            "  users = [ { name = alice, password-hash = \"" + hash + "\", publish = [\">\"], subscribe = [\">\"] } ]",
            "  permissions = [ { principal = bob, publish = [\">\"], subscribe = [\">\"] } ]",
            "  tls {",
            "    enabled = true",
            "    key-store = \"" + server + "\"",
            "    key-store-password = " + TestCertificates.PASSWORD,
            "    trust-store = \"" + daemonTrust + "\"",
            "    trust-store-password = " + TestCertificates.PASSWORD,
            "    client-auth = want",
            "    handshake-timeout = 5s",
            "  }",
            "}"), node, "daemon.log");
        port = port(node);
    }

    @AfterAll
    void stopDaemon() throws Exception
    {
        closeResources();
        if (null != daemon)
        {
            daemon.close();
        }
    }

    private void closeResources() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
        resources.clear();
    }

    /** A client that tries again (a first handshake on a loaded machine may outlast the daemon's timeout). */
    private JunctionClient client(final ClientContext ctx)
    {
        final JunctionClient client = JunctionClient.connect(ctx.reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(50),
            TimeUnit.MILLISECONDS.toNanos(500)));
        resources.add(client);
        return client;
    }

    private ClientContext tls(final String host)
    {
        return new ClientContext().url("tls://" + host + ":" + port).connectTimeoutNs(TimeUnit.SECONDS.toNanos(30))
            .tls(new ClientTls().trustStore(clientTrust, TestCertificates.PASSWORD.toCharArray()));
    }

    private ClientContext withCertificate(final Path keyStore)
    {
        return new ClientContext().url("tls://127.0.0.1:" + port).connectTimeoutNs(TimeUnit.SECONDS.toNanos(30))
            .tls(new ClientTls().trustStore(clientTrust, TestCertificates.PASSWORD.toCharArray())
                .keyStore(keyStore, TestCertificates.PASSWORD.toCharArray()));
    }

    @Test
    @Order(1)
    void pubSubOverTlsWithAPasswordAndWithAClientCertificate() throws Exception
    {
        final JunctionClient alice = client(tls("127.0.0.1").instance("app")
            .credentials("alice", "s3cret".toCharArray()));
        final JunctionClient bobClient = client(withCertificate(bob).instance("reader"));
        final List<String> received = new CopyOnWriteArrayList<>();
        final ClientSubscription all = bobClient.subscribe("orders.>", (message) ->
            received.add(message.topic() + " " + message.buffer().getStringWithoutLengthUtf8(0, message.length())));
        pollUntil(() -> alice.isConnected() && all.isInEffect(), () -> alice.lastError() + " / " + bobClient.lastError(),
            alice, bobClient);
        assertEquals("alice/app", alice.publisher());
        assertEquals("bob", bobClient.principal(), "the certificate's CN is the principal");
        assertEquals("bob/reader", bobClient.publisher());

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final int count = 500;
        for (int i = 0; i < count; i++)
        {
            final int length = payload.putStringWithoutLengthUtf8(0, "m" + i);
            final int index = i;
            pollUntil(() -> alice.offer("orders.new", Priority.NORMAL, payload, 0, length) > 0, () -> "offer " + index,
                alice, bobClient);
        }
        pollUntil(() -> received.size() == count, () -> received.size() + " of " + count, alice, bobClient);
        assertEquals("orders.new m0", received.get(0));
        assertEquals("orders.new m" + (count - 1), received.get(count - 1));

        if (null != external)
        {
            // Not loopback: a password is accepted because the connection is TLS.
            final JunctionClient remote = client(tls(external).instance("remote")
                .credentials("alice", "s3cret".toCharArray()));
            pollUntil(remote::isConnected, remote::lastError, remote);
            assertEquals("alice/remote", remote.publisher());
        }
        assertTrue(counter("protocol tls handshakes") >= 2);
        closeResources();
    }

    @Test
    @Order(2)
    void junctionPubAndSubSpeakTlsWithATrustStoreAKeyStoreAndAPassword() throws Exception
    {
        final String url = "tls://127.0.0.1:" + port;
        final String storePassword = certificates.passwordFile().toString();
        final Path alicePassword = tmp.resolve("alice-password.txt");
        java.nio.file.Files.writeString(alicePassword, "s3cret\n");
        final File subOut = tmp.resolve("sub.txt").toFile();
        final JunctionProcess sub = JunctionProcess.start(subOut, "sub", "cli.>", "--url", url,
            "--trust-store", clientTrust.toString(), "--trust-store-password-file", storePassword,
            "--key-store", bob.toString(), "--key-store-password-file", storePassword, "--count", "1",
            "--timeout", "90s");
        resources.add(sub);
        await().atMost(TIMEOUT).until(() -> sub.output().contains("subscribed to cli.>") || !sub.process().isAlive());
        assertTrue(sub.process().isAlive(), sub::output);

        final File pubOut = tmp.resolve("pub.txt").toFile();
        assertEquals(0, JunctionProcess.run(pubOut, "pub", "cli.x", "over tls", "--url", url,
            "--trust-store", clientTrust.toString(), "--trust-store-password-file", storePassword,
            "--user", "alice", "--password-file", alicePassword.toString()), () -> DaemonTestSupport.read(pubOut));
        assertEquals(0, sub.awaitExit(60, "sub"), sub::output);
        assertTrue(sub.output().contains("cli.x over tls"), sub::output);

        // TLS options with a tcp:// url: a usage error, named, without a stack trace.
        final File badOut = tmp.resolve("bad.txt").toFile();
        assertEquals(2, JunctionProcess.run(badOut, "pub", "cli.x", "y", "--url", "tcp://127.0.0.1:" + port,
            "--trust-store", clientTrust.toString()));
        final String bad = DaemonTestSupport.read(badOut);
        assertTrue(bad.contains("TLS options need a tls://host:port url"), bad);
        assertTrue(!bad.contains("\tat "), bad);
    }

    @Test
    @Order(3)
    void anUntrustedCertificateAndOneNamingNoPrincipalAreRefusedWithTheirReasons() throws Exception
    {
        final long certificateFailures = counter("protocol tls failures: CERTIFICATE");
        final List<String> states = new CopyOnWriteArrayList<>();
        final JunctionClient impostorClient = client(withCertificate(impostor)
            .connectionListener((state, reason, detail) -> states.add(state + " " + reason + " " + detail)));
        pollUntil(() -> impostorClient.disconnectReason() != DisconnectReason.NONE, impostorClient::lastError,
            impostorClient);
        assertTrue(!impostorClient.isConnected() && states.toString().contains("certificate"), states::toString);
        await().atMost(TIMEOUT).until(() -> counter("protocol tls failures: CERTIFICATE") > certificateFailures);

        final long unknown = counter("protocol authentication refused: UNKNOWN_CERTIFICATE_SUBJECT");
        final JunctionClient carolClient = client(withCertificate(carol));
        pollUntil(() -> carolClient.disconnectReason() == DisconnectReason.AUTHENTICATION_FAILED,
            carolClient::lastError, carolClient);
        assertTrue(carolClient.lastError().contains("UNKNOWN_CERTIFICATE_SUBJECT"), carolClient.lastError());
        await().atMost(TIMEOUT).until(() ->
            counter("protocol authentication refused: UNKNOWN_CERTIFICATE_SUBJECT") > unknown);

        // TLS without a certificate and without credentials: nobody.
        final JunctionClient anonymous = client(tls("127.0.0.1"));
        pollUntil(() -> anonymous.disconnectReason() == DisconnectReason.AUTHENTICATION_FAILED, anonymous::lastError,
            anonymous);
        closeResources();
    }

    @Test
    @Order(4)
    void hostileClientsAreClosedAndCountedWhileAWellBehavedOneIsServedAndSigtermStillStops() throws Exception
    {
        final JunctionClient alice = client(tls("127.0.0.1").instance("steady")
            .credentials("alice", "s3cret".toCharArray()));
        final List<String> received = new CopyOnWriteArrayList<>();
        final ClientSubscription all = alice.subscribe("steady.>", (message) -> received.add(message.topic()));
        pollUntil(() -> alice.isConnected() && all.isInEffect(), alice::lastError, alice);

        final long plaintext = counter("protocol tls failures: PLAINTEXT");
        final long timeouts = counter("protocol tls failures: HANDSHAKE_TIMEOUT");

        // A plaintext client of the protocol: its HELLO is not a TLS record.
        final ProtocolClient plain = ProtocolClient.raw("127.0.0.1", port);
        resources.add(plain);
        plain.hello("plain", io.junction.protocol.ProtocolFrames.VERSION, 0);
        final Socket silent = new Socket("127.0.0.1", port); // opens TCP, never says anything
        resources.add(silent);
        final Socket stalled = new Socket("127.0.0.1", port); // the first 5 bytes of a ClientHello record, then nothing
        resources.add(stalled);
        stalled.getOutputStream().write(new byte[]{ 0x16, 0x03, 0x01, 0x02, 0x00 });
        stalled.getOutputStream().flush();

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        final long[] sent = { 0 };
        final long[] nextNs = { System.nanoTime() };
        // The well-behaved client (a steady 200 messages a second, not a flood its own subscription would drop
        // from) is served the whole time.
        pollUntil(() ->
        {
            final long now = System.nanoTime();
            if (now - nextNs[0] >= 0 && alice.offer("steady.tick", Priority.NORMAL, payload, 0, 8) > 0)
            {
                sent[0]++;
                nextNs[0] = now + TimeUnit.MILLISECONDS.toNanos(5);
            }
            return counter("protocol tls failures: PLAINTEXT") >= plaintext + 1 &&
                counter("protocol tls failures: HANDSHAKE_TIMEOUT") >= timeouts + 2 && received.size() >= 100;
        }, () -> "plaintext " + counter("protocol tls failures: PLAINTEXT") + ", timeouts " +
            counter("protocol tls failures: HANDSHAKE_TIMEOUT") + ", received " + received.size(), alice);
        assertEquals(plaintext + 1, counter("protocol tls failures: PLAINTEXT"), "one plaintext client");
        assertTrue(isClosedByPeer(silent), "the silent connection was closed");
        assertTrue(isClosedByPeer(stalled), "the stalled handshake was closed");
        pollUntil(() -> received.size() == sent[0], () -> received.size() + " of " + sent[0], alice);

        // SIGTERM with a stalled handshake, a silent connection and a TLS client attached: the daemon still stops.
        final Socket stalledAgain = new Socket("127.0.0.1", port);
        resources.add(stalledAgain);
        stalledAgain.getOutputStream().write(new byte[]{ 0x16, 0x03, 0x01 });
        final Socket silentAgain = new Socket("127.0.0.1", port);
        resources.add(silentAgain);
        final long start = System.nanoTime();
        daemon.process().destroy();
        assertTrue(daemon.process().waitFor(40, TimeUnit.SECONDS), "stopped within shutdown-timeout (10 s) + margin");
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(0, daemon.process().exitValue(), daemon::output);
        assertTrue(tookMs < 40_000, "took " + tookMs + " ms");
    }

    private static boolean isClosedByPeer(final Socket socket) throws Exception
    {
        socket.setSoTimeout((int)TIMEOUT.toMillis());
        final InputStream in = socket.getInputStream();
        try
        {
            while (true)
            {
                if (in.read() < 0)
                {
                    return true;
                }
            }
        }
        catch (final java.net.SocketException ex)
        {
            return true; // reset
        }
    }

    private long counter(final String label)
    {
        try (CountersFileReader reader = CountersFileReader.open(Daemon.countersDir(node)))
        {
            long total = 0;
            for (final CountersFileReader.CounterValue value : reader.snapshot())
            {
                if (value.label().equals(label))
                {
                    total += value.value();
                }
            }
            return total;
        }
        catch (final Exception ex)
        {
            throw new AssertionError("cannot read the counters: " + ex, ex);
        }
    }

    /** @return an IPv4 address of this host that is not loopback, or null when it has none. */
    static String nonLoopbackAddress() throws Exception
    {
        for (final NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces()))
        {
            if (!nic.isUp() || nic.isLoopback())
            {
                continue;
            }
            for (final InetAddress address : Collections.list(nic.getInetAddresses()))
            {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress())
                {
                    return address.getHostAddress();
                }
            }
        }
        return null;
    }
}
