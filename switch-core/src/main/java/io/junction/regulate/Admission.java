package io.junction.regulate;

import io.junction.ShedReason;

/**
 * The live state of one {@link Rule} under one configuration: its token bucket and in-flight limit.
 * A message admitted under it carries it through the ring so that the dispatcher can release its slot.
 */
public final class Admission
{
    /** For messages no rule matches: no limits, sheddable by sojourn time. */
    public static final Admission UNREGULATED = new Admission(null, null, true, null);

    private final TokenBucket bucket;
    private final InFlightLimit inFlight;
    private final boolean sojournShedding;
    private final Rule rule;

    Admission(final TokenBucket bucket, final InFlightLimit inFlight, final boolean sojournShedding, final Rule rule)
    {
        this.bucket = bucket;
        this.inFlight = inFlight;
        this.sojournShedding = sojournShedding;
        this.rule = rule;
    }

    static Admission of(final Rule rule)
    {
        return new Admission(
            rule.ratePerSecond() > 0 ? new TokenBucket(rule.ratePerSecond(), rule.burst()) : null,
            rule.maxInFlight() > 0 ? new InFlightLimit(rule.maxInFlight()) : null,
            rule.sojournShedding(),
            rule);
    }

    /**
     * @return null if admitted (a token and an in-flight slot taken), else why not.
     */
    ShedReason tryAcquire(final long nowNs)
    {
        if (null != bucket && !bucket.tryAcquire(nowNs))
        {
            return ShedReason.RATE_LIMITED;
        }
        if (null != inFlight && !inFlight.tryAcquire())
        {
            if (null != bucket)
            {
                bucket.refund();
            }
            return ShedReason.IN_FLIGHT_LIMITED;
        }
        return null;
    }

    /**
     * An admitted message could not be queued (the ring was full): give back what it took.
     */
    public void onNotQueued()
    {
        if (null != inFlight)
        {
            inFlight.release();
        }
        if (null != bucket)
        {
            bucket.refund();
        }
    }

    /**
     * An admitted message left the ring (dispatched or expired).
     */
    public void onDequeued()
    {
        if (null != inFlight)
        {
            inFlight.release();
        }
    }

    public boolean sojournShedding()
    {
        return sojournShedding;
    }

    /**
     * @return the rule, or null for {@link #UNREGULATED}.
     */
    public Rule rule()
    {
        return rule;
    }

    public TokenBucket bucket()
    {
        return bucket;
    }

    public InFlightLimit inFlight()
    {
        return inFlight;
    }
}
