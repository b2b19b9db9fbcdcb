package io.junction.tools;

import static io.junction.tools.DaemonTestSupport.httpGet;
import static io.junction.tools.DaemonTestSupport.read;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.ShedReason;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.protocol.codecs.PublishDecoder;
import io.junction.protocol.codecs.PublishEncoder;
import io.junction.protocol.codecs.QualityOfServiceCode;
import io.junction.journal.Journal;
import io.junction.journal.StartPosition;

/**
 * The daemon's journal and load regulation, through a real child process: a guaranteed PUBLISH is answered
 * only once journaled and survives SIGKILL; a configured rule sheds a named publisher with the reason; a
 * reload changes the rule without a restart and loses nothing accepted.
 */
class DaemonWiringTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

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

    @Test
    void aGuaranteedPublishIsAnsweredOnceJournaledAndSurvivesSigkill() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        final File config = tmp.resolve("junction.conf").toFile();
        Files.writeString(config.toPath(), baseConfig(node) + "journal { flush-policy = per-batch, min-free-disk = 1M }\n");

        JunctionProcess daemon = start(config, node, "daemon1.log");
        FrameRecorder replies = connect(node);
        final int count = 50;
        final byte[] payload = new byte[16];
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(0, i);
            replies.client.publish("orders.paid", Priority.HIGH, QualityOfService.GUARANTEED, payload, 0, payload.length);
        }
        replies.client.flush();
        await().atMost(TIMEOUT).until(() -> replies.durable.size() + replies.failedOutcomes.size() +
            replies.refused.get() + replies.errors.size() == count);
        assertEquals(List.of(), replies.errors);
        assertEquals(List.of(), replies.refusals);
        assertEquals(List.of(), replies.failedOutcomes);
        assertEquals(replies.durable.stream().sorted().toList(), replies.durable, "answered in publish order");
        final Set<Long> acked = Set.copyOf(replies.durable);
        assertEquals(count, acked.size());

        // An unknown quality of service: an ERROR naming it, counted; the connection carries on.
        final byte[] badQos = publishFrame("orders.paid", 2);
        replies.client.writeFrame(badQos, 0, badQos.length);
        replies.sync();
        assertEquals(1, replies.errors.size());
        assertTrue(replies.errors.get(0).startsWith("INVALID_FIELD field 'qualityOfService' of template " +
            PublishDecoder.TEMPLATE_ID + " has the unknown value 2"), replies.errors::toString);

        final String stat = stat(node);
        assertTrue(stat.contains("\"label\":\"protocol guaranteed publishes journaled\",\"value\":" + count), stat);
        assertTrue(stat.contains("\"label\":\"journal appended\",\"value\":" + count), stat);
        assertTrue(stat.contains("\"label\":\"protocol bad qos\",\"value\":1"), stat);
        final String metrics = httpGet(Integer.parseInt(Daemon.readProperties(node).getProperty("http.port")), "/metrics").body();
        assertTrue(metrics.contains("junction_journal_appended_total{counter=\"journal appended\"} " + count), metrics);
        assertTrue(metrics.contains("junction_protocol_bad_qos_total{counter=\"protocol bad qos\"} 1"), metrics);

        // SIGKILL: no stop, no flush beyond what the acknowledgements promised.
        replies.close();
        daemon.process().destroyForcibly();
        assertTrue(daemon.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS));

        // Restarted on the same directory, it numbers after the journal and journals more.
        daemon = start(config, node, "daemon2.log");
        final FrameRecorder again = connect(node);
        again.client.publish("orders.paid", Priority.HIGH, QualityOfService.GUARANTEED, payload, 0, payload.length);
        again.client.flush();
        await().atMost(TIMEOUT).until(() -> again.durable.size() + again.failedOutcomes.size() +
            again.refused.get() + again.errors.size() == 1);
        assertEquals(List.of(), again.errors);
        assertEquals(List.of(), again.refusals);
        final long afterRestart = again.durable.get(0);
        assertTrue(afterRestart > acked.stream().mapToLong(Long::longValue).max().orElseThrow(),
            () -> "sequence after restart " + afterRestart + " must follow " + acked);
        // SIGTERM with guaranteed publishes in flight: graceful, exit 0, and each DURABLE answer is kept.
        for (int i = 0; i < 200; i++)
        {
            again.client.publish("orders.paid", Priority.HIGH, QualityOfService.GUARANTEED, payload, 0, payload.length);
        }
        again.client.flush();
        daemon.process().destroy();
        assertTrue(daemon.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), daemon::output);
        assertEquals(0, daemon.process().exitValue(), daemon::output);
        again.close();
        final List<Long> ackedAtStop = List.copyOf(again.durable);

        // The journal, read with its own API, holds every acknowledged message and the later one.
        final Set<Long> journaled = ConcurrentHashMap.newKeySet();
        try (Journal journal = Journal.launch(new Journal.Context()
            .directory(new File(node, "journal")).useInvoker(true)))
        {
            journal.subscribe(null, "orders.>", StartPosition.earliest(),
                (subscription, message) -> journaled.add(message.sequence()));
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!journaled.containsAll(ackedAtStop) && System.nanoTime() - deadline < 0)
            {
                journal.doWork();
            }
        }
        assertTrue(journaled.containsAll(acked), () -> "journaled " + journaled + " acked " + acked);
        assertTrue(journaled.contains(afterRestart), journaled::toString);
        assertTrue(journaled.containsAll(ackedAtStop), () -> "journaled " + journaled + " acked " + ackedAtStop);
    }

    @Test
    void aConfiguredRuleShedsItsPublisherAndAReloadChangesItWithoutLoss() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        final File config = tmp.resolve("junction.conf").toFile();
        Files.writeString(config.toPath(), baseConfig(node) + "journal.enabled = false\n" + rule(1, 5));
        final JunctionProcess daemon = start(config, node, "daemon.log");
        final int port = Integer.parseInt(Daemon.readProperties(node).getProperty("listen.port"));

        final FrameRecorder subscriber = connect(node);
        subscriber.client.subscribe("metrics.>");
        await().atMost(TIMEOUT).until(() -> subscriber.subscribed);

        // The named publisher is held to 5 at once and 1 per second; another connection is not.
        final FrameRecorder greedy = connect(node, "greedy");
        final int burst = 40;
        publish(greedy, burst);
        final FrameRecorder other = connect(node);
        publish(other, burst);
        assertTrue(greedy.refused.get() >= burst - 5 - 2 && greedy.refused.get() <= burst - 5, greedy.refusals::toString);
        final String shed = " SHED " + OfferResult.shed(ShedReason.RATE_LIMITED) + " ";
        assertTrue(greedy.refusals.stream().allMatch((e) -> e.contains(shed) && e.contains("SHED(RATE_LIMITED")),
            greedy.refusals::toString);
        assertTrue(greedy.refusals.size() < greedy.refused.get(), "coalesced: " + greedy.refusals);
        assertEquals(List.of(), other.refusals);
        assertEquals(List.of(), other.errors);
        final int shedBeforeReload = (int)greedy.refused.get();

        final String stat = stat(node);
        assertTrue(stat.contains("\"label\":\"offer shed: NORMAL RATE_LIMITED\",\"value\":" + shedBeforeReload), stat);
        final int httpPort = Integer.parseInt(Daemon.readProperties(node).getProperty("http.port"));
        final String metrics = httpGet(httpPort, "/metrics").body();
        assertTrue(metrics.contains("junction_offer_shed_total{counter=\"offer shed: NORMAL RATE_LIMITED\"} " +
            shedBeforeReload), metrics);

        // Reload while the greedy publisher keeps publishing: the new rule lets it through, no restart.
        Files.writeString(config.toPath(), baseConfig(node) + "journal.enabled = false\n" + rule(1_000_000, 100_000));
        final int during = 2000;
        final Thread load = new Thread(() ->
        {
            try
            {
                publish(greedy, during);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }, "test-load");
        load.start();
        final File reloadOut = tmp.resolve("reload.txt").toFile();
        assertEquals(0, JunctionProcess.run(reloadOut, "admin", "reload", "--dir", node.getPath()),
            () -> read(reloadOut));
        assertTrue(read(reloadOut).contains("reloaded") && read(reloadOut).contains("ratePerSecond=1000000"),
            () -> read(reloadOut));
        load.join(TIMEOUT.toMillis());
        final long refusedBefore = greedy.refused.get();
        publish(greedy, burst);
        assertEquals(refusedBefore, greedy.refused.get(), "the reloaded rule sheds nothing more");
        assertTrue(daemon.process().isAlive());
        assertEquals(Long.toString(daemon.process().pid()), Daemon.readProperties(node).getProperty("pid"));

        // Nothing accepted is lost: every publish not answered with an error is delivered.
        final long accepted = (burst + during + burst - greedy.refused.get()) + burst;
        await().atMost(TIMEOUT).until(() -> subscriber.received.get() == accepted);
        assertTrue(greedy.refusals.stream().allMatch((e) -> e.contains(shed)), greedy.refusals::toString);
        assertEquals(List.of(), greedy.errors);
        assertEquals(port, Integer.parseInt(Daemon.readProperties(node).getProperty("listen.port")));

        // Without a journal a guaranteed publish is refused, never acknowledged.
        other.client.publish("orders.paid", Priority.HIGH, QualityOfService.GUARANTEED, new byte[8], 0, 8);
        other.client.flush();
        await().atMost(TIMEOUT).until(() -> !other.refusals.isEmpty());
        assertTrue(other.refusals.get(0).startsWith("1 UNAVAILABLE " + OfferResult.JOURNAL_UNAVAILABLE + " ") &&
            other.refusals.get(0).contains("JOURNAL_UNAVAILABLE"), other.refusals::toString);
        assertEquals(List.of(), other.durable);
    }

    @Test
    void aJournalThatCannotOpenRaisesItsAlarmWhileBestEffortFlows() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        final File notADirectory = tmp.resolve("not-a-directory").toFile();
        Files.writeString(notADirectory.toPath(), "a file where the journal's directory should be");
        final File config = tmp.resolve("junction.conf").toFile();
        Files.writeString(config.toPath(), baseConfig(node) +
            "journal.dir = \"" + notADirectory.getPath().replace("\\", "\\\\") + "\"\n" +
            "alarms.rules = [ { name = journal-unavailable, metric = journal-unavailable, above = 0, severity = critical } ]\n");
        final JunctionProcess daemon = start(config, node, "daemon.log");

        final FrameRecorder replies = connect(node);
        replies.client.publish("orders.paid", Priority.HIGH, QualityOfService.GUARANTEED, new byte[8], 0, 8);
        publish(replies, 10);
        assertEquals(1, replies.refused.get(), replies.refusals::toString);
        assertTrue(replies.refusals.get(0).startsWith("1 UNAVAILABLE " + OfferResult.JOURNAL_UNAVAILABLE + " "),
            replies.refusals::toString);
        await().atMost(TIMEOUT).until(() -> stat(node).contains("\"activeAlarms\":[\"journal-unavailable [CRITICAL]\"]"));
        assertTrue(daemon.output().contains("journal unavailable, guaranteed publishes are refused"), daemon::output);
    }

    @Test
    void aBadRegulationOrJournalValueStopsTheStartNamingTheKey() throws Exception
    {
        final File config = tmp.resolve("bad.conf").toFile();
        Files.writeString(config.toPath(), "regulation.rules = [ { pattern = \"metrics.>\", rate = -5 } ]\n" +
            "journal.flush-policy = per-batch\n");
        final File output = tmp.resolve("out.txt").toFile();
        assertEquals(RunCommand.EXIT_CONFIG, JunctionProcess.run(output, "run", "--config", config.getPath()),
            () -> read(output));
        assertTrue(read(output).contains("junction: config error: key 'regulation.rules[0].rate': must be >= 1"),
            () -> read(output));

        Files.writeString(config.toPath(), "journal.flush-policy = sometimes\n");
        assertEquals(RunCommand.EXIT_CONFIG, JunctionProcess.run(output, "run", "--config", config.getPath()),
            () -> read(output));
        assertTrue(read(output).contains("junction: config error: key 'journal.flush-policy': must be one of os, " +
            "per-batch, per-message; was 'sometimes'"), () -> read(output));
    }

    private static String baseConfig(final File node)
    {
        return String.join("\n",
            "dir = \"" + node.getPath().replace("\\", "\\\\") + "\"",
            "observe-interval = 100ms",
            "shutdown-timeout = 30s",
            "listen { port = 0, publish-timeout = 10s }",
            "http.port = 0",
            "subscriber { policy = back-pressure, outbox-capacity = 8192 }",
            "alarms.rules = []",
            "");
    }

    private static String rule(final long rate, final int burst)
    {
        return "regulation.rules = [ { pattern = \"metrics.>\", publisher = greedy, rate = " + rate + ", burst = " +
            burst + " } ]\n";
    }

    private JunctionProcess start(final File config, final File node, final String log) throws Exception
    {
        final JunctionProcess daemon = JunctionProcess.start(tmp.resolve(log).toFile(), "run", "--config", config.getPath());
        resources.add(daemon);
        final File properties = new File(node, Daemon.PROPERTIES_FILE);
        // After a SIGKILL the last run's file is still there: wait for this process's own.
        await().atMost(TIMEOUT).until(() -> !daemon.process().isAlive() || (properties.isFile() &&
            Long.toString(daemon.process().pid()).equals(readPid(node))));
        assertTrue(daemon.process().isAlive(), daemon::output);
        return daemon;
    }

    private static String readPid(final File node)
    {
        try
        {
            return Daemon.readProperties(node).getProperty("pid");
        }
        catch (final IOException ex)
        {
            return null; // Being replaced.
        }
    }

    private FrameRecorder connect(final File node) throws IOException
    {
        return connect(node, "");
    }

    private FrameRecorder connect(final File node, final String instance) throws IOException
    {
        final int port = Integer.parseInt(Daemon.readProperties(node).getProperty("listen.port"));
        final FrameRecorder replies = new FrameRecorder(new ProtocolClient("127.0.0.1", port, instance));
        resources.add(replies);
        return replies;
    }

    /**
     * Publish best-effort, then wait for the PONG that says every publish was accepted or answered.
     */
    private static void publish(final FrameRecorder replies, final int count) throws IOException
    {
        final byte[] payload = new byte[8];
        for (int i = 0; i < count; i++)
        {
            replies.client.publish("metrics.cpu", Priority.NORMAL, payload, 0, payload.length);
        }
        replies.sync();
    }

    /**
     * A PUBLISH frame (header and body) with a raw quality of service, which may be out of range.
     */
    private static byte[] publishFrame(final String topic, final int qualityOfService)
    {
        final org.agrona.ExpandableArrayBuffer buffer = new org.agrona.ExpandableArrayBuffer(128);
        final PublishEncoder encoder = new PublishEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .publisherSequence(1000).priority(PriorityCode.HIGH).qualityOfService(QualityOfServiceCode.BEST_EFFORT)
            .ttlNs(0).correlationId(0);
        encoder.topic(topic).putPayload(new byte[4], 0, 4).replyTo("");
        buffer.putByte(ProtocolFrames.HEADER_LENGTH + PublishEncoder.qualityOfServiceEncodingOffset(),
            (byte)qualityOfService);
        final byte[] frame = new byte[ProtocolFrames.HEADER_LENGTH + encoder.encodedLength()];
        buffer.getBytes(0, frame);
        return frame;
    }

    private String stat(final File node) throws Exception
    {
        final File statOut = tmp.resolve("stat.json").toFile();
        assertEquals(0, JunctionProcess.run(statOut, "stat", "--dir", node.getPath(), "--json"), () -> read(statOut));
        return read(statOut);
    }


}
