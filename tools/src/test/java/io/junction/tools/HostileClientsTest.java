package io.junction.tools;

import static io.junction.tools.DaemonTestSupport.httpGet;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.typesafe.config.ConfigFactory;

import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.protocol.FrameDispatcher;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.AuthenticationMethodCode;
import io.junction.protocol.codecs.CreditEncoder;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ErrorDecoder;
import io.junction.protocol.codecs.HelloEncoder;
import io.junction.protocol.codecs.MessageDecoder;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.PingDecoder;
import io.junction.protocol.codecs.PingEncoder;
import io.junction.protocol.codecs.PongDecoder;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.protocol.codecs.PublishEncoder;
import io.junction.protocol.codecs.QualityOfServiceCode;
import io.junction.protocol.codecs.SlowSubscriberPolicyCode;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribeEncoder;
import io.junction.protocol.codecs.SubscribedDecoder;
import io.junction.protocol.codecs.WelcomeDecoder;

/**
 * The protocol server against clients that misbehave, each over real sockets to the real server (a daemon in this
 * process, so its counters and memory can be read): random bytes, half a frame held open, a 100 MB length prefix,
 * unknown schema, version and template, SUBSCRIBE and connection floods, a subscriber that never reads (under each
 * slow-subscriber policy), a publisher that never reads while it is shed, a client that never says HELLO or never
 * answers a PING, and a client of the protocol's previous version. In each the right counter moves and the
 * daemon keeps serving a well-behaved client.
 */
class HostileClientsTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_CONNECTIONS = 40;
    private static final int PER_CONNECTION = 4;
    private static final int TOTAL_SUBSCRIPTIONS = 12;
    private static final int SEND_BUFFER = 64 * 1024;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private Daemon daemon;
    private int port;

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            try
            {
                resources.get(i).close();
            }
            catch (final Exception ex)
            {
                // Already closed by the daemon.
            }
        }
        if (null != daemon)
        {
            daemon.close();
        }
    }

    private void start(final String extra)
    {
        final String config = String.join("\n",
            "dir = \"" + tmp.resolve("node").toString().replace("\\", "\\\\") + "\"",
            "observe-interval = 100ms",
            "histogram-log = false",
            "shutdown-timeout = 2s",
            "listen { port = 0, publish-timeout = 5s }",
            "http.port = 0",
            "journal.enabled = false",
            "alarms.rules = []",
            "subscriber.policy = drop-newest",
            "network {",
            "  max-connections = " + MAX_CONNECTIONS,
            "  max-subscriptions-per-connection = " + PER_CONNECTION,
            "  max-subscriptions = " + TOTAL_SUBSCRIPTIONS,
            "  send-buffer = " + SEND_BUFFER,
            "  read-timeout = 500ms",
            "  hello-timeout = 500ms",
            "  heartbeat-interval = 5s",
            "}",
            "regulation.rules = [ { pattern = \"flood.>\", publisher = flooder, rate = 10, burst = 10 } ]",
            extra,
            "");
        try
        {
            daemon = new Daemon(DaemonConfig.from(ConfigFactory.parseString(config).withFallback(DaemonConfig.defaults())
                .resolve()), null, new PrintStream(log, true, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        port = daemon.protocolPort();
    }

    @Test
    void randomBytesAreRefusedAndTheDaemonKeepsServing() throws Exception
    {
        start("");
        final SplittableRandom random = new SplittableRandom(20261201L);
        final List<Raw> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            final Raw raw = raw();
            if (i % 2 == 1)
            {
                raw.hello("random-" + i, ProtocolFrames.VERSION, 0);
            }
            final byte[] bytes = new byte[2048];
            for (int j = 0; j < bytes.length; j++)
            {
                bytes[j] = (byte)random.nextInt(256);
            }
            raw.sendRaw(bytes);
            clients.add(raw);
        }
        // After HELLO: frames with a sound length and a random body, half of them with this schema's header.
        final Raw framed = raw();
        framed.hello("random-frames", ProtocolFrames.VERSION, 0);
        for (int i = 0; i < 500; i++)
        {
            final byte[] frame = new byte[ProtocolFrames.HEADER_LENGTH + random.nextInt(120)];
            for (int j = 0; j < frame.length; j++)
            {
                frame[j] = (byte)random.nextInt(256);
            }
            if (i % 2 == 0)
            {
                final UnsafeBuffer header = new UnsafeBuffer(frame);
                header.putShort(2, (short)new int[]{ 1, 3, 5, 10, 20, 22, 24, 26, 27 }[i % 9], ProtocolFrames.BYTE_ORDER);
                header.putShort(4, (short)ProtocolFrames.SCHEMA_ID, ProtocolFrames.BYTE_ORDER);
                header.putShort(6, (short)ProtocolFrames.VERSION, ProtocolFrames.BYTE_ORDER);
            }
            framed.send(frame);
        }
        for (final Raw raw : clients)
        {
            final List<Frame> frames = raw.readUntilClosed();
            assertTrue(!frames.isEmpty() && frames.get(frames.size() - 1).templateId == ErrorDecoder.TEMPLATE_ID,
                frames::toString);
        }
        assertServesAWellBehavedClient("good.random");
        assertTrue(counter("protocol bad frames") + counter("protocol errors sent: FRAME_TOO_LARGE") +
            counter("protocol errors sent: HELLO_REQUIRED") >= clients.size(), this::counters);
        assertTrue(daemon.protocolServer().isHealthy());
    }

    @Test
    void aPartialFrameHeldOpenIsClosedByTheReadTimeoutAndCounted() throws Exception
    {
        start("");
        final Raw raw = raw();
        raw.hello("partial", ProtocolFrames.VERSION, 0);
        assertEquals(WelcomeDecoder.TEMPLATE_ID, raw.read().templateId);
        raw.sendRaw(new byte[]{ 100, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }); // 10 of 100 bytes
        final long startNs = System.nanoTime();
        final List<Frame> frames = raw.readUntilClosed();
        final long heldMs = (System.nanoTime() - startNs) / 1_000_000;
        assertEquals(ErrorCode.PARTIAL_FRAME_TIMEOUT, frames.get(frames.size() - 1).errorCode(), frames::toString);
        assertTrue(heldMs >= 400 && heldMs < 5000, "closed after " + heldMs + " ms");
        assertEquals(1, counter("protocol errors sent: PARTIAL_FRAME_TIMEOUT"));
        assertServesAWellBehavedClient("good.partial");
    }

    @Test
    void aHundredMegabyteLengthPrefixIsRefusedWithoutAllocatingIt() throws Exception
    {
        start("");
        final long directBefore = directMemory();
        final Raw raw = raw();
        raw.hello("huge", ProtocolFrames.VERSION, 0);
        assertEquals(WelcomeDecoder.TEMPLATE_ID, raw.read().templateId);
        final UnsafeBuffer prefix = new UnsafeBuffer(new byte[ProtocolFrames.LENGTH_PREFIX + 64]);
        ProtocolFrames.frameLength(prefix, 0, 100_000_000);
        raw.sendRaw(prefix.byteArray());
        final List<Frame> frames = raw.readUntilClosed();
        final Frame error = frames.get(frames.size() - 1);
        assertEquals(ErrorCode.FRAME_TOO_LARGE, error.errorCode(), frames::toString);
        assertTrue(error.errorText().contains("100000000") &&
            error.errorText().contains(Integer.toString(daemon.protocolServer().maxFrameLength())), error::errorText);
        assertEquals(1, counter("protocol errors sent: FRAME_TOO_LARGE"));
        assertTrue(directMemory() - directBefore < 10 << 20, "direct memory grew by " + (directMemory() - directBefore));
        assertServesAWellBehavedClient("good.huge");
    }

    @Test
    void unknownSchemaVersionAndTemplateAreAnsweredNamingBothAndTheConnectionCarriesOn() throws Exception
    {
        start("");
        final Raw raw = raw();
        raw.hello("unknown", ProtocolFrames.VERSION, 0);
        assertEquals(WelcomeDecoder.TEMPLATE_ID, raw.read().templateId);

        raw.send(header(20, 4242, ProtocolFrames.VERSION));
        final Frame schema = raw.read();
        assertEquals(ErrorCode.UNKNOWN_SCHEMA, schema.errorCode());
        assertTrue(schema.errorText().contains("4242") &&
            schema.errorText().contains("schema " + ProtocolFrames.SCHEMA_ID), schema::errorText);

        raw.send(header(20, ProtocolFrames.SCHEMA_ID, 9));
        final Frame version = raw.read();
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, version.errorCode());
        assertTrue(version.errorText().contains("version 9") &&
            version.errorText().contains(ProtocolFrames.MIN_VERSION + ".." + ProtocolFrames.VERSION),
            version::errorText);

        raw.send(header(99, ProtocolFrames.SCHEMA_ID, ProtocolFrames.VERSION));
        final Frame template = raw.read();
        assertEquals(ErrorCode.UNKNOWN_TEMPLATE, template.errorCode());
        assertTrue(template.errorText().contains("99"), template::errorText);

        raw.ping(77);
        final Frame pong = raw.read();
        assertEquals(PongDecoder.TEMPLATE_ID, pong.templateId, "the connection carries on");
        assertEquals(3, counter("protocol bad frames"));
        assertEquals(1, counter("protocol errors sent: UNKNOWN_SCHEMA"));
        assertEquals(1, counter("protocol errors sent: UNSUPPORTED_VERSION"));
        assertEquals(1, counter("protocol errors sent: UNKNOWN_TEMPLATE"));
    }

    @Test
    void aSubscribeFloodIsRefusedAtEachLimitCountedAndReleasedOnClose() throws Exception
    {
        start("");
        final FrameRecorder flood = recorder("flood");
        for (int i = 0; i < 20; i++)
        {
            flood.client.subscribe("flood.s" + i);
        }
        flood.sync();
        assertEquals(PER_CONNECTION, flood.subscriptions.size());
        assertEquals(20 - PER_CONNECTION, flood.errors.size());
        assertTrue(flood.errors.stream().allMatch((e) -> e.startsWith("TOO_MANY_SUBSCRIPTIONS this connection")),
            flood.errors::toString);
        assertEquals(20 - PER_CONNECTION, counter("protocol errors sent: TOO_MANY_SUBSCRIPTIONS"));

        final List<FrameRecorder> others = new ArrayList<>();
        for (int c = 0; c < 3; c++)
        {
            final FrameRecorder other = recorder("other-" + c);
            for (int i = 0; i < PER_CONNECTION; i++)
            {
                other.client.subscribe("other.s" + i);
            }
            other.sync();
            others.add(other);
        }
        final int refusedTotal = others.stream().mapToInt((o) -> o.errors.size()).sum();
        assertEquals(PER_CONNECTION * 4 - TOTAL_SUBSCRIPTIONS, refusedTotal);
        assertEquals(refusedTotal, counter("protocol errors sent: TOO_MANY_SUBSCRIPTIONS_TOTAL"));
        assertEquals(TOTAL_SUBSCRIPTIONS, counter("protocol remote subscriptions"));

        flood.close(); // Its subscriptions end, and their places are free again.
        await().atMost(TIMEOUT).until(() -> counter("protocol remote subscriptions") == TOTAL_SUBSCRIPTIONS - PER_CONNECTION);
        assertServesAWellBehavedClient("good.flood");
    }

    @Test
    void aConnectionFloodIsRefusedAtTheLimitAndCounted() throws Exception
    {
        start("");
        final List<Raw> accepted = new ArrayList<>();
        for (int i = 0; i < MAX_CONNECTIONS; i++)
        {
            final Raw raw = raw();
            raw.hello("held-" + i, ProtocolFrames.VERSION, 0);
            assertEquals(WelcomeDecoder.TEMPLATE_ID, raw.read().templateId);
            accepted.add(raw);
        }
        for (int i = 0; i < 10; i++)
        {
            final List<Frame> frames = raw().readUntilClosed();
            assertEquals(1, frames.size(), frames::toString);
            assertEquals(ErrorCode.TOO_MANY_CONNECTIONS, frames.get(0).errorCode());
            assertTrue(frames.get(0).errorText().contains("network.max-connections"), frames.get(0)::errorText);
        }
        assertEquals(10, counter("protocol errors sent: TOO_MANY_CONNECTIONS"));
        assertEquals(MAX_CONNECTIONS, counter("protocol connections"));
        for (final Raw raw : accepted)
        {
            raw.close();
        }
        await().atMost(TIMEOUT).until(() -> counter("protocol connections") == 0);
        assertServesAWellBehavedClient("good.connections");
    }

    @Test
    void aSubscriberThatNeverReadsLosesItsMessagesAtOnceNotTheDaemonDropNewest() throws Exception
    {
        start("");
        final long[] seen = neverReadingSubscriber(SlowSubscriberPolicy.DROP_NEWEST);
        assertEquals(0, seen[2], "drop-newest keeps the beginning of the stream (then gaps)");
        assertTrue(seen[3] > 0, "a gap");
    }

    @Test
    void aSubscriberThatNeverReadsLosesItsMessagesAtOnceNotTheDaemonDropOldest() throws Exception
    {
        start("");
        final long[] seen = neverReadingSubscriber(SlowSubscriberPolicy.DROP_OLDEST);
        assertEquals(seen[1] - 1, seen[0], "drop-oldest keeps the latest");
        assertTrue(seen[3] > 0, "a gap");
    }

    private static final int MAX_FLOOD = 200_000;

    /**
     * A subscriber that reads nothing after SUBSCRIBED while 1 KiB messages are published to it until its policy
     * has dropped some (the socket buffers hold a few MB first): its send buffer stays bounded, drops are counted
     * while it is stuck, and a well-behaved client is served meanwhile.
     *
     * @return {the last message value it finally reads, how many were published, the first value it read, the gaps}.
     */
    private long[] neverReadingSubscriber(final SlowSubscriberPolicy policy) throws Exception
    {
        final ProtocolClient stuck = ProtocolClient.raw("127.0.0.1", port, 64 * 1024);
        resources.add(stuck);
        stuck.hello("stuck", ProtocolFrames.VERSION, 0);
        stuck.subscribe("stuck.>", policy, -1);
        final ProtocolClient.FrameListener ignore = new ProtocolClient.FrameListener()
        {
        };
        assertEquals(WelcomeDecoder.TEMPLATE_ID, stuck.read(ignore));
        assertEquals(SubscribedDecoder.TEMPLATE_ID, stuck.read(ignore));

        final long heapBefore = usedHeapAfterGc();
        final FrameRecorder publisher = recorder("stuck-publisher");
        final byte[] payload = new byte[1024];
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        int published = 0;
        while (published < MAX_FLOOD && (published % 5000 != 0 || counter("protocol subscriber messages dropped") < 100))
        {
            buffer.putLong(0, published++);
            publisher.client.publish("stuck.x", Priority.NORMAL, payload, 0, payload.length);
            if (published % 5000 == 0)
            {
                publisher.sync();
            }
        }
        publisher.sync();
        assertEquals(0, publisher.refused.get(), publisher.refusals::toString);
        assertTrue(counter("protocol subscriber messages dropped") >= 100, this::counters);
        assertTrue(daemon.protocolServer().maxBufferedBytes() <= SEND_BUFFER + 64 * 1024,
            "bounded: " + daemon.protocolServer().maxBufferedBytes());
        assertServesAWellBehavedClient("good.stuck");
        assertTrue(usedHeapAfterGc() - heapBefore < 32 << 20, "heap grew by " + (usedHeapAfterGc() - heapBefore));

        // Now it reads: a prefix, or the latest, by its policy; never more than was published.
        final FrameRecorder late = new FrameRecorder(stuck);
        resources.add(late);
        final long dropped = counter("protocol subscriber messages dropped");
        final int total = published;
        await().atMost(TIMEOUT).until(() -> late.received.get() + dropped == total);
        return new long[]{ late.lastValue.get(), published, late.firstValue.get(), late.outOfOrder.get() };
    }

    @Test
    void aDisconnectPolicySubscriberThatFallsBehindIsToldWhyAndClosed() throws Exception
    {
        start("");
        final Raw stuck = raw();
        stuck.hello("slow", ProtocolFrames.VERSION, 0);
        stuck.subscribe(1, "slow.>", SlowSubscriberPolicyCode.DISCONNECT);
        assertEquals(WelcomeDecoder.TEMPLATE_ID, stuck.read().templateId);
        assertEquals(SubscribedDecoder.TEMPLATE_ID, stuck.read().templateId);

        final FrameRecorder publisher = recorder("slow-publisher");
        final byte[] payload = new byte[1024];
        for (int i = 0; i < MAX_FLOOD && (i % 1000 != 0 || counter("protocol slow consumers disconnected") == 0); i++)
        {
            publisher.client.publish("slow.x", Priority.NORMAL, payload, 0, payload.length);
        }
        publisher.sync();
        await().atMost(TIMEOUT).until(() -> counter("protocol slow consumers disconnected") == 1);
        final List<Frame> frames = stuck.readUntilClosed();
        final Frame last = frames.get(frames.size() - 1);
        assertEquals(ErrorCode.SLOW_CONSUMER, last.errorCode());
        assertTrue(last.errorText().contains("subscription 1 'slow.>'") && last.errorText().contains("network.send-buffer"),
            last::errorText);
        assertEquals(1, counter("protocol errors sent: SLOW_CONSUMER"));
        assertTrue(counter("protocol subscriber messages dropped") > 0);
        assertServesAWellBehavedClient("good.slow");
    }

    @Test
    void aPublisherThatNeverReadsIsShedWithoutStallingTheDaemon() throws Exception
    {
        start("");
        // Nearly every publish is shed (the rule allows 10 a second) and the flooder does not read: refusals are
        // coalesced into runs.
        final ProtocolClient flooder = client("flooder");
        final byte[] payload = new byte[16];
        final int count = 100_000;
        for (int i = 0; i < count; i++)
        {
            flooder.publish("flood.x", Priority.NORMAL, payload, 0, payload.length);
        }
        flooder.flush();
        await().atMost(TIMEOUT).untilAsserted(() -> assertEquals(count,
            counter("protocol publishes failed") + counter("protocol publishes accepted"), this::counters));
        final long shed = counter("protocol publishes failed");
        final long frames = counter("protocol coalesced refusals sent");
        assertTrue(shed >= count - 100 && frames * 100 < shed, "coalesced: " + frames + " frames for " + shed +
            " refusals");
        assertEquals(shed, counter("offer shed: NORMAL RATE_LIMITED"), this::counters);
        assertServesAWellBehavedClient("good.shed");

        // The flooder reads at last: every refusal is accounted for, in runs.
        final FrameRecorder late = new FrameRecorder(flooder);
        resources.add(late);
        await().atMost(TIMEOUT).until(() -> late.refused.get() == shed || late.ended);
        assertEquals(shed, late.refused.get(), late.refusals::toString);
        assertTrue(late.refusals.stream().allMatch((r) -> r.contains(" SHED ")), late.refusals::toString);

        // Refusals that differ every time cannot be coalesced: the flooder's answers fill its send buffer and the
        // daemon stops reading it (TCP holds it back), while everybody else is served.
        final ProtocolClient alternating = client("alternating");
        final Thread writer = new Thread(() ->
        {
            try
            {
                for (int i = 0; i < 2_000_000; i++)
                {
                    alternating.publish("flood..bad", Priority.NORMAL, payload, 0, 0); // EMPTY_TOKEN
                    alternating.publish("flood.*", Priority.NORMAL, payload, 0, 0); // WILDCARD_IN_TOPIC
                }
                alternating.flush();
            }
            catch (final IOException ex)
            {
                // Closed at the end of the test while blocked: TCP held it back, as it should.
            }
        }, "test-alternating-flooder");
        writer.setDaemon(true);
        writer.start();
        final long before = counter("protocol publishes failed");
        await().atMost(TIMEOUT).until(() -> counter("protocol reads paused: send buffer full") > 0);
        assertTrue(counter("protocol publishes failed") - before > 1000, this::counters);
        assertServesAWellBehavedClient("good.alternating");
        alternating.close();
        writer.join(TIMEOUT.toMillis());
        assertTrue(daemon.protocolServer().isHealthy());
    }

    @Test
    void aClientThatNeverSaysHelloOrNeverAnswersAPingIsClosed() throws Exception
    {
        start("");
        final List<Frame> silent = raw().readUntilClosed();
        assertEquals(ErrorCode.HELLO_TIMEOUT, silent.get(silent.size() - 1).errorCode(), silent::toString);
        assertEquals(1, counter("protocol errors sent: HELLO_TIMEOUT"));

        final Raw deaf = raw();
        deaf.hello("deaf", ProtocolFrames.VERSION, 200); // asks for a PING every 200 ms, then never answers one
        final List<Frame> frames = deaf.readUntilClosed();
        assertEquals(WelcomeDecoder.TEMPLATE_ID, frames.get(0).templateId);
        assertTrue(frames.stream().filter((f) -> f.templateId == PingDecoder.TEMPLATE_ID).count() >= 2,
            frames::toString);
        assertEquals(ErrorCode.HEARTBEAT_TIMEOUT, frames.get(frames.size() - 1).errorCode(), frames::toString);
        assertEquals(1, counter("protocol errors sent: HEARTBEAT_TIMEOUT"));
        assertTrue(counter("protocol pings sent") >= 2);

        // A client that answers (ProtocolClient does, from its reader) is kept.
        final FrameRecorder answering = new FrameRecorder(client("answering", 200));
        resources.add(answering);
        await().atMost(TIMEOUT).until(() -> counter("protocol pings sent") >= 6);
        answering.sync();
        assertTrue(!answering.ended, "still connected");
    }

    @Test
    void aClientOfTheVersionBeforeIsServedInItsVersion() throws Exception
    {
        start("");
        final Raw old = raw();
        old.hello("old", ProtocolFrames.MIN_VERSION, 0);
        final Frame welcome = old.read();
        assertEquals(WelcomeDecoder.TEMPLATE_ID, welcome.templateId);
        assertEquals(ProtocolFrames.MIN_VERSION, welcome.version);
        // SUBSCRIBE as a version N-1 (3) encoder writes it: no initialCriticalCredit in the block.
        old.subscribe(5, "old.>", SlowSubscriberPolicyCode.BACK_PRESSURE, 1, ProtocolFrames.MIN_VERSION);
        assertEquals(SubscribedDecoder.TEMPLATE_ID, old.read().templateId);

        // A PUBLISH as a version N-1 (3) encoder writes it (its block as version 4's).
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(128);
        final int oldBlock = ProtocolFrames.blockLength(PublishEncoder.TEMPLATE_ID, ProtocolFrames.MIN_VERSION);
        new MessageHeaderEncoder().wrap(buffer, 0).blockLength(oldBlock).templateId(PublishEncoder.TEMPLATE_ID)
            .schemaId(ProtocolFrames.SCHEMA_ID).version(ProtocolFrames.MIN_VERSION);
        final PublishEncoder publish = new PublishEncoder().wrap(buffer, ProtocolFrames.HEADER_LENGTH)
            .publisherSequence(1).priority(PriorityCode.HIGH).qualityOfService(QualityOfServiceCode.BEST_EFFORT).ttlNs(0);
        publish.limit(ProtocolFrames.HEADER_LENGTH + oldBlock);
        publish.topic("old.news").putPayload("hello".getBytes(StandardCharsets.US_ASCII), 0, 5).replyTo("");
        final byte[] frame = new byte[publish.limit()];
        buffer.getBytes(0, frame);
        old.send(frame);

        final Frame message = old.read();
        assertEquals(MessageDecoder.TEMPLATE_ID, message.templateId);
        assertEquals(ProtocolFrames.MIN_VERSION, message.version);
        final UnsafeBuffer bytes = new UnsafeBuffer(message.bytes);
        assertEquals(MessageDecoder.TEMPLATE_ID, ProtocolFrames.check(bytes, 0, bytes.capacity(), 1 << 20));
        final MessageDecoder decoder = new MessageDecoder().wrap(bytes, ProtocolFrames.HEADER_LENGTH,
            ProtocolFrames.blockLength(bytes, 0), ProtocolFrames.MIN_VERSION);
        assertEquals(5, decoder.subscriptionId());
        assertEquals(PriorityCode.HIGH, decoder.priority());
        assertEquals("old.news", decoder.topic());
        final byte[] payload = new byte[decoder.payloadLength()];
        decoder.getPayload(payload, 0, payload.length);
        assertEquals("hello", new String(payload, StandardCharsets.US_ASCII));
        assertEquals(0, decoder.correlationId());
        assertEquals("", decoder.replyTo(), "version 2's MESSAGE has replyTo, empty for no request");
        assertEquals(bytes.capacity(), decoder.limit(), "nothing after replyTo in version " + ProtocolFrames.MIN_VERSION);

        // Its credit (1) is spent: under back-pressure the next message waits for a CREDIT as version 3 writes it
        // (no criticalCredit), and then comes.
        old.send(frame);
        old.ping(77);
        assertEquals(PongDecoder.TEMPLATE_ID, old.read().templateId, "no MESSAGE before the CREDIT");
        old.credit(5, 1, ProtocolFrames.MIN_VERSION);
        final Frame second = old.read();
        assertEquals(MessageDecoder.TEMPLATE_ID, second.templateId);
        assertEquals(ProtocolFrames.MIN_VERSION, second.version);
    }

    @Test
    void healthTurnsNotReadyWhenAnIoAgentDies() throws Exception
    {
        start("");
        final int httpPort = daemon.httpPort();
        assertEquals(200, httpGet(httpPort, "/health/ready").statusCode());
        daemon.protocolServer().agent(0).post(() ->
        {
            throw new AssertionError("test: the I/O agent dies");
        });
        await().dontCatchUncaughtExceptions().atMost(TIMEOUT).until(() -> !daemon.protocolServer().isHealthy());
        assertEquals(503, httpGet(httpPort, "/health/ready").statusCode());
        assertEquals(200, httpGet(httpPort, "/health/live").statusCode());
    }

    // -------------------------------------------------------------------------------------------------------------

    private void assertServesAWellBehavedClient(final String topic) throws Exception
    {
        final FrameRecorder subscriber = recorder("good-subscriber");
        subscriber.client.subscribe(topic);
        subscriber.awaitSubscribed();
        final FrameRecorder publisher = recorder("good-publisher");
        final byte[] payload = new byte[8];
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        final int count = 200;
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(0, i);
            publisher.client.publish(topic, Priority.HIGH, payload, 0, payload.length);
        }
        publisher.client.flush();
        await().atMost(TIMEOUT).until(() -> subscriber.received.get() == count);
        assertEquals(0, subscriber.outOfOrder.get());
        assertEquals(0, publisher.refused.get());
        subscriber.close();
        publisher.close();
    }

    private ProtocolClient client(final String instance) throws IOException
    {
        return client(instance, 0);
    }

    private ProtocolClient client(final String instance, final long heartbeatMs) throws IOException
    {
        final ProtocolClient client = ProtocolClient.raw("127.0.0.1", port);
        resources.add(client);
        client.hello(instance, ProtocolFrames.VERSION, heartbeatMs);
        return client;
    }

    private FrameRecorder recorder(final String instance) throws IOException
    {
        final FrameRecorder recorder = new FrameRecorder(client(instance));
        resources.add(recorder);
        return recorder;
    }

    private Raw raw() throws IOException
    {
        final Raw raw = new Raw(port);
        resources.add(raw);
        return raw;
    }

    private long counter(final String label)
    {
        final long[] value = { -1 };
        daemon.counters().forEach((id, typeId, key, counterLabel) ->
        {
            if (counterLabel.equals(label))
            {
                value[0] = daemon.counters().getCounterValue(id);
            }
        });
        assertTrue(value[0] >= 0, () -> "no counter '" + label + "': " + counters());
        return value[0];
    }

    private String counters()
    {
        final StringBuilder text = new StringBuilder();
        daemon.counters().forEach((id, typeId, key, label) ->
            text.append(label).append('=').append(daemon.counters().getCounterValue(id)).append("; "));
        return text.toString();
    }

    private static long directMemory()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }

    private static long usedHeapAfterGc()
    {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static byte[] header(final int templateId, final int schemaId, final int version)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ProtocolFrames.HEADER_LENGTH + 8]);
        buffer.putShort(0, (short)8, ProtocolFrames.BYTE_ORDER);
        buffer.putShort(2, (short)templateId, ProtocolFrames.BYTE_ORDER);
        buffer.putShort(4, (short)schemaId, ProtocolFrames.BYTE_ORDER);
        buffer.putShort(6, (short)version, ProtocolFrames.BYTE_ORDER);
        return buffer.byteArray();
    }

    /**
     * A frame as it came: its template, header version and bytes (header and body).
     */
    record Frame(int templateId, int version, byte[] bytes)
    {
        ErrorCode errorCode()
        {
            if (templateId != ErrorDecoder.TEMPLATE_ID)
            {
                return ErrorCode.NULL_VAL;
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            return FrameDispatcher.errorCode(new ErrorDecoder().wrap(buffer, ProtocolFrames.HEADER_LENGTH,
                ProtocolFrames.blockLength(buffer, 0), version).codeRaw());
        }

        String errorText()
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            return new ErrorDecoder().wrap(buffer, ProtocolFrames.HEADER_LENGTH, ProtocolFrames.blockLength(buffer, 0),
                version).text();
        }

        @Override
        public String toString()
        {
            return "Frame{template " + templateId + (templateId == ErrorDecoder.TEMPLATE_ID ?
                " " + errorCode() + " '" + errorText() + "'" : "") + "}";
        }
    }

    /**
     * A plain socket that writes whatever it is told and reads frames one by one, with a read timeout: for
     * clients that do not behave (ProtocolClient would answer PINGs and say HELLO).
     */
    static final class Raw implements AutoCloseable
    {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);
        private final MessageHeaderEncoder header = new MessageHeaderEncoder();

        Raw(final int port) throws IOException
        {
            socket = new Socket();
            socket.setReceiveBufferSize(64 * 1024); // a client that does not read fills it soon
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), (int)TIMEOUT.toMillis());
            socket.setSoTimeout((int)TIMEOUT.toMillis());
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void hello(final String instance, final int version, final long heartbeatMs) throws IOException
        {
            final HelloEncoder hello = new HelloEncoder().wrapAndApplyHeader(scratch, 0, header)
                .protocolVersion(version).authenticationMethod(AuthenticationMethodCode.NONE)
                .heartbeatIntervalMs(heartbeatMs).instance(instance).user("").putSecret(new byte[0], 0, 0);
            scratch.putShort(6, (short)version, ProtocolFrames.BYTE_ORDER);
            sendScratch(hello.encodedLength());
        }

        void subscribe(final long id, final String pattern, final SlowSubscriberPolicyCode policy) throws IOException
        {
            subscribe(id, pattern, policy, -1, ProtocolFrames.VERSION);
        }

        /**
         * A SUBSCRIBE as an encoder of that version writes it: before version 4 the block ends before
         * initialCriticalCredit.
         */
        void subscribe(final long id, final String pattern, final SlowSubscriberPolicyCode policy, final long credit,
            final int version) throws IOException
        {
            final int block = ProtocolFrames.blockLength(SubscribeEncoder.TEMPLATE_ID, version);
            header.wrap(scratch, 0).blockLength(block).templateId(SubscribeEncoder.TEMPLATE_ID)
                .schemaId(ProtocolFrames.SCHEMA_ID).version(version);
            final SubscribeEncoder subscribe = new SubscribeEncoder().wrap(scratch, ProtocolFrames.HEADER_LENGTH)
                .subscriptionId(id).startPositionKind(StartPositionKind.NEW).startPositionValue(0).initialCredit(credit)
                .slowSubscriberPolicy(policy)
                .queueGroupDiscipline(io.junction.protocol.codecs.QueueGroupDisciplineCode.BALANCED);
            if (version >= 4)
            {
                subscribe.initialCriticalCredit(0);
            }
            subscribe.limit(ProtocolFrames.HEADER_LENGTH + block);
            subscribe.pattern(pattern).queueGroup("").durableName("");
            sendScratch(subscribe.encodedLength());
        }

        /** A CREDIT as an encoder of that version writes it: before version 4 it has no criticalCredit. */
        void credit(final long id, final long credit, final int version) throws IOException
        {
            final int block = ProtocolFrames.blockLength(CreditEncoder.TEMPLATE_ID, version);
            header.wrap(scratch, 0).blockLength(block).templateId(CreditEncoder.TEMPLATE_ID)
                .schemaId(ProtocolFrames.SCHEMA_ID).version(version);
            final CreditEncoder encoder = new CreditEncoder().wrap(scratch, ProtocolFrames.HEADER_LENGTH)
                .subscriptionId(id).credit(credit);
            if (version >= 4)
            {
                encoder.criticalCredit(0);
            }
            sendScratch(block);
        }

        void ping(final long value) throws IOException
        {
            sendScratch(new PingEncoder().wrapAndApplyHeader(scratch, 0, header).value(value).encodedLength());
        }

        private void sendScratch(final int bodyLength) throws IOException
        {
            final byte[] frame = new byte[ProtocolFrames.HEADER_LENGTH + bodyLength];
            scratch.getBytes(0, frame);
            send(frame);
        }

        void send(final byte[] frame) throws IOException
        {
            final UnsafeBuffer prefixed = new UnsafeBuffer(new byte[ProtocolFrames.LENGTH_PREFIX + frame.length]);
            ProtocolFrames.frameLength(prefixed, 0, frame.length);
            prefixed.putBytes(ProtocolFrames.LENGTH_PREFIX, frame);
            sendRaw(prefixed.byteArray());
        }

        void sendRaw(final byte[] bytes) throws IOException
        {
            out.write(bytes);
            out.flush();
        }

        /**
         * @return the next frame; fails the test if none comes within the timeout or the stream ends.
         */
        Frame read() throws IOException
        {
            final Frame frame = readOrNull();
            if (null == frame)
            {
                throw new EOFException("the daemon closed the connection");
            }
            return frame;
        }

        private Frame readOrNull() throws IOException
        {
            final int length;
            try
            {
                length = Integer.reverseBytes(in.readInt());
            }
            catch (final EOFException ex)
            {
                return null;
            }
            final byte[] bytes = new byte[length];
            in.readFully(bytes);
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            return new Frame(ProtocolFrames.templateId(buffer, 0), ProtocolFrames.version(buffer, 0), bytes);
        }

        /**
         * @return every frame until the daemon closes the connection (fails if it does not within the timeout).
         */
        List<Frame> readUntilClosed() throws IOException
        {
            final List<Frame> frames = new ArrayList<>();
            try
            {
                for (Frame frame = readOrNull(); null != frame; frame = readOrNull())
                {
                    frames.add(frame);
                }
            }
            catch (final SocketTimeoutException ex)
            {
                throw new AssertionError("the daemon did not close the connection; read " + frames, ex);
            }
            catch (final java.net.SocketException ex)
            {
                // Reset after the daemon closed with unread input: closed all the same.
            }
            return frames;
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }
}
