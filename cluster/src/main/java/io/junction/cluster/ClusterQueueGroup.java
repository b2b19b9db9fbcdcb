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
 * a key goes to the same place as in the daemon for the same membership; a join or a leave moves a key at once, since
 * the replicated switch holds nothing queued for a member (each assignment is handed to the egress as it is made).
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

    ClusterQueueGroup(final String pattern, final String name, final QueueGroupDiscipline discipline)
    {
        this.pattern = pattern;
        this.name = name;
        this.discipline = discipline;
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
    }

    void leave(final ClusterSubscription subscription)
    {
        members.remove(subscription);
    }

    /**
     * @param key the publisher's key, or {@link Publisher#NO_KEY} (the topic is then the key).
     * @return the member that gets the message, or null when the group has none.
     */
    ClusterSubscription pick(final long key, final String topic)
    {
        final int count = members.size();
        if (0 == count)
        {
            return null;
        }
        if (QueueGroupDiscipline.KEYED == discipline)
        {
            return members.get(bucket(key, topic) % count);
        }
        final int turn = cursor < count ? cursor : 0; // a member left since: the turn may be past the end
        cursor = turn + 1 == count ? 0 : turn + 1;
        return members.get(turn);
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
