package io.junction.cluster.netns;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults on a three-host cluster under a steady load from a client on a fourth host, chained on one cluster start:
 * SIGKILL of the leader twice in a row, SIGTERM of the leader, a partition of the leader from the followers, a
 * minority partition, random packet loss, and a loss of quorum. The {@link History} checker then verifies that no
 * acknowledged message was lost and none delivered twice to the (exactly-once) subscriber; during the partition
 * the old leader's side must stop acknowledging within the heartbeat timeout, and on quorum loss the client must
 * report its link down.
 * <p>
 * Seeded: the seed (printed) picks the load's rate, the pauses before faults, the partitioned follower and the loss
 * rate; {@code -Djunction.fault.seed=S} repeats one, {@code -Djunction.fault.seeds=N} runs N seeds (the
 * {@code fault-seeds} profile of the cluster module). Timing on a shared machine still varies from run to run.
 */
@Tag("netns")
class NetnsFaultTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** ClusterNodeMain's default leader heartbeat timeout. */
    private static final long HEARTBEAT_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Scheduling on a loaded 2-core machine: how late a step down or a last acknowledgement may be seen. */
    private static final long SLACK_NS = TimeUnit.MILLISECONDS.toNanos(1500);
    /**
     * When the client learns the quorum is gone: its cluster transport's probe goes unanswered for 1.5 x the leader
     * heartbeat timeout plus 750 ms, and the client is told NO_QUORUM, within twice the heartbeat timeout plus that.
     */
    private static final long LINK_DOWN_BOUND_NS = 2 * HEARTBEAT_TIMEOUT_NS + TimeUnit.MILLISECONDS.toNanos(750);

    private NsCluster cluster;
    private File baseDir;

    @BeforeAll
    static void needsNamespaces()
    {
        NetnsHosts.assumeAvailable();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != cluster)
        {
            cluster.close();
        }
        if (null != baseDir)
        {
            org.agrona.IoUtil.delete(baseDir, true);
        }
    }

    static LongStream seeds()
    {
        final Long seed = Long.getLong("junction.fault.seed");
        final long first = null != seed ? seed : System.nanoTime() ^ System.currentTimeMillis() << 20;
        return LongStream.range(0, Long.getLong("junction.fault.seeds", 1)).map((i) -> first + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @Timeout(600)
    void faultsLoseNothingAcknowledged(final long seed) throws Exception
    {
        System.out.println("NetnsFaultTest seed " + seed + " (repeat with -Djunction.fault.seed=" + seed + ")");
        final Random random = new Random(seed);
        final int rate = 150 + random.nextInt(250);
        baseDir = Files.createTempDirectory("netns-fault").toFile();
        cluster = new NsCluster(3, baseDir).startAll();
        final History history = cluster.history();
        int leader = cluster.awaitAgreement(WAIT);

        final NsProcess client = cluster.startClient();
        client.send("sub fault.>");
        cluster.awaitOrFail(WAIT, "the subscription", history::subscribed);
        client.send("pub 100000000 " + rate);
        awaitProgress(history, 50);

        final List<String> log = new ArrayList<>();
        for (int i = 1; i <= 2; i++)
        {
            pause(random);
            final int killed = leader;
            cluster.sigkill(killed);
            final long killedNs = System.nanoTime();
            leader = cluster.awaitLeaderOtherThan(killed, WAIT);
            log.add("SIGKILL " + i + " of leader " + killed + ": new leader " + leader + " after " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs) + " ms");
            awaitProgress(history, 20);
            cluster.start(killed);
            leader = cluster.awaitAgreement(WAIT);
        }

        pause(random);
        final int stopped = leader;
        final long stopNs = System.nanoTime();
        final int exitCode = cluster.sigterm(stopped);
        assertTrue(0 == exitCode || 143 == exitCode, () -> "exit code " + exitCode + " after SIGTERM:\n" +
            cluster.outputs());
        leader = cluster.awaitLeaderOtherThan(stopped, WAIT);
        log.add("SIGTERM of leader " + stopped + ": new leader " + leader + " after " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopNs) + " ms");
        awaitProgress(history, 20);
        cluster.start(stopped);
        leader = cluster.awaitAgreement(WAIT);

        // The leader is cut off from both followers (the client still reaches every member).
        pause(random);
        final int isolated = leader;
        final int[] followers = others(isolated);
        cluster.hosts().isolate(isolated, followers);
        final long partitionNs = System.nanoTime();
        leader = cluster.awaitLeaderOtherThan(isolated, WAIT);
        cluster.awaitOrFail(WAIT, "the isolated leader to step down", () -> !"LEADER".equals(cluster.role(isolated)));
        final long stepDownMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - partitionNs);
        final long lateAcks = acksFromOldLeaderAfter(history, partitionNs + HEARTBEAT_TIMEOUT_NS + SLACK_NS, leader);
        assertEquals(0, lateAcks, () -> "acknowledgements from the isolated leader's side after the heartbeat " +
            "timeout:\n" + cluster.outputs());
        log.add("partition of leader " + isolated + ": new leader " + leader + " after " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - partitionNs) + " ms, old leader stepped down after " +
            stepDownMs + " ms");
        awaitProgress(history, 20);
        cluster.hosts().healAll();
        leader = cluster.awaitAgreement(WAIT);

        // A follower is cut off from everyone: the majority carries on; the follower knows no leader.
        pause(random);
        final int[] followersNow = others(leader);
        final int minority = followersNow[random.nextInt(followersNow.length)];
        cluster.hosts().isolate(minority, others(minority, cluster.clientHost()));
        awaitProgress(history, 50);
        cluster.awaitOrFail(WAIT, "the minority member to lose its leader",
            () -> "none".equals(cluster.leaderOf(minority)) || !"FOLLOWER".equals(cluster.role(minority)));
        final int leaderDuringMinority = cluster.agreedLeader(minority);
        log.add("minority partition of " + minority + ": leader " + leaderDuringMinority + " carried on");
        cluster.hosts().healAll();
        leader = cluster.awaitAgreement(WAIT);

        // Random loss on every member's host.
        pause(random);
        final int lossPercent = 3 + random.nextInt(10);
        for (int member = 0; member < 3; member++)
        {
            cluster.hosts().loss(member, lossPercent);
        }
        awaitProgress(history, 100);
        cluster.hosts().healAll();
        leader = cluster.awaitAgreement(WAIT);
        log.add("loss " + lossPercent + "% on every member: progressed");

        // Quorum lost: the leader and a follower die. Nothing is acknowledged after that; the client is told NO_QUORUM
        // (it reports the link down) within twice the leader heartbeat timeout.
        pause(random);
        final int survivor = others(leader)[random.nextInt(2)];
        final int[] dead = others(survivor);
        final long quorumLostNs = System.nanoTime();
        for (final int member : dead)
        {
            cluster.sigkill(member);
        }
        cluster.awaitOrFail(WAIT, "the client to report its link down", () -> history.since(quorumLostNs).stream()
            .anyMatch((e) -> e.line().equals("LINK down")));
        final long linkDownNs = history.since(quorumLostNs).stream().filter((e) -> e.line().equals("LINK down"))
            .findFirst().orElseThrow().nanoTime();
        assertTrue(linkDownNs - quorumLostNs < LINK_DOWN_BOUND_NS + 2 * SLACK_NS,
            "link down after " + TimeUnit.NANOSECONDS.toMillis(linkDownNs - quorumLostNs) + " ms");
        final long acksAfterLoss = history.since(quorumLostNs + SLACK_NS).stream()
            .filter((e) -> e.line().startsWith("ACK ")).count();
        assertEquals(0, acksAfterLoss, () -> "acknowledged without a quorum:\n" + cluster.outputs());
        log.add("quorum lost (" + dead[0] + ", " + dead[1] + " killed): link down after " +
            TimeUnit.NANOSECONDS.toMillis(linkDownNs - quorumLostNs) + " ms, no acknowledgement");
        for (final int member : dead)
        {
            cluster.start(member);
        }
        leader = cluster.awaitAgreement(WAIT);

        client.send("stop");
        try
        {
            cluster.awaitOrFail(Duration.ofSeconds(60), "every sent message acknowledged and delivered",
                () -> history.settled() && history.sent() > 0 && client.isAlive());
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError("seed " + seed + ", client alive " + client.isAlive() + ": " +
                history.summary() + "; " + log, ex);
        }
        assertEquals(List.of(), history.check(), cluster::outputs);
        System.out.println("NetnsFaultTest seed " + seed + ": " + history.sent() + " sent, " + history.acked() +
            " acknowledged, " + history.delivered() + " delivered once each at " + rate + "/s; " + log);
    }

    /**
     * @return acknowledgements read after the time and before the client connected to the new leader.
     */
    private static long acksFromOldLeaderAfter(final History history, final long afterNs, final int newLeader)
    {
        long count = 0;
        for (final History.Event event : history.since(afterNs))
        {
            if (event.line().equals("CONNECTED " + newLeader))
            {
                break;
            }
            if (event.line().startsWith("ACK "))
            {
                count++;
            }
        }
        return count;
    }

    private void awaitProgress(final History history, final long more)
    {
        final long target = history.acked() + more;
        cluster.awaitOrFail(WAIT, "acknowledgements to reach " + target, () -> history.acked() >= target);
    }

    /**
     * Let the load run a little before the next fault: until a seeded number of further acknowledgements.
     */
    private void pause(final Random random)
    {
        awaitProgress(cluster.history(), 20 + random.nextInt(200));
    }

    private static int[] others(final int member, final int... plus)
    {
        final int[] others = new int[2 + plus.length];
        int n = 0;
        for (int i = 0; i < 3; i++)
        {
            if (i != member)
            {
                others[n++] = i;
            }
        }
        for (final int extra : plus)
        {
            others[n++] = extra;
        }
        return others;
    }
}
