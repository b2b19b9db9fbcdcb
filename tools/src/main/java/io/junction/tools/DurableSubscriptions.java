package io.junction.tools;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.agrona.CloseHelper;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.junction.journal.Journal;
import io.junction.security.Principal;

/**
 * The durable subscriptions and replays the protocol serves from the daemon's journal, over all connections: the
 * journal itself, the limits ({@code journal.durable.*}), which durable names are held by a connection now (one
 * at a time), and their counters. A durable name belongs to its principal: the journal stores it under a key
 * made of both, so another principal's subscription of the same name is another subscription.
 */
final class DurableSubscriptions implements AutoCloseable
{
    static final int ACTIVE_TYPE_ID = 1335;
    static final int REFUSED_LIMIT_TYPE_ID = 1336;
    static final int REFUSED_IN_USE_TYPE_ID = 1337;
    static final int AT_LIMIT_TYPE_ID = 1338;
    static final int AT_LIMIT_NS_TYPE_ID = 1339;
    static final int ACKS_TYPE_ID = 1340;
    static final int UNMATCHED_ACKS_TYPE_ID = 1341;
    static final int DELIVERED_TYPE_ID = 1342;

    /** What a client may call a durable subscription (the rest of the journal's 100 characters names the owner). */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern READABLE_PRINCIPAL = Pattern.compile("[A-Za-z0-9-]{1,34}");

    private final Journal journal;
    private final int maxSubscriptions;
    private final int maxUnacknowledged;
    private final ConcurrentHashMap<String, RemoteDurableSubscription> held = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicCounter active;
    private final AtomicCounter refusedLimit;
    private final AtomicCounter refusedInUse;
    private final AtomicCounter atLimit;
    private final AtomicCounter atLimitNs;
    private final AtomicCounter acks;
    private final AtomicCounter unmatchedAcks;
    private final AtomicCounter delivered;

    DurableSubscriptions(
        final Journal journal, final int maxSubscriptions, final int maxUnacknowledged, final CountersManager counters)
    {
        this.journal = journal;
        this.maxSubscriptions = maxSubscriptions;
        this.maxUnacknowledged = maxUnacknowledged;
        active = counters.newCounter("protocol durable subscriptions", ACTIVE_TYPE_ID);
        refusedLimit = counters.newCounter("protocol durable subscriptions refused: limit", REFUSED_LIMIT_TYPE_ID);
        refusedInUse = counters.newCounter("protocol durable subscriptions refused: name in use",
            REFUSED_IN_USE_TYPE_ID);
        atLimit = counters.newCounter("protocol durable subscriptions at max-unacknowledged", AT_LIMIT_TYPE_ID);
        atLimitNs = counters.newCounter("protocol durable subscriptions ns at max-unacknowledged", AT_LIMIT_NS_TYPE_ID);
        acks = counters.newCounter("protocol durable acks", ACKS_TYPE_ID);
        unmatchedAcks = counters.newCounter("protocol durable acks unmatched", UNMATCHED_ACKS_TYPE_ID);
        delivered = counters.newCounter("protocol durable messages sent", DELIVERED_TYPE_ID);
    }

    Journal journal()
    {
        return journal;
    }

    int maxSubscriptions()
    {
        return maxSubscriptions;
    }

    int maxUnacknowledged()
    {
        return maxUnacknowledged;
    }

    /**
     * @return the journal's name for a principal's durable subscription: the principal's name as it is when it
     * is short and plain ("alice_orders"), else a digest of it ("_3f2a..._orders"); never the same for two
     * principals.
     */
    static String journalName(final Principal principal, final String name)
    {
        final String owner = principal.name();
        if (READABLE_PRINCIPAL.matcher(owner).matches())
        {
            return owner + "_" + name;
        }
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(owner.getBytes(StandardCharsets.UTF_8));
            final StringBuilder key = new StringBuilder("_");
            for (int i = 0; i < 16; i++)
            {
                key.append(Character.forDigit((digest[i] >> 4) & 0xF, 16)).append(Character.forDigit(digest[i] & 0xF, 16));
            }
            return key.append('_').append(name).toString();
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JDK", ex);
        }
    }

    /**
     * Take a place under the limit.
     *
     * @return false at the limit (counted).
     */
    boolean reserve()
    {
        while (true)
        {
            final int current = open.get();
            if (current >= maxSubscriptions)
            {
                refusedLimit.increment();
                return false;
            }
            if (open.compareAndSet(current, current + 1))
            {
                active.increment();
                return true;
            }
        }
    }

    void release()
    {
        open.decrementAndGet();
        active.decrement();
    }

    /** What {@link #hold} found. */
    enum Hold
    {
        /** The name was free: the new subscription holds it now. */
        HELD,
        /** Another connection's open subscription holds it (counted). */
        IN_USE,
        /** Its holder is closing and lets it go within a duty cycle of the journal (after its last ACK). */
        CLOSING
    }

    Hold hold(final String journalName, final RemoteDurableSubscription owner)
    {
        final RemoteDurableSubscription current = held.putIfAbsent(journalName, owner);
        if (null == current)
        {
            return Hold.HELD;
        }
        if (current.ended)
        {
            return Hold.CLOSING;
        }
        refusedInUse.increment();
        return Hold.IN_USE;
    }

    void letGo(final String journalName, final RemoteDurableSubscription owner)
    {
        held.remove(journalName, owner);
    }

    AtomicCounter atLimit()
    {
        return atLimit;
    }

    AtomicCounter atLimitNs()
    {
        return atLimitNs;
    }

    AtomicCounter acks()
    {
        return acks;
    }

    AtomicCounter unmatchedAcks()
    {
        return unmatchedAcks;
    }

    AtomicCounter delivered()
    {
        return delivered;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(active, refusedLimit, refusedInUse, atLimit, atLimitNs, acks, unmatchedAcks, delivered);
    }
}
