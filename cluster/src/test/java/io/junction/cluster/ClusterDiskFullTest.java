package io.junction.cluster;

import io.junction.client.JunctionClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member whose journal's file system has less than its minimum free bytes stops with an error naming the
 * directory and the free space, its journal a readable prefix of the others'; the other two keep serving.
 */
@Tag("slow")
class ClusterDiskFullTest
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
    void memberBelowMinimumFreeDiskStopsAndTheOthersServe()
    {
        final Queue<String> errors = new ConcurrentLinkedQueue<>();
        harness = new ClusterHarness(tempDir, 22_100, 3, (ctx) -> ctx.errorHandler((ex) -> errors.add(ex.getMessage())))
            .startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final int followerId = (leader.memberId() + 1) % 3;

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        publishRange(publisher, 1, 50);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 50, publisher);
        harness.awaitApplied(50, TIMEOUT);

        // The follower comes back on a "disk" that can never have enough room.
        harness.stop(followerId);
        final ClusterNode full = harness.start(followerId, false, (ctx) -> ctx.journalMinFreeDiskBytes(Long.MAX_VALUE));
        harness.pollUntil(TIMEOUT, full::isStopped, publisher);
        harness.forget(followerId);

        final String reason = full.stopReason();
        assertNotNull(reason);
        final String journalDir = harness.journalDir(followerId).getPath();
        assertTrue(reason.contains(journalDir) && reason.contains("bytes usable") &&
            reason.contains("minimum free " + Long.MAX_VALUE), reason);
        assertTrue(errors.stream().anyMatch((message) -> message.contains("cluster member " + followerId + " stops")),
            errors.toString());

        // Two of three still make a quorum: publishing goes on.
        publishRange(publisher, 51, 100);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 100, publisher);
        harness.awaitApplied(100, TIMEOUT);
        publisher.close();

        harness.stopAll();
        final List<String> stoppedJournal = JournalReader.entries(harness.journalDir(followerId));
        final List<String> leaderJournal = JournalReader.entries(harness.journalDir(leader.memberId()));
        assertEquals(100, leaderJournal.size());
        assertEquals(leaderJournal.subList(0, stoppedJournal.size()), stoppedJournal);
        assertTrue(stoppedJournal.size() >= 50, "the stopped member's journal kept what it had: " + stoppedJournal.size());
    }

    private static void publishRange(final JunctionClient publisher, final int from, final int to)
    {
        for (int i = from; i <= to; i++)
        {
            ClusterAcceptanceTest.publishInt(publisher, "ticks.a", i);
        }
    }
}
