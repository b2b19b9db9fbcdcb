package io.junction.cluster.netns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the client saw, as a Jepsen-style history: every line of {@link NsClientMain} with the time the test read it.
 * {@link #check()} is the checker: no acknowledged message lost, none delivered twice.
 */
public final class History
{
    /** One event: the client's line and the test's {@link System#nanoTime()} on reading it. */
    public record Event(long nanoTime, String line)
    {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Map<Long, Integer> deliveries = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> acked = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong lastAckNs = new AtomicLong();
    private volatile boolean subscribed;

    void onLine(final String line)
    {
        final long nowNs = System.nanoTime();
        events.add(new Event(nowNs, line));
        final String[] words = line.split(" ");
        switch (words[0])
        {
            case "SENT" -> sent.incrementAndGet();
            case "ACK" ->
            {
                acked.put(Long.parseLong(words[1]), Boolean.TRUE);
                lastAckNs.set(nowNs);
            }
            case "DLV" -> deliveries.merge(Long.parseLong(words[1]), 1, Integer::sum);
            case "SUBSCRIBED" -> subscribed = true;
            default ->
            {
            }
        }
    }

    public boolean subscribed()
    {
        return subscribed;
    }

    public long sent()
    {
        return sent.get();
    }

    public long acked()
    {
        return acked.size();
    }

    public long delivered()
    {
        return deliveries.size();
    }

    public long lastAckNs()
    {
        return lastAckNs.get();
    }

    public List<Event> events()
    {
        return events;
    }

    /**
     * @return the events from (and including) the given time.
     */
    public List<Event> since(final long nanoTime)
    {
        final List<Event> since = new ArrayList<>();
        for (final Event event : events)
        {
            if (event.nanoTime() >= nanoTime)
            {
                since.add(event);
            }
        }
        return since;
    }

    /**
     * @return true once every sent message is acknowledged and delivered.
     */
    public boolean settled()
    {
        return acked.size() == sent.get() && deliveries.keySet().containsAll(acked.keySet());
    }

    /**
     * @return the problems found (empty if none): acknowledged messages never delivered, messages delivered twice,
     * deliveries of messages never sent.
     */
    public List<String> check()
    {
        final List<String> problems = new ArrayList<>();
        final List<Long> lost = new ArrayList<>();
        for (final Long value : acked.keySet())
        {
            if (!deliveries.containsKey(value))
            {
                lost.add(value);
            }
        }
        if (!lost.isEmpty())
        {
            problems.add(lost.size() + " acknowledged messages lost, e.g. " + lost.subList(0, Math.min(10, lost.size())));
        }
        final List<Long> twice = new ArrayList<>();
        final List<Long> unknown = new ArrayList<>();
        deliveries.forEach((value, count) ->
        {
            if (count > 1)
            {
                twice.add(value);
            }
            if (value < 1 || value > sent.get())
            {
                unknown.add(value);
            }
        });
        if (!twice.isEmpty())
        {
            problems.add(twice.size() + " messages delivered more than once, e.g. " +
                twice.subList(0, Math.min(10, twice.size())));
        }
        if (!unknown.isEmpty())
        {
            problems.add(unknown.size() + " deliveries of messages never sent, e.g. " +
                unknown.subList(0, Math.min(10, unknown.size())));
        }
        return problems;
    }
}
