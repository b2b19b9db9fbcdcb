package io.junction.tools;

import static io.junction.tools.DaemonTestSupport.httpGet;
import static io.junction.tools.DaemonTestSupport.read;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.observe.CountersFileReader;

/**
 * The daemon as a member of an Aeron Cluster, as real child processes: one member of three alone cannot elect, shows
 * no leader and raises the no-leader alarm (webhook); a second member makes a quorum, a leader is elected, both
 * show it, the alarm clears and a message published at one member's daemon reaches a subscriber of the other's; the
 * leader stops (SIGTERM, exit 0) and the follower raises the alarm again; it stops with exit 0 too. A one-member
 * cluster leads at once, and serves publish and subscribe through the daemon's protocol.
 */
class ClusterDaemonProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<BlockingQueue<String>> webhooks =
        new ArrayList<>(List.of(new LinkedBlockingQueue<>(), new LinkedBlockingQueue<>()));
    private int hookPort;

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void aMemberAloneHasNoLeaderUntilASecondOneMakesAQuorum() throws Exception
    {
        startHookServer();
        final int basePort = freeBasePort(3);
        final File dir0 = tmp.resolve("m0").toFile();
        final File dir1 = tmp.resolve("m1").toFile();

        final JunctionProcess member0 = startMember(dir0, 0, 3, basePort);
        assertWebhook(0, "RAISED"); // no quorum: no leader for longer than raise-after
        final File statOut = tmp.resolve("stat0.json").toFile();
        assertEquals(0, JunctionProcess.run(statOut, "stat", "--dir", dir0.getPath(), "--json"));
        final String alone = Files.readString(statOut.toPath());
        assertEquals(-1, JournalAlarmProcessTest.value(alone, "cluster leader member id (-1 none)"), alone);
        assertEquals(0, JournalAlarmProcessTest.value(alone, "cluster member id"), alone);
        assertTrue(alone.contains("\"activeAlarms\":[\"no-leader [CRITICAL]\"]"), alone);
        assertTrue(member0.process().isAlive(), member0::output);

        final JunctionProcess member1 = startMember(dir1, 1, 3, basePort);
        await().atMost(TIMEOUT).until(() -> counter(dir0, DaemonCluster.LEADER_MEMBER_ID_TYPE_ID) >= 0 &&
            counter(dir0, DaemonCluster.LEADER_MEMBER_ID_TYPE_ID) ==
            counter(dir1, DaemonCluster.LEADER_MEMBER_ID_TYPE_ID));
        final long leader = counter(dir0, DaemonCluster.LEADER_MEMBER_ID_TYPE_ID);
        assertTrue(leader == 0 || leader == 1, "leader " + leader);
        final File leaderDir = leader == 0 ? dir0 : dir1;
        final File followerDir = leader == 0 ? dir1 : dir0;
        await().atMost(TIMEOUT).until(() -> counter(leaderDir, DaemonCluster.ROLE_TYPE_ID) == 2 &&
            counter(followerDir, DaemonCluster.ROLE_TYPE_ID) == 0);
        assertTrue(counter(dir0, DaemonCluster.ELECTIONS_TYPE_ID) >= 1);
        assertTrue(counter(dir1, DaemonCluster.ELECTIONS_TYPE_ID) >= 1);
        assertWebhook(0, "CLEARED");

        final File statLeader = tmp.resolve("stat-leader.json").toFile();
        assertEquals(0, JunctionProcess.run(statLeader, "stat", "--dir", leaderDir.getPath(), "--json"));
        final String led = Files.readString(statLeader.toPath());
        assertEquals(leader, JournalAlarmProcessTest.value(led, "cluster leader member id (-1 none)"), led);
        assertEquals(2, JournalAlarmProcessTest.value(led, "cluster role (0 follower, 1 candidate, 2 leader)"), led);
        assertTrue(JournalAlarmProcessTest.value(led, "cluster elections") >= 1, led);
        assertTrue(JournalAlarmProcessTest.value(led, "cluster commit position") >= 0, led);
        assertTrue(led.contains("\"activeAlarms\":[]"), led);
        final int httpPort = Integer.parseInt(Daemon.readProperties(followerDir).getProperty("http.port"));
        final String metrics = httpGet(httpPort, "/metrics").body();
        assertTrue(metrics.contains(
            "junction_cluster_leader_member_id " + (double)leader), metrics);
        assertTrue(metrics.contains(
            "junction_cluster_role 0.0"), metrics);

        // Through the gateway: published at one member's daemon, delivered by the other's, in the cluster's order.
        final FrameRecorder subscriber = new FrameRecorder(new ProtocolClient("127.0.0.1", protocolPort(dir1)));
        resources.add(subscriber);
        subscriber.client.subscribe("prices.>");
        subscriber.awaitSubscribed();
        final ProtocolClient publisher = new ProtocolClient("127.0.0.1", protocolPort(dir0));
        resources.add(publisher);
        final FrameRecorder replies = new FrameRecorder(publisher);
        resources.add(replies);
        await().atMost(TIMEOUT).until(() -> counter(dir0, ClusterGateway.CONNECTED_TYPE_ID) == 1 &&
            counter(dir1, ClusterGateway.CONNECTED_TYPE_ID) == 1);
        publishNumbered(publisher, "prices.eur", 100);
        await().atMost(TIMEOUT).until(() -> subscriber.received.get() == 100 || !replies.errors.isEmpty() ||
            !replies.refusals.isEmpty());
        assertTrue(replies.errors.isEmpty() && replies.refusals.isEmpty(), () -> replies.errors + " " + replies.refusals);
        assertEquals(99, subscriber.lastValue.get());
        assertEquals(0, subscriber.outOfOrder.get());

        // Each member logs its role and leader, and shows how far its service lags what is committed.
        await().atMost(TIMEOUT).until(() -> counter(followerDir, DaemonCluster.APPLIED_POSITION_TYPE_ID) > 0 &&
            counter(followerDir, DaemonCluster.LAG_TYPE_ID) == 0);
        final JunctionProcess leading = leader == 0 ? member0 : member1;
        final JunctionProcess following = leader == 0 ? member1 : member0;
        await().atMost(TIMEOUT).until(() -> leading.output().contains(
            "junction cluster member " + leader + ": role LEADER, term ") &&
            following.output().contains(": role FOLLOWER, term ") &&
            following.output().contains(", leader " + leader + ", commit position "));

        // The leader stops (SIGTERM, exit 0): the follower is alone again, loses its leader and raises the alarm.
        final JunctionProcess leaderProcess = leader == 0 ? member0 : member1;
        final JunctionProcess followerProcess = leader == 0 ? member1 : member0;
        final int followerId = leader == 0 ? 1 : 0;
        webhooks.get(followerId).clear(); // its own raise and clear while the election ran, if it took that long
        leaderProcess.process().destroy();
        await().atMost(TIMEOUT).until(() -> counter(followerDir, DaemonCluster.LEADER_MEMBER_ID_TYPE_ID) == -1);
        assertWebhook(followerId, "RAISED");
        assertTrue(followerProcess.process().isAlive(), followerProcess::output);

        followerProcess.process().destroy();
        for (final JunctionProcess member : List.of(member0, member1))
        {
            assertTrue(member.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), member::output);
            assertEquals(0, member.process().exitValue(), member::output);
            assertTrue(member.output().contains("junction: cluster member closed"), member::output);
        }
    }

    @Test
    void aOneMemberClusterLeadsAtOnceAndBadClusterConfigsAreRefused() throws Exception
    {
        startHookServer();
        final int basePort = freeBasePort(1);
        final File dir = tmp.resolve("solo").toFile();
        final JunctionProcess solo = startMember(dir, 0, 1, basePort);
        await().atMost(TIMEOUT).until(() -> counter(dir, DaemonCluster.ROLE_TYPE_ID) == 2 &&
            counter(dir, DaemonCluster.LEADER_MEMBER_ID_TYPE_ID) == 0);
        assertTrue(counter(dir, DaemonCluster.ELECTIONS_TYPE_ID) >= 1);
        assertTrue(solo.output().contains("cluster member 0 of 1"), solo::output);

        // Its ports are taken now: a second daemon with the same member is refused, naming the key.
        final File clash = tmp.resolve("clash.conf").toFile();
        writeConfig(clash, tmp.resolve("clash").toFile(), 0, 1, basePort);
        final File clashOut = tmp.resolve("clash.txt").toFile();
        assertEquals(1, JunctionProcess.run(clashOut, "run", "--config", clash.getPath()));
        assertTrue(Files.readString(clashOut.toPath()).contains(
            "junction: cannot start: key 'cluster.base-port': member 0's ingress port localhost:" + basePort),
            () -> read(clashOut));

        // A member id outside the member list: a config error, exit 2.
        final File bad = tmp.resolve("bad.conf").toFile();
        writeConfig(bad, tmp.resolve("bad").toFile(), 3, 3, basePort);
        final File badOut = tmp.resolve("bad.txt").toFile();
        assertEquals(RunCommand.EXIT_CONFIG, JunctionProcess.run(badOut, "run", "--config", bad.getPath()));
        assertTrue(Files.readString(badOut.toPath()).contains(
            "junction: config error: key 'cluster.member-id': must be one of the members 0..2"), () -> read(badOut));

        // A member whose archive cannot start (its directory is a file): exit 1, one line, no stack trace.
        final File noArchive = tmp.resolve("no-archive").toFile();
        final File archiveDir = new File(noArchive, "cluster/member-0/archive");
        assertTrue(archiveDir.getParentFile().mkdirs());
        Files.writeString(archiveDir.toPath(), "not a directory");
        final File noArchiveConf = tmp.resolve("no-archive.conf").toFile();
        writeConfig(noArchiveConf, noArchive, 0, 1, freeBasePort(1));
        // Not a clean start: that deletes the archive directory, whatever it is, and makes a new one.
        Files.writeString(noArchiveConf.toPath(),
            Files.readString(noArchiveConf.toPath()).replace("clean-start = true", "clean-start = false"));
        final File noArchiveOut = tmp.resolve("no-archive.txt").toFile();
        assertEquals(1, JunctionProcess.run(noArchiveOut, "run", "--config", noArchiveConf.getPath()));
        final String noArchiveText = Files.readString(noArchiveOut.toPath());
        assertEquals(1, noArchiveText.lines().filter((line) -> line.startsWith("junction: cannot start: ")).count(),
            noArchiveText);
        assertTrue(noArchiveText.contains("archive") && !noArchiveText.contains("\tat "), noArchiveText);

        // Publish and subscribe through the clustered daemon: PUBLISH goes to the cluster, its delivery comes back.
        final FrameRecorder subscriber = new FrameRecorder(new ProtocolClient("127.0.0.1", protocolPort(dir)));
        resources.add(subscriber);
        subscriber.client.subscribe("orders.>");
        subscriber.awaitSubscribed();
        final ProtocolClient publisher = new ProtocolClient("127.0.0.1", protocolPort(dir));
        resources.add(publisher);
        final FrameRecorder replies = new FrameRecorder(publisher);
        resources.add(replies);
        await().atMost(TIMEOUT).until(() -> counter(dir, ClusterGateway.CONNECTED_TYPE_ID) == 1);
        final int count = 500;
        publishNumbered(publisher, "orders.new", count);
        await().atMost(TIMEOUT).until(() -> subscriber.received.get() == count || !replies.errors.isEmpty() ||
            !replies.refusals.isEmpty());
        assertTrue(replies.errors.isEmpty() && replies.refusals.isEmpty(), () -> replies.errors + " " + replies.refusals);
        assertEquals(count - 1, subscriber.lastValue.get());
        assertEquals(0, subscriber.outOfOrder.get());
        assertEquals(count, counter(dir, ClusterGateway.PUBLISHED_TYPE_ID));
        final String metrics = httpGet(Integer.parseInt(Daemon.readProperties(dir).getProperty("http.port")), "/metrics").body();
        assertTrue(metrics.contains(
            "junction_cluster_gateway_published_total " + (double)count), metrics);
        await().atMost(TIMEOUT).until(() -> counter(dir, DaemonCluster.COMMIT_POSITION_TYPE_ID) > 0);

        // A guaranteed publish through the gateway is answered DURABLE once the cluster committed it, with the
        // cluster's sequence; a bad topic is rejected at the edge.
        publisher.publish("orders.new", io.junction.Priority.HIGH, io.junction.QualityOfService.GUARANTEED,
            new byte[8], 0, 8);
        publisher.publish("orders..bad", io.junction.Priority.HIGH, new byte[8], 0, 8);
        publisher.flush();
        await().atMost(TIMEOUT).until(() -> replies.outcomes.size() == 1 && replies.refusals.size() == 1);
        assertTrue(replies.outcomes.get(0).matches("\\d+ DURABLE " + (count + 1) + " 0"), replies.outcomes::toString);
        assertEquals(1, counter(dir, ClusterGateway.DURABLE_TYPE_ID));
        await().atMost(TIMEOUT).until(() -> subscriber.received.get() == count + 1);
        assertTrue(replies.refusals.get(0).startsWith("1 REJECTED " + io.junction.OfferResult.rejected(
            io.junction.RejectReason.EMPTY_TOKEN) + " "), replies.refusals::toString);

        // Regulation at the edge, before replication: "limited.>" takes one message a second, burst 1.
        for (int i = 0; i < 5; i++)
        {
            publisher.publish("limited.x", io.junction.Priority.NORMAL, new byte[8], 0, 8);
        }
        publisher.flush();
        await().atMost(TIMEOUT).until(() -> replies.refusals.stream().anyMatch((r) -> r.contains(" SHED ")));
        final long shed = counter(dir, ClusterGateway.SHED_TYPE_ID);
        assertTrue(shed >= 3, () -> "shed " + shed);
        // What was shed never reached the cluster: the gateway sent the rest only.
        await().atMost(TIMEOUT).until(() -> counter(dir, ClusterGateway.PUBLISHED_TYPE_ID) == count + 1 + 5 - shed);

        // junction pub and sub --cluster: the client library over the cluster transport, straight to the member.
        final String members = "0=localhost:" + basePort;
        final JunctionProcess sub = JunctionProcess.start(tmp.resolve("cli-sub.txt").toFile(), "sub", "cli.>",
            "--cluster", members, "--count", "1", "--timeout", "60s");
        resources.add(sub);
        await().atMost(TIMEOUT).until(() -> sub.output().contains("subscribed to") || !sub.process().isAlive());
        final File pubOut = tmp.resolve("cli-pub.txt").toFile();
        assertEquals(0, JunctionProcess.run(pubOut, "pub", "--cluster", members, "--guaranteed", "cli.x", "hello"),
            () -> read(pubOut));
        assertTrue(Files.readString(pubOut.toPath()).strip().matches("(?s)(.*\\n)?\\d+"), () -> read(pubOut));
        assertTrue(sub.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), sub::output);
        assertEquals(0, sub.process().exitValue(), sub::output);
        assertTrue(sub.output().contains("cli.x hello"), sub::output);

        // junction sub --group over the cluster: two members of one balanced queue group share four messages.
        final JunctionProcess[] workers = new JunctionProcess[2];
        for (int i = 0; i < workers.length; i++)
        {
            workers[i] = JunctionProcess.start(tmp.resolve("cli-worker-" + i + ".txt").toFile(), "sub", "jobs.>",
                "--group", "workers", "--cluster", members, "--count", "2", "--timeout", "90s");
            resources.add(workers[i]);
        }
        for (final JunctionProcess worker : workers)
        {
            await().atMost(TIMEOUT).until(() ->
                worker.output().contains("subscribed to") || !worker.process().isAlive());
        }
        for (int i = 1; i <= 4; i++)
        {
            final File jobOut = tmp.resolve("cli-job-" + i + ".txt").toFile();
            assertEquals(0, JunctionProcess.run(jobOut, "pub", "--cluster", members, "--guaranteed", "jobs.x",
                "job" + i), () -> read(jobOut));
        }
        final java.util.Set<String> jobs = new java.util.TreeSet<>();
        for (final JunctionProcess worker : workers)
        {
            assertTrue(worker.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), worker::output);
            assertEquals(0, worker.process().exitValue(), worker::output);
            final java.util.List<String> got = worker.output().lines().filter((line) -> line.contains("jobs.x job"))
                .toList();
            assertEquals(2, got.size(), worker::output);
            got.forEach((line) -> jobs.add(line.substring(line.indexOf("jobs.x ") + "jobs.x ".length())));
        }
        assertEquals(java.util.Set.of("job1", "job2", "job3", "job4"), jobs, "each job reached one worker");
        final File cliBadOut = tmp.resolve("cli-bad.txt").toFile();
        assertEquals(2, JunctionProcess.run(cliBadOut, "pub", "--cluster", "0=nohost", "cli.x", "x"),
            () -> read(cliBadOut));
        assertTrue(Files.readString(cliBadOut.toPath()).contains("--cluster 0=nohost"), () -> read(cliBadOut));

        assertTrue(webhooks.get(0).isEmpty(), webhooks.get(0)::toString); // never without a leader long enough
        solo.process().destroy();
        assertTrue(solo.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), solo::output);
        assertEquals(0, solo.process().exitValue(), solo::output);
    }

    private JunctionProcess startMember(final File dir, final int memberId, final int memberCount, final int basePort)
        throws IOException
    {
        final File config = tmp.resolve("member-" + memberId + ".conf").toFile();
        writeConfig(config, dir, memberId, memberCount, basePort);
        final JunctionProcess member = JunctionProcess.start(tmp.resolve("member-" + memberId + ".log").toFile(),
            "run", "--config", config.getPath());
        resources.add(member);
        await().atMost(TIMEOUT).until(() ->
            new File(dir, Daemon.PROPERTIES_FILE).isFile() || !member.process().isAlive());
        assertTrue(member.process().isAlive(), member::output);
        return member;
    }

    private static int protocolPort(final File dir) throws IOException
    {
        return Integer.parseInt(Daemon.readProperties(dir).getProperty("listen.port"));
    }

    private static void publishNumbered(final ProtocolClient publisher, final String topic, final int count)
        throws IOException
    {
        final byte[] payload = new byte[8];
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(payload);
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(0, i);
            publisher.publish(topic, io.junction.Priority.NORMAL, payload, 0, payload.length);
        }
        publisher.flush();
    }

    private void writeConfig(final File config, final File dir, final int memberId, final int memberCount,
        final int basePort) throws IOException
    {
        Files.writeString(config.toPath(), String.join("\n",
            "dir = \"" + dir.getPath().replace("\\", "\\\\") + "\"",
            "observe-interval = 100ms",
            "listen.port = 0",
            "http.port = 0",
            "journal.enabled = false",
            "histogram-log = false",
            "regulation.rules = [ { pattern = \"limited.>\", rate = 1, burst = 1 } ]",
            // A 2 s heartbeat timeout: at the 250 ms default a loaded machine's pause is a spurious election,
            // and the test asserts who leads at each step.
            "cluster { enabled = true, member-id = " + memberId + ", member-count = " + memberCount +
                ", base-port = " + basePort + ", clean-start = true, leader-heartbeat-timeout = 2s," +
                " leader-heartbeat-interval = 100ms, election-timeout = 500ms, startup-canvass-timeout = 4s }",
            "alarms {",
            "  webhook = \"http://127.0.0.1:" + hookPort + "/hook" + memberId + "\"",
            "  rules = [ { name = no-leader, metric = cluster-no-leader, above = 0, raise-after = 3s,",
            "              clear-after = 1s, severity = critical } ]",
            "}",
            ""));
    }

    private void startHookServer() throws IOException
    {
        final DaemonTestSupport.WebhookReceiver hookServer = new DaemonTestSupport.WebhookReceiver();
        for (int i = 0; i < webhooks.size(); i++)
        {
            webhooks.set(i, hookServer.path("/hook" + i));
        }
        resources.add(hookServer.start());
        hookPort = hookServer.port();
    }

    /**
     * A base port whose layout (member i: base + 10 i + 0..4, UDP) is free now.
     */
    static int freeBasePort(final int members) throws IOException
    {
        final InetAddress localhost = InetAddress.getByName("localhost");
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 30_000 + 10 * ThreadLocalRandom.current().nextInt(2_500);
            boolean free = true;
            for (int port = base; port < base + 10 * members && free; port++)
            {
                try (DatagramSocket socket = new DatagramSocket(null))
                {
                    socket.bind(new InetSocketAddress(localhost, port));
                }
                catch (final IOException ex)
                {
                    free = false;
                }
            }
            if (free)
            {
                return base;
            }
        }
        throw new IOException("no free port range for " + members + " cluster member(s)");
    }

    private static long counter(final File dir, final int typeId)
    {
        try (CountersFileReader reader = CountersFileReader.open(Daemon.countersDir(dir)))
        {
            return reader.snapshot().stream().filter((c) -> c.typeId() == typeId).mapToLong(
                CountersFileReader.CounterValue::value).findFirst().orElse(Long.MIN_VALUE);
        }
        catch (final IOException | RuntimeException ex)
        {
            return Long.MIN_VALUE;
        }
    }

    private void assertWebhook(final int member, final String state) throws InterruptedException
    {
        final String body = webhooks.get(member).poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(null != body && body.contains("\"alarm\":\"no-leader\"") &&
            body.contains("\"state\":\"" + state + "\"") && body.contains("\"severity\":\"CRITICAL\""),
            "member " + member + ": expected no-leader " + state + ", got " + body);
    }


}
