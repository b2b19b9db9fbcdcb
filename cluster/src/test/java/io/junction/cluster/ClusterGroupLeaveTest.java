package io.junction.cluster;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.QueueGroupDiscipline;
import io.junction.client.JunctionClient;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A queue-group member that is behind (its egress refused deliveries) and then UNSUBSCRIBEs: what its client had not
 * seen goes to the member that remains, so each message reaches the group once, none lost and none twice.
 */
@Tag("slow")
class ClusterGroupLeaveTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int PAYLOAD_LENGTH = 4000; // enough of them fill a client's egress that is not read

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
    @Timeout(180)
    void aMemberBehindThatUnsubscribesHandsWhatItHadNotSeenToTheOthers()
    {
        harness = new ClusterHarness(tempDir, 25_500, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final GroupMembers group = new GroupMembers(harness, TIMEOUT);
        final GroupMembers.Member a = group.join("a", "jobs.>", "workers", QueueGroupDiscipline.BALANCED);
        final GroupMembers.Member b = group.join("b", "jobs.>", "workers", QueueGroupDiscipline.BALANCED);
        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));

        // b is not read meanwhile: its egress fills and the leader's deliveries to it are refused.
        final int count = 300;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
        for (int value = 1; value <= count; value++)
        {
            payload.putInt(0, value);
            harness.pollUntil(TIMEOUT, () -> publisher.inFlight() < 16 && publisher.offer("jobs.x", Priority.NORMAL,
                QualityOfService.GUARANTEED, payload, 0, PAYLOAD_LENGTH) > 0, publisher, a.client);
        }
        harness.pollUntil(TIMEOUT, () -> acks.acked == count && a.values.size() == count / 2, publisher, a.client);
        assertTrue(leader.service().counters().egressDropped() > 0, "b's egress refused some");

        // b reads some of what reached it, and leaves while still behind.
        harness.pollUntil(TIMEOUT, () -> !b.values.isEmpty(), b.client);
        b.subscription.close();
        harness.pollUntil(TIMEOUT, () -> !b.subscription.isDraining() && group.distinct().size() == count,
            b.client, a.client, publisher);
        final Set<Integer> all = new HashSet<>(a.values);
        all.addAll(b.values);
        assertEquals(ClusterQueueGroupTest.range(count), all, "every message reached the group");
        assertEquals(count, a.values.size() + b.values.size(), "none twice: a " + a.values.size() + ", b " +
            b.values.size());
        assertTrue(leader.service().counters().queueGroupHandedOver() > 0, "b's unseen share went to a");
        assertEquals(0, leader.service().counters().queueGroupLost());
                ClusterQueueGroupTest.assertAscending(b.values, "b");
    }
}
