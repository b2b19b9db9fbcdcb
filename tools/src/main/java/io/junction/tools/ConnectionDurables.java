package io.junction.tools;

import org.agrona.collections.Long2ObjectHashMap;

import io.junction.SlowSubscriberPolicy;
import io.junction.journal.DurableSubscription;
import io.junction.journal.Journal;
import io.junction.journal.StartPosition;
import io.junction.protocol.codecs.AckDecoder;
import io.junction.protocol.codecs.EndReasonCode;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.ReplayDecoder;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribeDecoder;
import io.junction.security.Principal;

/**
 * One connection's durable subscriptions and replays (a SUBSCRIBE with a durable name or a start position other
 * than NEW), their ACKs and REPLAYs, on the connection's I/O thread. Opening one in the journal (a seek by
 * sequence or time reads the disk) is done on the server's control worker, never on the I/O thread.
 */
final class ConnectionDurables
{
    private final ProtocolConnection connection;
    private final Long2ObjectHashMap<RemoteDurableSubscription> byId = new Long2ObjectHashMap<>();

    ConnectionDurables(final ProtocolConnection connection)
    {
        this.connection = connection;
    }

    boolean isEmpty()
    {
        return byId.isEmpty();
    }

    boolean contains(final long id)
    {
        return byId.containsKey(id);
    }

    /**
     * A SUBSCRIBE already checked for its id, the connection's limit, its pattern and the principal's permission.
     */
    void subscribe(
        final long id, final String pattern, final String queueGroup, final String durableName,
        final StartPositionKind kind, final long value, final long initialCredit, final SlowSubscriberPolicy policy,
        final boolean holdsDropOldest)
    {
        final int template = SubscribeDecoder.TEMPLATE_ID;
        final DurableSubscriptions durables = connection.server().durableSubscriptions();
        if (null == durables)
        {
            connection.sendErrorFrame(ErrorCode.UNSUPPORTED, template, id, -1, "this daemon has no journal " +
                "(journal.enabled = false, or it failed to open): no durable subscription or replay");
            return;
        }
        if (!queueGroup.isEmpty())
        {
            connection.sendErrorFrame(ErrorCode.UNSUPPORTED, template, id, -1, "a durable subscription or replay " +
                "cannot be in a queue group ('" + queueGroup + "')");
            return;
        }
        if (holdsDropOldest)
        {
            connection.sendErrorFrame(ErrorCode.UNSUPPORTED, template, id, -1, "this connection holds a " +
                "drop-oldest subscription, which may discard any queued frame of the connection: a durable " +
                "subscription or replay needs a connection without one (or drop-newest, disconnect, back-pressure)");
            return;
        }
        if (!durableName.isEmpty() && !DurableSubscriptions.NAME.matcher(durableName).matches())
        {
            connection.server().badFrames().increment();
            connection.sendErrorFrame(ErrorCode.INVALID_FIELD, template, id, 64, "field 'durableName' refused: " +
                "1 to 64 of letters, digits, '.', '_' and '-'");
            return;
        }
        final StartPosition start = startPosition(kind, value);
        if (null == start)
        {
            connection.server().badFrames().increment();
            connection.sendErrorFrame(ErrorCode.INVALID_FIELD, template, id, -1, "field 'startPositionKind' " +
                "refused: " + kind + (StartPositionKind.DURABLE == kind ? " needs a durable name" : ""));
            return;
        }
        final Principal principal = connection.principal();
        final String journalName = durableName.isEmpty() ? null :
            DurableSubscriptions.journalName(principal, durableName);
        if (!durables.reserve())
        {
            connection.sendErrorFrame(ErrorCode.TOO_MANY_SUBSCRIPTIONS_TOTAL, template, id,
                durables.maxSubscriptions(), "the server holds " + durables.maxSubscriptions() + " durable " +
                "subscriptions and replays, the most journal.durable.max-subscriptions allows");
            return;
        }
        if (!connection.server().reserveSubscription())
        {
            durables.release();
            connection.sendErrorFrame(ErrorCode.TOO_MANY_SUBSCRIPTIONS_TOTAL, template, id,
                connection.server().network().maxSubscriptions(), "the server holds " +
                connection.server().network().maxSubscriptions() + " remote subscriptions, the most " +
                "network.max-subscriptions allows");
            return;
        }
        final RemoteDurableSubscription subscription = new RemoteDurableSubscription(
            connection, durables, id, pattern, journalName, initialCredit);
        final DurableSubscriptions.Hold hold = null == journalName ? DurableSubscriptions.Hold.HELD :
            durables.hold(journalName, subscription);
        if (DurableSubscriptions.Hold.CLOSING == hold)
        {
            releaseLimits(durables);
            connection.retryLater(); // this SUBSCRIBE again on a later cycle, once the closing one let the name go
            return;
        }
        if (DurableSubscriptions.Hold.IN_USE == hold)
        {
            releaseLimits(durables);
            connection.sendErrorFrame(ErrorCode.DUPLICATE_SUBSCRIPTION, template, id, -1, "durable subscription '" +
                durableName + "' of " + principal + " is open on another connection; close it there first");
            return;
        }
        if (!connection.ensureDeliveries(template, id))
        {
            letGo(durables, subscription);
            return;
        }
        byId.put(id, subscription);
        connection.subscriptionAdded(1);
        final Journal journal = durables.journal();
        if (!connection.server().submit(() -> open(journal, subscription, start)))
        {
            forget(subscription);
            letGo(durables, subscription);
            connection.retryLater(); // the worker's queue is full: this SUBSCRIBE again on the next cycle
        }
    }

    /**
     * @return the journal's start position, or null when the kind is not one it knows.
     */
    private static StartPosition startPosition(final StartPositionKind kind, final long value)
    {
        switch (kind)
        {
            case NEW:
            case DURABLE: // first time: from now on; after that the journal resumes after the acknowledged position
                return StartPosition.latest();
            case EARLIEST:
                return StartPosition.earliest();
            case AFTER_SEQUENCE:
                return StartPosition.sequence(value == Long.MAX_VALUE ? value : value + 1);
            case FROM_TIME:
                return StartPosition.time(Math.multiplyExact(Math.max(0, value), 1_000_000L));
            default:
                return null;
        }
    }

    /**
     * On the control worker: open it in the journal (which seeks), then answer on the I/O thread.
     */
    private void open(final Journal journal, final RemoteDurableSubscription subscription, final StartPosition start)
    {
        DurableSubscription opened = null;
        String refusal = null;
        try
        {
            opened = journal.subscribe(subscription.journalName, subscription.pattern, start, subscription);
            if (DurableSubscription.State.ACTIVE != opened.state())
            {
                refusal = String.valueOf(opened.failure().getMessage());
                opened.close();
                opened = null;
            }
        }
        catch (final RuntimeException ex)
        {
            refusal = String.valueOf(ex.getMessage());
        }
        if (null != opened)
        {
            subscription.store = subscription.isDurable() ? opened : null;
            subscription.reader = opened;
        }
        final String text = refusal;
        connection.agent().post(() -> onOpened(subscription, text));
    }

    private void onOpened(final RemoteDurableSubscription subscription, final String refusal)
    {
        final DurableSubscriptions durables = connection.server().durableSubscriptions();
        if (null != refusal)
        {
            forget(subscription);
            letGo(durables, subscription);
            if (connection.isOpen())
            {
                connection.sendErrorFrame(ErrorCode.SUBSCRIBE_REFUSED, SubscribeDecoder.TEMPLATE_ID, subscription.id,
                    -1, "subscribe '" + subscription.pattern + "' refused: " + refusal);
                connection.flush();
            }
            return;
        }
        if (!connection.isOpen() || byId.get(subscription.id) != subscription)
        {
            subscription.close(); // the connection closed or it was unsubscribed meanwhile (already let go)
            return;
        }
        connection.sendSubscribedFrame(subscription.id, subscription.pattern);
        subscription.announced = true; // after SUBSCRIBED is staged: no MESSAGE of it overtakes it
        connection.flush();
    }

    void onAck(final AckDecoder ack)
    {
        final RemoteDurableSubscription subscription = byId.get(ack.subscriptionId());
        if (null == subscription || !subscription.isDurable())
        {
            connection.sendErrorFrame(null == subscription ? ErrorCode.UNKNOWN_SUBSCRIPTION : ErrorCode.UNSUPPORTED,
                AckDecoder.TEMPLATE_ID, ack.subscriptionId(), -1, null == subscription ?
                "no durable subscription " + ack.subscriptionId() + " on this connection" :
                "subscription " + ack.subscriptionId() + " is a replay without a durable name: nothing to acknowledge");
            return;
        }
        subscription.requestAck(ack.sequence());
    }

    /**
     * @return true if the id is one of these (given the credit), false if it is not.
     */
    /**
     * @param criticalCredit a CREDIT's CRITICAL credit: a durable subscription has one credit for every class, so
     *                       it is added to it (the client consumed those messages whichever way it counted them).
     */
    boolean onCredit(final long id, final long credit, final long criticalCredit)
    {
        final RemoteDurableSubscription subscription = byId.get(id);
        if (null == subscription)
        {
            return false;
        }
        subscription.addCredit(credit);
        subscription.addCredit(criticalCredit);
        return true;
    }

    void onReplay(final ReplayDecoder replay)
    {
        final int template = ReplayDecoder.TEMPLATE_ID;
        final long id = replay.subscriptionId();
        final RemoteDurableSubscription subscription = byId.get(id);
        if (null == subscription)
        {
            connection.sendErrorFrame(ErrorCode.UNKNOWN_SUBSCRIPTION, template, id, -1,
                "no durable subscription " + id + " on this connection");
            return;
        }
        if (replay.endSequence() >= 0)
        {
            connection.sendErrorFrame(ErrorCode.UNSUPPORTED, template, id, -1, "a replay up to an end sequence: " +
                "this daemon replays from a position and then goes on live (endSequence -1)");
            return;
        }
        final StartPositionKind kind = replay.startPositionKind();
        final StartPosition start = StartPositionKind.DURABLE == kind ? null : startPosition(kind, replay.startPositionValue());
        if (null == start || !subscription.announced)
        {
            connection.sendErrorFrame(ErrorCode.INVALID_FIELD, template, id, -1, null == start ?
                "field 'startPositionKind' refused for a replay: " + kind : "subscription " + id + " is not " +
                "in effect yet (wait for SUBSCRIBED)");
            return;
        }
        final Journal journal = connection.server().durableSubscriptions().journal();
        if (!connection.server().submit(() -> startReplay(journal, subscription, start)))
        {
            connection.retryLater();
        }
    }

    private void startReplay(final Journal journal, final RemoteDurableSubscription subscription,
        final StartPosition start)
    {
        try
        {
            final DurableSubscription replay = journal.subscribe(null, subscription.pattern, start, subscription);
            if (subscription.ended)
            {
                replay.close();
                return;
            }
            final DurableSubscription superseded = subscription.pendingReader;
            subscription.pendingReader = replay; // takes over on its first duty cycle
            if (null != superseded)
            {
                superseded.close();
            }
        }
        catch (final RuntimeException ex)
        {
            final String text = String.valueOf(ex.getMessage());
            connection.agent().post(() -> connection.sendErrorFrame(ErrorCode.INTERNAL, ReplayDecoder.TEMPLATE_ID,
                subscription.id, -1, "replay refused: " + text));
        }
    }

    /**
     * @return true if the id is one of these (ended and answered UNSUBSCRIBED), false if it is not.
     */
    boolean onUnsubscribe(final long id)
    {
        final RemoteDurableSubscription subscription = byId.get(id);
        if (null == subscription)
        {
            return false;
        }
        end(subscription);
        connection.sendUnsubscribedFrame(id, EndReasonCode.UNSUBSCRIBED, subscription.sent(), 0);
        return true;
    }

    /**
     * Its reader in the journal stopped for good (behind retention, a position mismatch, a fault): it ends, and the
     * client is told UNSUBSCRIBED FAULT (the journal logged and counted why).
     */
    void onStopped(final RemoteDurableSubscription subscription)
    {
        if (byId.get(subscription.id) != subscription)
        {
            return;
        }
        end(subscription);
        connection.sendUnsubscribedFrame(subscription.id, EndReasonCode.FAULT, subscription.sent(), 0);
        connection.flush();
    }

    /**
     * The connection closes: every one ends, its acknowledged position kept in the journal.
     */
    void closeAll()
    {
        for (final RemoteDurableSubscription subscription : byId.values().toArray(new RemoteDurableSubscription[0]))
        {
            end(subscription);
        }
    }

    private void end(final RemoteDurableSubscription subscription)
    {
        subscription.close();
        forget(subscription);
        letGo(connection.server().durableSubscriptions(), subscription);
    }

    private void forget(final RemoteDurableSubscription subscription)
    {
        if (byId.get(subscription.id) == subscription)
        {
            byId.remove(subscription.id);
            connection.subscriptionAdded(-1);
        }
    }

    private void letGo(final DurableSubscriptions durables, final RemoteDurableSubscription subscription)
    {
        if (subscription.released)
        {
            return; // ended before the journal answered: let go then
        }
        subscription.released = true;
        final DurableSubscription store = subscription.store;
        if (null != store && DurableSubscription.State.ACTIVE != store.state())
        {
            store.close(); // stopped in the journal: no duty cycle of it will let the name go
        }
        if (null != subscription.journalName &&
            (null == store || DurableSubscription.State.CLOSED == store.state()))
        {
            // Never opened in the journal, or stopped there (an active one lets its name go itself, after its last
            // ACK).
            durables.letGo(subscription.journalName, subscription);
        }
        releaseLimits(durables);
    }

    private void releaseLimits(final DurableSubscriptions durables)
    {
        durables.release();
        connection.server().releaseSubscription();
    }
}
