package io.junction.cluster.netns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

    private final List<Event> events = new ArrayList<>();
    private final Map<Long, Integer> deliveries = new ConcurrentHashMap<>();
    // Acknowledgements are cumulative, as JunctionClient counts them: the cluster applies one publisher's messages in
    // order, so an ACK of n acknowledges every value up to n (an ACK lost on egress is implied by a later one).
    private final AtomicLong maxAcked = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong lastAckNs = new AtomicLong();
    private volatile boolean subscribed;

    void onLine(final String line)
    {
        final long nowNs = System.nanoTime();
        synchronized (events)
        {
            events.add(new Event(nowNs, line));
        }
        final String[] words = line.split(" ");
        switch (words[0])
        {
            case "SENT" -> sent.incrementAndGet();
            case "ACK" ->
            {
                maxAcked.accumulateAndGet(Long.parseLong(words[1]), Math::max);
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
        return maxAcked.get();
    }

    public long delivered()
    {
        return deliveries.size();
    }

    public long lastAckNs()
    {
        return lastAckNs.get();
    }

    /**
     * @return a copy of the events so far.
     */
    public List<Event> events()
    {
        synchronized (events)
        {
            return new ArrayList<>(events);
        }
    }

    /**
     * @return the events from (and including) the given time.
     */
    public List<Event> since(final long nanoTime)
    {
        final List<Event> since = new ArrayList<>();
        for (final Event event : events())
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
        final long acked = maxAcked.get();
        if (acked != sent.get())
        {
            return false;
        }
        for (long value = 1; value <= acked; value++)
        {
            if (!deliveries.containsKey(value))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return counts and the first values not yet acknowledged or delivered, for a failure message.
     */
    public String summary()
    {
        final List<Long> unacked = new ArrayList<>();
        final List<Long> undelivered = new ArrayList<>();
        final long acked = maxAcked.get();
        for (long value = 1; value <= sent.get(); value++)
        {
            if (value > acked && unacked.size() < 10)
            {
                unacked.add(value);
            }
            if (value <= acked && !deliveries.containsKey(value) && undelivered.size() < 10)
            {
                undelivered.add(value);
            }
        }
        return sent.get() + " sent, " + acked + " acknowledged, " + deliveries.size() + " delivered; " +
            "not acknowledged " + unacked + ", acknowledged not delivered " + undelivered;
    }

    /**
     * @return the problems found (empty if none): acknowledged messages never delivered, messages delivered twice,
     * deliveries of messages never sent.
     */
    public List<String> check()
    {
        final List<String> problems = new ArrayList<>();
        final List<Long> lost = new ArrayList<>();
        for (long value = 1; value <= maxAcked.get(); value++)
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
