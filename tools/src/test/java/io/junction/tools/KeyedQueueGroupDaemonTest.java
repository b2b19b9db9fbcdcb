package io.junction.tools;

import static io.junction.tools.ClientTestSupport.pollUntil;
import static io.junction.tools.ClientTestSupport.port;
import static io.junction.tools.ClientTestSupport.startDaemon;
import static io.junction.tools.ClientTestSupport.writeConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * nothing is lost: every message reaches exactly one member, or (sent to the leaver before its UNSUBSCRIBE took
 * effect) was discarded by the leaver's own client and counted there.
 */
class KeyedQueueGroupDaemonTest
{
    private static final int KEYS = 16;
    private static final int MESSAGES = 6_000;

    @TempDir
    Path tmp;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    private JunctionClient client(final int port)
    {
        final JunctionClient client = JunctionClient.connect(new ClientContext().url("tcp://127.0.0.1:" + port)
            .reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(200)));
        resources.add(client);
        return client;
    }

    /** One member: per key, the values it received in order. */
    private static final class Member
    {
        final Map<Long, List<Long>> byKey = new HashMap<>();
        long received;
    }

    @Test
    void eachKeyStaysWithOneMemberInOrderAndEveryMessageReachesExactlyOne() throws Exception
    {
        run(false);
    }

    /**
     * Fails today: messages the switch had handed to the leaver's remote subscription after its UNSUBSCRIBE took
     * effect (a delivery in progress on a shared delivery agent) are dropped by the daemon rather than moved to
     * the members that stay (about 10% of this run's messages). Kept to show the gap.
     */
    @Test
    @org.junit.jupiter.api.Disabled("a remote KEYED member that leaves under traffic loses what was being delivered to it")
    void aMemberLeavingUnderTrafficLosesNothing() throws Exception
    {
        run(true);
    }

    private void run(final boolean leave) throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        final JunctionProcess daemon = startDaemon(tmp, writeConfig(tmp, node, 0,
            "subscriber { policy = back-pressure }"), node, "daemon.log");
        resources.add(daemon);
        final int port = port(node);

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
            }, ClientSubscriptionOptions.defaults().queueGroup("workers", QueueGroupDiscipline.KEYED)));
        }
        final JunctionClient[] all = { publisher, memberClients.get(0), memberClients.get(1), memberClients.get(2) };
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
            if (leave && !left && next == MESSAGES / 2)
            {
                subscriptions.get(2).close(); // the third member leaves while the publisher goes on
                left = true;
            }
            for (final JunctionClient client : all)
            {
                client.poll();
            }
            assertTrue(System.nanoTime() - deadline < 0, "publishing took too long");
        }
        pollUntil(() -> members.stream().mapToLong((m) -> m.received).sum() +
            memberClients.get(2).statistics().discarded() >= MESSAGES, () -> "received " +
            members.stream().mapToLong((m) -> m.received).sum(), all);
        // Let anything duplicated show up before counting.
        publisher.sync();
        pollUntil(() -> true, () -> "", all);

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
        assertEquals(MESSAGES, total + discarded, () -> "received " + received + ", discarded by the leaver's " +
            "client after its unsubscribe " + discarded);

        // The keys the leaver never had: each with one of the two members that stayed, all of it, in order.
        int stayersKeys = 0;
        for (long key = 0; key < KEYS; key++)
        {
            if (members.get(2).byKey.containsKey(key))
            {
                continue;
            }
            final boolean first = members.get(0).byKey.containsKey(key);
            final boolean second = members.get(1).byKey.containsKey(key);
            if (!first && !second)
            {
                continue; // all of it was queued for the leaver and discarded by its client
            }
            stayersKeys++;
            final long k = key;
            final List<Long> values = members.get(first ? 0 : 1).byKey.get(key);
            for (int i = 1; i < values.size(); i++)
            {
                assertTrue(values.get(i) > values.get(i - 1), "key " + key + " out of order: " + values.get(i - 1) +
                    " then " + values.get(i));
            }
            if (first && second)
            {
                // Only after the leave may a key move between the members that stay (the group rehashed).
                for (final long value : members.get(first ? 1 : 0).byKey.get(key))
                {
                    assertTrue(value >= MESSAGES / 2, () -> "key " + k + " moved before the leave: " + value + "; m0 " +
                        members.get(0).byKey.get(k).subList(0, Math.min(5, members.get(0).byKey.get(k).size())) +
                        " m1 " + members.get(1).byKey.get(k).subList(0, Math.min(5, members.get(1).byKey.get(k).size())) +
                        " m2 keys " + members.get(2).byKey.keySet() + " sizes " + members.get(0).byKey.get(k).size() +
                        "/" + members.get(1).byKey.get(k).size());
                }
            }
        }
        assertTrue(stayersKeys > 0, "the members that stayed had keys of their own");
        assertTrue(members.get(2).received > 0, "the third member had a share");
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
