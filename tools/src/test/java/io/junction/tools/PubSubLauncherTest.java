package io.junction.tools;

import static io.junction.tools.ClientTestSupport.freePort;
import static io.junction.tools.ClientTestSupport.startDaemon;
import static io.junction.tools.ClientTestSupport.writeConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code junction pub} and {@code junction sub}, the built launcher ({@code target/junction/bin/junction}, in the
 * build's launcher-tests execution after package) against a real daemon child process: pub then sub sees it (an
 * argument and standard input, --dir and --url), --guaranteed prints the journal sequences and fails on a refused
 * message, sub's --count and --timeout exit codes, a stale daemon.properties, and usage errors without a stack trace.
 */
class PubSubLauncherTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception
    {
        for (final Process process : processes)
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void pubThenSubSeesItAndGuaranteedPrintsTheJournalSequences() throws Exception
    {
        Launcher.path(); // the built bin/junction: this runs in the build's launcher-tests execution, after package
        final File node = tmp.resolve("node").toFile();
        final JunctionProcess daemon = startDaemon(tmp, writeConfig(tmp, node, 0), node, "daemon.log");
        resources.add(daemon);
        final String url = "tcp://127.0.0.1:" + ClientTestSupport.port(node);

        // sub --json --count 3, in the background until it says it is subscribed.
        final Child sub = start(null, "sub", "orders.>", "--dir", node.getPath(), "--json", "--count", "3",
            "--timeout", "90s");
        await().atMost(ClientTestSupport.TIMEOUT).until(() -> sub.stderr().contains("subscribed to orders.>") ||
            !sub.process.isAlive());
        final Run one = run(null, "pub", "orders.new", "hello world", "--url", url);
        assertEquals(0, one.exitCode, one::toString);
        final Run lines = run("first\nsecond\n", "pub", "--priority", "HIGH", "orders.paid", "--dir", node.getPath());
        assertEquals(0, lines.exitCode, lines::toString);
        assertTrue(sub.process.waitFor(60, TimeUnit.SECONDS), sub::toString);
        assertEquals(0, sub.process.exitValue(), sub::toString);
        final List<JsonNode> messages = new ArrayList<>();
        for (final String line : sub.stdout().lines().filter((l) -> !l.isBlank()).toList())
        {
            messages.add(JSON.readTree(line));
        }
        assertEquals(3, messages.size(), sub::toString);
        assertEquals("orders.new", messages.get(0).get("topic").asText());
        assertEquals("hello world", messages.get(0).get("payload").asText());
        assertEquals("NORMAL", messages.get(0).get("priority").asText());
        assertEquals("second", messages.get(2).get("payload").asText());
        assertEquals("HIGH", messages.get(2).get("priority").asText());
        assertTrue(messages.get(1).get("sequence").asLong() > messages.get(0).get("sequence").asLong());
        assertTrue(messages.get(0).has("time"), messages.get(0)::toString);

        // The default format, TOPIC PAYLOAD; and --guaranteed prints one journal sequence per message.
        final Child text = start(null, "sub", "audit.*", "--url", url, "--count", "2", "--timeout", "90s");
        await().atMost(ClientTestSupport.TIMEOUT).until(() -> text.stderr().contains("subscribed to audit.*") ||
            !text.process.isAlive());
        final Run guaranteed = run("a1\na2\n", "pub", "--guaranteed", "audit.log", "--url", url);
        assertEquals(0, guaranteed.exitCode, guaranteed::toString);
        final List<String> sequences = guaranteed.stdout.lines().toList();
        assertEquals(2, sequences.size(), guaranteed::toString);
        assertTrue(Long.parseLong(sequences.get(1)) > Long.parseLong(sequences.get(0)), guaranteed::toString);
        assertTrue(text.process.waitFor(60, TimeUnit.SECONDS), text::toString);
        assertEquals(0, text.process.exitValue(), text::toString);
        assertEquals(List.of("audit.log a1", "audit.log a2"), text.stdout().lines().toList());

        // The journal holds them under those sequences.
        final Run dump = run(null, "journal", "dump", "--dir", node.getPath(), "--topic", "audit.>");
        assertEquals(0, dump.exitCode, dump::toString);
        assertTrue(dump.stdout.lines().anyMatch((l) -> l.startsWith(sequences.get(0) + " ") && l.endsWith(" a1")),
            dump::toString);

        // A refused guaranteed message: named on standard error, exit 1.
        final Run refused = run(null, "pub", "--guaranteed", "audit..bad", "x", "--url", url);
        assertEquals(1, refused.exitCode, refused::toString);
        assertTrue(refused.stderr.contains("REJECTED") && refused.stderr.contains("EMPTY_TOKEN"), refused::toString);

        // sub --timeout with nothing coming: exit 1.
        final Run timeout = run(null, "sub", "nothing.>", "--url", url, "--count", "1", "--timeout", "1s");
        assertEquals(1, timeout.exitCode, timeout::toString);
        assertTrue(timeout.stderr.contains("timed out after 1s with 0 of 1 message(s)"), timeout::toString);
    }

    @Test
    void aDurableSubAcknowledgesWhatItPrintedAndTheNextOneGetsTheRest() throws Exception
    {
        Launcher.path();
        final File node = tmp.resolve("node").toFile();
        final JunctionProcess daemon = startDaemon(tmp, writeConfig(tmp, node, 0), node, "daemon.log");
        resources.add(daemon);
        final String url = "tcp://127.0.0.1:" + ClientTestSupport.port(node);

        final StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= 10; i++)
        {
            lines.append('m').append(i).append('\n');
        }
        final Run pub = run(lines.toString(), "pub", "--guaranteed", "ledger.entry", "--url", url);
        assertEquals(0, pub.exitCode, pub::toString);
        final List<String> sequences = pub.stdout.lines().toList();
        assertEquals(10, sequences.size(), pub::toString);

        final Run first = run(null, "sub", "ledger.>", "--url", url, "--durable", "d", "--from", "earliest", "--ack",
            "--count", "4", "--timeout", "90s");
        assertEquals(0, first.exitCode, first::toString);
        assertEquals(List.of("ledger.entry m1", "ledger.entry m2", "ledger.entry m3", "ledger.entry m4"),
            first.stdout.lines().toList(), first::toString);

        // The second resumes after the fourth, whatever --from says; --json shows the journal's sequences.
        final Run second = run(null, "sub", "ledger.>", "--url", url, "--durable", "d", "--from", "earliest",
            "--ack", "--count", "6", "--timeout", "90s", "--json");
        assertEquals(0, second.exitCode, second::toString);
        final List<String> payloads = new ArrayList<>();
        final List<String> delivered = new ArrayList<>();
        for (final String line : second.stdout.lines().filter((l) -> !l.isBlank()).toList())
        {
            final JsonNode message = JSON.readTree(line);
            payloads.add(message.get("payload").asText());
            delivered.add(message.get("sequence").asText());
        }
        assertEquals(List.of("m5", "m6", "m7", "m8", "m9", "m10"), payloads, second::toString);
        assertEquals(sequences.subList(4, 10), delivered, second::toString);

        // A replay from a sequence (no name, nothing acknowledged) and a bad --from.
        final Run replay = run(null, "sub", "ledger.>", "--url", url, "--from", sequences.get(8), "--count", "2",
            "--timeout", "90s");
        assertEquals(0, replay.exitCode, replay::toString);
        assertEquals(List.of("ledger.entry m9", "ledger.entry m10"), replay.stdout.lines().toList(), replay::toString);
        final Run bad = run(null, "sub", "ledger.>", "--url", url, "--from", "yesterday");
        assertEquals(2, bad.exitCode, bad::toString);
        assertTrue(bad.stderr.contains("Invalid value for option '--from'") && !bad.stderr.contains("\tat "),
            bad::toString);
    }

    @Test
    void twoSubsInOneGroupShareOnePubsLinesEachLineOnce() throws Exception
    {
        Launcher.path();
        final File node = tmp.resolve("node").toFile();
        final JunctionProcess daemon = startDaemon(tmp, writeConfig(tmp, node, 0), node, "daemon.log");
        resources.add(daemon);
        final String url = "tcp://127.0.0.1:" + ClientTestSupport.port(node);

        // Two members that each exit after --count 10: the group gives each line of a pub to one of them.
        final int count = 10;
        final List<Child> members = new ArrayList<>();
        for (int i = 0; i < 2; i++)
        {
            final Child member = start(null, "sub", "jobs.>", "--group", "workers", "--url", url, "--count",
                Integer.toString(count), "--timeout", "90s");
            members.add(member);
            await().atMost(ClientTestSupport.TIMEOUT).until(() ->
                member.stderr().contains("subscribed to jobs.> in group workers") || !member.process.isAlive());
        }
        // Balanced by what is queued, the split of one pub's 2 x 10 lines is near even but not always exact: while
        // a member still waits, another pub of lines (a member past its count takes a few and exits unprinted).
        final List<String> published = new ArrayList<>();
        for (int batch = 0; batch < 5 && members.stream().anyMatch((m) -> m.process.isAlive()); batch++)
        {
            final StringBuilder input = new StringBuilder();
            for (int i = 0; i < 2 * count; i++)
            {
                final String line = "job-" + batch + "-" + i;
                input.append(line).append('\n');
                published.add("jobs.new " + line);
            }
            final Run pub = run(input.toString(), "pub", "jobs.new", "--url", url);
            assertEquals(0, pub.exitCode, pub::toString);
            for (final Child member : members)
            {
                member.process.waitFor(batch == 0 ? 20 : 10, TimeUnit.SECONDS); // bounded: both, or the next pub
            }
        }

        final java.util.Set<String> received = new java.util.HashSet<>();
        for (final Child member : members)
        {
            assertTrue(member.process.waitFor(60, TimeUnit.SECONDS), member::toString);
            assertEquals(0, member.process.exitValue(), member::toString);
            final List<String> got = member.stdout().lines().toList();
            assertEquals(count, got.size(), member::toString);
            for (final String line : got)
            {
                assertTrue(published.contains(line), line);
                assertTrue(received.add(line), () -> "printed by both members: " + line);
            }
        }
        assertEquals(2 * count, received.size());

        // An invalid group name: a usage error, one line, no stack trace.
        final Run bad = run(null, "sub", "jobs.>", "--group", "no spaces", "--url", url, "--count", "1");
        assertEquals(2, bad.exitCode, bad::toString);
        assertTrue(bad.stderr.contains("--group"), bad::toString);
        assertNoStackTrace(bad);
    }

    @Test
    void aStaleDaemonPropertiesNoDaemonAndUsageErrorsAreOneLine() throws Exception
    {
        Launcher.path();
        final File stale = Files.createDirectories(tmp.resolve("stale")).toFile();
        Files.writeString(new File(stale, Daemon.PROPERTIES_FILE).toPath(),
            "pid=2147483646\nlisten.host=127.0.0.1\nlisten.port=7420\n");
        final Run staleSub = run(null, "sub", "a.>", "--dir", stale.getPath(), "--count", "1");
        assertEquals(2, staleSub.exitCode, staleSub::toString);
        assertTrue(staleSub.stderr.contains("no daemon is running in " + stale.getPath() +
            ": its daemon.properties names pid 2147483646, which is not running"), staleSub::toString);
        assertNoStackTrace(staleSub);
        final Run stalePub = run(null, "pub", "a.b", "x", "--dir", stale.getPath());
        assertEquals(2, stalePub.exitCode, stalePub::toString);
        assertNoStackTrace(stalePub);
        final Run missing = run(null, "pub", "a.b", "x", "--dir", tmp.resolve("none").toString());
        assertEquals(2, missing.exitCode, missing::toString);
        assertTrue(missing.stderr.contains("no daemon.properties in"), missing::toString);

        final Run nobody = run(null, "pub", "a.b", "x", "--url", "tcp://127.0.0.1:" + freePort(), "--connect-timeout",
            "1s");
        assertEquals(1, nobody.exitCode, nobody::toString);
        assertTrue(nobody.stderr.contains("cannot reach the daemon at tcp://127.0.0.1:"), nobody::toString);
        assertNoStackTrace(nobody);

        final Run badUrl = run(null, "sub", "a.>", "--url", "udp://x");
        assertEquals(2, badUrl.exitCode, badUrl::toString);
        assertTrue(badUrl.stderr.contains("url is not tcp://host:port"), badUrl::toString);
        final Run badCount = run(null, "sub", "a.>", "--count", "0");
        assertEquals(2, badCount.exitCode, badCount::toString);
        assertTrue(badCount.stderr.contains("--count"), badCount::toString);
        final Run noTopic = run(null, "pub");
        assertEquals(2, noTopic.exitCode, noTopic::toString);
        assertTrue(noTopic.stderr.contains("TOPIC"), noTopic::toString);
        final Run both = run(null, "pub", "a", "x", "--url", "tcp://127.0.0.1:1", "--dir", stale.getPath());
        assertEquals(2, both.exitCode, both::toString);
        assertTrue(both.stderr.contains("--url, --dir and --cluster are alternatives"), both::toString);
        for (final Run run : List.of(badUrl, badCount, noTopic, both))
        {
            assertNoStackTrace(run);
        }
        final Run help = run(null, "sub", "--help");
        assertEquals(0, help.exitCode, help::toString);
        assertTrue(help.stdout.contains("--timeout") && help.stdout.contains("--json"), help::toString);
    }

    private static void assertNoStackTrace(final Run run)
    {
        assertFalse(run.stderr.contains("Exception") || run.stderr.contains("\tat "), run::toString);
    }

    @Test
    void pubAndSubOverAeronUdpAndIpc() throws Exception
    {
        Launcher.path();
        final File node = tmp.resolve("aeron-node").toFile();
        final File driver = tmp.resolve("aeron-driver").toFile();
        final int udpPort = AeronClientTest.freeUdpPort();
        final JunctionProcess daemon = startDaemon(tmp, writeConfig(tmp, node, 0, "aeron {", "  enabled = true",
            "  dir = \"" + driver.getPath() + "\"", "  ingress-endpoint = \"127.0.0.1:" + udpPort + "\"",
            "  term-length = 256K", "}"), node, "aeron-daemon.log");
        resources.add(daemon);
        final String udp = "aeron:udp?endpoint=127.0.0.1:" + udpPort;

        // sub over UDP (a media driver inside the command), pub over IPC on the daemon's driver.
        final Child sub = start(null, "sub", "sensors.>", "--url", udp, "--count", "2", "--timeout", "90s");
        await().atMost(ClientTestSupport.TIMEOUT).until(() -> sub.stderr().contains("subscribed to sensors.>") ||
            !sub.process.isAlive());
        final Run ipc = run(null, "pub", "sensors.a", "over ipc", "--url", "aeron:ipc", "--aeron-dir",
            driver.getPath());
        assertEquals(0, ipc.exitCode, ipc::toString);
        final Run guaranteed = run(null, "pub", "--guaranteed", "sensors.b", "over udp", "--url", udp);
        assertEquals(0, guaranteed.exitCode, guaranteed::toString);
        assertTrue(sub.process.waitFor(60, TimeUnit.SECONDS), sub::toString);
        assertEquals(0, sub.process.exitValue(), sub::toString);
        assertEquals(List.of("sensors.a over ipc", "sensors.b over udp"),
            sub.stdout().lines().filter((l) -> !l.isBlank()).toList(), sub::toString);

        final Run noDriver = run(null, "pub", "sensors.a", "x", "--url", "aeron:ipc");
        assertEquals(2, noDriver.exitCode, noDriver::toString);
        assertTrue(noDriver.stderr.contains("needs --aeron-dir") && !noDriver.stderr.contains("\tat "),
            noDriver::toString);
    }

    private record Run(int exitCode, String stdout, String stderr)
    {
        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--stdout--\n" + stdout + "\n--stderr--\n" + stderr;
        }
    }

    private final class Child
    {
        final Process process;
        final File out;
        final File err;

        Child(final Process process, final File out, final File err)
        {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        String stdout()
        {
            return DaemonTestSupport.read(out);
        }

        String stderr()
        {
            return DaemonTestSupport.read(err);
        }

        @Override
        public String toString()
        {
            return "--stdout--\n" + stdout() + "\n--stderr--\n" + stderr();
        }
    }

    private Child start(final String input, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Launcher.path().getPath());
        command.addAll(List.of(args));
        final File out = Files.createTempFile(tmp, "out", ".txt").toFile();
        final File err = Files.createTempFile(tmp, "err", ".txt").toFile();
        final File in = Files.createTempFile(tmp, "in", ".txt").toFile();
        Files.writeString(in.toPath(), null == input ? "" : input, StandardCharsets.UTF_8);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out).redirectError(err)
            .redirectInput(in);
        builder.environment().put("JUNCTION_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        final Process process = builder.start();
        processes.add(process);
        return new Child(process, out, err);
    }

    private Run run(final String input, final String... args) throws Exception
    {
        final Child child = start(input, args);
        if (!child.process.waitFor(ClientTestSupport.TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        {
            throw new AssertionError("junction " + String.join(" ", args) + " did not finish: " + child);
        }
        return new Run(child.process.exitValue(), child.stdout(), child.stderr());
    }
}
