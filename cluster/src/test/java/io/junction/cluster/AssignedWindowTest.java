package io.junction.cluster;

import io.junction.Publisher;
import io.junction.QueueGroupDiscipline;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group member's window of unconfirmed assignments, and the group's pick: bounded, in assignment order, resumed
 * after the last sequence a client saw; BALANCED a round robin in subscription id order, KEYED by bucket.
 */
class AssignedWindowTest
{
    @Test
    void holdsInOrderForgetsTheOldestPastItsBoundAndConfirmsUpToASequence()
    {
        final AssignedWindow window = new AssignedWindow(4);
        for (long sequence = 1; sequence <= 4; sequence++)
        {
            assertFalse(window.add(sequence * 10, sequence));
        }
        assertTrue(window.add(50, 5), "past the bound the oldest is forgotten");
        assertEquals("[20, 30, 40, 50]", window.toString());
        assertEquals(2, window.indexAfter(30), "just after the last one seen");
        assertEquals(0, window.indexAfter(5), "older than anything held: from the first");
        assertEquals(4, window.indexAfter(99), "nothing after it");

        window.add(7, Publisher.NO_KEY); // handed over from a leaver: an older sequence, after newer ones
        assertEquals("[30, 40, 50, 7]", window.toString());
        assertEquals(3, window.indexAfter(50), "by position, not by value: the handed-over one follows");
        assertEquals(Publisher.NO_KEY, window.key(3));

        window.confirm(40);
        assertEquals("[50, 7]", window.toString());
        window.confirm(7);
        assertEquals(0, window.size());
    }

    @Test
    void growsUpToItsBound()
    {
        final AssignedWindow window = new AssignedWindow(100);
        for (long sequence = 1; sequence <= 150; sequence++)
        {
            window.add(sequence, 0);
        }
        assertEquals(100, window.size());
        assertEquals(51, window.sequence(0));
        assertEquals(150, window.sequence(99));
    }

    @Test
    void balancedIsARoundRobinInSubscriptionIdOrderAndKeyedPicksByBucket()
    {
        final ClusterQueueGroup balanced = new ClusterQueueGroup("jobs.>", "workers", QueueGroupDiscipline.BALANCED);
        assertNull(balanced.pick(Publisher.NO_KEY, "jobs.x"));
        final ClusterSubscription third = new ClusterSubscription(3, 1, 1, "jobs.>", "");
        final ClusterSubscription first = new ClusterSubscription(1, 1, 2, "jobs.>", "");
        balanced.join(third);
        balanced.join(first);
        assertSame(first, balanced.pick(Publisher.NO_KEY, "jobs.x"));
        assertSame(third, balanced.pick(Publisher.NO_KEY, "jobs.x"));
        assertSame(first, balanced.pick(Publisher.NO_KEY, "jobs.x"));
        balanced.leave(first);
        assertSame(third, balanced.pick(Publisher.NO_KEY, "jobs.x"), "the turn past the end starts again");

        final ClusterQueueGroup keyed = new ClusterQueueGroup("jobs.>", "books", QueueGroupDiscipline.KEYED);
        keyed.join(first);
        keyed.join(third);
        for (long key = 1; key < 50; key++)
        {
            final ClusterSubscription expected = 0 == ClusterQueueGroup.bucket(key, "t") % 2 ? first : third;
            assertSame(expected, keyed.pick(key, "t"));
            assertSame(expected, keyed.pick(key, "other topic"), "the key decides, not the topic");
        }
        assertSame(keyed.pick(Publisher.NO_KEY, "jobs.a"), keyed.pick(Publisher.NO_KEY, "jobs.a"));
    }

    @Test
    void keyedKeepsAKeyWithItsEarlierMemberUntilItConfirmsAndASnapshotRebuildsThatAlike()
    {
        final ClusterSubscription first = member(1);
        final ClusterSubscription second = member(2);
        final ClusterSubscription third = member(3);
        final ClusterQueueGroup keyed = new ClusterQueueGroup("jobs.>", "books", QueueGroupDiscipline.KEYED);
        keyed.join(first);
        keyed.join(third);
        final long key = 1; // bucket 910: members[0] of two, members[1] of three
        assertEquals(910, ClusterQueueGroup.bucket(key, null));
        assign(keyed, key, 10);
        assertSame(first, assign(keyed, key, 11));

        keyed.join(second); // the key's member is now second, but first has not confirmed 11
        assertSame(first, assign(keyed, key, 12));
        assertTrue(keyed.lastPickHeld());

        // A member loaded from a snapshot (the windows, then the joins in id order) decides alike.
        final ClusterQueueGroup loaded = new ClusterQueueGroup("jobs.>", "books", QueueGroupDiscipline.KEYED);
        loaded.join(first);
        loaded.join(second);
        loaded.join(third);
        loaded.rebuildHolders();
        assertSame(first, loaded.pick(key, "t", 13));
        assertTrue(loaded.lastPickHeld());

        first.assigned.confirm(12); // its client saw the last one: the key moves
        assertSame(second, assign(keyed, key, 13));
        assertFalse(keyed.lastPickHeld());
        assertSame(second, assign(keyed, key, 14));

        keyed.leave(second); // a leaver holds no key: the key goes to its member among those left
        assertSame(first, keyed.pick(key, "t", 15));
        assertEquals(ClusterQueueGroup.bucket(Publisher.NO_KEY, "jobs.a"),
            ClusterQueueGroup.bucket(ClusterQueueGroup.bucketKey(Publisher.NO_KEY, "jobs.a"), null),
            "a topic's bucket is known again from the key it is held under");
    }

    private static ClusterSubscription member(final long id)
    {
        final ClusterSubscription subscription = new ClusterSubscription(id, id, id, "jobs.>", "");
        subscription.joinGroup("books", QueueGroupDiscipline.KEYED, 16);
        return subscription;
    }

    private static ClusterSubscription assign(final ClusterQueueGroup group, final long key, final long sequence)
    {
        final ClusterSubscription member = group.pick(key, "t", sequence);
        member.assigned.add(sequence, key);
        return member;
    }
}
