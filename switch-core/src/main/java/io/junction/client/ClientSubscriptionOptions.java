package io.junction.client;

import io.junction.SlowSubscriberPolicy;

/**
 * How a remote subscription behaves: its slow-subscriber policy in the daemon and its flow control. Fluent.
 * <p>
 * Flow control is by credit: the daemon sends at most {@link #initialCredit} messages before the client grants
 * more; with {@link #autoCredit} (the default) the client grants, in one CREDIT frame, what the handler has
 * consumed each time that reaches half the initial credit, so the daemon never has more than the initial credit
 * outstanding. Out of credit, the subscription meets its slow-subscriber policy in the daemon.
 */
public final class ClientSubscriptionOptions
{
    public static final long DEFAULT_INITIAL_CREDIT = 4096;
    /** No flow control: the daemon sends as its send buffer allows. */
    public static final long NO_FLOW_CONTROL = -1;

    private SlowSubscriberPolicy slowSubscriberPolicy;
    private long initialCredit = DEFAULT_INITIAL_CREDIT;
    private boolean autoCredit = true;

    public static ClientSubscriptionOptions defaults()
    {
        return new ClientSubscriptionOptions();
    }

    /**
     * @param policy null (the default): the daemon's configured policy.
     */
    public ClientSubscriptionOptions slowSubscriberPolicy(final SlowSubscriberPolicy policy)
    {
        this.slowSubscriberPolicy = policy;
        return this;
    }

    public SlowSubscriberPolicy slowSubscriberPolicy()
    {
        return slowSubscriberPolicy;
    }

    /**
     * @param credit messages the daemon may send before the first CREDIT ({@code >= 1}), or
     *               {@link #NO_FLOW_CONTROL}.
     */
    public ClientSubscriptionOptions initialCredit(final long credit)
    {
        if (credit < 1 && credit != NO_FLOW_CONTROL)
        {
            throw new IllegalArgumentException("initialCredit must be >= 1, or -1 for no flow control: " + credit);
        }
        this.initialCredit = credit;
        return this;
    }

    public long initialCredit()
    {
        return initialCredit;
    }

    /**
     * @param autoCredit false: the application grants credit itself with {@link ClientSubscription#grantCredit}.
     */
    public ClientSubscriptionOptions autoCredit(final boolean autoCredit)
    {
        this.autoCredit = autoCredit;
        return this;
    }

    public boolean autoCredit()
    {
        return autoCredit;
    }

    ClientSubscriptionOptions copy()
    {
        return new ClientSubscriptionOptions().slowSubscriberPolicy(slowSubscriberPolicy)
            .initialCredit(initialCredit).autoCredit(autoCredit);
    }
}
