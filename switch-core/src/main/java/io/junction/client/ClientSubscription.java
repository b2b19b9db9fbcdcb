package io.junction.client;

import io.junction.MessageHandler;

/**
 * A subscription through a {@link JunctionClient}: kept across reconnects (subscribed again on each new
 * connection) until {@link #close()} sends UNSUBSCRIBE. Read its state on the polling thread.
 */
public final class ClientSubscription implements AutoCloseable
{
    private final JunctionClient client;
    private final long id;
    private final String pattern;
    private final MessageHandler handler;
    private final ClientSubscriptionOptions options;
    boolean inEffect;
    boolean active = true;
    /** Closed as a queue-group member: its handler takes what comes until UNSUBSCRIBED (or the deadline). */
    boolean draining;
    boolean unsubscribeSent;
    long drainDeadlineNs;
    /** close() from a thread other than the polling one: the polling thread does it. */
    volatile boolean closeRequested;
    String endReason;
    long delivered;
    long faults;
    long consumedSinceGrant;
    /** CRITICAL messages consumed since the last grant, with a CRITICAL credit window (else in the count above). */
    long consumedCriticalSinceGrant;
    long subscribeSentNs;
    long lastSequence = -1;
    /** An express subscription's messages below CRITICAL read and not yet handed over; null if not express. */
    final ExpressBacklog backlog;
    /** The oldest messages of the backlog that came on a connection since lost: no credit is granted for them. */
    int uncredited;

    ClientSubscription(
        final JunctionClient client, final long id, final String pattern, final MessageHandler handler,
        final ClientSubscriptionOptions options)
    {
        this.client = client;
        this.id = id;
        this.pattern = pattern;
        this.handler = handler;
        this.options = options;
        backlog = options.expressCritical() ? new ExpressBacklog(
            (int)Math.min(Integer.MAX_VALUE - 8, options.initialCredit()), options.expressBacklogBytes()) : null;
    }

    public long id()
    {
        return id;
    }

    public String pattern()
    {
        return pattern;
    }

    MessageHandler handler()
    {
        return handler;
    }

    ClientSubscriptionOptions options()
    {
        return options;
    }

    /**
     * @return true once the daemon answered SUBSCRIBED on the current connection: every matching message offered
     * from then on is delivered to it.
     */
    public boolean isInEffect()
    {
        return inEffect;
    }

    /**
     * @return false once closed, or refused or ended by the daemon ({@link #endReason()} says why).
     */
    public boolean isActive()
    {
        return active;
    }

    /**
     * @return why it ended (the daemon's ERROR or UNSUBSCRIBED), or null while active or closed by the application.
     */
    public String endReason()
    {
        return endReason;
    }

    /**
     * @return messages handed to its handler.
     */
    public long delivered()
    {
        return delivered;
    }

    /**
     * @return times its handler threw (counted; the message is not delivered again).
     */
    public long faults()
    {
        return faults;
    }

    /**
     * Let the daemon send {@code credit} more messages (with {@link ClientSubscriptionOptions#autoCredit} false).
     *
     * @return false if it could not be sent now (not connected, or the send buffer is full).
     */
    public boolean grantCredit(final long credit)
    {
        return client.sendCredit(this, credit, 0);
    }

    /**
     * Let the daemon send {@code credit} more messages below CRITICAL and {@code criticalCredit} more CRITICAL ones
     * (with {@link ClientSubscriptionOptions#criticalCredit} set and {@link ClientSubscriptionOptions#autoCredit}
     * false; without a CRITICAL window the daemon adds both to the one credit).
     *
     * @return false if it could not be sent now (not connected, or the send buffer is full).
     */
    public boolean grantCredit(final long credit, final long criticalCredit)
    {
        return client.sendCredit(this, credit, criticalCredit);
    }

    /**
     * Acknowledge a durable subscription's message and every one before it: the daemon persists the position
     * and, after a restart of either side, delivers from the message after it. An ACK that cannot be sent (not
     * connected) is not kept: the daemon then delivers the message again (at least once).
     *
     * @return false if it could not be sent now, or the subscription is not durable.
     */
    public boolean ack(final long sequence)
    {
        return client.sendAck(this, sequence);
    }

    /**
     * Have the daemon deliver a subscription served from its journal (durable, or started at a position) again from
     * {@code start}, then live; a durable one's acknowledgements go on advancing its position.
     *
     * @return false if it could not be sent now (not in effect, or not served from the journal).
     */
    public boolean replay(final StartAt start)
    {
        return client.sendReplay(this, start);
    }

    /**
     * @return messages below CRITICAL read for an {@link ClientSubscriptionOptions#expressCritical} subscription and
     * not yet handed to its handler (0 for another).
     */
    public int backlog()
    {
        return null == backlog ? 0 : backlog.size();
    }

    /**
     * @return the sequence of the last message handed to its handler, or -1.
     */
    public long lastSequence()
    {
        return lastSequence;
    }

    /**
     * @return true while closed as a queue-group member and the daemon's UNSUBSCRIBED has not come: its handler
     * still takes the messages the daemon handed it before the leave took effect (none is lost or goes to
     * another member as well), at most for {@link ClientContext#leaveDrainTimeoutNs}.
     */
    public boolean isDraining()
    {
        return draining;
    }

    /**
     * Unsubscribe. A best-effort subscription's messages already on their way are discarded (counted); a
     * queue-group member's go on reaching its handler until the daemon's UNSUBSCRIBED says none follows
     * ({@link #isDraining()}). May be called from a handler, or from another thread than the polling one (the
     * polling thread then does it on its next {@link JunctionClient#poll()}, without waiting).
     */
    @Override
    public void close()
    {
        client.unsubscribe(this);
    }
}
