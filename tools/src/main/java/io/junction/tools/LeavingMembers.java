package io.junction.tools;

import java.util.ArrayList;
import java.util.function.Predicate;

import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

/**
 * The queue-group members of one connection that are leaving on UNSUBSCRIBE. Each one's switch subscription is
 * closed first, so what was queued for it moves to the members that stay (counted by the switch); but a delivery
 * agent may be in a turn of it, handing it messages it took before the close. Those are still written to the
 * client. Only once the switch will hand it nothing more ({@link io.junction.Subscription#isQuiescent()}) and the
 * last of its MESSAGE frames has left the send buffer does the connection stage UNSUBSCRIBED: the client then knows
 * nothing more comes. Used on the connection's I/O agent only.
 */
final class LeavingMembers
{
    private final ArrayList<RemoteSubscription> leaving = new ArrayList<>(2);

    void add(final RemoteSubscription subscription)
    {
        subscription.leaveMark = -1;
        leaving.add(subscription);
    }

    boolean isEmpty()
    {
        return leaving.isEmpty();
    }

    void remove(final RemoteSubscription subscription)
    {
        leaving.remove(subscription);
    }

    void clear()
    {
        leaving.clear();
    }

    /**
     * After the send buffer was copied out: finish each member the switch is done with and whose frames are out.
     *
     * @param ring   the connection's send buffer (null if it never had one).
     * @param finish stages the member's UNSUBSCRIBED; false if there is no room for it yet (tried again later).
     * @return true if it must be called again without new output to wait for (a member the switch is not done
     * with, or an UNSUBSCRIBED just staged that must be written).
     */
    boolean poll(final ManyToOneRingBuffer ring, final Predicate<RemoteSubscription> finish)
    {
        boolean again = false;
        for (int i = leaving.size() - 1; i >= 0; i--)
        {
            final RemoteSubscription subscription = leaving.get(i);
            if (subscription.leaveMark < 0)
            {
                if (!subscription.subscription.isQuiescent())
                {
                    again = true; // a turn of it is under way: soon over
                    continue;
                }
                // Every frame of it was committed before this position: once copied past it, UNSUBSCRIBED follows.
                subscription.leaveMark = null == ring ? 0 : ring.producerPosition();
            }
            if (null != ring && ring.consumerPosition() < subscription.leaveMark)
            {
                continue; // its last frames are still queued: the flush that copies them calls again
            }
            if (finish.test(subscription))
            {
                leaving.remove(i);
                again = true;
            }
        }
        return again;
    }
}
