package io.junction.cluster;

import io.aeron.cluster.service.Cluster;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.QueueGroupDiscipline;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
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
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publish's time-to-live in the cluster: decided on the log's time, so a message held for a subscriber that is
 * not consuming (a durable subscription away, a queue-group member that confirms nothing) is not delivered once it
 * has run out, and every member, a member rebuilt from the log included, counts the same expiries.
 */
@Tag("slow")
class ClusterTtlTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long TTL_NS = TimeUnit.MILLISECONDS.toNanos(300);
    /** Past the time-to-live by this much on the wall clock, the log's time (the leader's clock) is past it too. */
    private static final long PAST_TTL_NS = TTL_NS + TimeUnit.MILLISECONDS.toNanos(700);

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
    @Timeout(240)
    void aDurableSubscriberThatResumesAfterTheTtlGetsOnlyWhatHasNotExpiredAndARebuiltMemberCountsTheSame()
    {
        harness = new ClusterHarness(tempDir, 25_100, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));

        // The durable subscriber confirms its place, then goes away: what comes next waits in the journal.
        final JunctionClient away = harness.newClient(new ClientContext().instance("away"));
        final ClientSubscription first = away.subscribe("ttl.>", (message) -> { },
            ClientSubscriptionOptions.defaults().durable("audit"));
        harness.pollUntil(TIMEOUT, first::isInEffect, away);
        publish(publisher, "ttl.x", 0, 0);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 1 && first.ack(1), publisher, away);
        away.close(); // graceful: its ACK is applied before its UNSUBSCRIBE

        // Odd values with a short time-to-live, even ones with none: all answered DURABLE.
        final int count = 20;
        for (int i = 1; i <= count; i++)
        {
            publish(publisher, "ttl.x", i, 1 == (i & 1) ? TTL_NS : 0);
        }
        harness.pollUntil(TIMEOUT, () -> acks.acked == count + 1, publisher);
        assertTrue(acks.refused.isEmpty(), acks.refused.toString());
        final long publishedAtNs = System.nanoTime();
        harness.pollUntil(TIMEOUT, () -> System.nanoTime() - publishedAtNs > PAST_TTL_NS, publisher);
        assertEquals(0, leader.service().counters().expired(), "nothing decided yet: no entry came after the ttl");

        // It resumes after the time-to-live: the journal has all 20, the subscriber gets only the even ones.
        final List<Integer> received = new ArrayList<>();
        final JunctionClient back = harness.newClient(new ClientContext().instance("back"));
        final ClientSubscription resumed = back.subscribe("ttl.>",
            (message) -> received.add(message.buffer().getInt(message.offset())),
            ClientSubscriptionOptions.defaults().durable("audit"));
        harness.pollUntil(TIMEOUT, () -> resumed.isInEffect() && received.size() >= count / 2, back, publisher);
        publish(publisher, "ttl.x", count + 2, 0); // one more: nothing expired was queued behind it
        harness.pollUntil(TIMEOUT, () -> received.size() == count / 2 + 1, back, publisher);
        assertEquals(evens(count + 2), received, "the expired odd values are never delivered");

        final int expired = count / 2;
        assertEquals(expired, leader.service().counters().expired(), "counted on the leader");
        harness.awaitApplied(count + 2, TIMEOUT);
        harness.awaitCondition(TIMEOUT, () -> everyMemberCounted(expired));

        // A member whose disk is lost replays the whole log: the same decisions at the same log times.
        final int rebuiltId = (leader.memberId() + 1) % 3;
        final File memberDir = harness.node(rebuiltId).context().nodeDir();
        harness.stop(rebuiltId);
        IoUtil.delete(memberDir, false);
        final ClusterNode rebuilt = harness.start(rebuiltId, false);
        harness.pollUntil(TIMEOUT, () -> rebuilt.service().appliedSequence() == count + 2, publisher, back);
        harness.awaitCondition(TIMEOUT, () -> rebuilt.role() == Cluster.Role.FOLLOWER);
        assertEquals(expired, rebuilt.service().counters().expired(), "the rebuilt member counts the same");
        assertTrue(leader.service().counters().expiredUnsent() >= 0);
    }

    @Test
    @Timeout(180)
    void aGroupMemberThatConfirmsNothingHoldsMessagesThatExpireInsteadOfBeingHandedOver()
    {
        harness = new ClusterHarness(tempDir, 25_200, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final GroupMembers group = new GroupMembers(harness, TIMEOUT);
        final GroupMembers.Member a = group.join("a", "jobs.>", "workers", QueueGroupDiscipline.BALANCED);
        final GroupMembers.Member silent = group.join("silent", new ClientContext().instance("silent").closeTimeoutNs(0),
            "jobs.>", "workers", QueueGroupDiscipline.BALANCED);

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        final int count = 40;
        for (int i = 1; i <= count; i++)
        {
            publish(publisher, "jobs.x", i, i <= count / 2 ? TTL_NS : 0, a.client); // the silent member is never polled
        }
        harness.pollUntil(TIMEOUT, () -> acks.acked == count && a.values.size() == count / 2, publisher, a.client);
        final long publishedAtNs = System.nanoTime();
        harness.pollUntil(TIMEOUT, () -> System.nanoTime() - publishedAtNs > PAST_TTL_NS, publisher, a.client);

        // The silent member goes: what it held with a time-to-live has run out; the rest is handed to a.
        silent.client.close();
        final int silentShare = count / 2;
        final int expired = silentShare / 2;
        harness.pollUntil(TIMEOUT, () -> a.values.size() == count - expired, publisher, a.client);
        final HashSet<Integer> got = new HashSet<>(a.values);
        for (int i = 1; i <= count; i++)
        {
            final boolean silentHeldIt = 0 == (i & 1); // round robin: a had the odd ones, silent the even ones
            assertEquals(!(silentHeldIt && i <= count / 2), got.contains(i), "value " + i + " in " + a.values);
        }
        assertEquals(expired, leader.service().counters().expired());
        assertEquals(silentShare - expired, leader.service().counters().queueGroupHandedOver());
        assertEquals(0, leader.service().counters().queueGroupLost());
        harness.awaitCondition(TIMEOUT, () -> everyMemberCounted(expired));
    }

    private boolean everyMemberCounted(final long expired)
    {
        for (final ClusterNode node : harness.running())
        {
            if (node.service().counters().expired() != expired)
            {
                return false;
            }
        }
        return true;
    }

    private void publish(final JunctionClient publisher, final String topic, final int value, final long ttlNs, final JunctionClient... poll)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[12]);
        buffer.putInt(0, value);
        final JunctionClient[] clients = new JunctionClient[poll.length + 1];
        clients[0] = publisher;
        System.arraycopy(poll, 0, clients, 1, poll.length);
        harness.pollUntil(TIMEOUT, () -> publisher.inFlight() < 32 &&
            publisher.offer(topic, Priority.NORMAL, QualityOfService.GUARANTEED, ttlNs, buffer, 0, 12) > 0, clients);
    }

    private static List<Integer> evens(final int upTo)
    {
        final List<Integer> evens = new ArrayList<>();
        for (int i = 2; i <= upTo; i += 2)
        {
            evens.add(i);
        }
        return evens;
    }
}
