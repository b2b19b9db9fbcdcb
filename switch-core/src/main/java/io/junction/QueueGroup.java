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
 * Owned by the shard's thread.
 */
final class QueueGroup extends Route
{
    static final long NO_KEY = Long.MIN_VALUE;
    private static final Outbox[] NONE = new Outbox[0];

    private final String key;
    private final QueueGroupDiscipline discipline;
    private final AtomicCounter moved;
    private final SwitchCounters counters;
    private Outbox[] members = NONE;
    private int cursor;

    // KEYED, after a join: the members before it, and for each the count of messages it must have taken
    // before a key that moved away from it may go to its new member (-1 once it has).
    private Outbox[] previous;
    private long[] holdUntil;

    private final ArrayList<Outbox> leaving = new ArrayList<>();
    private final MessageEvent moving;

    QueueGroup(
        final String key,
        final QueueGroupDiscipline discipline,
        final SwitchCounters counters,
        final AtomicCounter moved,
        final int maxLength)
    {
        this.counters = counters;
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
        if (QueueGroupDiscipline.KEYED == discipline && before.length > 0)
        {
            previous = before;
            holdUntil = new long[before.length];
            for (int i = 0; i < before.length; i++)
            {
                holdUntil[i] = before[i].writtenCount();
            }
        }
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
        members = after;
        previous = null; // a key of the leaver must move now, and the others keep theirs or move at once
        holdUntil = null;
        leaving.add(outbox);
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
        final int hash = spread(NO_KEY == event.key ? event.topic.hashCode() : Long.hashCode(event.key));
        final Outbox owner = members[hash % members.length];
        final Outbox[] previous = this.previous;
        if (null != previous)
        {
            final int was = hash % previous.length;
            final Outbox formerOwner = previous[was];
            final long until = holdUntil[was];
            if (formerOwner != owner && until >= 0)
            {
                if (formerOwner.subscription().isActive() && formerOwner.takenCount() < until)
                {
                    // What it was given before (maybe of this key) is not all taken yet: keep the key's order.
                    holdUntil[was] = formerOwner.writtenCount() + 1; // and this one, about to be written

                    return formerOwner;
                }
                holdUntil[was] = -1;
                if (allCaughtUp())
                {
                    this.previous = null;
                    this.holdUntil = null;
                }
            }
        }
        return owner;
    }

    private boolean allCaughtUp()
    {
        for (final long until : holdUntil)
        {
            if (until >= 0)
            {
                return false;
            }
        }
        return true;
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
            moved.getAndAdd(count);
            work += count;
            if (leaver.depth() == 0)
            {
                leaving.remove(i);
            }
        }
        return work;
    }

    /**
     * Re-offer one message from a leaver to the member that now takes it.
     *
     * @return false if that member has no room (back-pressure): the message stays with the leaver for now.
     */
    boolean reoffer(final Message message)
    {
        moving.set(message.topic(), message.priority(), message.timestampNs(), message.sequence(),
            message.buffer(), 0, message.length());
        moving.deadlineNs = message.deadlineNs;
        moving.key = message.key;
        moving.replyTo = message.replyTo();
        moving.correlationId = message.correlationId();
        final Outbox target = select(moving);
        if (null == target)
        {
            counters.onSubscriberDropped(message.priority()); // no member remains to take it
            return true;
        }
        return target.offer(moving);
    }
}
