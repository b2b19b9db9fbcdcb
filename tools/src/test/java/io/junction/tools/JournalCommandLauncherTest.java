package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.junction.Junction;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.ThreadingMode;
import io.junction.journal.DurableSubscription;
import io.junction.journal.Journal;
import io.junction.journal.StartPosition;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * {@code junction journal list|dump|verify}, the built launcher ({@code target/junction/bin/junction}, so this runs
 * in the build's launcher-tests execution, after the package phase) against the
 * journal of a real daemon child process: readable while it runs, unchanged by reading, a corrupted copy reported
 * with where it is damaged (exit 1), bad input a one-line error (exit 2).
 */
class JournalCommandLauncherTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String MARKER = "MARKER-ALONE-IN-ITS-BATCH";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withConfig("listen.port = 0", "http.port = 0",
        "journal { min-free-disk = 1M }");

    @Test
    void listsDumpsAndVerifiesADaemonsJournalAndReportsACorruptedCopy() throws Exception
    {
        Launcher.path(); // the built bin/junction: this runs in the build's launcher-tests execution, after package
        final File node = daemon.node();
        final JunctionProcess running = daemon.start();
        final int port = daemon.port();

        final ProtocolClient publisher = new ProtocolClient("127.0.0.1", port);
        daemon.closeAfter(publisher);
        final FrameRecorder replies = new FrameRecorder(publisher);
        daemon.closeAfter(replies);
        final int count = 20;
        for (int i = 0; i < count; i++)
        {
            publishGuaranteed(publisher, i % 2 == 0 ? "orders.new" : "prices.eu", Priority.NORMAL,
                ("order " + i).getBytes(StandardCharsets.UTF_8));
        }
        awaitDurable(replies, count);
        publishGuaranteed(publisher, "marker", Priority.HIGH, MARKER.getBytes(StandardCharsets.US_ASCII));
        awaitDurable(replies, count + 1);
        final byte[] binary = { 0, 1, 2, (byte)0xFF, (byte)0xFE, 10 };
        publishGuaranteed(publisher, "bin.data", Priority.BULK, binary);
        awaitDurable(replies, count + 2);
        final int total = count + 2;

        // While the daemon runs: the data directory leads to the journal through daemon.properties.
        final Run dump = launcher("journal", "dump", "--dir", node.getPath());
        assertEquals(0, dump.exitCode, dump::toString);
        final List<String> lines = dump.stdout.lines().toList();
        assertEquals(total, lines.size(), dump::toString);
        assertTrue(lines.get(0).matches(replies.durable.get(0) + " \\d{4}-\\d\\d-\\d\\dT\\S+Z NORMAL orders.new order 0"),
            lines.get(0));
        assertTrue(lines.get(count).endsWith(" HIGH marker " + MARKER), lines.get(count));
        assertTrue(lines.get(count + 1).endsWith(" BULK bin.data base64:" + Base64.getEncoder().encodeToString(binary)),
            lines.get(count + 1));

        final Run jsonDump = launcher("journal", "dump", "--dir", node.getPath(), "--json", "--topic", "prices.*",
            "--from", Long.toString(replies.durable.get(10)));
        assertEquals(0, jsonDump.exitCode, jsonDump::toString);
        final List<JsonNode> prices = new ArrayList<>();
        for (final String line : jsonDump.stdout.lines().filter((l) -> !l.isBlank()).toList())
        {
            prices.add(JSON.readTree(line));
        }
        assertEquals(5, prices.size(), jsonDump::toString); // 11, 13, 15, 17, 19
        assertEquals("prices.eu", prices.get(0).get("topic").asText());
        assertEquals("order 11", prices.get(0).get("payload").asText());
        assertEquals(replies.durable.get(11).longValue(), prices.get(0).get("sequence").asLong());
        assertEquals("NORMAL", prices.get(0).get("priority").asText());
        assertEquals(11, prices.get(0).get("record").asLong());
        final Run binaryJson = launcher("journal", "dump", "--dir", node.getPath(), "--json", "--topic", "bin.>");
        assertEquals(Base64.getEncoder().encodeToString(binary),
            JSON.readTree(binaryJson.stdout.trim()).get("payloadBase64").asText(), binaryJson::toString);

        final Run list = launcher("journal", "list", "--dir", node.getPath(), "--json");
        assertEquals(0, list.exitCode, list::toString);
        final JsonNode summary = JSON.readTree(list.stdout);
        assertEquals(1, summary.get("cycles").size(), list::toString);
        assertEquals(total, summary.get("cycles").get(0).get("records").asLong(), list::toString);
        assertEquals(0, summary.get("cycles").get(0).get("firstRecord").asLong());
        assertEquals(total - 1, summary.get("cycles").get(0).get("lastRecord").asLong());
        assertEquals(replies.durable.get(total - 1).longValue(),
            summary.get("cycles").get(0).get("lastSequence").asLong());
        assertEquals(total, summary.get("highWater").asLong());
        assertEquals(0, summary.get("durableSubscriptions").size());
        final Run textList = launcher("journal", "list", "--dir", node.getPath());
        assertTrue(textList.stdout.contains("1 roll-cycle file(s), " + total + " record(s)"), textList::toString);

        final Run verifyLive = launcher("journal", "verify", "--dir", node.getPath());
        assertEquals(0, verifyLive.exitCode, verifyLive::toString);
        assertTrue(verifyLive.stdout.startsWith("OK: "), verifyLive::toString);

        // Stopped: reading the journal directory leaves every file as it was.
        running.process().destroy();
        assertTrue(running.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), running::output);
        final File journalDir = new File(node, "journal");
        final String before = digest(journalDir);
        for (final String command : List.of("list", "dump", "verify"))
        {
            assertEquals(0, launcher("journal", command, "--dir", journalDir.getPath()).exitCode, command);
        }
        assertEquals(0, launcher("journal", "dump", "--dir", node.getPath(), "--json").exitCode);
        assertEquals(before, digest(journalDir), "reading the journal changed its directory");

        // A corrupted copy: the trailer of the marker's document (its only record), right after its payload.
        final File copy = daemon.tmp().resolve("copy").toFile();
        Files.createDirectories(copy.toPath());
        for (final File file : journalDir.listFiles())
        {
            Files.copy(file.toPath(), new File(copy, file.getName()).toPath());
        }
        final File cycleFile = Stream.of(copy.listFiles()).filter((f) -> f.getName().endsWith(".cq4"))
            .findFirst().orElseThrow();
        final int markerAt = indexOf(Files.readAllBytes(cycleFile.toPath()), MARKER.getBytes(StandardCharsets.US_ASCII));
        assertTrue(markerAt > 0);
        try (RandomAccessFile raf = new RandomAccessFile(cycleFile, "rw"))
        {
            raf.seek(markerAt + MARKER.length());
            raf.write(0x01);
        }
        final Run verify = launcher("journal", "verify", "--dir", copy.getPath());
        assertEquals(1, verify.exitCode, verify::toString);
        final List<String> errors = verify.stdout.lines().filter((l) -> l.startsWith("ERROR ")).toList();
        assertEquals(2, errors.size(), verify::toString);
        assertTrue(errors.get(0).contains(cycleFile.getName()) &&
            errors.get(0).contains("corrupt document: trailer does not match") &&
            errors.get(0).contains("(expected record " + count + " next)"), verify::toString);
        assertTrue(errors.get(1).contains("record numbering gap: record " + count + " is missing"), verify::toString);
        final Run verifyJson = launcher("journal", "verify", "--dir", copy.getPath(), "--json");
        assertEquals(1, verifyJson.exitCode, verifyJson::toString);
        assertFalse(JSON.readTree(verifyJson.stdout).get("ok").asBoolean());
        final Run dumpDamaged = launcher("journal", "dump", "--dir", copy.getPath());
        assertEquals(0, dumpDamaged.exitCode, dumpDamaged::toString);
        assertEquals(total - 1, dumpDamaged.stdout.lines().count(), "the damaged document's record is passed over");

        // Bad input: one line, exit 2, no stack trace.
        assertBadInput("does not exist", "journal", "dump", "--dir", daemon.tmp().resolve("missing").toString());
        final File empty = Files.createDirectories(daemon.tmp().resolve("empty")).toFile();
        assertBadInput("is not a journal directory", "journal", "list", "--dir", empty.getPath());
        assertBadInput("--from must be a sequence number or an ISO-8601 time", "journal", "dump", "--dir",
            journalDir.getPath(), "--from", "yesterday");
    }

    /**
     * {@code loadgen --guaranteed --record-acks}: every publish answered, and each acknowledged sequence is in the
     * daemon's journal ({@code journal dump}).
     */
    @Test
    void loadgenRecordsTheAcknowledgedSequencesWhichAreAllJournaled() throws Exception
    {
        Launcher.path(); // the built bin/junction: this runs in the build's launcher-tests execution, after package
        final File node = daemon.node();
        daemon.start();

        final File acks = daemon.tmp().resolve("acks.txt").toFile();
        final Run loadgen = launcher("loadgen", "--dir", node.getPath(), "--guaranteed", "--rate", "500",
            "--duration", "1s", "--record-acks", acks.getPath(), "--histogram-log", daemon.tmp().resolve("l.hlog").toString());
        assertEquals(0, loadgen.exitCode, loadgen::toString);
        assertTrue(loadgen.stdout.contains("guaranteed: durable 500  failed 0  timed out 0  refused 0  unanswered 0"),
            loadgen::toString);
        final List<String> acknowledged = Files.readAllLines(acks.toPath());
        assertEquals(500, acknowledged.size());

        final Run dump = launcher("journal", "dump", "--dir", node.getPath(), "--json", "--topic", "loadgen.>");
        assertEquals(0, dump.exitCode, dump::toString);
        final java.util.Set<String> journaled = new java.util.HashSet<>();
        for (final String line : dump.stdout.lines().filter((l) -> !l.isBlank()).toList())
        {
            journaled.add(JSON.readTree(line).get("sequence").asText());
        }
        assertEquals(500, journaled.size(), dump::toString);
        assertTrue(journaled.containsAll(acknowledged), "every acknowledged sequence is journaled");

        final Run misuse = launcher("loadgen", "--dir", node.getPath(), "--record-acks", acks.getPath());
        assertEquals(2, misuse.exitCode, misuse::toString);
        assertTrue(misuse.stderr.contains("--record-acks needs --guaranteed"), misuse::toString);
    }

    /**
     * The protocol has no durable subscriptions yet: the journal is written in-process, then read by the launcher.
     */
    @Test
    void listsDurableSubscriptionsAndVerifiesTheirAcknowledgementSlots() throws Exception
    {
        Launcher.path(); // the built bin/junction: this runs in the build's launcher-tests execution, after package
        final File dir = daemon.tmp().resolve("journal").toFile();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        try (Journal journal = Journal.launch(new Journal.Context().directory(dir).blockSize(256 << 10)
                .minFreeDiskBytes(0).useInvoker(true));
            Junction junction = Junction.launch(new Junction.Context().threadingMode(ThreadingMode.INVOKER)
                .ringSize(1024).journalSink(journal)))
        {
            for (int i = 0; i < 6; i++)
            {
                final int length = buffer.putStringWithoutLengthAscii(0, "m" + i);
                junction.offer("audit.event", Priority.NORMAL, QualityOfService.GUARANTEED, buffer, 0, length);
                junction.doWork();
                journal.doWork();
            }
            final DurableSubscription audit = journal.subscribe("audit", ">", StartPosition.earliest(),
                (subscription, message) ->
                {
                    if (message.recordNumber() <= 2)
                    {
                        subscription.acknowledge(message);
                    }
                });
            journal.subscribe("idle", "none.>", StartPosition.earliest(), (subscription, message) -> { });
            for (int i = 0; i < 5; i++)
            {
                journal.doWork();
            }
            assertEquals(2, audit.acknowledgedRecordNumber());
        }
        final Run list = launcher("journal", "list", "--dir", dir.getPath());
        assertEquals(0, list.exitCode, list::toString);
        assertTrue(list.stdout.contains("durable subscriptions: 2"), list::toString);
        assertTrue(list.stdout.contains("  audit: acknowledged record 2 (sequence 2, index 0x"), list::toString);
        assertTrue(list.stdout.contains("  idle: nothing acknowledged"), list::toString);
        assertEquals(0, launcher("journal", "verify", "--dir", dir.getPath()).exitCode);

        // Damage the slots as a stray write would: audit's acknowledged sequence, idle's slot selector.
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.single(dir).build())
        {
            final int slot = (int)queue.indexForId("junction.durable.audit.slot").getVolatileValue();
            queue.indexForId("junction.durable.audit.sequence." + slot).setOrderedValue(999);
            queue.indexForId("junction.durable.idle.slot").setOrderedValue(7);
        }
        final Run verify = launcher("journal", "verify", "--dir", dir.getPath());
        assertEquals(1, verify.exitCode, verify::toString);
        assertTrue(verify.stdout.contains("ERROR durable subscription 'audit': slot ") && verify.stdout.contains(
            " acknowledges record 2 with sequence 999, but the record carries sequence 2"), verify::toString);
        assertTrue(verify.stdout.contains("ERROR durable subscription 'idle': acknowledgement slot selector is 7 " +
            "(must be 0, 1 or 2)"), verify::toString);
    }

    private static void publishGuaranteed(
        final ProtocolClient publisher, final String topic, final Priority priority, final byte[] payload)
        throws IOException
    {
        publisher.publish(topic, priority, QualityOfService.GUARANTEED, payload, 0, payload.length);
        publisher.flush();
    }

    private static void awaitDurable(final FrameRecorder replies, final int count)
    {
        await().atMost(TIMEOUT).until(() -> replies.durable.size() >= count || !replies.errors.isEmpty());
        assertTrue(replies.errors.isEmpty(), replies.errors::toString);
    }

    private void assertBadInput(final String message, final String... args) throws Exception
    {
        final Run run = launcher(args);
        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.stderr.contains(message), run::toString);
        assertFalse(run.stderr.contains("Exception") || run.stderr.contains("\tat "), run::toString);
    }

    private record Run(int exitCode, String stdout, String stderr)
    {
        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--stdout--\n" + stdout + "\n--stderr--\n" + stderr;
        }
    }

    private Run launcher(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Launcher.path().getPath());
        command.addAll(List.of(args));
        final File out = Files.createTempFile(daemon.tmp(), "out", ".txt").toFile();
        final File err = Files.createTempFile(daemon.tmp(), "err", ".txt").toFile();
        final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out).redirectError(err);
        builder.environment().put("JUNCTION_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        final Process process = builder.start();
        try
        {
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
            {
                throw new AssertionError("junction " + String.join(" ", args) + " did not finish");
            }
            return new Run(process.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    private static String digest(final File dir) throws Exception
    {
        final TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir.toPath()))
        {
            for (final Path path : paths.filter(Files::isRegularFile).toList())
            {
                final byte[] hash = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path));
                files.put(dir.toPath().relativize(path) + "@" + Files.getLastModifiedTime(path).toMillis(),
                    HexFormat.of().formatHex(hash));
            }
        }
        return files.toString();
    }

    private static int indexOf(final byte[] content, final byte[] what)
    {
        outer:
        for (int i = 0; i + what.length <= content.length; i++)
        {
            for (int j = 0; j < what.length; j++)
            {
                if (content[i + j] != what[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
