package io.junction;

import java.util.ArrayList;

import org.agrona.collections.Object2ObjectHashMap;

import io.junction.topic.SubscriptionTrie;

/**
 * A shard's routing table: topic to the routes that match it (a subscription's outbox, or a queue group
 * that picks one of its members). Written only by its shard's agent, which applies the conductor's
 * {@link RouteCommand}s between messages, so it takes no locks.
 * <p>
 * A cache of recent topics keeps the trie walk off the common path; any change clears it.
 */
final class Router
{
    private static final Route[] NO_ROUTES = new Route[0];

    private final SubscriptionTrie<Route> trie;
    private final Object2ObjectHashMap<String, Route[]> routeCache = new Object2ObjectHashMap<>();
    private final int routeCacheLimit;
    private final ArrayList<Route> matches = new ArrayList<>();
    private final Object2ObjectHashMap<String, QueueGroup> groups = new Object2ObjectHashMap<>();
    private final ArrayList<QueueGroup> groupsWithLeavers = new ArrayList<>();
    private final SwitchCounters counters;
    private final int maxMessageLength;
    private final SegmentReclaimer reclaimer;
    private final Shard shard; // the shard this router serves
    private String lastTopic; // the topic routed last (by identity) and its routes
    private Route[] lastRoutes = NO_ROUTES;

    Router(final Junction.Context ctx, final SwitchCounters counters, final SegmentReclaimer reclaimer,
        final Shard shard)
    {
        this.reclaimer = reclaimer;
        this.shard = shard;
        this.trie = new SubscriptionTrie<>(ctx.maxTopicTokens());
        this.routeCacheLimit = ctx.routeCacheSize();
        this.counters = counters;
        this.maxMessageLength = ctx.maxMessageLength();
    }

    /**
     * @return the routes matching the topic; the same array for the same topic until a change.
     */
    Route[] route(final String topic)
    {
        if (topic == lastTopic)
        {
            return lastRoutes; // a run of one topic, the common case, skips the hash and the equals
        }
        Route[] routes = routeCache.get(topic);
        if (null == routes)
        {
            matches.clear();
            trie.match(topic, matches);
            routes = matches.isEmpty() ? NO_ROUTES : matches.toArray(NO_ROUTES);
            if (routeCache.size() >= routeCacheLimit)
            {
                routeCache.clear();
            }
            routeCache.put(topic, routes);
        }
        lastTopic = topic;
        lastRoutes = routes;
        return routes;
    }

    /**
     * Apply one change. The caller calls {@link #changed()} once after a batch of them.
     */
    void apply(final RouteCommand command)
    {
        if (command.add)
        {
            command.outbox.reclaimWith(reclaimer); // before any message reaches it
            command.outbox.producedBy(shard);
        }
        final String group = command.outbox.subscription().options().queueGroup();
        if (null != group)
        {
            applyGroupCommand(command, group);
        }
        else if (command.add)
        {
            trie.add(command.pattern, command.outbox);
        }
        else
        {
            trie.remove(command.pattern, command.outbox);
        }
    }

    /**
     * The routes changed: what the cache remembers may be wrong.
     */
    void changed()
    {
        routeCache.clear();
        lastTopic = null;
        lastRoutes = NO_ROUTES;
    }

    private void applyGroupCommand(final RouteCommand command, final String groupName)
    {
        final String key = command.pattern + '\u0000' + groupName;
        QueueGroup group = groups.get(key);
        if (command.add)
        {
            if (null == group)
            {
                group = new QueueGroup(key, command.outbox.subscription().options().queueGroupDiscipline(),
                    counters, counters.queueGroupMoved(), counters.queueGroupDroppedOnMove(), maxMessageLength);
                groups.put(key, group);
            }
            if (0 == group.size())
            {
                trie.add(command.pattern, group);
            }
            group.join(command.outbox);
        }
        else if (null != group)
        {
            group.leave(command.outbox);
            if (0 == group.size())
            {
                trie.remove(command.pattern, group);
            }
            if (!groupsWithLeavers.contains(group))
            {
                groupsWithLeavers.add(group);
            }
        }
    }

    boolean hasLeavers()
    {
        return !groupsWithLeavers.isEmpty();
    }

    /**
     * Hand what queue-group members that left still had queued to the members that remain.
     */
    int moveLeavers()
    {
        int work = 0;
        for (int i = groupsWithLeavers.size() - 1; i >= 0; i--)
        {
            final QueueGroup group = groupsWithLeavers.get(i);
            work += group.moveLeavers();
            if (!group.hasLeavers())
            {
                groupsWithLeavers.remove(i);
                if (group.isEmpty())
                {
                    groups.remove(group.key());
                }
            }
        }
        return work;
    }
}
