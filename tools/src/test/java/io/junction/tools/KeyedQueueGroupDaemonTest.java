package io.junction.tools;

import static io.junction.tools.ClientTestSupport.pollUntil;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.junction.Priority;
import io.junction.QueueGroupDiscipline;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;

/**
 * KEYED queue groups through a real daemon child process (protocol version 3: PUBLISH.key, SUBSCRIBE's discipline):
 * three remote members, the publisher's keys each stay with one member in order, a member leaves under traffic and
 * nothing is lost: every message reaches exactly one member (the leaver's client hands its handler what the daemon
 * had given it until its UNSUBSCRIBED).
 */
class KeyedQueueGroupDaemonTest
{
    private static final int KEYS = 16;
    private static final int MESSAGES = 6_000;

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withClientTestConfig();

    private JunctionClient client(final int port)
    {
        final JunctionClient client = JunctionClient.connect(new ClientContext().url("tcp://127.0.0.1:" + port)
            .reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(200)));
        daemon.closeAfter(client);
        return client;
    }

    /** One member: per key, the values it received in order. */
    private static final class Member
    {
        final Map<Long, List<Long>> byKey = new HashMap<>();
        long received;
    }

    /** How the third member goes, halfway through. */
    private enum Leave
    {
        NONE, UNSUBSCRIBE, SOCKET_CLOSE
    }

    @Test
    void eachKeyStaysWithOneMemberInOrderAndEveryMessageReachesExactlyOne() throws Exception
    {
        run(QueueGroupDiscipline.KEYED, Leave.NONE);
    }

    /**
     * The third member closes while the publisher goes on: the daemon closes its switch subscription first (what was
     * queued for it moves to the others), still writes what a delivery agent was handing it, and answers UNSUBSCRIBED
     * after the last of it; the client hands its handler all of that. Every message reaches exactly one member.
     */
    @Test
    void aMemberLeavingUnderTrafficLosesNothing() throws Exception
    {
        run(QueueGroupDiscipline.KEYED, Leave.UNSUBSCRIBE);
    }

    /**
     * Guaranteed keyed publishes from a named instance (the daemon's idempotent path, which dropped the key before):
     * every one answered DURABLE, each key with one member in order, and the keys spread over the members.
     */
    @Test
    void guaranteedKeyedPublishesKeepTheirKeys() throws Exception
    {
        daemon.start("subscriber { policy = back-pressure }");
        final int port = daemon.port();
        final long[] durable = { 0 };
        final JunctionClient publisher = JunctionClient.connect(new ClientContext().url("tcp://127.0.0.1:" + port)
            .instance("keyed-feed").outcomeListener((publisherSequence, outcome, sequence, reasonCode) ->
            {
                assertEquals(io.junction.client.PublishOutcome.DURABLE, outcome);
                durable[0]++;
            }));
        daemon.closeAfter(publisher);
        final List<Member> members = new ArrayList<>();
        final List<JunctionClient> clients = new ArrayList<>(List.of(publisher));
        final List<ClientSubscription> subscriptions = new ArrayList<>();
        for (int m = 0; m < 3; m++)
        {
            final JunctionClient client = client(port);
            final Member member = new Member();
            members.add(member);
            clients.add(client);
            subscriptions.add(client.subscribe("jobs.>", (message) ->
            {
                final long value = message.buffer().getLong(message.offset());
                member.byKey.computeIfAbsent(value % KEYS, (k) -> new ArrayList<>()).add(value);
                member.received++;
            }, ClientSubscriptionOptions.defaults().queueGroup("workers", QueueGroupDiscipline.KEYED)));
        }
        final JunctionClient[] all = clients.toArray(JunctionClient[]::new);
        pollUntil(() -> publisher.isConnected() && subscriptions.stream().allMatch(ClientSubscription::isInEffect),
            () -> "connected", all);
        final int count = 600;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        for (int next = 0; next < count; )
        {
            payload.putLong(0, next);
            final long result = publisher.offer("jobs.run", 1 + next % KEYS, Priority.NORMAL,
                io.junction.QualityOfService.GUARANTEED, payload, 0, 8);
            if (result > 0)
            {
                next++;
            }
            for (final JunctionClient client : all)
            {
                client.poll();
            }
        }
        pollUntil(() -> durable[0] == count && members.stream().mapToLong((m) -> m.received).sum() == count,
            () -> durable[0] + " durable, " + members.stream().mapToLong((m) -> m.received).sum() + " received", all);
        final Set<Long> keysSeen = new HashSet<>();
        int membersWithKeys = 0;
        for (final Member member : members)
        {
            membersWithKeys += member.byKey.isEmpty() ? 0 : 1;
            for (final Map.Entry<Long, List<Long>> entry : member.byKey.entrySet())
            {
                assertTrue(keysSeen.add(entry.getKey()), "key " + entry.getKey() + " reached two members");
                final List<Long> values = entry.getValue();
                for (int i = 1; i < values.size(); i++)
                {
                    assertTrue(values.get(i) > values.get(i - 1), "key " + entry.getKey() + " out of order");
                }
            }
        }
        assertTrue(membersWithKeys >= 2, "the keys were spread over the members, not all on the topic's one");
    }

    /** The same with the BALANCED discipline: each message reaches exactly one member, none is lost. */
    @Test
    void aBalancedMemberLeavingUnderTrafficLosesNothing() throws Exception
    {
        run(QueueGroupDiscipline.BALANCED, Leave.UNSUBSCRIBE);
    }

    /**
     * The third member's connection is closed abruptly (the socket, no UNSUBSCRIBE). What the daemon had already
     * written towards it is lost with the socket (documented); everything else reaches a member that stays: every
     * message the switch accepted was either written to some connection or counted lost at the connection's end,
     * and the messages missing are only those, a bounded few.
     */
    @Test
    void aMemberWhoseConnectionClosesLosesOnlyWhatWasOnItsSocket() throws Exception
    {
        run(QueueGroupDiscipline.KEYED, Leave.SOCKET_CLOSE);
    }

    private void run(final QueueGroupDiscipline discipline, final Leave how) throws Exception
    {
        final boolean leave = Leave.NONE != how;
        final boolean keyed = QueueGroupDiscipline.KEYED == discipline;
        daemon.start("subscriber { policy = back-pressure }");
        final int port = daemon.port();

        final JunctionClient publisher = client(port);
        final List<JunctionClient> memberClients = new ArrayList<>();
        final List<Member> members = new ArrayList<>();
        final List<ClientSubscription> subscriptions = new ArrayList<>();
        for (int m = 0; m < 3; m++)
        {
            final JunctionClient client = client(port);
            final Member member = new Member();
            memberClients.add(client);
            members.add(member);
            subscriptions.add(client.subscribe("jobs.>", (message) ->
            {
                final long value = message.buffer().getLong(message.offset());
                member.byKey.computeIfAbsent(value % KEYS, (k) -> new ArrayList<>()).add(value);
                member.received++;
            }, ClientSubscriptionOptions.defaults().queueGroup("workers", discipline)));
        }
        JunctionClient[] all = { publisher, memberClients.get(0), memberClients.get(1), memberClients.get(2) };
        pollUntil(() -> publisher.isConnected() && subscriptions.stream().allMatch(ClientSubscription::isInEffect),
            () -> "connected", all);

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        int next = 0;
        boolean left = false;
        final long deadline = System.nanoTime() + ClientTestSupport.TIMEOUT.toNanos();
        while (next < MESSAGES)
        {
            payload.putLong(0, next);
            final long result = publisher.offer("jobs.run", 1 + next % KEYS, Priority.NORMAL, payload, 0, 8);
            if (result > 0)
            {
                next++;
            }
            else if (ClientResult.BACK_PRESSURED != result)
            {
                throw new AssertionError(ClientResult.describe(result));
            }
            // Halfway, once the third member is taking its share (offers are buffered by the client first).
            if (leave && !left && next == MESSAGES / 2)
            {
                left = true;
                pollUntil(() -> members.get(2).received >= 50, () -> "the third member took " +
                    members.get(2).received, all);
                if (Leave.UNSUBSCRIBE == how)
                {
                    subscriptions.get(2).close(); // the third member leaves while the publisher goes on
                }
                else
                {
                    memberClients.get(2).close(); // its socket closes, no UNSUBSCRIBE
                    all = new JunctionClient[]{ publisher, memberClients.get(0), memberClients.get(1) };
                }
            }
            for (final JunctionClient client : all)
            {
                client.poll();
            }
            assertTrue(System.nanoTime() - deadline < 0, "publishing took too long");
        }
        final JunctionClient[] polled = all;
        final long missing;
        if (Leave.SOCKET_CLOSE == how)
        {
            // Every message accepted is written to a connection or counted lost at the end of the closed one ...
            await().atMost(ClientTestSupport.TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() ->
            {
                for (final JunctionClient client : polled)
                {
                    client.poll();
                }
                return daemon.stat("protocol messages sent") +
                    daemon.stat("protocol messages lost at a connection's end") == MESSAGES;
            });
            // ... and once the members that stay answer a sync, all that was written to them has arrived.
            final long first = memberClients.get(0).sync();
            final long second = memberClients.get(1).sync();
            pollUntil(() -> memberClients.get(0).isSynced(first) && memberClients.get(1).isSynced(second),
                () -> "synced", polled);
            assertEquals(0, daemon.stat("protocol subscriber messages dropped"), "nothing dropped by a policy");
            missing = MESSAGES - members.stream().mapToLong((m) -> m.received).sum();
            // Only what was on its way to the closed member (its socket, the kernel's buffers) is missing.
            assertTrue(missing < MESSAGES / 3, () -> missing + " missing, more than the closed member's share");
        }
        else
        {
            pollUntil(() -> members.stream().mapToLong((m) -> m.received).sum() >= MESSAGES, () -> "received " +
                members.stream().mapToLong((m) -> m.received).sum(), polled);
            // Let anything duplicated show up before counting.
            publisher.sync();
            pollUntil(() -> true, () -> "", polled);
            missing = 0;
        }

        final Set<Long> seen = new HashSet<>();
        long total = 0;
        for (final Member member : members)
        {
            for (final List<Long> values : member.byKey.values())
            {
                for (final long value : values)
                {
                    assertTrue(seen.add(value), "message " + value + " delivered twice");
                }
                total += values.size();
            }
        }
        final long discarded = memberClients.get(2).statistics().discarded();
        final long received = total;
        assertEquals(MESSAGES - missing, total, () -> "received " + received + ", discarded by the leaver's client " +
            "after its unsubscribe " + discarded);
        assertEquals(0, discarded, "nothing reached the leaver after its UNSUBSCRIBED");
        if (Leave.UNSUBSCRIBE == how)
        {
            pollUntil(() -> !subscriptions.get(2).isDraining(), () -> "the leaver's UNSUBSCRIBED", polled);
            assertEquals(0, memberClients.get(2).statistics().leavesTimedOut(), "UNSUBSCRIBED came in time");
        }

        assertTrue(members.get(2).received > 0, "the third member had a share");
        if (!keyed)
        {
            return;
        }
        // Each key in order: at each member its values rise, and where a key moved (the leaver's keys, and those the
        // rehash of the leave gave another member) one member's share of it ends before the next one's begins.
        int stayersKeys = 0;
        for (long key = 0; key < KEYS; key++)
        {
            final long k = key;
            final List<List<Long>> shares = new ArrayList<>();
            for (final Member member : members)
            {
                final List<Long> values = member.byKey.get(key);
                if (null == values)
                {
                    continue;
                }
                for (int i = 1; i < values.size(); i++)
                {
                    final int at = i;
                    assertTrue(values.get(i) > values.get(i - 1), () -> "key " + k + " out of order at member " +
                        members.indexOf(member) + ": " + values.get(at - 1) + " then " + values.get(at));
                }
                shares.add(values);
            }
            if (!members.get(2).byKey.containsKey(key) && !shares.isEmpty())
            {
                stayersKeys++;
            }
            shares.sort((a, b) -> Long.compare(a.get(0), b.get(0)));
            for (int i = 1; i < shares.size(); i++)
            {
                final List<Long> before = shares.get(i - 1);
                final List<Long> after = shares.get(i);
                assertTrue(before.get(before.size() - 1) < after.get(0), () -> "key " + k + " interleaved between " +
                    "members: one had up to " + before.get(before.size() - 1) + ", another from " + after.get(0));
            }
        }
        assertTrue(stayersKeys > 0, "the members that stayed had keys of their own");
        if (!leave)
        {
            for (long key = 0; key < KEYS; key++)
            {
                int holders = 0;
                for (final Member member : members)
                {
                    holders += member.byKey.containsKey(key) ? 1 : 0;
                }
                assertEquals(1, holders, "key " + key + " with exactly one member");
            }
        }
    }
}
