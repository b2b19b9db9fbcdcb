package io.junction.cluster;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.QueueGroupDiscipline;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A KEYED queue group keeps each key's order across a change of membership: a key moves to its new member only once
 * its old member has confirmed what it was sent of the key. The test polls the newest member alone for a while, so a key moved
 * at once (its old member's last messages still on the way) would show out of order here; what every member's
 * client handled is recorded in the one order the test thread saw it. The old members take nothing while the new
 * one joins, as slow consumers would.
 */
@Tag("slow")
class ClusterKeyedDrainTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int KEYS = 6;
    /** Publishes offered between polls: a key's next message is on its way while its last one is. */
    private static final int BURST = 12;
    private static final int PHASE = 200;

    @TempDir
    File tempDir;

    private ClusterHarness harness;
    /** (key, value) in the order the members' handlers ran. */
    private final List<long[]> handled = new ArrayList<>();

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
    void eachKeyStaysInOrderAcrossAMemberJoiningAndOneLeaving()
    {
        harness = new ClusterHarness(tempDir, 25_300, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        final JunctionClient a = join("a", publisher);
        final JunctionClient b = join("b", publisher, a);

        int value = 0;
        value = publish(publisher, value, b, a);
        // a and b stop taking (not polled, so they confirm nothing), as slow consumers: what they are sent waits.
        // c joins meanwhile, and the keys that are c's now keep going to a or b until those confirm; a key moved at
        // once would have its next messages handled by c before a or b handle its last ones.
        value = publish(publisher, value);
        final JunctionClient c = join("c", publisher);
        value = publish(publisher, value, c);
        final int afterJoin = value;
        harness.pollUntil(TIMEOUT, () -> distinctValues() == afterJoin, c, b, a, publisher);
        b.close();                                   // at once: b's unconfirmed go to the members that remain
        value = publish(publisher, value, c, a);
        final int total = value;
        harness.pollUntil(TIMEOUT, () -> acks.acked == total && distinctValues() == total, c, a, publisher);

        final Map<Long, List<Long>> byKey = new HashMap<>();
        final Set<Long> seen = new HashSet<>();
        for (final long[] entry : handled)
        {
            if (seen.add(entry[1])) // a hand-over delivers again what the leaver may have handled: the first counts
            {
                byKey.computeIfAbsent(entry[0], (k) -> new ArrayList<>()).add(entry[1]);
            }
        }
        assertEquals(KEYS, byKey.size());
        byKey.forEach((key, values) ->
        {
            for (int i = 1; i < values.size(); i++)
            {
                assertTrue(values.get(i) > values.get(i - 1), "key " + key + " out of order at " + i + ": " + values);
            }
        });

        final long held = leader.service().counters().queueGroupKeyHeld();
        assertTrue(held > 0, "some key waited for its old member to confirm");
        harness.awaitApplied(total, TIMEOUT);
        harness.awaitCondition(TIMEOUT, () ->
        {
            for (final ClusterNode node : harness.running())
            {
                if (node.service().counters().queueGroupKeyHeld() != held)
                {
                    return false;
                }
            }
            return true;
        });
    }

    private JunctionClient join(final String name, final JunctionClient... alsoPoll)
    {
        final JunctionClient client = harness.newClient(new ClientContext().instance(name).closeTimeoutNs(0));
        final ClientSubscription subscription = subscribe(client);
        final JunctionClient[] toPoll = new JunctionClient[alsoPoll.length + 1];
        toPoll[0] = client;
        System.arraycopy(alsoPoll, 0, toPoll, 1, alsoPoll.length);
        harness.pollUntil(TIMEOUT, subscription::isInEffect, toPoll);
        return client;
    }

    private ClientSubscription subscribe(final JunctionClient client)
    {
        return client.subscribe("orders.>", (message) ->
        {
            final long key = message.buffer().getLong(message.offset() + 4);
            handled.add(new long[]{ key, message.buffer().getInt(message.offset()) });
        }, ClientSubscriptionOptions.defaults().queueGroup("books", QueueGroupDiscipline.KEYED));
    }

    /**
     * A phase of guaranteed keyed publishes, polling the given clients (and the publisher) meanwhile.
     */
    private int publish(final JunctionClient publisher, final int from, final JunctionClient... members)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[12]);
        final JunctionClient[] toPoll = new JunctionClient[members.length + 1];
        System.arraycopy(members, 0, toPoll, 0, members.length);
        toPoll[members.length] = publisher;
        int value = from;
        for (int i = 0; i < PHASE; i++)
        {
            value++;
            final long key = 1 + (value % KEYS);
            buffer.putInt(0, value);
            buffer.putLong(4, key);
            if (publisher.inFlight() >= 32 ||
                publisher.offer("orders.new", key, Priority.NORMAL, QualityOfService.GUARANTEED, buffer, 0, 12) < 0)
            {
                harness.pollUntil(TIMEOUT, () -> publisher.inFlight() < 32 &&
                    publisher.offer("orders.new", key, Priority.NORMAL, QualityOfService.GUARANTEED, buffer, 0, 12) > 0,
                    toPoll);
            }
            if (0 == i % BURST)
            {
                for (final JunctionClient client : toPoll)
                {
                    client.poll();
                }
            }
        }
        return value;
    }

    private int distinctValues()
    {
        final Set<Long> values = new HashSet<>();
        for (final long[] entry : handled)
        {
            values.add(entry[1]);
        }
        return values.size();
    }
}
