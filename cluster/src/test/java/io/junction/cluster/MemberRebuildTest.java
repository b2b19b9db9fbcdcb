package io.junction.cluster;

import io.aeron.cluster.service.Cluster;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.StartAt;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member whose disk is lost is rebuilt from the others: stopped, its whole member directory deleted, started
 * again on the empty directory. Aeron Cluster's election replicates the leader's log recording into its archive
 * (the log is whole while no purge runs, {@code snapshotsKept} 0) and the service replays it from the start, so the
 * rebuilt member's journal, subscriptions, sequences and snapshot come out the same as the others'. It is then made
 * the leader (its log is ahead of the member that was down) and serves: publishes through it, the subscriber that
 * subscribed while it was gone, and a replay from its rebuilt journal.
 */
@Tag("slow")
class MemberRebuildTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int SEGMENT_LENGTH = 256 * 1024;   // the least the log's term length (256k) allows
    private static final int PADDED_LENGTH = 1000;          // 600 publishes: more than two segments of log

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
    @Timeout(300)
    void memberWithAnEmptyDirectoryCatchesUpFromTheLeaderAndThenLeads()
    {
        harness = new ClusterHarness(tempDir, 24_300, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final int rebuiltId = (leader.memberId() + 1) % 3;
        final int otherId = (leader.memberId() + 2) % 3;

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        final List<Integer> received = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient(new ClientContext().instance("watch"));
        harness.subscribe(subscriber, "rebuild.>", (message) -> received.add(message.buffer().getInt(message.offset())),
            TIMEOUT);

        publishRange(publisher, 1, 100, subscriber);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 100, publisher, subscriber);
        harness.takeSnapshot(TIMEOUT);              // a snapshot in the log does not stop a replay from its start

        // The disk is lost: the member goes and so does everything under its directory.
        final File memberDir = harness.node(rebuiltId).context().nodeDir();
        harness.stop(rebuiltId);
        IoUtil.delete(memberDir, false);
        assertFalse(memberDir.exists());
        publishRange(publisher, 101, 200, subscriber);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 200, publisher, subscriber);

        // A fresh start on the empty directory, as a new host would make it (no clean start needed).
        final ClusterNode rebuilt = harness.start(rebuiltId, false);
        harness.pollUntil(TIMEOUT, () -> rebuilt.service().appliedSequence() == 200, publisher, subscriber);
        harness.awaitCondition(TIMEOUT, () -> rebuilt.role() == Cluster.Role.FOLLOWER && rebuilt.leaderMemberId() >= 0);
        assertFalse(rebuilt.service().restoredFromSnapshot(), "replayed the log from its start");

        // It is part of the quorum again: with the other follower down the cluster commits through it.
        harness.stop(otherId);
        publishRange(publisher, 201, 300, subscriber);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 300, publisher, subscriber);
        harness.awaitCondition(TIMEOUT, () -> rebuilt.service().appliedSequence() == 300);

        // The leader goes; the member that was down has the shorter log, so the rebuilt one is elected.
        harness.stop(leader.memberId());
        harness.start(otherId, false);
        final ClusterNode newLeader = harness.awaitLeader(TIMEOUT);
        assertEquals(rebuiltId, newLeader.memberId());

        publishRange(publisher, 301, 350, subscriber);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 350 && received.size() == 350, publisher, subscriber);
        assertEquals(range(1, 350), received, "the subscription made while it was gone, served by it, once each");
        assertTrue(acks.refused.isEmpty(), acks.refused.toString());

        // Its journal is whole: a replay from the earliest sequence, served by the rebuilt leader.
        final List<Integer> replayed = new ArrayList<>();
        final JunctionClient replayer = harness.newClient(new ClientContext().instance("replay"));
        replayer.subscribe("rebuild.>", (message) -> replayed.add(message.buffer().getInt(message.offset())),
            ClientSubscriptionOptions.defaults().startAt(StartAt.earliest()));
        harness.pollUntil(TIMEOUT, () -> replayed.size() == 350, replayer);
        assertEquals(range(1, 350), replayed);

        // The same state as the member that never lost its disk, byte for byte.
        harness.awaitApplied(350, TIMEOUT);
        harness.takeSnapshot(TIMEOUT);
        final long position = SnapshotBytes.latestLogPosition(newLeader);
        assertArrayEquals(SnapshotBytes.at(harness.node(otherId), position, TIMEOUT),
            SnapshotBytes.at(newLeader, position, TIMEOUT));

        harness.stopAll();
        final List<String> journal = JournalReader.entries(harness.journalDir(rebuiltId));
        assertEquals(350, journal.size());
        assertEquals(JournalReader.entries(harness.journalDir(otherId)), journal);
        assertEquals(JournalReader.entries(harness.journalDir(leader.memberId())), journal.subList(0, 300));
    }

    @Test
    @Timeout(300)
    void afterThePurgeAMemberWithAnEmptyDirectoryIsSeededFromASnapshotAndCatchesUp()
    {
        harness = new ClusterHarness(tempDir, 24_400, 3, (ctx) -> ctx
            .segmentFileLength(SEGMENT_LENGTH).snapshotIntervalNs(0).snapshotsKept(1)).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final int rebuiltId = (leader.memberId() + 1) % 3;
        final int otherId = (leader.memberId() + 2) % 3;
        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        final List<Integer> received = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient(new ClientContext().instance("watch"));
        harness.subscribe(subscriber, "rebuild.>", (message) -> received.add(message.buffer().getInt(message.offset())),
            TIMEOUT);

        // Two snapshots with more than a segment of log before each: every member purges the log's start.
        publishPadded(publisher, 1, 600, subscriber);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 600, publisher, subscriber);
        harness.takeSnapshot(TIMEOUT);
        publishPadded(publisher, 601, 1200, subscriber);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 1200, publisher, subscriber);
        harness.takeSnapshot(TIMEOUT);
        harness.awaitCondition(TIMEOUT, () -> harness.running().stream()
            .allMatch((node) -> node.service().counters().logPurgedBytes() > 0));

        final File memberDir = harness.node(rebuiltId).context().nodeDir();
        harness.stop(rebuiltId);
        IoUtil.delete(memberDir, false);
        publishPadded(publisher, 1201, 1300, subscriber);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 1300, publisher, subscriber);

        // The seed copies the latest snapshot and the log after it from a running member, then follows the log.
        try (MemberSeed seed = MemberSeed.launch(harness.contextFor(rebuiltId)))
        {
            harness.pollUntil(TIMEOUT, seed::isLive, publisher, subscriber);
        }
        final ClusterNode rebuilt = harness.start(rebuiltId, false);
        harness.pollUntil(TIMEOUT, () -> rebuilt.service().appliedSequence() == 1300, publisher, subscriber);
        assertTrue(rebuilt.service().restoredFromSnapshot(), "started from the seeded snapshot");

        // It is in the quorum: with the other follower down the cluster commits through it.
        harness.stop(otherId);
        publishPadded(publisher, 1301, 1350, subscriber);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 1350 && received.size() == 1350, publisher, subscriber);
        harness.awaitCondition(TIMEOUT, () -> rebuilt.service().appliedSequence() == 1350);
        assertEquals(range(1, 1350), received);
        harness.start(otherId, false);
        harness.awaitApplied(1350, TIMEOUT);
        harness.takeSnapshot(TIMEOUT);
        final long position = SnapshotBytes.latestLogPosition(rebuilt);
        assertArrayEquals(SnapshotBytes.at(harness.node(leader.memberId()), position, TIMEOUT),
            SnapshotBytes.at(rebuilt, position, TIMEOUT));

        // Its journal starts after the snapshot it was seeded with; from there it is the others'.
        harness.stopAll();
        final List<String> journal = JournalReader.entries(harness.journalDir(rebuiltId));
        final List<String> whole = JournalReader.entries(harness.journalDir(leader.memberId()));
        assertEquals(1350, whole.size());
        assertEquals(whole.subList(whole.size() - journal.size(), whole.size()), journal);
        assertTrue(journal.size() >= 150 && journal.size() < 1350, "journal of " + journal.size());
    }

    private static void publishPadded(
        final JunctionClient publisher, final int from, final int to, final JunctionClient... alsoPoll)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PADDED_LENGTH]);
        for (int i = from; i <= to; i++)
        {
            payload.putInt(0, i);
            final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
            while (publisher.inFlight() >= 16 ||
                publisher.offer("rebuild.a", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, PADDED_LENGTH) < 0)
            {
                publisher.poll();
                for (final JunctionClient client : alsoPoll)
                {
                    client.poll();
                }
                if (System.nanoTime() > deadlineNs)
                {
                    throw new AssertionError("could not publish " + i);
                }
            }
        }
    }

    static void publishRange(final JunctionClient publisher, final int from, final int to, final JunctionClient... alsoPoll)
    {
        for (int i = from; i <= to; i++)
        {
            ClusterAcceptanceTest.publishInt(publisher, "rebuild.a", i, alsoPoll);
        }
    }

    static List<Integer> range(final int from, final int to)
    {
        final List<Integer> values = new ArrayList<>();
        for (int i = from; i <= to; i++)
        {
            values.add(i);
        }
        return values;
    }
}
