package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.SlowSubscriberPolicy;

class ConfigTest
{
    @TempDir
    Path tmp;

    @Test
    void theEmbeddedDefaultsAreValid()
    {
        final DaemonConfig config = DaemonConfig.load(null);
        assertEquals(7420, config.listen().port());
        assertEquals(SlowSubscriberPolicy.DROP_OLDEST, config.listen().subscriberPolicy());
        assertEquals(5, config.alarms().size());
        assertTrue(config.alarms().stream().anyMatch((a) -> a.metric().equals("cluster-no-leader")));
        assertEquals(false, config.cluster().enabled());
        assertEquals(IdleChoice.BACKOFF, config.switchConfig().idleStrategy());
        assertEquals(false, config.regulation().expressCritical());
        final NetworkConfig network = config.network();
        assertEquals(1, network.ioAgents());
        assertEquals(4096, network.maxConnections());
        assertEquals(256, network.maxSubscriptionsPerConnection());
        assertEquals(1024, network.maxSubscriptions());
        assertEquals(256 * 1024, network.sendBufferBytes());
        assertEquals(io.junction.protocol.ProtocolFrames.maxFrameLength(1024, 256), network.maxFrameLength());
        assertEquals(Duration.ofSeconds(5), network.readTimeout());
        assertEquals(Duration.ofSeconds(10), network.helloTimeout());
        assertEquals(Duration.ofSeconds(30), network.heartbeatInterval());
        assertEquals(2, network.maxPingsOut());
    }

    @Test
    void aCallerChangesOneKeyOrOneSectionWithoutListingTheOthers()
    {
        final DaemonConfig parsed = DaemonConfig.parse("network.io-agents = 3\nshards = 2");
        assertEquals(3, parsed.network().ioAgents());
        assertEquals(2, parsed.switchConfig().shards());
        final DaemonConfig defaults = DaemonConfig.load(null);
        assertEquals(defaults.withNetwork(parsed.network()).withNode(defaults.node()), defaults.withNetwork(
            parsed.network()));
        final DaemonConfig moved = defaults.withNode(defaults.node().withDir("/srv/junction"))
            .withDemo(defaults.demo().withRate(500));
        assertEquals("/srv/junction", moved.node().dir());
        assertEquals(500, moved.demo().rate());
        assertEquals(defaults.demo().size(), moved.demo().size());
        assertEquals(defaults.network(), moved.network());
        assertEquals(defaults.journal(), moved.journal());
        final ConfigException unknown = assertThrows(ConfigException.class,
            () -> DaemonConfig.parse("network.io-agent = 3"));
        assertTrue(unknown.getMessage().contains("unknown key 'network.io-agent' in the given keys"),
            unknown.getMessage());
        final ConfigException bad = assertThrows(ConfigException.class, () -> DaemonConfig.parse("ring-size = 1000"));
        assertEquals("key 'ring-size': must be a power of two, was 1000", bad.getMessage());
    }

    @Test
    void networkBoundsAreCheckedNamingTheKey() throws Exception
    {
        assertProblem("network.send-buffer = 1K\n", "key 'network.send-buffer': must be between");
        assertProblem("max-message-length = 1048576\nnetwork.send-buffer = 1M\n",
            "(8 frames of max-message-length = 1048576) and 1G, was 1048576");
        assertProblem("network.io-agents = 0\n", "key 'network.io-agents': must be between 1 and 64, was 0");
        assertProblem("network.max-frame-length = 100\n", "key 'network.max-frame-length': must be 0");
        assertProblem("network.read-timeout = 0s\n", "key 'network.read-timeout': must be > 0");
        assertProblem("network.max-pings-out = 0\n", "key 'network.max-pings-out': must be between 1 and 1000");
        assertProblem("network { max-conections = 5 }\n", "unknown key 'network.max-conections'");
        final DaemonConfig config = DaemonConfig.load(write("network { max-frame-length = 4096, send-buffer = 1M }\n"));
        assertEquals(4096, config.network().maxFrameLength());
        assertEquals(1 << 20, config.network().sendBufferBytes());
    }

    @Test
    void aeronWindowAndIdlePollAreReadAndCheckedByName() throws Exception
    {
        assertProblem("aeron.receiver-window = 1K\n", "key 'aeron.receiver-window': must be from 64K to 1G, was 1024");
        assertProblem("aeron.idle-poll = 1us\n", "key 'aeron.idle-poll': must be from 10us to 1s, was 1us");
        assertProblem("aeron.idle-poll = 0s\n", "key 'aeron.idle-poll': must be > 0");
        final DaemonConfig defaults = DaemonConfig.load(write(""));
        assertEquals(512 << 10, defaults.aeron().receiverWindow());
        assertEquals(Duration.ofMillis(1).toNanos(), defaults.aeron().idlePollNs());
        final DaemonConfig config = DaemonConfig.load(write("aeron { receiver-window = 2M, idle-poll = 100us }\n"));
        assertEquals(2 << 20, config.aeron().receiverWindow());
        assertEquals(Duration.ofNanos(100_000).toNanos(), config.aeron().idlePollNs());
        assertEquals(Duration.ofNanos(100_000).toNanos(), config.aeron().activePollNs(), "capped at idle-poll");
        assertEquals(Duration.ofMillis(1).toNanos(), defaults.aeron().activePollNs());
        assertEquals(Duration.ofNanos(50_000).toNanos(),
            DaemonConfig.load(write("aeron.active-poll = 50us\n")).aeron().activePollNs());
        assertProblem("aeron.active-poll = 5us\n", "key 'aeron.active-poll': must be from 10us to 1s, was 5us");
    }

    @Test
    void anInvokedAeronDriverNeedsTheEmbeddedOne() throws Exception
    {
        assertProblem("aeron.threading-mode = threadless\n",
            "key 'aeron.threading-mode': must be shared, dedicated or invoker, was 'threadless'");
        assertProblem("aeron { threading-mode = invoker, embedded-driver = false }\n",
            "key 'aeron.threading-mode': invoker runs the daemon's own driver on its I/O agent, so it needs " +
            "aeron.embedded-driver = true");
        assertFalse(DaemonConfig.load(write("")).aeron().invokedDriver(), "a driver thread by default");
        assertTrue(DaemonConfig.load(write("aeron.threading-mode = invoker\n")).aeron().invokedDriver());
    }

    @Test
    void inlineShardNeedsExactlyOneIoAgent() throws Exception
    {
        assertProblem("network { inline-shard = true, io-agents = 2 }\n",
            "key 'network.inline-shard': runs the switch on the one I/O thread, so it needs network.io-agents = 1, " +
            "was 2");
        assertFalse(DaemonConfig.load(write("network.io-agents = 2\n")).network().inlineShard(), "off by default");
        assertTrue(DaemonConfig.load(write("network.inline-shard = true\n")).network().inlineShard());
    }

    @Test
    void aFileOverridesTheDefaults() throws Exception
    {
        final DaemonConfig config = DaemonConfig.load(write(
            "shards = 2\nlisten.port = 0\nshutdown-timeout = 250ms\nidle-strategy = busy-spin\n"));
        assertEquals(IdleChoice.BUSY_SPIN, config.switchConfig().idleStrategy());
        assertEquals(2, config.switchConfig().shards());
        assertEquals(0, config.listen().port());
        assertEquals(Duration.ofMillis(250), config.switchConfig().shutdownTimeout());
        assertEquals(8192, config.switchConfig().ringSize());
    }

    @Test
    void badConfigsNameTheKeyAndTheProblem() throws Exception
    {
        assertProblem("shard = 2\n", "unknown key 'shard'");
        assertProblem("listen { prot = 1 }\n", "unknown key 'listen.prot'");
        assertProblem("listen.port = 70000\n", "key 'listen.port': must be between 0 and 65535, was 70000");
        assertProblem("ring-size = 1000\n", "key 'ring-size': must be a power of two, was 1000");
        assertProblem("shutdown-timeout = soon\n", "key 'shutdown-timeout'");
        assertProblem("subscriber.policy = maybe\n", "key 'subscriber.policy': must be one of");
        assertProblem("alarms.webhook = \"ftp://x\"\n", "key 'alarms.webhook'");
        assertProblem("alarms.rules = [ { name = a, metric = nope, above = 1 } ]\n",
            "key 'alarms.rules[0].metric': unknown metric 'nope'");
        assertProblem("alarms.rules = [ { name = a, metric = errors } ]\n", "exactly one of 'above' or 'below'");
        assertProblem("alarms.rules = [ { name = a, metric = errors, above = 1, severity = dire } ]\n",
            "key 'alarms.rules[0].severity'");
        assertProblem("alarms.rules = [ { name = a, metric = errors, above = 1, colour = red } ]\n",
            "unknown key 'alarms.rules[0].colour'");
        assertProblem("shards = [\n", "is not valid HOCON");
    }

    @Test
    void clusterKeysAreReadAndBadOnesNamed() throws Exception
    {
        final DaemonConfig config = DaemonConfig.load(write(
            "cluster { enabled = true, member-id = 2, member-count = 3, base-port = 31000, election-timeout = 1s }\n"));
        assertTrue(config.cluster().enabled());
        assertEquals(2, config.cluster().memberId());
        assertEquals(31024, config.cluster().port(2, 4));
        assertEquals(Duration.ofSeconds(1), config.cluster().electionTimeout());

        assertProblem("cluster { enabled = true, member = 1 }\n", "unknown key 'cluster.member'");
        assertProblem("cluster { enabled = true, member-id = 3, member-count = 3 }\n",
            "key 'cluster.member-id': must be one of the members 0..2 (cluster.member-count = 3), was 3");
        assertProblem("cluster { enabled = true, member-count = 3, base-port = 7400 }\nlisten.port = 7420\n",
            "key 'cluster.base-port': member 2's ports 7420-7424 clash with listen.port = 7420");
        assertProblem("cluster { enabled = true, base-port = 9460 }\nlisten.port = 0\n",
            "key 'cluster.base-port': member 0's ports 9460-9464 clash with http.port = 9464");
        assertProblem("cluster { enabled = true, member-count = 2, base-port = 65530 }\n",
            "key 'cluster.base-port': must be between 1 and 65521, was 65530");
        assertProblem("cluster { election-timeout = 0s }\n", "key 'cluster.election-timeout': must be > 0");
        assertEquals(Duration.ofHours(1), config.cluster().snapshotInterval());
        assertEquals(0, config.cluster().snapshotsKept());
        assertEquals(256L << 20, config.cluster().minFreeDisk());
        assertEquals(false, config.cluster().recordChecksum());
        final DaemonConfig purging = DaemonConfig.load(write(
            "cluster { snapshot-interval = 10m, snapshots-kept = 3, min-free-disk = 1GiB, record-checksum = true }\n"));
        assertEquals(true, purging.cluster().recordChecksum());
        assertEquals(Duration.ofMinutes(10), purging.cluster().snapshotInterval());
        assertEquals(3, purging.cluster().snapshotsKept());
        assertEquals(1L << 30, purging.cluster().minFreeDisk());
        assertProblem("cluster { snapshots-kept = -1 }\n", "key 'cluster.snapshots-kept'");
        assertProblem("cluster { snapshot-interval = -1s }\n", "key 'cluster.snapshot-interval': must be >= 0");
    }

    @Test
    void clusterMembersOnHostsOfTheirOwn() throws Exception
    {
        final DaemonConfig config = DaemonConfig.load(write("cluster { enabled = true, member-id = 1, members = [" +
            "\"0=10.0.0.1:20000\", \"1=10.0.0.2:20000\", \"2,10.0.0.3:1,10.0.0.3:2,10.0.0.3:3,10.0.0.3:4,10.0.0.3:5\"] }\n"));
        assertEquals(3, config.cluster().memberCount());
        assertEquals("10.0.0.2", config.cluster().self().host());
        assertEquals("0=10.0.0.1:20000,1=10.0.0.2:20000,2=10.0.0.3:1", config.cluster().memberList().ingressEndpoints());

        assertProblem("cluster { enabled = true, member-id = 3, members = [\"0=a:20000\", \"1=b:20000\"] }\n",
            "key 'cluster.member-id': 3 is not in cluster.members (ids 0,1)");
        assertProblem("cluster { enabled = true, members = [\"0=a:20000\", \"0=b:20000\"] }\n",
            "key 'cluster.members': duplicate member id 0 in '0=b:20000' (already in '0=a:20000')");
        assertProblem("cluster { enabled = true, members = [\"0=a:20000\", \"1=b\"] }\n",
            "key 'cluster.members': bad host:port 'b' in '1=b'");
        assertProblem("cluster { enabled = true, members = [\"0=localhost:7418\"] }\nlisten.port = 7420\n",
            "key 'cluster.members': member 0's ports 7418-7422 clash with listen.port = 7420");
    }

    @Test
    void theExampleConfigIsValid()
    {
        final DaemonConfig config = DaemonConfig.load(new File("src/main/dist/conf/junction.conf"));
        assertEquals(io.junction.journal.FlushPolicy.PER_BATCH, config.journal().flushPolicy());
        assertEquals(2, config.regulation().regulation().rules().size());
        assertTrue(config.alarms().stream().anyMatch((a) -> a.metric().equals("journal-unavailable")));
    }

    @Test
    void regulationAndJournalKeysAreReadAndCheckedByName() throws Exception
    {
        final DaemonConfig config = DaemonConfig.load(write(String.join("\n",
            "journal { flush-policy = per-batch, min-free-disk = 64M, retention { max-age = 1h, max-cycles = 3 } }",
            "regulation {",
            "  codel { enabled = true, target = 1ms, interval = 20ms }",
            "  critical-reserve = 16",
            "  rules = [ { pattern = \"metrics.>\", publisher = greedy, classes = [normal, bulk], rate = 100,",
            "              burst = 10, max-in-flight = 50, codel = false } ]",
            "}", "")));
        assertEquals(io.junction.journal.FlushPolicy.PER_BATCH, config.journal().flushPolicy());
        assertEquals(64L << 20, config.journal().minFreeDiskBytes());
        assertEquals(Duration.ofHours(1), config.journal().retentionMaxAge());
        assertEquals(3, config.journal().retentionMaxCycles());
        assertTrue(config.regulation().regulation().codelEnabled());
        assertEquals(1_000_000, config.regulation().regulation().codelTargetNs());
        assertEquals(16, config.regulation().regulation().criticalReserve());
        final io.junction.regulate.Rule rule = config.regulation().regulation().rules().get(0);
        assertEquals("metrics.>", rule.topicPattern());
        assertEquals("greedy", rule.publisher());
        assertEquals(java.util.EnumSet.of(io.junction.Priority.NORMAL, io.junction.Priority.BULK), rule.classes());
        assertEquals(100, rule.ratePerSecond());
        assertEquals(10, rule.burst());
        assertEquals(50, rule.maxInFlight());
        assertEquals(false, rule.sojournShedding());

        assertProblem("journal.flush-policy = sometimes\n", "key 'journal.flush-policy': must be one of");
        assertProblem("idle-strategy = sleepy\n",
            "key 'idle-strategy': must be one of backoff, yielding, busy-spin; was 'sleepy'");
        assertProblem("journal.min-free-disk = lots\n", "key 'journal.min-free-disk'");
        assertProblem("journal.retention.max-cycles = -1\n", "key 'journal.retention.max-cycles'");
        assertProblem("journal { dirr = x }\n", "unknown key 'journal.dirr'");
        assertProblem("regulation.codel.target = 0s\nregulation.codel.enabled = true\n",
            "key 'regulation.codel.target': must be > 0");
        assertProblem("regulation.rules = [ { pattern = \"a..b\", rate = 1 } ]\n",
            "key 'regulation.rules[0].pattern': not a valid topic pattern");
        assertProblem("regulation.rules = [ { pattern = a, rate = 0 } ]\n", "key 'regulation.rules[0].rate'");
        assertProblem("regulation.rules = [ { pattern = a }, { pattern = b, rate = 5, burst = 0 } ]\n",
            "key 'regulation.rules[1].burst'");
        assertProblem("regulation.rules = [ { pattern = a, classes = [urgent] } ]\n",
            "key 'regulation.rules[0].classes': must be among");
        assertProblem("regulation.rules = [ { pattern = a, max-in-flight = -1 } ]\n",
            "key 'regulation.rules[0].max-in-flight'");
        assertProblem("regulation.rules = [ { pattern = a, speed = 5 } ]\n", "unknown key 'regulation.rules[0].speed'");
        assertProblem("regulation.rules = [ { rate = 5 } ]\n", "key 'regulation.rules[0].pattern' is missing");
    }

    @Test
    void theDaemonRefusesABadConfigWithAClearMessageAndANonZeroExit() throws Exception
    {
        final File output = tmp.resolve("out.txt").toFile();
        final int exit = JunctionProcess.run(output, "run", "--config", write("listen.port = -1\n").getPath());
        final String text = Files.readString(output.toPath());
        assertEquals(RunCommand.EXIT_CONFIG, exit, text);
        assertTrue(text.contains("junction: config error: key 'listen.port': must be between 0 and 65535, was -1"),
            text);
    }

    @Test
    void loadgenClassMixInterleavesByWeight()
    {
        final io.junction.Priority[] mix = LoadgenCommand.parseMix("critical=1,normal=3");
        assertEquals(4, mix.length);
        assertEquals(1, java.util.Arrays.stream(mix).filter((p) -> p == io.junction.Priority.CRITICAL).count());
        assertThrows(IllegalArgumentException.class, () -> LoadgenCommand.parseMix("urgent=1"));
    }

    private void assertProblem(final String text, final String expected) throws Exception
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> DaemonConfig.load(write(text)));
        assertTrue(ex.getMessage().contains(expected), "expected '" + expected + "' in: " + ex.getMessage());
    }

    private File write(final String text) throws Exception
    {
        final File file = Files.createTempFile(tmp, "junction", ".conf").toFile();
        Files.writeString(file.toPath(), text);
        return file;
    }
}
