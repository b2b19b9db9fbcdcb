package io.junction.cluster;

import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import io.junction.client.JunctionClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A follower stopped and started again on its directory names the leader it follows (its counters and
 * {@code junction stat} show it), whether it recovers from a snapshot taken in the current term (whose log after it
 * holds no new-term event to learn the leader from) or from its log alone.
 */
class RestartedFollowerLeaderTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(40);

    @TempDir
    File tempDir;

    private ClusterHarness harness;

    @AfterEach
    void tearDown()
    {
        if (null != harness)
        {
            harness.close();
        }
    }

    @Test
    @Timeout(150)
    void followerRestartedFromASnapshotNamesTheLeader()
    {
        restartAFollowerAndCheckItsLeader(true);
    }

    @Test
    @Timeout(150)
    void followerRestartedFromItsLogNamesTheLeader()
    {
        restartAFollowerAndCheckItsLeader(false);
    }

    private void restartAFollowerAndCheckItsLeader(final boolean snapshotFirst)
    {
        harness = new ClusterHarness(tempDir, 23_100, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final int followerId = (leader.memberId() + 1) % 3;

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        ClusterAcceptanceTest.publishInt(publisher, "a.b", 1);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 1, publisher);
        harness.awaitApplied(1, TIMEOUT);
        harness.awaitCondition(TIMEOUT, () -> harness.node(followerId).leaderMemberId() == leader.memberId());
        if (snapshotFirst)
        {
            harness.takeSnapshot(TIMEOUT);
        }

        harness.stop(followerId);
        ClusterAcceptanceTest.publishInt(publisher, "a.b", 2);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 2, publisher);

        final ClusterNode restarted = harness.start(followerId, false);
        harness.pollUntil(TIMEOUT, () -> restarted.role() == Cluster.Role.FOLLOWER &&
            restarted.electionState() == ElectionState.CLOSED && restarted.service().appliedSequence() == 2, publisher);
        // It has caught up and follows: it should name the leader now, or within a heartbeat or two.
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        harness.pollUntil(Duration.ofSeconds(10), () -> restarted.leaderMemberId() == leader.memberId() ||
            System.nanoTime() > deadlineNs, publisher);
        assertEquals(leader.memberId(), restarted.leaderMemberId(), "the restarted follower's leader");
        assertEquals(leader.memberId(), harness.node(leader.memberId()).leaderMemberId());
    }
}
