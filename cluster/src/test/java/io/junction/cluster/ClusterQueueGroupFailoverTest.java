package io.junction.cluster;

import io.junction.QueueGroupDiscipline;
import io.junction.client.JunctionClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader is killed while queue groups take a stream of guaranteed publishes: every acknowledged message still
 * reaches its group, each member keeps its place (its client re-makes the membership on the new leader, which sends
 * again what the member was assigned after the last message it saw), a KEYED group keeps each key in order on one
 * member, and no member gets a message twice.
 */
@Tag("slow")
class ClusterQueueGroupFailoverTest
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
    @Timeout(180)
    void leaderKilledWithGroupsInPlaceLosesNothingAcknowledgedToTheGroup()
    {
        harness = new ClusterHarness(tempDir, 23_000, 3, (ctx) -> {}).startAll(true);
        final ClusterNode firstLeader = harness.awaitLeader(TIMEOUT);

        final GroupMembers balanced = new GroupMembers(harness, TIMEOUT);
        final GroupMembers keyed = new GroupMembers(harness, TIMEOUT);
        balanced.join("w1", "jobs.>", "workers", QueueGroupDiscipline.BALANCED);
        balanced.join("w2", "jobs.>", "workers", QueueGroupDiscipline.BALANCED);
        keyed.join("k1", "jobs.>", "books", QueueGroupDiscipline.KEYED);
        keyed.join("k2", "jobs.>", "books", QueueGroupDiscipline.KEYED);
        for (final GroupMembers.Member member : keyed.members)
        {
            balanced.alsoPoll(member.client);
        }

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        keyed.alsoPoll(publisher);
        final int count = 600;
        for (int i = 1; i <= count; i++)
        {
            balanced.publish(publisher, "jobs.x", i, 1 + (i % 16));
            if (i == count / 3)
            {
                balanced.pollUntil(() -> acks.acked >= count / 6);
                harness.stop(firstLeader.memberId());
            }
        }
        try
        {
            balanced.pollUntil(() -> acks.acked == count && balanced.distinct().size() == count &&
                keyed.distinct().size() == count);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + "; acked " + acks.acked + ", keyed " + keyed.describe(), ex);
        }
        final ClusterNode newLeader = harness.awaitLeader(TIMEOUT);
        assertNotEquals(firstLeader.memberId(), newLeader.memberId());
        assertTrue(acks.connectedEvents >= 2, "the publisher followed a new leader");

        // Let anything still on its way arrive before counting duplicates.
        final long settleUntilNs = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        balanced.pollUntil(() -> System.nanoTime() > settleUntilNs);

        assertEquals(ClusterQueueGroupTest.range(count), balanced.distinct(), "every acknowledged message, BALANCED");
        assertEquals(ClusterQueueGroupTest.range(count), keyed.distinct(), "every acknowledged message, KEYED");
        final int balancedDuplicates = balanced.all().size() - count;
        final int keyedDuplicates = keyed.all().size() - count;
        for (final GroupMembers.Member member : balanced.members)
        {
            assertEquals(new HashSet<>(member.values).size(), member.values.size(), member.name + " got one twice");
            ClusterQueueGroupTest.assertAscending(member.values, member.name);
            assertTrue(member.values.size() > count / 4, member.name + " kept its share: " + member.values.size());
        }
        final Set<Long> keys = new HashSet<>();
        for (final GroupMembers.Member member : keyed.members)
        {
            for (final Map.Entry<Long, List<Integer>> entry : member.byKey.entrySet())
            {
                assertTrue(keys.add(entry.getKey()), "key " + entry.getKey() + " on two members");
                ClusterQueueGroupTest.assertAscending(entry.getValue(), member.name + " key " + entry.getKey());
            }
        }
        assertEquals(0, balancedDuplicates, "duplicates across the group, BALANCED");
        assertEquals(0, keyedDuplicates, "duplicates across the group, KEYED");
        System.out.printf("queue group failover: %d messages, new leader %d, BALANCED %s, KEYED %s, " +
            "resent from the windows %d%n", count, newLeader.memberId(), balanced.describe(), keyed.describe(),
            newLeader.service().counters().replayed());
    }
}
