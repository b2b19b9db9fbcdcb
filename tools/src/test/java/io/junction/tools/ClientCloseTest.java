package io.junction.tools;

import static io.junction.tools.ClientTestSupport.TIMEOUT;
import static io.junction.tools.ClientTestSupport.pollUntil;
import static io.junction.tools.ClientTestSupport.port;
import static io.junction.tools.ClientTestSupport.signal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.client.StartAt;

/**
 * {@link JunctionClient#close()} against a real daemon child process: it unsubscribes before it drops the
 * connection, so a durable name is free for another client the moment close() returns, over TCP and over Aeron UDP
 * (where the daemon would otherwise see the close only when the client's image goes), with no message lost or
 * delivered twice; closed from a handler, from the polling thread, and from another thread than the polling one;
 * and bounded by its deadline when the daemon answers nothing (SIGSTOP).
 */
class ClientCloseTest
{
    private static final String NAME_IN_USE = "protocol durable subscriptions refused: name in use";

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withClientTestConfig();

    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);

    private JunctionClient client(final ClientContext ctx)
    {
        final JunctionClient client = JunctionClient.connect(ctx);
        daemon.closeAfter(client);
        return client;
    }

    /**
     * @return the UDP port of a daemon serving Aeron with its embedded media driver (and TCP).
     */
    private int aeronDaemon(final File node) throws Exception
    {
        final int udpPort = AeronClientTest.freeUdpPort();
        daemon.start("aeron {", "  enabled = true",
            "  dir = \"" + daemon.tmp().resolve(node.getName() + "-driver") + "\"",
            "  ingress-endpoint = \"127.0.0.1:" + udpPort + "\"", "  term-length = 256K", "}");
        return udpPort;
    }

    private static ClientContext tcp(final File node) throws Exception
    {
        return new ClientContext().url("tcp://127.0.0.1:" + port(node))
            .reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(200));
    }

    /**
     * A publisher whose outcome listener records the journal sequence of each durable publish.
     */
    private JunctionClient publisher(final File node, final List<Long> journaled) throws Exception
    {
        final JunctionClient publisher = client(tcp(node).instance("feed").outcomeListener(
            (publisherSequence, outcome, sequence, reason) ->
            {
                assertEquals(PublishOutcome.DURABLE, outcome);
                journaled.add(sequence);
            }));
        pollUntil(publisher::isConnected, publisher::lastError, publisher);
        return publisher;
    }

    private void publish(final JunctionClient publisher, final List<Long> journaled, final int count)
    {
        final int expected = journaled.size() + count;
        for (int i = 0; i < count; i++)
        {
            final int length = payload.putStringWithoutLengthAscii(0, "m" + i);
            final long result = publisher.offer("audit.trail", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0,
                length);
            assertTrue(result > 0, () -> ClientResult.describe(result));
        }
        pollUntil(() -> journaled.size() == expected, journaled::toString, publisher);
    }

    /**
     * A second reader takes the name over: it is never refused, and gets exactly what the first did not consume,
     * then live.
     */
    private void secondTakesOver(final File node, final ClientContext ctx, final JunctionClient publisher,
        final List<Long> journaled, final int consumed) throws Exception
    {
        final List<Long> second = new CopyOnWriteArrayList<>();
        final JunctionClient secondClient = client(ctx);
        final ClientSubscription resumed = secondClient.subscribe("audit.>", (message) -> second.add(message.sequence()),
            ClientSubscriptionOptions.defaults().durable("audit").autoAck(true));
        pollUntil(() -> resumed.isInEffect() || !resumed.isActive(), secondClient::lastError, secondClient);
        assertNull(resumed.endReason(), "the name was free when close() returned");
        final int total = journaled.size();
        pollUntil(() -> second.size() == total - consumed, second::toString, secondClient);
        publish(publisher, journaled, 3);
        pollUntil(() -> second.size() == total + 3 - consumed, second::toString, publisher, secondClient);
        assertEquals(journaled.subList(consumed, total + 3), second, "the rest, then live: no gap, no duplicate");
        assertEquals(0, ClientTestSupport.counter(node, NAME_IN_USE), "no SUBSCRIBE was refused for the name");
    }

    @Test
    void closedFromItsHandlerOverTcpTheDurableNameIsFreeAndNothingIsLostOrDuplicated() throws Exception
    {
        final File node = daemon.node();
        daemon.start();
        final List<Long> journaled = new CopyOnWriteArrayList<>();
        final JunctionClient publisher = publisher(node, journaled);
        publish(publisher, journaled, 20);

        // The first reader takes eight and closes the client from its handler: the eighth counts as consumed.
        final List<Long> first = new ArrayList<>();
        final JunctionClient[] firstClient = new JunctionClient[1];
        firstClient[0] = client(tcp(node).instance("first"));
        firstClient[0].subscribe("audit.>", (message) ->
        {
            first.add(message.sequence());
            if (first.size() == 8)
            {
                firstClient[0].close();
            }
        }, ClientSubscriptionOptions.defaults().durable("audit").startAt(StartAt.earliest()).autoAck(true));
        pollUntil(firstClient[0]::isClosed, firstClient[0]::lastError, firstClient[0]);
        assertEquals(journaled.subList(0, 8), first, "in journal order, and nothing after the close");
        assertEquals(0, firstClient[0].statistics().closesTimedOut(), firstClient[0].statistics()::toString);

        secondTakesOver(node, tcp(node).instance("second"), publisher, journaled, 8);
    }

    @Test
    void closedOverAeronUdpTheDurableNameIsFreeWhenCloseReturns() throws Exception
    {
        final File node = daemon.node();
        final int udpPort = aeronDaemon(node);
        final List<Long> journaled = new CopyOnWriteArrayList<>();
        final JunctionClient publisher = publisher(node, journaled);
        publish(publisher, journaled, 10);

        final List<Long> first = new ArrayList<>();
        final JunctionClient firstClient = client(udp(udpPort, "first"));
        firstClient.subscribe("audit.>", (message) -> first.add(message.sequence()),
            ClientSubscriptionOptions.defaults().durable("audit").startAt(StartAt.earliest()).autoAck(true));
        pollUntil(() -> first.size() == 10, first::toString, firstClient);
        firstClient.close();
        assertTrue(firstClient.isClosed());
        assertEquals(0, firstClient.statistics().closesTimedOut(), firstClient.statistics()::toString);
        assertEquals(journaled, first);

        // At once, while the daemon still has the first client's Aeron session (its image has not gone yet).
        secondTakesOver(node, udp(udpPort, "second"), publisher, journaled, 10);
    }

    @Test
    void aQueueGroupMemberClosedOverAeronUdpLeavesAtOnceWithNothingLostOrDeliveredTwice() throws Exception
    {
        final File node = daemon.node();
        final int udpPort = aeronDaemon(node);
        final List<Long> journaled = new CopyOnWriteArrayList<>();
        final JunctionClient publisher = publisher(node, journaled);
        final List<Long> leaver = new ArrayList<>();
        final List<Long> stayer = new ArrayList<>();
        final JunctionClient leaverClient = client(udp(udpPort, "leaver"));
        final ClientSubscription leaving = leaverClient.subscribe("audit.>", (message) -> leaver.add(message.sequence()),
            ClientSubscriptionOptions.defaults().queueGroup("workers"));
        final JunctionClient stayerClient = client(tcp(node).instance("stayer"));
        final ClientSubscription staying = stayerClient.subscribe("audit.>", (message) -> stayer.add(message.sequence()),
            ClientSubscriptionOptions.defaults().queueGroup("workers"));
        pollUntil(() -> leaving.isInEffect() && staying.isInEffect(), () -> leaverClient.lastError() + " / " +
            stayerClient.lastError(), leaverClient, stayerClient);

        // Both members share a first batch; the Aeron member closes while the stayer is not polled, so that
        // messages are queued for both as it leaves.
        publish(publisher, journaled, 40);
        pollUntil(() -> leaver.size() + stayer.size() == 40, () -> leaver + " / " + stayer, leaverClient, stayerClient);
        assertTrue(!leaver.isEmpty() && !stayer.isEmpty(), () -> "both took part: " + leaver + " / " + stayer);
        publish(publisher, journaled, 40);
        leaverClient.close();
        assertTrue(leaverClient.isClosed());
        assertEquals(0, leaverClient.statistics().closesTimedOut(), leaverClient.statistics()::toString);
        final int leaverTook = leaver.size();

        // From close() on, every message goes to the stayer: what the leaver still had queued moved to it.
        publish(publisher, journaled, 40);
        pollUntil(() -> leaver.size() + stayer.size() == 120, () -> leaver.size() + " + " + stayer.size() + " of 120",
            stayerClient);
        assertEquals(leaverTook, leaver.size(), "nothing reaches a closed client");
        final List<Long> all = new ArrayList<>(leaver);
        all.addAll(stayer);
        java.util.Collections.sort(all);
        assertEquals(journaled, all, "every message once, to one member");
    }

    private ClientContext udp(final int udpPort, final String name)
    {
        return new ClientContext().url("aeron:udp?endpoint=127.0.0.1:" + udpPort)
            .instance(name)
            .aeronEmbeddedDriver(true)
            .aeronTermLength(256 << 10)
            .aeronDirectory(daemon.tmp().resolve("client-" + name + "-aeron").toString())
            .reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void closedFromAnotherThreadThePollingThreadCarriesItOut() throws Exception
    {
        final File node = daemon.node();
        daemon.start();
        final List<Long> journaled = new CopyOnWriteArrayList<>();
        final JunctionClient publisher = publisher(node, journaled);
        publish(publisher, journaled, 5);

        final List<Long> first = new CopyOnWriteArrayList<>();
        final JunctionClient firstClient = client(tcp(node).instance("first"));
        firstClient.subscribe("audit.>", (message) -> first.add(message.sequence()),
            ClientSubscriptionOptions.defaults().durable("audit").startAt(StartAt.earliest()).autoAck(true));
        final Thread poller = new Thread(() ->
        {
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!firstClient.isClosed() && System.nanoTime() - deadline < 0)
            {
                if (0 == firstClient.poll())
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                }
            }
        }, "test-poller");
        poller.start();
        try
        {
            org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> first.size() == 5);
            firstClient.close(); // this thread is not the polling one: it hands the close over and waits
            assertTrue(firstClient.isClosed(), "closed when close() returns");
        }
        finally
        {
            poller.join(TIMEOUT.toMillis());
        }
        assertTrue(!poller.isAlive(), "the polling thread saw the close");
        assertEquals(journaled, first);

        secondTakesOver(node, tcp(node).instance("second"), publisher, journaled, 5);
    }

    @Test
    void closeGivesUpAtItsDeadlineWhenTheDaemonAnswersNothing() throws Exception
    {
        final File node = daemon.node();
        final JunctionProcess silent = daemon.start();
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(500);
        final JunctionClient waiting = client(tcp(node).closeTimeoutNs(timeoutNs));
        final ClientSubscription subscription = waiting.subscribe("silent.>", (message) -> { });
        final JunctionClient immediate = client(tcp(node).closeTimeoutNs(0));
        final ClientSubscription other = immediate.subscribe("silent.>", (message) -> { });
        pollUntil(() -> subscription.isInEffect() && other.isInEffect(),
            () -> waiting.lastError() + " / " + immediate.lastError(), waiting, immediate);

        signal("STOP", silent); // alive, connected, but answers nothing
        try
        {
            // A signal is delivered asynchronously: wait until every thread of the daemon is stopped.
            final Path stat = Path.of("/proc/" + silent.process().pid() + "/stat");
            org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() ->
            {
                final String line = java.nio.file.Files.readString(stat);
                return line.substring(line.lastIndexOf(')') + 2).startsWith("T");
            });
            final long startNs = System.nanoTime();
            waiting.close();
            final long tookNs = System.nanoTime() - startNs;
            assertTrue(waiting.isClosed());
            assertEquals(1, waiting.statistics().closesTimedOut(), () -> tookNs + " ns, " + waiting.disconnectReason() +
                " " + waiting.lastError() + " " + waiting.statistics());
            assertTrue(tookNs >= timeoutNs, () -> "waited for the answers: " + tookNs + " ns");
            // Bounded by the deadline; the margin is for a loaded machine (load average ~15), not a figure.
            assertTrue(tookNs < timeoutNs + TimeUnit.SECONDS.toNanos(10), () -> "gave up at the deadline: " + tookNs);

            immediate.close();
            assertTrue(immediate.isClosed());
            assertEquals(0, immediate.statistics().closesTimedOut(), "0: closed at once, nothing waited for");
        }
        finally
        {
            signal("CONT", silent);
        }
    }
}
