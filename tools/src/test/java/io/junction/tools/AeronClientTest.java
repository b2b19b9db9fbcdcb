package io.junction.tools;

import static io.junction.tools.ClientTestSupport.TIMEOUT;
import static io.junction.tools.ClientTestSupport.freePort;
import static io.junction.tools.ClientTestSupport.pollUntil;
import static io.junction.tools.ClientTestSupport.port;
import static io.junction.tools.ClientTestSupport.startDaemon;
import static io.junction.tools.ClientTestSupport.writeConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.DisconnectReason;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.client.EmbeddedMediaDriver;
import io.junction.observe.CountersFileReader;
import io.junction.protocol.AeronHandshake;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ErrorDecoder;
import io.junction.security.PasswordHash;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;

/**
 * The client over Aeron UDP and IPC against a real daemon child process serving Aeron with its embedded media
 * driver: pub/sub best-effort and guaranteed (an outcome per message), credentials checked as over TCP, a stalled
 * Aeron subscriber that does not hold up a TCP one, and a SIGTERM with Aeron clients attached that exits cleanly
 * and deletes the driver's directory; an Aeron client that never says HELLO, closed after the HELLO timeout; and the
 * daemon on an external media driver, which it leaves running at its stop (and refuses to start without).
 */
class AeronClientTest
{
    @TempDir
    Path tmp;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    private JunctionClient client(final ClientContext ctx)
    {
        final JunctionClient client = JunctionClient.connect(ctx);
        resources.add(client);
        return client;
    }

    static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    private record Daemon(JunctionProcess process, File node, File driverDir, int udpPort)
    {
    }

    private Daemon daemon(final String name, final String... extra) throws Exception
    {
        final File node = tmp.resolve(name).toFile();
        final File driverDir = tmp.resolve(name + "-aeron").toFile();
        final int udpPort = freeUdpPort();
        final List<String> lines = new ArrayList<>(List.of(
            "aeron {",
            "  enabled = true",
            "  dir = \"" + driverDir.getPath() + "\"",
            "  ingress-endpoint = \"127.0.0.1:" + udpPort + "\"",
            "  term-length = 256K",
            "}"));
        lines.addAll(List.of(extra));
        final JunctionProcess process = startDaemon(tmp, writeConfig(tmp, node, 0, lines.toArray(String[]::new)),
            node, name + ".log");
        resources.add(process);
        return new Daemon(process, node, driverDir, udpPort);
    }

    /**
     * A UDP client with a media driver of its own (in this process, under the test's directory), or an IPC client on
     * the daemon's driver.
     */
    private ClientContext context(final Daemon daemon, final String transport, final String name)
    {
        final ClientContext ctx = new ClientContext()
            .reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(200));
        if ("udp".equals(transport))
        {
            return ctx.url("aeron:udp?endpoint=127.0.0.1:" + daemon.udpPort())
                .aeronEmbeddedDriver(true)
                .aeronTermLength(256 << 10)
                .aeronDirectory(tmp.resolve("client-" + name + "-aeron").toString());
        }
        return ctx.url("aeron:ipc").aeronDirectory(daemon.driverDir().getPath());
    }

    @ParameterizedTest
    @ValueSource(strings = { "udp", "ipc", "udp invoker", "ipc invoker" })
    void publishesAndSubscribesWithAnOutcomePerGuaranteedMessageAndStopsCleanlyOnSigterm(final String variant)
        throws Exception
    {
        // "invoker": the daemon's driver has no thread and runs on the I/O agent (aeron.threading-mode = invoker).
        final String transport = variant.split(" ")[0];
        final Daemon daemon = variant.endsWith(" invoker") ?
            daemon("node-" + transport + "-invoker", "aeron.threading-mode = invoker") : daemon("node-" + transport);
        final Map<Long, PublishOutcome> outcomes = new ConcurrentHashMap<>();
        final JunctionClient publisher = client(context(daemon, transport, "pub").instance("aeron-pub")
            .outcomeListener((publisherSequence, outcome, sequence, reason) -> outcomes.put(publisherSequence, outcome)));
        final List<String> received = new ArrayList<>();
        final JunctionClient subscriber = client(context(daemon, transport, "sub"));
        final ClientSubscription subscription = subscriber.subscribe("orders.>", (message) -> received.add(
            message.topic() + " " + message.buffer().getStringWithoutLengthAscii(0, message.length())));
        pollUntil(() -> publisher.isConnected() && subscription.isInEffect(),
            () -> publisher.lastError() + " / " + subscriber.lastError() + "\n" + daemon.process().output(),
            publisher, subscriber);
        assertEquals("anonymous", publisher.principal());
        assertEquals("aeron-pub", publisher.publisher());

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
        final List<Long> guaranteed = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            final int length = payload.putStringWithoutLengthAscii(0, "m" + i);
            final QualityOfService qos = i % 2 == 0 ? QualityOfService.GUARANTEED : QualityOfService.BEST_EFFORT;
            long sequence;
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while ((sequence = publisher.offer("orders." + (i % 3), Priority.NORMAL, qos, payload, 0, length)) < 0)
            {
                assertTrue(System.nanoTime() < deadline, "offer kept failing: " + sequence);
                publisher.poll();
                subscriber.poll();
            }
            if (QualityOfService.GUARANTEED == qos)
            {
                guaranteed.add(sequence);
            }
        }
        pollUntil(() -> received.size() == 200 && outcomes.size() == 100, () -> received.size() + " received, " +
            outcomes.size() + " outcomes", publisher, subscriber);
        assertEquals("orders.0 m0", received.get(0));
        assertEquals("orders.1 m199", received.get(199));
        for (final long sequence : guaranteed)
        {
            assertEquals(PublishOutcome.DURABLE, outcomes.get(sequence), "outcome of " + sequence);
        }

        final List<DisconnectReason> reasons = new CopyOnWriteArrayList<>();
        final JunctionClient watcher = client(context(daemon, transport, "watch").reconnect(false)
            .connectionListener((state, reason, detail) -> reasons.add(reason)));
        pollUntil(watcher::isConnected, watcher::lastError, watcher);

        // SIGTERM with Aeron clients attached: a clean exit, the driver's directory deleted, the clients told.
        daemon.process().process().destroy();
        assertTrue(daemon.process().process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "exits on SIGTERM");
        final int exit = daemon.process().process().exitValue();
        assertTrue(0 == exit || 143 == exit, () -> "exit " + exit + ": " + daemon.process().output());
        assertFalse(daemon.driverDir().exists(), "the embedded driver's directory is deleted at stop");
        pollUntil(() -> !watcher.isConnected(), () -> "told of the stop: " + reasons, watcher);
        assertFalse(reasons.isEmpty());
    }

    @Test
    void anAeronClientIsAuthenticatedAsOverTcpAndGetsNothingBefore() throws Exception
    {
        final String hash = PasswordHash.create("s3cret".toCharArray(), 2_000).encoded();
        final Daemon daemon = daemon("secure",
            "security {",
            "  authentication = required",
            "  users = [ { name = alice, password-hash = \"" + hash + "\", publish = [\">\"], subscribe = [\">\"] } ]",
            "}");
        final List<String> wrongReceived = new CopyOnWriteArrayList<>();
        final JunctionClient wrong = client(context(daemon, "udp", "wrong").credentials("alice", "bad".toCharArray())
            .reconnect(false));
        wrong.subscribe(">", (message) -> wrongReceived.add(message.topic()));
        final JunctionClient alice = client(context(daemon, "udp", "alice").instance("app")
            .credentials("alice", "s3cret".toCharArray()));
        final ClientSubscription aliceAll = alice.subscribe(">", (message) -> { });
        pollUntil(() -> wrong.disconnectReason() == DisconnectReason.AUTHENTICATION_FAILED && aliceAll.isInEffect(),
            () -> wrong.disconnectReason() + " " + wrong.lastError() + " / " + alice.lastError(), wrong, alice);
        assertEquals("alice", alice.principal());

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 10; i++)
        {
            assertTrue(alice.offer("secret.topic", Priority.NORMAL, payload, 0, 8) > 0);
        }
        final long sync = alice.sync();
        pollUntil(() -> alice.isSynced(sync), alice::lastError, alice, wrong);
        assertTrue(wrongReceived.isEmpty(), "an unauthenticated session is served nothing: " + wrongReceived);
        assertFalse(wrong.isConnected());
    }

    @Test
    void aRawAeronClientNamingAnotherAddressThanItsOwnIsRefusedAndServedNothing() throws Exception
    {
        final Daemon daemon = daemon("raw");
        final String ingress = "aeron:udp?endpoint=127.0.0.1:" + daemon.udpPort();
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(tmp.resolve("raw-client-aeron").toFile(), 256 << 10,
            false);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.directory()));
            Subscription responses = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 1102);
            ExclusivePublication spoofing = aeron.addExclusivePublication(ingress, 1101))
        {
            awaitRaw(() -> spoofing.isConnected() && null != responses.resolvedEndpoint(), () -> "connected");
            final String port = responses.resolvedEndpoint().substring(responses.resolvedEndpoint().lastIndexOf(':'));
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);

            // A handshake naming an address its datagrams do not come from: refused and counted, nothing sent.
            final int spoofed = AeronHandshake.encode(buffer, 0, 1102, "aeron:udp?endpoint=127.0.0.2" + port);
            awaitRaw(() -> spoofing.offer(buffer, 0, spoofed) > 0, () -> "handshake sent");
            awaitRaw(() -> counter(daemon, "aeron handshakes refused") == 1, () -> "refused");

            assertEquals(0, counter(daemon, "aeron sessions opened"));
            assertEquals(0, responses.imageCount(), "nothing was sent back to it");
        }
    }

    @Test
    void anAeronClientThatNeverSaysHelloIsToldAndClosedAfterTheHelloTimeout() throws Exception
    {
        final Daemon daemon = daemon("silent", "network.hello-timeout = 1s");
        final String ingress = "aeron:udp?endpoint=127.0.0.1:" + daemon.udpPort();
        final List<ErrorCode> errors = new ArrayList<>();
        final ErrorDecoder error = new ErrorDecoder();
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(tmp.resolve("silent-client-aeron").toFile(), 256 << 10,
            false);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.directory()));
            Subscription responses = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 1102);
            ExclusivePublication silent = aeron.addExclusivePublication(ingress, 1101))
        {
            awaitRaw(() -> silent.isConnected() && null != responses.resolvedEndpoint(), () -> "connected");
            final String endpoint = responses.resolvedEndpoint();
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            final int handshake = AeronHandshake.encode(buffer, 0, 1102, "aeron:udp?endpoint=" + endpoint);
            awaitRaw(() -> silent.offer(buffer, 0, handshake) > 0, () -> "handshake sent");
            awaitRaw(() -> counter(daemon, "aeron sessions opened") == 1, () -> "its egress connected: handshakes refused " +
                counterOrMinusOne(daemon, "aeron handshakes refused") + ", timed out " +
                counterOrMinusOne(daemon, "aeron sessions timed out connecting") + ", endpoint " + endpoint + ", images " +
                responses.imageCount() + ", errors " + errors + "\n" +
                daemon.process().output());

            // It says nothing more: within the HELLO timeout it is told why, and its session is closed.
            awaitRaw(() ->
            {
                responses.poll((frame, offset, length, header) ->
                {
                    final int start = offset; // One frame per Aeron message, without its length prefix.
                    if (ProtocolFrames.templateId(frame, start) == ErrorDecoder.TEMPLATE_ID)
                    {
                        errors.add(error.wrap(frame, start + ProtocolFrames.HEADER_LENGTH,
                            ProtocolFrames.blockLength(frame, start), ProtocolFrames.version(frame, start)).code());
                    }
                }, 16);
                return !errors.isEmpty() && counter(daemon, "aeron sessions") == 0;
            }, () -> errors + ", sessions " + counterOrMinusOne(daemon, "aeron sessions") + ", HELLO_TIMEOUT errors sent " +
                counterOrMinusOne(daemon, "protocol errors sent: HELLO_TIMEOUT") + ", lost " +
                counterOrMinusOne(daemon, "aeron sessions lost") + ", images " + responses.imageCount());
            assertEquals(List.of(ErrorCode.HELLO_TIMEOUT), errors);
            assertEquals(1, counter(daemon, "protocol errors sent: HELLO_TIMEOUT"));
        }

        // The daemon goes on serving: a TCP client is welcomed.
        final JunctionClient tcp = client(new ClientContext().url("tcp://127.0.0.1:" + port(daemon.node())));
        pollUntil(tcp::isConnected, tcp::lastError, tcp);
    }

    @Test
    void theDaemonServesAeronClientsOnAnExternalMediaDriverAndLeavesItRunningAtItsStop() throws Exception
    {
        final File external = tmp.resolve("external-aeron").toFile();
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(external, 256 << 10, false))
        {
            final Daemon daemon = daemon("external", "aeron.embedded-driver = false",
                "aeron.dir = \"" + driver.directory() + "\"");
            final List<String> received = new ArrayList<>();
            final JunctionClient subscriber = client(new ClientContext().url("aeron:ipc")
                .aeronDirectory(driver.directory()));
            final ClientSubscription subscription = subscriber.subscribe("ext.>", (message) -> received.add(
                message.topic()));
            final JunctionClient publisher = client(new ClientContext().url("aeron:ipc")
                .aeronDirectory(driver.directory()));
            pollUntil(() -> publisher.isConnected() && subscription.isInEffect(), () -> publisher.lastError() +
                " / " + subscriber.lastError() + "\n" + daemon.process().output(), publisher, subscriber);
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            for (int i = 0; i < 10; i++)
            {
                final int n = i;
                pollUntil(() -> publisher.offer("ext." + n, Priority.NORMAL, payload, 0, 8) > 0,
                    publisher::lastError, publisher);
            }
            pollUntil(() -> received.size() == 10, received::toString, publisher, subscriber);
            assertEquals("ext.9", received.get(9));

            daemon.process().process().destroy();
            assertTrue(daemon.process().process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "exits on SIGTERM");
            final int exit = daemon.process().process().exitValue();
            assertTrue(0 == exit || 143 == exit, () -> "exit " + exit + ": " + daemon.process().output());
            assertTrue(io.aeron.CommonContext.isDriverActive(external, 5_000, (line) -> { }),
                "the external driver is left running, its directory in place");
        }
    }

    @Test
    void withoutARunningExternalDriverTheDaemonRefusesToStartAndNamesTheDirectory() throws Exception
    {
        final File missing = tmp.resolve("no-driver").toFile();
        final File node = tmp.resolve("nodriver").toFile();
        final File config = writeConfig(tmp, node, 0, "aeron { enabled = true, embedded-driver = false, dir = \"" +
            missing.getPath() + "\", ingress-endpoint = \"127.0.0.1:" + freeUdpPort() + "\" }");
        final File log = tmp.resolve("nodriver.log").toFile();
        final int exit = JunctionProcess.run(log, "run", "--config", config.getPath());
        final String output = java.nio.file.Files.readString(log.toPath());
        assertTrue(0 != exit, output);
        assertTrue(output.contains("no running media driver at " + missing.getPath()), output);
        assertFalse(output.contains("\tat io.aeron"), () -> "no stack trace: " + output);
    }

    @Test
    void aDurableSubscriptionOverAeronResumesWithExactlyTheUnacknowledgedMessages() throws Exception
    {
        final Daemon daemon = daemon("durable");
        final List<Long> journaled = new CopyOnWriteArrayList<>();
        final JunctionClient publisher = client(context(daemon, "udp", "feed").instance("feed").outcomeListener(
            (publisherSequence, outcome, sequence, reason) ->
            {
                if (PublishOutcome.DURABLE == outcome)
                {
                    journaled.add(sequence);
                }
            }));
        pollUntil(publisher::isConnected, publisher::lastError, publisher);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        for (int i = 0; i < 10; i++)
        {
            final int length = payload.putStringWithoutLengthAscii(0, "d" + i);
            pollUntil(() -> publisher.offer("audit.trail", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0,
                length) > 0, publisher::lastError, publisher);
        }
        pollUntil(() -> journaled.size() == 10, journaled::toString, publisher);

        // The first reader acknowledges up to the fourth and goes away.
        final List<Long> first = new ArrayList<>();
        final JunctionClient firstClient = client(context(daemon, "udp", "first").instance("first"));
        final ClientSubscription firstDurable = firstClient.subscribe("audit.>", (message) ->
            first.add(message.sequence()), io.junction.client.ClientSubscriptionOptions.defaults().durable("audit")
            .startAt(io.junction.client.StartAt.earliest()));
        pollUntil(() -> first.size() == 10, first::toString, firstClient);
        assertEquals(journaled, first, "in journal order, no gap");
        assertTrue(firstDurable.ack(journaled.get(3)), "ack sent");
        final long sync = firstClient.sync();
        pollUntil(() -> firstClient.isSynced(sync), firstClient::lastError, firstClient);
        firstClient.close();
        // close() unsubscribed, so the name is free at once (ClientCloseTest); the session itself ends when the
        // client's image goes (seconds, not a FIN's instant).
        awaitRaw(() -> counter(daemon, "aeron sessions") == 1, () -> "the first reader's session ends: sessions " +
            counterOrMinusOne(daemon, "aeron sessions") + ", lost " + counterOrMinusOne(daemon, "aeron sessions lost"));

        // A new reader over Aeron resumes with exactly the unacknowledged ones, then live.
        final List<Long> second = new ArrayList<>();
        final JunctionClient secondClient = client(context(daemon, "udp", "second").instance("second"));
        final ClientSubscription resumed = secondClient.subscribe("audit.>", (message) -> second.add(message.sequence()),
            io.junction.client.ClientSubscriptionOptions.defaults().durable("audit").autoAck(true));
        pollUntil(() -> second.size() == 6, () -> second + " " + resumed.isActive() + " " + resumed.endReason() + " " +
            secondClient.lastError(), secondClient);
        assertEquals(journaled.subList(4, 10), second, "exactly the unacknowledged ones");
        final int length = payload.putStringWithoutLengthAscii(0, "d10");
        pollUntil(() -> publisher.offer("audit.trail", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0,
            length) > 0, publisher::lastError, publisher);
        pollUntil(() -> journaled.size() == 11 && second.size() == 7, second::toString, publisher, secondClient);
        assertEquals(journaled.subList(4, 11), second, "then live, no gap, no duplicate");
    }

    private static long counterOrMinusOne(final Daemon daemon, final String label)
    {
        try
        {
            return counter(daemon, label);
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private static long counter(final Daemon daemon, final String label) throws Exception
    {
        try (CountersFileReader reader = CountersFileReader.open(io.junction.tools.Daemon.countersDir(daemon.node())))
        {
            return reader.snapshot().stream().filter((v) -> v.label().equals(label)).mapToLong(
                CountersFileReader.CounterValue::value).sum();
        }
    }

    private static void awaitRaw(final java.util.concurrent.Callable<Boolean> condition,
        final java.util.function.Supplier<String> message) throws Exception
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.call())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not within " + TIMEOUT + ": " + message.get());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void aStalledAeronSubscriberDoesNotHoldUpTheDaemonOrATcpSubscriber() throws Exception
    {
        // A sub-millisecond Aeron poll: the I/O agent parks instead of waiting in its selector, and must still serve
        // its TCP subscriber beside the Aeron ones.
        final Daemon daemon = daemon("stall", "network.send-buffer = 64K", "aeron.idle-poll = 100us",
            "aeron.driver-idle = backoff");
        final int tcpPort = port(daemon.node());
        final JunctionClient stalled = client(context(daemon, "udp", "stalled"));
        final int[] stalledReceived = { 0 };
        final ClientSubscription stalledSubscription = stalled.subscribe("load.>", (message) -> stalledReceived[0]++);
        final JunctionClient publisher = client(new ClientContext().url("tcp://127.0.0.1:" + tcpPort));
        final int[] received = { 0 };
        final JunctionClient healthy = client(new ClientContext().url("tcp://127.0.0.1:" + tcpPort));
        final ClientSubscription healthySubscription = healthy.subscribe("load.>", (message) -> received[0]++);
        pollUntil(() -> stalledSubscription.isInEffect() && healthySubscription.isInEffect() &&
            publisher.isConnected(), () -> stalled.lastError() + " / " + healthy.lastError(), stalled, healthy,
            publisher);

        // The stalled client polls no more: its image fills, the daemon's egress to it is back-pressured, its send
        // buffer fills, and its subscription drops (the default policy); the healthy subscriber gets every message.
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[512]);
        final int messages = 5_000;
        int sent = 0;
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (sent < messages || received[0] < messages)
        {
            assertTrue(System.nanoTime() < deadline, () -> "sent " + received[0] + " of " + messages + " " +
                publisher.lastError() + " " + healthy.lastError() + " " + publisher.statistics() + "\n" +
                daemon.process().output());
            // Paced to the healthy subscriber (it must not overflow itself), far beyond what the stalled one holds.
            if (sent < messages && sent - received[0] < 50 &&
                publisher.offer("load.x", Priority.NORMAL, payload, 0, payload.capacity()) > 0)
            {
                sent++;
            }
            publisher.poll();
            healthy.poll();
        }
        assertEquals(messages, received[0]);

        // The stalled client polls again: still connected, it gets what its policy kept, not every message.
        pollUntil(() -> stalledReceived[0] > 0 && stalled.poll() == 0, () -> "resumed", stalled);
        assertTrue(stalled.isConnected(), stalled::lastError);
        assertTrue(stalledReceived[0] < messages, () -> stalledReceived[0] + " of " + messages + " reached it");
    }
}
