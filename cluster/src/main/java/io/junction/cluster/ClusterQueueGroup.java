package io.junction.cluster;

import io.junction.Publisher;
import io.junction.QueueGroupDiscipline;

import java.util.ArrayList;

/**
 * A queue group of the replicated switch: the subscriptions that share a pattern and a group name, in subscription
 * id order, and the member each message goes to. Replicated state: every member of the cluster picks alike, since
 * the pick depends only on the membership and the messages, both from the log, and on the BALANCED turn, which is in
 * the snapshot.
 * <p>
 * Why not the switch core's own groups: the cluster's switch runs to idle after each request, so every outbox is
 * empty at each pick; the core's BALANCED (fewest queued, ties: the next in turn) is then a round robin whose turn
 * the core keeps to itself, out of reach of a snapshot, so a member restored from one would pick otherwise. The
 * cluster keeps that same round robin here, with its turn replicated. KEYED hashes a key as the core does (the
 * publisher's key, else the topic, to one of {@value #BUCKETS} buckets, a bucket to {@code members[bucket % n]}), so
 * a key goes to the same place as in the daemon for the same membership.
 * <p>
 * KEYED across a change of membership, as the core drains a bucket before it moves: each bucket remembers the member
 * given its latest message and that message's sequence. When the bucket's member is now another, its messages keep
 * going to the earlier member until that member's client has confirmed that latest one (its ACK, from the log; or it
 * left the group), so what a key's old member was sent is seen before its new member gets the next: per-key order
 * holds across a join or a leave. Decided from the log alone (joins, leaves, ACKs), never a timer. The remembered
 * members are derived state: a snapshot holds each member's unconfirmed assignments (with a key that names the
 * bucket), from which {@link #rebuildHolders()} makes them again.
 */
final class ClusterQueueGroup
{
    static final int BUCKETS = 1024;

    final String pattern;
    final String name;
    final QueueGroupDiscipline discipline;
    /** BALANCED: the index of the member whose turn is next (replicated, in the snapshot). */
    int cursor;
    /** Its route in the member's switch (derived state, made again when a snapshot is loaded). */
    io.junction.Subscription route;

    private final ArrayList<ClusterSubscription> members = new ArrayList<>();
    /** KEYED: per bucket, the member given its latest message and that message's sequence (derived state). */
    private final ClusterSubscription[] holders;
    private final long[] holderSequences;
    private boolean lastPickHeld;

    ClusterQueueGroup(final String pattern, final String name, final QueueGroupDiscipline discipline)
    {
        this.pattern = pattern;
        this.name = name;
        this.discipline = discipline;
        this.holders = QueueGroupDiscipline.KEYED == discipline ? new ClusterSubscription[BUCKETS] : null;
        this.holderSequences = QueueGroupDiscipline.KEYED == discipline ? new long[BUCKETS] : null;
    }

    static String key(final String pattern, final String name)
    {
        return pattern + '\u0000' + name;
    }

    String key()
    {
        return key(pattern, name);
    }

    int size()
    {
        return members.size();
    }

    ClusterSubscription member(final int index)
    {
        return members.get(index);
    }

    void join(final ClusterSubscription subscription)
    {
        int at = 0;
        while (at < members.size() && members.get(at).subscriptionId < subscription.subscriptionId)
        {
            at++;
        }
        members.add(at, subscription);
        subscription.joined = true;
    }

    void leave(final ClusterSubscription subscription)
    {
        members.remove(subscription);
        subscription.joined = false;
    }

    /**
     * @param key the publisher's key, or {@link Publisher#NO_KEY} (the topic is then the key).
     * @return the member that gets the message, or null when the group has none.
     */
    ClusterSubscription pick(final long key, final String topic)
    {
        return pick(key, topic, 0);
    }

    /**
     * @param key      the publisher's key, or {@link Publisher#NO_KEY} (the topic is then the key).
     * @param sequence the message's sequence: KEYED remembers it as its bucket's latest.
     * @return the member that gets the message, or null when the group has none.
     */
    ClusterSubscription pick(final long key, final String topic, final long sequence)
    {
        lastPickHeld = false;
        final int count = members.size();
        if (0 == count)
        {
            return null;
        }
        if (QueueGroupDiscipline.KEYED == discipline)
        {
            return keyed(bucket(key, topic), sequence);
        }
        final int turn = cursor < count ? cursor : 0; // a member left since: the turn may be past the end
        cursor = turn + 1 == count ? 0 : turn + 1;
        return members.get(turn);
    }

    /**
     * @return true if the last {@link #pick} kept a KEYED message with its bucket's earlier member (not yet drained).
     */
    boolean lastPickHeld()
    {
        return lastPickHeld;
    }

    private ClusterSubscription keyed(final int bucket, final long sequence)
    {
        final ClusterSubscription owner = members.get(bucket % members.size());
        final ClusterSubscription before = holders[bucket];
        ClusterSubscription target = owner;
        if (null != before && before != owner && before.joined && before.assigned.contains(holderSequences[bucket]))
        {
            target = before; // its latest of the bucket is unconfirmed: the key moves once it is seen
            lastPickHeld = true;
        }
        holders[bucket] = target;
        holderSequences[bucket] = sequence;
        return target;
    }

    /**
     * After a snapshot loaded the members' unconfirmed assignments and they joined: each bucket's holder is the
     * member with an unconfirmed assignment of it (at most one holds a bucket: a key moves only once drained), its
     * latest in assignment order. Assignments loaded with no key (a snapshot of before keys named the bucket) are
     * skipped: their bucket is with its member.
     */
    void rebuildHolders()
    {
        if (null == holders)
        {
            return;
        }
        java.util.Arrays.fill(holders, null);
        java.util.Arrays.fill(holderSequences, 0);
        for (final ClusterSubscription member : members)
        {
            final AssignedWindow window = member.assigned;
            for (int i = 0; i < window.size(); i++)
            {
                final long key = window.key(i);
                if (Publisher.NO_KEY != key)
                {
                    final int bucket = bucket(key, null);
                    holders[bucket] = member;
                    holderSequences[bucket] = window.sequence(i);
                }
            }
        }
    }

    /**
     * The key a KEYED assignment is held under: the publisher's, or for none one with the topic's bucket, so that the
     * bucket is known again from the window alone (a hand-over, a snapshot).
     */
    static long bucketKey(final long key, final String topic)
    {
        return Publisher.NO_KEY == key ? topic.hashCode() & 0xFFFF_FFFFL : key;
    }

    /**
     * The core's bucket of a key (io.junction.QueueGroup): the same spread of the same hash.
     */
    static int bucket(final long key, final String topic)
    {
        final int hash = Publisher.NO_KEY == key ? topic.hashCode() : Long.hashCode(key);
        final int mixed = hash * 0x9E3779B9;
        return ((mixed ^ (mixed >>> 16)) & Integer.MAX_VALUE) & (BUCKETS - 1);
    }
}
