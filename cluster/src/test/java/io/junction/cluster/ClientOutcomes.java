package io.junction.cluster;

import io.junction.OfferResult;
import io.junction.RejectReason;
import io.junction.client.ClientContext;
import io.junction.client.ConnectionListener;
import io.junction.client.ConnectionState;
import io.junction.client.DisconnectReason;
import io.junction.client.PublishOutcome;
import io.junction.client.PublishOutcomeListener;
import io.junction.client.RefusalListener;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test's cluster client was told: the outcome of each guaranteed publish (DURABLE, the ones the log already
 * had among them), refusals, and connects (the first, a new leader, a reconnect). On the client's thread.
 */
final class ClientOutcomes implements PublishOutcomeListener, ConnectionListener, RefusalListener
{
    static final int DUPLICATE_CODE = (int)OfferResult.rejected(RejectReason.DUPLICATE);

    /** Guaranteed publishes answered DURABLE, resends the log already had included. */
    long acked;
    long duplicates;
    long lastSequence;
    long connectedEvents;
    /** Per DURABLE outcome, in order: the sequence, or minus the publisher sequence for one the log already had. */
    final List<Long> sequences = new ArrayList<>();
    /** Refused guaranteed publishes, as {@code OUTCOME:publisherSequence}. */
    final List<String> refused = new ArrayList<>();
    final List<ConnectionState> states = new ArrayList<>();

    /**
     * @return the client's context with this as its outcome, connection and refusal listener.
     */
    ClientContext context(final String instance)
    {
        return new ClientContext().instance(instance).outcomeListener(this).connectionListener(this)
            .refusalListener(this);
    }

    public void onOutcome(final long publisherSequence, final PublishOutcome outcome, final long sequence,
        final int reasonCode)
    {
        if (PublishOutcome.DURABLE != outcome)
        {
            refused.add(outcome + ":" + publisherSequence);
            return;
        }
        acked++;
        if (DUPLICATE_CODE == reasonCode)
        {
            duplicates++;
            sequences.add(-publisherSequence);
            return;
        }
        sequences.add(sequence);
        lastSequence = Math.max(lastSequence, sequence);
    }

    public void onConnectionState(final ConnectionState state, final DisconnectReason reason, final String detail)
    {
        states.add(state);
        if (ConnectionState.CONNECTED == state || ConnectionState.LEADER_CHANGED == state)
        {
            connectedEvents++;
        }
    }

    public void onRefused(final long count, final PublishOutcome outcome, final int reasonCode)
    {
        refused.add(outcome + "x" + count);
    }
}
