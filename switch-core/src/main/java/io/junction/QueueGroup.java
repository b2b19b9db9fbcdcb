package io.junction;

import java.util.ArrayList;

import org.agrona.concurrent.status.AtomicCounter;

/**
 * A queue group on one shard: the outboxes of the subscriptions that share a pattern and a group name,
 * ordered by subscription id, so that every shard (and every replica) orders them alike. Each message goes
 * to one member, picked by the group's {@link QueueGroupDiscipline}.
 * <p>
 * A member that leaves (its subscription ended) is skipped at once; once its delivery agent can no longer
 * touch its outbox, the shard moves what was still queued there to the members that remain, counted.
 * <p>
 * KEYED: a key hashes to one of {@link #BUCKETS} buckets and a bucket to a member. Once the membership has
 * changed, each bucket remembers the outbox given its latest message: a bucket whose member changed (a join, a
 * leave) goes to its new member only once that outbox has taken everything it was given, and while a leaver
 * still holds messages of a bucket, the bucket's new messages queue behind them and move with them, so a key's
 * queued messages always drain before its new member gets more.
 * Owned by the shard's thread.
 */
final class QueueGroup extends Route
{
    static final long NO_KEY = Long.MIN_VALUE;
    /** Keys hash to buckets, buckets to members: the unit whose order a membership change keeps. */
    static final int BUCKETS = 1024;
    private static final Outbox[] NONE = new Outbox[0];

    private final String key;
    private final QueueGroupDiscipline discipline;
    private final AtomicCounter moved;
    private final AtomicCounter droppedOnMove;
    private final SwitchCounters counters;
    private Outbox[] members = NONE;
    private int cursor;

    // KEYED, from the first change of membership on: per bucket, the outbox given its latest message and that
    // outbox's written count then (what it must have taken before the bucket may go elsewhere); and the same for
    // the messages moved from leavers, kept apart while a leaver still holds some of the bucket.
    private Outbox[] latest;
    private long[] latestWritten;
    private Outbox[] movedLatest;
    private long[] movedWritten;
    private boolean reoffering;

    private final ArrayList<Outbox> leaving = new ArrayList<>();
    private final MessageEvent moving;

    QueueGroup(
        final String key,
        final QueueGroupDiscipline discipline,
        final SwitchCounters counters,
        final AtomicCounter moved,
        final AtomicCounter droppedOnMove,
        final int maxLength)
    {
        this.counters = counters;
        this.droppedOnMove = droppedOnMove;
        this.key = key;
        this.discipline = discipline;
        this.moved = moved;
        this.moving = new MessageEvent(maxLength);
    }

    String key()
    {
        return key;
    }

    boolean isEmpty()
    {
        return 0 == members.length && leaving.isEmpty();
    }

    boolean hasLeavers()
    {
        return !leaving.isEmpty();
    }

    int size()
    {
        return members.length;
    }

    void join(final Outbox outbox)
    {
        final Outbox[] before = members;
        final Outbox[] after = new Outbox[before.length + 1];
        int at = 0;
        while (at < before.length && before[at].subscription().id() < outbox.subscription().id())
        {
            at++;
        }
        System.arraycopy(before, 0, after, 0, at);
        after[at] = outbox;
        System.arraycopy(before, at, after, at + 1, before.length - at);
        track(before);
        members = after;
    }

    /**
     * The member's subscription ended: no more messages for it; what it had queued moves to the others
     * when {@link #moveLeavers()} finds it quiet.
     */
    void leave(final Outbox outbox)
    {
        final Outbox[] before = members;
        int at = -1;
        for (int i = 0; i < before.length; i++)
        {
            if (before[i] == outbox)
            {
                at = i;
                break;
            }
        }
        if (at < 0)
        {
            return;
        }
        final Outbox[] after = new Outbox[before.length - 1];
        System.arraycopy(before, 0, after, 0, at);
        System.arraycopy(before, at + 1, after, at, before.length - at - 1);
        track(before);
        members = after;
        leaving.add(outbox);
    }

    /**
     * KEYED, on the first change of membership: from now on each bucket remembers where its latest message went,
     * starting (conservatively) with its member before the change and everything that member was given so far.
     */
    private void track(final Outbox[] before)
    {
        if (QueueGroupDiscipline.KEYED != discipline || null != latest || 0 == before.length)
        {
            return;
        }
        latest = new Outbox[BUCKETS];
        latestWritten = new long[BUCKETS];
        movedLatest = new Outbox[BUCKETS];
        movedWritten = new long[BUCKETS];
        for (int bucket = 0; bucket < BUCKETS; bucket++)
        {
            final Outbox owner = before[bucket % before.length];
            latest[bucket] = owner;
            latestWritten[bucket] = owner.writtenCount();
        }
    }

    /**
     * A leaver's queue is all moved: its buckets now continue where their moved messages went.
     */
    private void onMoved(final Outbox leaver)
    {
        if (null == latest)
        {
            return;
        }
        final Outbox[] members = this.members;
        for (int bucket = 0; bucket < BUCKETS; bucket++)
        {
            if (latest[bucket] != leaver)
            {
                continue;
            }
            final Outbox moved = movedLatest[bucket];
            if (null != moved && moved != leaver)
            {
                latest[bucket] = moved;
                latestWritten[bucket] = movedWritten[bucket];
            }
            else
            {
                latest[bucket] = 0 == members.length ? null : members[bucket % members.length];
                latestWritten[bucket] = 0;
            }
        }
    }

    @Override
    Outbox select(final MessageEvent event)
    {
        final Outbox[] members = this.members;
        final int count = members.length;
        if (0 == count)
        {
            return null;
        }
        return QueueGroupDiscipline.KEYED == discipline ? keyed(event, members) : balanced(members, count);
    }

    private Outbox balanced(final Outbox[] members, final int count)
    {
        final int start = cursor < count ? cursor : 0; // a member left since: the cursor may be past the end
        cursor = start + 1 == count ? 0 : start + 1;
        Outbox best = null;
        long bestDepth = Long.MAX_VALUE;
        for (int i = 0; i < count; i++)
        {
            int index = start + i;
            if (index >= count)
            {
                index -= count;
            }
            final Outbox outbox = members[index];
            if (!outbox.subscription().isActive())
            {
                continue;
            }
            final long depth = outbox.depth();
            if (depth < bestDepth)
            {
                best = outbox;
                bestDepth = depth;
                if (0 == depth)
                {
                    break;
                }
            }
        }
        return best;
    }

    private Outbox keyed(final MessageEvent event, final Outbox[] members)
    {
        final int bucket = spread(NO_KEY == event.key ? event.topic.hashCode() : Long.hashCode(event.key)) &
            (BUCKETS - 1);
        final Outbox owner = members[bucket % members.length];
        final Outbox[] latest = reoffering ? movedLatest : this.latest;
        if (null == latest)
        {
            return owner; // the membership never changed: every bucket is with its member
        }
        final long[] written = reoffering ? movedWritten : latestWritten;
        final Outbox before = latest[bucket];
        Outbox target = owner;
        if (null != before && before != owner)
        {
            if (!before.subscription().isActive())
            {
                // A leaver that still holds messages of the bucket (or a member ended before its leave is
                // applied): new ones queue behind them and move with them. A moved one goes to its new member.
                if (!reoffering)
                {
                    target = before;
                }
            }
            else if (before.takenCount() < written[bucket])
            {
                target = before; // what it was given of the bucket is not all taken yet: keep the key's order
            }
        }
        latest[bucket] = target;
        written[bucket] = target.writtenCount() + 1; // and this one, about to be written
        return target;
    }

    private static int spread(final int hash)
    {
        final int mixed = hash * 0x9E3779B9;
        return (mixed ^ (mixed >>> 16)) & Integer.MAX_VALUE;
    }

    /**
     * Shard side, each duty cycle while some member is leaving: move the queued messages of each leaver
     * whose delivery agent can no longer touch its outbox.
     *
     * @return messages moved.
     */
    int moveLeavers()
    {
        int work = 0;
        for (int i = leaving.size() - 1; i >= 0; i--)
        {
            final Outbox leaver = leaving.get(i);
            if (!leaver.subscription().isQuiescent())
            {
                continue;
            }
            final int count = leaver.moveTo(this);
            work += count;
            if (leaver.depth() == 0)
            {
                leaving.remove(i);
                onMoved(leaver);
            }
        }
        return work;
    }

    /**
     * Re-offer one message from a leaver to the member that now takes it. A member whose dropping policy refuses it
     * drops it, counted (per class, as the shard counts a drop, and as dropped on a move).
     *
     * @return false if that member has no room and back-pressures: the message stays with the leaver for now.
     */
    boolean reoffer(final Message message)
    {
        moving.set(message.topic(), message.priority(), message.timestampNs(), message.sequence(),
            message.buffer(), 0, message.length());
        moving.deadlineNs = message.deadlineNs;
        moving.key = message.key;
        moving.replyTo = message.replyTo();
        moving.correlationId = message.correlationId();
        reoffering = true;
        final Outbox target;
        try
        {
            target = select(moving);
        }
        finally
        {
            reoffering = false;
        }
        if (null == target)
        {
            counters.onSubscriberDropped(message.priority()); // no member remains to take it
            droppedOnMove.increment();
            return true;
        }
        final long written = target.writtenCount();
        if (target.offer(moving))
        {
            if (target.isInline() || target.writtenCount() != written)
            {
                moved.increment();
            }
            else
            {
                droppedOnMove.increment(); // its dropping policy dropped this one (counted by class there)
            }
            return true;
        }
        final SwitchSubscription subscription = target.subscription();
        switch (subscription.policy())
        {
            case BACK_PRESSURE:
                return false;
            case DISCONNECT:
                subscription.onDropped(message.priority());
                subscription.terminate(TerminationReason.SLOW_CONSUMER, null);
                break;
            default:
                subscription.onDropped(message.priority());
                break;
        }
        droppedOnMove.increment();
        return true;
    }
}
