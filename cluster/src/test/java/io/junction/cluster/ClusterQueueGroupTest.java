package io.junction.cluster;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.QueueGroupDiscipline;
import io.junction.client.ClientContext;
import io.junction.client.JunctionClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Queue groups served by a 3-member cluster through the client library: each message reaches one member of the
 * group while members join and leave, KEYED keeps each key's messages in order on one member, and a session that
 * goes without unsubscribing hands what it had not confirmed to the members that remain.
 */
@Tag("slow")
class ClusterQueueGroupTest
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
    void balancedGroupDeliversEachMessageToExactlyOneMemberWhileMembersJoinAndLeave()
    {
        harness = new ClusterHarness(tempDir, 22_700, 3, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);
        final GroupMembers group = new GroupMembers(harness, TIMEOUT);
        final GroupMembers.Member a = group.join("a", "jobs.>", "workers", QueueGroupDiscipline.BALANCED);
        final GroupMembers.Member b = group.join("b", "jobs.>", "workers", QueueGroupDiscipline.BALANCED);
        final List<Integer> everyone = new ArrayList<>();
        final JunctionClient audit = harness.newClient(new ClientContext().instance("audit"));
        harness.subscribe(audit, "jobs.>", (message) -> everyone.add(message.buffer().getInt(message.offset())),
            TIMEOUT);
        group.alsoPoll(audit);

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        final int phase = 150;
        int value = 0;
        for (int i = 0; i < phase; i++)
        {
            group.publish(publisher, "jobs.x", ++value, 0);
        }
        group.pollUntil(() -> group.received() == phase, publisher, audit);
        assertEquals(phase / 2, a.values.size(), "round robin over two members: " + b.values.size());

        final GroupMembers.Member c = group.join("c", "jobs.>", "workers", QueueGroupDiscipline.BALANCED);
        for (int i = 0; i < phase; i++)
        {
            group.publish(publisher, "jobs.y", ++value, 0);
        }
        group.pollUntil(() -> group.received() == 2 * phase, publisher, audit);
        assertTrue(c.values.size() >= phase / 3 - 1, "the joiner takes its turn: " + c.values);

        b.subscription.close(); // a leave while traffic flows
        final int bAtLeave = b.values.size();
        for (int i = 0; i < phase; i++)
        {
            group.publish(publisher, "jobs.z", ++value, 0);
        }
        final int total = value;
        group.pollUntil(() -> acks.acked == total && group.received() == total && everyone.size() == total,
            publisher, audit);

        assertEquals(group.all().size(), group.distinct().size(), "no message reached two members");
        assertEquals(range(total), group.distinct(), "every message reached one member");
        assertTrue(b.values.size() - bAtLeave <= 32, "the leaver got nothing after its leave took effect");
        assertFalse(b.subscription.isDraining(), "the leave was answered");
        assertEquals(total, everyone.size(), "a plain subscription still gets every message");
        // In order until the leave: after it the others take the leaver's unconfirmed assignments, which come after
        // what they already had.
        for (final GroupMembers.Member member : group.members)
        {
            assertAscending(member.values.stream().filter((v) -> v <= 2 * phase).toList(), member.name);
        }
    }

    @Test
    @Timeout(150)
    void keyedGroupKeepsEachKeysOrderOnOneMember()
    {
        harness = new ClusterHarness(tempDir, 22_800, 3, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);
        final GroupMembers group = new GroupMembers(harness, TIMEOUT);
        group.join("a", "orders.>", "books", QueueGroupDiscipline.KEYED);
        group.join("b", "orders.>", "books", QueueGroupDiscipline.KEYED);
        group.join("c", "orders.>", "books", QueueGroupDiscipline.KEYED);

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        final int count = 600;
        final int keys = 24;
        for (int i = 1; i <= count; i++)
        {
            group.publish(publisher, "orders.new", i, 1 + (i % keys));
        }
        group.pollUntil(() -> acks.acked == count && group.received() == count, publisher);

        assertEquals(range(count), group.distinct());
        assertEquals(count, group.all().size(), "no message reached two members");
        final Set<Long> seen = new HashSet<>();
        int membersWithKeys = 0;
        for (final GroupMembers.Member member : group.members)
        {
            for (final Map.Entry<Long, List<Integer>> entry : member.byKey.entrySet())
            {
                assertTrue(seen.add(entry.getKey()), "key " + entry.getKey() + " reached two members");
                assertAscending(entry.getValue(), member.name + " key " + entry.getKey());
                assertEquals(count / keys, entry.getValue().size(), "all of key " + entry.getKey());
            }
            membersWithKeys += member.byKey.isEmpty() ? 0 : 1;
        }
        assertEquals(keys, seen.size());
        assertTrue(membersWithKeys >= 2, "the keys spread over the members");

        // With no key the topic is the key: each topic stays with one member, in order.
        final GroupMembers byTopic = new GroupMembers(harness, TIMEOUT);
        byTopic.join("t1", "fills.>", "fills", QueueGroupDiscipline.KEYED);
        byTopic.join("t2", "fills.>", "fills", QueueGroupDiscipline.KEYED);
        for (int i = 1; i <= 200; i++)
        {
            byTopic.publish(publisher, "fills.t" + (i % 8), i, 0);
        }
        byTopic.pollUntil(() -> acks.acked == count + 200 && byTopic.received() == 200, publisher);
        final Set<Integer> t1Topics = topics(byTopic.members.get(0).values);
        final Set<Integer> t2Topics = topics(byTopic.members.get(1).values);
        assertTrue(java.util.Collections.disjoint(t1Topics, t2Topics), t1Topics + " / " + t2Topics);
        assertEquals(200, byTopic.distinct().size());
        assertAscending(byTopic.members.get(0).values, "t1");
        assertAscending(byTopic.members.get(1).values, "t2");
    }

    @Test
    @Timeout(150)
    void aSessionGoneWithoutUnsubscribingHandsItsUnconfirmedAssignmentsToTheOthers()
    {
        harness = new ClusterHarness(tempDir, 22_900, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final GroupMembers group = new GroupMembers(harness, TIMEOUT);
        final GroupMembers.Member a = group.join("a", "jobs.>", "workers", QueueGroupDiscipline.BALANCED);
        final GroupMembers.Member gone = group.join("gone", new ClientContext().instance("gone").closeTimeoutNs(0),
            "jobs.>", "workers", QueueGroupDiscipline.BALANCED);

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        final int count = 100;
        for (int i = 1; i <= count; i++)
        {
            // Only a is polled: the other member's client sees (and so confirms) nothing.
            publishPolling(publisher, "jobs.x", i, a.client);
        }
        harness.pollUntil(TIMEOUT, () -> acks.acked == count && a.values.size() == count / 2, publisher, a.client);
        assertEquals(0, gone.values.size());

        gone.client.close(); // at once: the session closes, nothing unsubscribed
        harness.pollUntil(TIMEOUT, () -> a.values.size() == count, publisher, a.client);
        assertEquals(range(count), new HashSet<>(a.values), "a has every message: its own and the leaver's");
        assertEquals(count, a.values.size(), "none twice");
        assertTrue(leader.service().counters().queueGroupHandedOver() >= count / 2,
            "handed over counted: " + leader.service().counters().queueGroupHandedOver());
        assertEquals(0, leader.service().counters().queueGroupLost());
    }

    @Test
    @Timeout(150)
    void aSessionThatTimesOutIsALeaveWhoseUnconfirmedAssignmentsGoToTheOthers()
    {
        // The default session timeout (10 s): a shorter one can time out live sessions too on a loaded machine.
        harness = new ClusterHarness(tempDir, 22_980, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final GroupMembers group = new GroupMembers(harness, TIMEOUT);
        final GroupMembers.Member a = group.join("a", "jobs.>", "workers", QueueGroupDiscipline.KEYED);
        final GroupMembers.Member silent = group.join("silent", "jobs.>", "workers", QueueGroupDiscipline.KEYED);

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        final int count = 120;
        for (int i = 1; i <= count; i++)
        {
            publishPolling(publisher, "jobs.k" + (i % 12), i, a.client); // the other member's client is never polled
        }
        // Its session sends no keepalive: it times out, and a gets what it had been assigned, in order per topic.
        try
        {
            harness.pollUntil(TIMEOUT, () -> acks.acked == count && a.values.size() == count, publisher, a.client);
        }
        catch (final AssertionError ex)
        {
            final ServiceCounters counters = harness.awaitLeader(TIMEOUT).service().counters();
            throw new AssertionError(ex.getMessage() + ": acked " + acks.acked + ", a received " + a.values.size() +
                ", handed over " + counters.queueGroupHandedOver() + ", lost " + counters.queueGroupLost() +
                ", a connects " + a.client.statistics().connects(), ex);
        }
        assertEquals(0, silent.values.size());
        assertEquals(range(count), new HashSet<>(a.values));
        assertTrue(leader.service().counters().queueGroupHandedOver() > 0);
        final java.util.Map<Integer, List<Integer>> byTopic = new java.util.HashMap<>();
        for (final int value : a.values)
        {
            byTopic.computeIfAbsent(value % 12, (k) -> new ArrayList<>()).add(value);
        }
        byTopic.forEach((topic, values) -> assertAscending(values, "topic jobs.k" + topic));
    }

    @Test
    @Timeout(120)
    void aGroupMemberThatAsksForThePastOrForDurabilityIsRefusedWithAReason()
    {
        harness = new ClusterHarness(tempDir, 22_950, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final JunctionClient client = harness.newClient(new ClientContext().instance("asker"));
        final io.junction.client.ClientSubscription earliest = client.subscribe("jobs.>", (message) -> { },
            io.junction.client.ClientSubscriptionOptions.defaults().queueGroup("workers")
                .startAt(io.junction.client.StartAt.earliest()));
        final io.junction.client.ClientSubscription durable = client.subscribe("jobs.>", (message) -> { },
            io.junction.client.ClientSubscriptionOptions.defaults().queueGroup("workers").durable("d1"));
        harness.pollUntil(TIMEOUT, () -> !earliest.isActive() && !durable.isActive(), client);
        assertTrue(earliest.endReason().contains("starts with what comes next"), earliest.endReason());
        assertTrue(durable.endReason().contains("not durable in the cluster"), durable.endReason());
        assertTrue(leader.service().counters().protocolRefusals() >= 1);
    }

    private void publishPolling(final JunctionClient publisher, final String topic, final int value,
        final JunctionClient poll)
    {
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(new byte[12]);
        buffer.putInt(0, value);
        harness.pollUntil(TIMEOUT, () -> publisher.inFlight() < 32 &&
            publisher.offer(topic, Priority.NORMAL, QualityOfService.GUARANTEED, buffer, 0, 12) > 0, publisher, poll);
    }

    private static Set<Integer> topics(final List<Integer> values)
    {
        final Set<Integer> topics = new HashSet<>();
        for (final int value : values)
        {
            topics.add(value % 8);
        }
        return topics;
    }

    static Set<Integer> range(final int count)
    {
        final Set<Integer> range = new HashSet<>();
        for (int i = 1; i <= count; i++)
        {
            range.add(i);
        }
        return range;
    }

    static void assertAscending(final List<Integer> values, final String what)
    {
        for (int i = 1; i < values.size(); i++)
        {
            assertFalse(values.get(i) <= values.get(i - 1), what + " out of order at " + i + ": " + values);
        }
    }
}
