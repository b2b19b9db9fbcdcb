package io.junction;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.NanoClock;

/**
 * Gives back the grown segments of outbox class queues that went idle. An outbox's queue grows as its
 * subscriber falls behind and otherwise gives the memory back only at a later write; a subscription
 * that stops receiving would keep it for good. The shard is the only producer of its outboxes, so it
 * alone may relink their segments: it tracks the queues that grew, and once a queue has been empty with
 * no write for a whole {@link #IDLE_NS}, starts it on a small segment again and lets the large one go.
 * <p>
 * Runs on its shard's agent; costs one check per duty cycle while nothing is tracked.
 */
final class SegmentReclaimer
{
    /** How long a grown queue must stay empty and unwritten before its segments are given back. */
    static final long IDLE_NS = TimeUnit.SECONDS.toNanos(1);

    private final ArrayList<Outbox.ClassQueue> grown = new ArrayList<>();
    private final NanoClock clock;
    private final long idleNs;
    private long nextCheckNs;

    SegmentReclaimer(final NanoClock clock, final long idleNs)
    {
        this.clock = clock;
        this.idleNs = idleNs;
    }

    /**
     * A queue linked a larger segment: look at it from now on. Called by the producer, once per growth.
     */
    void track(final Outbox.ClassQueue queue)
    {
        grown.add(queue);
    }

    boolean hasTracked()
    {
        return !grown.isEmpty();
    }

    int tracked()
    {
        return grown.size();
    }

    /**
     * @return the queues whose segments were given back (or that need no more looking at).
     */
    int reclaim()
    {
        final long nowNs = clock.nanoTime();
        if (nowNs - nextCheckNs < 0)
        {
            return 0;
        }
        nextCheckNs = nowNs + idleNs;
        int released = 0;
        for (int i = grown.size() - 1; i >= 0; i--)
        {
            if (grown.get(i).releaseIfIdle())
            {
                final int last = grown.size() - 1;
                grown.set(i, grown.get(last));
                grown.remove(last);
                released++;
            }
        }
        return released;
    }
}
