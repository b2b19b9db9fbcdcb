package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.junction.TestSupport.Collector;
import io.junction.TestSupport.Received;

/**
 * Queue groups: each message on the pattern reaches exactly one member of the group (and every plain
 * subscriber as before); under KEYED each key stays with one member, in order; members join and leave
 * while traffic flows and nothing is lost or duplicated.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class QueueGroupTest
{
    private static final SubscriptionOptions LOSSLESS = SubscriptionOptions.defaults()
        .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE).outboxCapacity(256);

    private Junction junction;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close()
    {
        release.countDown();
        if (null != junction)
        {
            junction.close();
        }
    }

    @Test
    void eachMessageReachesExactlyOneMemberAndEveryPlainSubscriber()
    {
        junction = Junction.launch(TestSupport.context().shards(2).deliveryAgents(2));
        final List<Collector> members = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final Collector member = new Collector();
            members.add(member);
            junction.subscribe("jobs.>", member, LOSSLESS.copy().queueGroup("workers"));
        }
        final Collector everything = new Collector();
        junction.subscribe("jobs.>", everything, LOSSLESS);

        final int messages = 3_000;
        for (int i = 0; i < messages; i++)
        {
            TestSupport.offer(junction, "jobs." + (i % 7), i);
        }
        everything.awaitCount(messages);
        await().atMost(TestSupport.TIMEOUT).until(() -> total(members) >= messages);
        assertExactlyOnce(members, messages);
        for (final Collector member : members)
        {
            assertTrue(member.count() > 0, "balanced: every member takes a share");
        }
    }

    @Test
    void aBalancedGroupWhoseCursorIsPastTheLastMemberAfterALeaveKeepsDelivering()
    {
        junction = Junction.launch(TestSupport.context().shards(1));
        final List<Collector> members = new ArrayList<>();
        final List<Subscription> subscriptions = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final Collector member = new Collector();
            members.add(member);
            subscriptions.add(junction.subscribe("jobs.>", member, LOSSLESS.copy().queueGroup("workers")));
        }
        // Two messages: the round-robin cursor now points at the third member, the one that leaves.
        TestSupport.offer(junction, "jobs.a", 0);
        TestSupport.offer(junction, "jobs.a", 1);
        await().atMost(TestSupport.TIMEOUT).until(() -> total(members) == 2);
        subscriptions.get(2).close();

        final int messages = 100;
        for (int i = 2; i < messages; i++)
        {
            TestSupport.offer(junction, "jobs.a", i);
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> total(members) >= messages);
        assertExactlyOnce(members, messages);
        assertEquals(0, junction.counters().errorCount(), "no shard error");
    }

    @Test
    void keyedKeepsEachKeyWithOneMemberInOrder()
    {
        junction = Junction.launch(TestSupport.context());
        final List<Collector> members = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            final Collector member = new Collector();
            members.add(member);
            junction.subscribe("orders", member, LOSSLESS.copy().queueGroup("book", QueueGroupDiscipline.KEYED));
        }
        final int messages = 4_000;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < messages; i++)
        {
            buffer.putLong(0, i);
            final long key = i % 16;
            long result;
            while ((result = junction.offer("orders", key, Priority.NORMAL, buffer, 0, 8)) ==
                OfferResult.BACK_PRESSURED)
            {
                Thread.onSpinWait();
            }
            assertTrue(OfferResult.isAccepted(result), OfferResult.describe(result));
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> total(members) >= messages);
        assertExactlyOnce(members, messages);

        final Map<Long, Integer> ownerOfKey = new HashMap<>();
        for (int m = 0; m < members.size(); m++)
        {
            final Map<Long, Long> lastOfKey = new HashMap<>();
            for (final long value : members.get(m).values())
            {
                final long key = value % 16;
                final Integer owner = ownerOfKey.putIfAbsent(key, m);
                assertTrue(null == owner || owner == m, "key " + key + " at one member only");
                final Long last = lastOfKey.put(key, value);
                assertTrue(null == last || last < value, "key " + key + " in order");
            }
        }
        assertEquals(16, ownerOfKey.size());
        assertTrue(new HashSet<>(ownerOfKey.values()).size() > 1, "keys spread over members");
    }

    @Test
    void membersJoinAndLeaveUnderTrafficAndNothingIsLost() throws Exception
    {
        junction = Junction.launch(TestSupport.context().deliveryAgents(2));
        final List<Collector> members = new ArrayList<>();
        final List<Subscription> subscriptions = new ArrayList<>();
        final SubscriptionOptions keyed = LOSSLESS.copy().queueGroup("pool", QueueGroupDiscipline.KEYED);

        // A member that blocks on its first message, so messages queue for it before it leaves.
        final CountDownLatch blocked = new CountDownLatch(1);
        final Collector blocker = new Collector();
        members.add(blocker);
        final AtomicReference<Subscription> self = new AtomicReference<>();
        final Subscription blocking = junction.subscribe("tasks.*", message ->
        {
            blocker.onMessage(message);
            blocked.countDown();
            // Blocks only until it has left (not until close() returns, which waits for this thread).
            await().atMost(TestSupport.TIMEOUT).until(() -> null != self.get() && !self.get().isActive());
        }, SubscriptionOptions.defaults().slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE)
            .outboxCapacity(256).queueGroup("pool", QueueGroupDiscipline.KEYED).deliveryThread(DeliveryThread.OWN));
        self.set(blocking);
        for (int i = 0; i < 2; i++)
        {
            final Collector member = new Collector();
            members.add(member);
            subscriptions.add(junction.subscribe("tasks.*", member, keyed));
        }

        final int messages = 20_000;
        final AtomicBoolean publishing = new AtomicBoolean(true);
        final Thread publisher = new Thread(() ->
        {
            for (int i = 0; i < messages; i++)
            {
                TestSupport.offer(junction, "tasks." + (i % 32), i);
            }
            publishing.set(false);
        }, "test-publisher");
        publisher.start();

        assertTrue(blocked.await(30, TimeUnit.SECONDS));
        await().atMost(TestSupport.TIMEOUT).until(() -> blocking.queueDepth() > 0);
        blocking.close(); // leaves with messages queued: they move to the others

        // Join and leave while the publisher runs.
        for (int round = 0; round < 6 && publishing.get(); round++)
        {
            final Collector joiner = new Collector();
            members.add(joiner);
            final Subscription joined = junction.subscribe("tasks.*", joiner, keyed);
            await().atMost(TestSupport.TIMEOUT).until(() -> joiner.count() > 0 || !publishing.get());
            if (round % 2 == 0)
            {
                joined.close();
            }
            else
            {
                subscriptions.add(joined);
            }
        }
        publisher.join(TimeUnit.SECONDS.toMillis(60));
        await().atMost(TestSupport.TIMEOUT).until(() -> total(members) >= messages);
        assertExactlyOnce(members, messages);
        assertTrue(junction.counters().queueGroupMovedCount() > 0, "the leavers' queued messages were moved");
    }

    /**
     * A KEYED member that has ended but whose leave the shard has not applied yet still owns its keys: what
     * the shard hands it meanwhile must queue there and move with the rest, not be skipped as if it were sent
     * to a subscription that is gone. The window is held open here by ending it the way close() and the
     * slow-consumer and fault paths do first (terminate), and finishing it (which sends the leave) later.
     */
    @Test
    void messagesForAnEndedMemberBeforeItsLeaveIsAppliedAreMovedNotLost() throws Exception
    {
        junction = Junction.launch(TestSupport.context().deliveryAgents(2));
        final List<Collector> members = new ArrayList<>();
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch dispatched = new CountDownLatch(1);
        final Collector blocker = new Collector();
        members.add(blocker);
        final Subscription blocking = junction.subscribe("tasks.*", message ->
        {
            blocker.onMessage(message);
            blocked.countDown();
            dispatched.await(30, TimeUnit.SECONDS); // its turn (and so its own finish) waits for the test
        }, LOSSLESS.copy().outboxCapacity(1024).queueGroup("pool", QueueGroupDiscipline.KEYED)
            .deliveryThread(DeliveryThread.OWN));
        final Collector other = new Collector();
        members.add(other);
        junction.subscribe("tasks.*", other, LOSSLESS.copy().queueGroup("pool", QueueGroupDiscipline.KEYED));
        final Collector observer = new Collector(); // not in the group: has each message once it is dispatched
        junction.subscribe("tasks.*", observer, LOSSLESS.copy().outboxCapacity(1024));

        int sent = 0;
        for (; sent < 320; sent++)
        {
            TestSupport.offer(junction, "tasks." + (sent % 32), sent);
        }
        assertTrue(blocked.await(30, TimeUnit.SECONDS));
        ((SwitchSubscription)blocking).terminate(TerminationReason.CLOSED, null, false); // ended, not yet left
        for (; sent < 640; sent++)
        {
            TestSupport.offer(junction, "tasks." + (sent % 32), sent);
        }
        final int messages = sent;
        await().atMost(TestSupport.TIMEOUT).until(() -> observer.count() >= messages);
        dispatched.countDown();
        blocking.close(); // finishes it: the shard applies its leave and moves what it had queued
        await().atMost(TestSupport.TIMEOUT).until(() -> total(members) >= messages);
        assertExactlyOnce(members, messages);
        assertTrue(junction.counters().queueGroupMovedCount() > 0, "the leaver's queued messages were moved");
    }

    /**
     * KEYED order across a leave and a join while messages flow: a leaver's queued messages move to the members
     * that take its keys, and the new messages of those keys queue behind them; a key that a join (or the leave's
     * rehash) moves to another member goes there only once its former member has taken what it was given. So in
     * the order the handlers were handed them, each key's messages rise, across every member.
     */
    @Test
    void aKeysMessagesStayInOrderAcrossALeaveAndAJoin() throws Exception
    {
        junction = Junction.launch(TestSupport.context().deliveryAgents(2));
        final int keys = 32;
        final SubscriptionOptions keyed = LOSSLESS.copy().outboxCapacity(64).queueGroup("pool",
            QueueGroupDiscipline.KEYED);
        final java.util.concurrent.ConcurrentLinkedQueue<Long> handed = new java.util.concurrent.ConcurrentLinkedQueue<>();
        // Members that take a moment per message, so that each has a queue when the membership changes.
        final MessageHandler member = (message) ->
        {
            handed.add(message.buffer().getLong(message.offset()));
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        };
        // The first leaver is slower still, so that its queue is still deep when its leave is applied, however
        // late a loaded machine runs the test's thread after it saw the queue.
        final MessageHandler slowMember = (message) ->
        {
            handed.add(message.buffer().getLong(message.offset()));
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        };
        final Subscription leaver = junction.subscribe("tasks.*", slowMember, keyed);
        final Subscription second = junction.subscribe("tasks.*", member, keyed);
        junction.subscribe("tasks.*", member, keyed);

        final int messages = 12_000;
        final AtomicBoolean publishing = new AtomicBoolean(true);
        final Thread publisher = new Thread(() ->
        {
            for (int i = 0; i < messages; i++)
            {
                TestSupport.offer(junction, "tasks." + (i % keys), i);
            }
            publishing.set(false);
        }, "test-publisher");
        publisher.start();
        try
        {
            await().atMost(TestSupport.TIMEOUT).until(() -> leaver.queueDepth() >= 32);
            leaver.close(); // leaves with messages queued: they move, and its keys' new messages follow them
            await().atMost(TestSupport.TIMEOUT).until(() -> handed.size() > messages / 3 || !publishing.get());
            junction.subscribe("tasks.*", member, keyed); // a join under traffic moves keys between members
            await().atMost(TestSupport.TIMEOUT).until(() -> handed.size() > messages * 2 / 3 || !publishing.get());
            await().atMost(TestSupport.TIMEOUT).until(() -> second.queueDepth() > 0 || !publishing.get());
            second.close(); // and a second leave, with a queue
        }
        finally
        {
            publisher.join(TimeUnit.SECONDS.toMillis(60));
        }
        await().atMost(TestSupport.TIMEOUT).until(() -> handed.size() >= messages);

        final long[] last = new long[keys];
        java.util.Arrays.fill(last, -1);
        final Set<Long> seen = new HashSet<>();
        for (final long value : handed)
        {
            assertTrue(seen.add(value), "message " + value + " handed twice");
            final int key = (int)(value % keys);
            assertTrue(value > last[key], "key " + key + ": " + value + " handed after " + last[key]);
            last[key] = value;
        }
        assertEquals(messages, seen.size());
        assertTrue(junction.counters().queueGroupMovedCount() > 0, "the leavers' queued messages were moved");
    }

    /**
     * A leaver's queued message that the member taking it refuses under a dropping policy (its outbox full) meets
     * that policy as a message the shard hands it would: dropped, counted for it by class and as dropped on the move,
     * never silently gone. Every message is delivered or counted dropped.
     */
    @Test
    void aMovedMessageADroppingMemberRefusesIsCountedDropped() throws Exception
    {
        junction = Junction.launch(TestSupport.context().deliveryAgents(2));
        final CountDownLatch releaseLeaver = new CountDownLatch(1);
        final CountDownLatch leaverBusy = new CountDownLatch(1);
        final Collector leaverTook = new Collector();
        final Subscription leaving = junction.subscribe("tasks.*", (message) ->
        {
            leaverTook.onMessage(message);
            leaverBusy.countDown();
            releaseLeaver.await(30, TimeUnit.SECONDS);
        }, LOSSLESS.copy().outboxCapacity(512).queueGroup("pool", QueueGroupDiscipline.KEYED));
        final CountDownLatch releaseDropper = new CountDownLatch(1);
        final Collector dropperTook = new Collector();
        final Subscription dropper = junction.subscribe("tasks.*", (message) ->
        {
            dropperTook.onMessage(message);
            releaseDropper.await(30, TimeUnit.SECONDS);
        }, SubscriptionOptions.defaults().slowSubscriberPolicy(SlowSubscriberPolicy.DROP_NEWEST).outboxCapacity(16)
            .queueGroup("pool", QueueGroupDiscipline.KEYED));

        final int messages = 400;
        for (int i = 0; i < messages; i++)
        {
            TestSupport.offer(junction, "tasks." + (i % 32), i);
        }
        assertTrue(leaverBusy.await(30, TimeUnit.SECONDS));
        await().atMost(TestSupport.TIMEOUT).until(() -> leaving.queueDepth() > 16);
        final long droppedBefore = dropper.dropped();
        leaving.close();
        releaseLeaver.countDown(); // its turn ends: the shard moves its queue to the full dropping member
        await().atMost(TestSupport.TIMEOUT).until(() -> junction.counters().queueGroupDroppedOnMoveCount() > 0 &&
            0 == leaving.queueDepth());
        releaseDropper.countDown();
        await().atMost(TestSupport.TIMEOUT).until(() -> 0 == dropper.queueDepth());
        await().atMost(TestSupport.TIMEOUT).until(() ->
            leaverTook.count() + dropperTook.count() + dropper.dropped() == messages);
        assertEquals(droppedBefore + junction.counters().queueGroupDroppedOnMoveCount(), dropper.dropped(),
            "each drop on the move is one of the member's drops");
        assertEquals(dropper.dropped(), junction.counters().subscriberDropped(Priority.NORMAL),
            "counted by class");
        assertEquals(messages, leaverTook.count() + dropperTook.count() + dropper.dropped());
    }

    private static int total(final List<Collector> members)
    {
        int total = 0;
        for (final Collector member : members)
        {
            total += member.count();
        }
        return total;
    }

    private static void assertExactlyOnce(final List<Collector> members, final int messages)
    {
        final List<Long> all = new ArrayList<>();
        for (final Collector member : members)
        {
            for (final Received received : member.received())
            {
                all.add(received.value());
            }
        }
        final Set<Long> distinct = new HashSet<>(all);
        assertEquals(all.size(), distinct.size(), "no message reached two members");
        assertEquals(LongStream.range(0, messages).boxed().collect(java.util.stream.Collectors.toSet()), distinct,
            "every message reached a member");
    }
}
