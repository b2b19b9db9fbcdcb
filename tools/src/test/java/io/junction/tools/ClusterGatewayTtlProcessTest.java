package io.junction.tools;

import static io.junction.tools.ClientTestSupport.counter;
import static io.junction.tools.ClientTestSupport.pollUntil;
import static io.junction.tools.ClientTestSupport.port;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.CncFileDescriptor;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.ShedReason;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.JunctionClient;
import io.junction.cluster.ServiceCounters;

/**
 * A publish's time to live through a clustered daemon's gateway, as real child processes: a guaranteed publish
 * with one is answered DURABLE once the cluster committed it and reaches the daemon's live subscribers; past its
 * time to live, a subscription that starts in the cluster's journal (EARLIEST) is not given it while it gets those
 * without one or with a long one, and the member counts the expiry (1653). One already run out is shed EXPIRED at
 * the edge and never replicated.
 */
class ClusterGatewayTtlProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final long SHORT_TTL_NS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final long LONG_TTL_NS = TimeUnit.HOURS.toNanos(1);
    /** Past the short time to live on this clock by this much, the log's (the member's clock) is past it too. */
    private static final long PAST_TTL_NS = SHORT_TTL_NS + TimeUnit.MILLISECONDS.toNanos(700);

    @TempDir
    Path tmp;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void aGuaranteedPublishWithATimeToLiveIsDurableThroughTheGatewayAndExpiresInTheCluster() throws Exception
    {
        final int basePort = ClusterDaemonProcessTest.freeBasePort(1);
        final File dir = tmp.resolve("member").toFile();
        final JunctionProcess member = startMember(dir, basePort);
        await().atMost(TIMEOUT).until(() ->
            counter(dir, "cluster gateway connected") == 1 || !member.process().isAlive());
        assertTrue(member.process().isAlive(), member::output);
        final int port = port(dir);

        final List<String> live = new ArrayList<>();
        final JunctionClient subscriber = client(new ClientContext().url("tcp://127.0.0.1:" + port));
        final ClientSubscription subscription = subscriber.subscribe("ttl.>",
            (m) -> live.add(m.buffer().getStringWithoutLengthAscii(m.offset(), m.length())));
        pollUntil(subscription::isInEffect, () -> String.valueOf(subscription.endReason()), subscriber);

        final List<String> outcomes = new ArrayList<>();
        final JunctionClient publisher = client(new ClientContext().url("tcp://127.0.0.1:" + port).instance("feed")
            .outcomeListener((publisherSequence, outcome, sequence, reason) -> outcomes.add(outcome + " " + reason)));
        pollUntil(publisher::isConnected, publisher::lastError, publisher);
        publish(publisher, "short", SHORT_TTL_NS);
        publish(publisher, "none", 0);
        publish(publisher, "long", LONG_TTL_NS);
        pollUntil(() -> outcomes.size() == 3 && live.size() == 3, () -> outcomes + " " + live, publisher, subscriber);
        assertEquals(List.of("DURABLE 0", "DURABLE 0", "DURABLE 0"), outcomes, "answered as the daemon answers them");
        assertEquals(List.of("short", "none", "long"), live, "live subscribers get it before it runs out");
        final long publishedAtNs = System.nanoTime();

        // Run out already: shed at the edge with the reason the daemon's own switch gives, not sent to the cluster.
        publish(publisher, "gone", -1);
        pollUntil(() -> outcomes.size() == 4, outcomes::toString, publisher);
        assertEquals("SHED " + (int)OfferResult.shed(ShedReason.EXPIRED), outcomes.get(3));
        assertEquals(1, counter(dir, "cluster gateway publishes shed by regulation"));
        assertEquals(3, counter(dir, "cluster gateway publishes sent"));

        // Past the short time to live, a subscription starting in the cluster's journal is not given it.
        pollUntil(() -> System.nanoTime() - publishedAtNs > PAST_TTL_NS, () -> "past the ttl", publisher, subscriber);
        final JunctionProcess replay = JunctionProcess.start(tmp.resolve("replay.txt").toFile(), "sub", "ttl.>",
            "--cluster", "0=localhost:" + basePort, "--from", "earliest", "--count", "2", "--timeout", "60s");
        resources.add(replay);
        assertTrue(replay.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), replay::output);
        assertEquals(0, replay.process().exitValue(), replay::output);
        final String replayed = replay.output();
        // In log order: "short" came first, so it would have been one of the two.
        assertTrue(replayed.contains("ttl.x none") && replayed.contains("ttl.x long"), replayed);
        assertFalse(replayed.contains("ttl.x short") || replayed.contains("ttl.x gone"), replayed);
        await().atMost(TIMEOUT).until(() -> memberCounter(dir, ServiceCounters.EXPIRED_TYPE_ID) == 1);

        member.process().destroy();
        assertTrue(member.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), member::output);
        assertEquals(0, member.process().exitValue(), member::output);
    }

    private void publish(final JunctionClient publisher, final String text, final long ttlNs)
    {
        final int length = payload.putStringWithoutLengthAscii(0, text);
        final long result = publisher.offer("ttl.x", Priority.NORMAL, QualityOfService.GUARANTEED, ttlNs, payload, 0,
            length);
        assertTrue(result > 0, () -> ClientResult.describe(result));
    }

    private JunctionClient client(final ClientContext ctx)
    {
        final JunctionClient client = JunctionClient.connect(ctx
            .reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(200)));
        resources.add(client);
        return client;
    }

    private JunctionProcess startMember(final File dir, final int basePort) throws IOException
    {
        final File config = tmp.resolve("member.conf").toFile();
        Files.writeString(config.toPath(), String.join("\n",
            "dir = \"" + dir.getPath().replace("\\", "\\\\") + "\"",
            "listen.port = 0",
            "http.enabled = false",
            "journal.enabled = false",
            "histogram-log = false",
            "alarms.rules = []",
            "cluster { enabled = true, member-id = 0, member-count = 1, base-port = " + basePort +
                ", clean-start = true }",
            ""));
        final JunctionProcess member = JunctionProcess.start(tmp.resolve("member.log").toFile(),
            "run", "--config", config.getPath());
        resources.add(member);
        await().atMost(TIMEOUT).until(() ->
            new File(dir, Daemon.PROPERTIES_FILE).isFile() || !member.process().isAlive());
        assertTrue(member.process().isAlive(), member::output);
        return member;
    }

    /**
     * @return a counter of the clustered service, in the member's own media driver (as AeronStat reads it); -1 while
     * the driver's file is not there.
     */
    private static long memberCounter(final File daemonDir, final int typeId)
    {
        final File cnc = new File(daemonDir, "cluster/member-0/aeron/" + CncFileDescriptor.CNC_FILE);
        if (!cnc.isFile())
        {
            return -1;
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(cnc, "cnc");
        try
        {
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(mapped);
            final CountersReader counters = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(mapped, metaData),
                CncFileDescriptor.createCountersValuesBuffer(mapped, metaData));
            final long[] value = { -1 };
            counters.forEach((counterId, type, key, label) ->
            {
                if (type == typeId)
                {
                    value[0] = counters.getCounterValue(counterId);
                }
            });
            return value[0];
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
