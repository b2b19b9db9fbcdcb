package io.junction.regulate;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.agrona.CloseHelper;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.junction.Priority;
import io.junction.ShedReason;
import io.junction.SwitchCounters;

/**
 * Load regulation of one switch: the admission decision at the edge (any publishing thread), the
 * sojourn-time shedders of its rings, a counter per class and shed reason, and one per class for back
 * pressure.
 * <p>
 * The configuration is an immutable object behind a volatile reference: {@link #config(RegulationConfig)}
 * swaps it while publishers run. Messages already in the rings keep the state they were admitted under
 * and release it there, so a change loses nothing; new token buckets start full.
 */
public final class Regulator implements AutoCloseable
{
    /** Pass as the time-to-live for a message without one. */
    public static final long NO_TTL = Long.MAX_VALUE;

    /** A message's deadline when it has none. */
    public static final long NO_DEADLINE = 0;

    private static final Priority[] PRIORITIES = Priority.values();
    private static final ShedReason[] REASONS = ShedReason.values();

    private final CodelShedder[] shedders;
    private final LongSupplier[] ringOccupancy;
    private final int ringSize;
    private final AtomicCounter[] shedCounters;
    private final AtomicCounter[] backPressuredCounters;
    private final AtomicCounter[] queueDelayCounters;
    private final AtomicCounter[] shedLevelCounters;
    private final RegulationCache anonymous = new RegulationCache(null, null);
    private volatile Compiled compiled;

    /**
     * @param ringSize slots of each shard's ring, for {@link RegulationConfig#withCriticalReserve(int)}.
     */
    public Regulator(
        final int shards, final int ringSize, final RegulationConfig config, final CountersManager countersManager)
    {
        this.ringSize = ringSize;
        ringOccupancy = new LongSupplier[shards];
        shedders = new CodelShedder[shards];
        queueDelayCounters = new AtomicCounter[shards];
        shedLevelCounters = new AtomicCounter[shards];
        for (int i = 0; i < shards; i++)
        {
            shedders[i] = new CodelShedder();
            queueDelayCounters[i] = countersManager.newCounter(
                "shard " + i + " queue delay ns", SwitchCounters.SHARD_QUEUE_DELAY_TYPE_ID);
            shedLevelCounters[i] = countersManager.newCounter(
                "shard " + i + " shed level (1024 = one class)", SwitchCounters.SHARD_SHED_LEVEL_TYPE_ID);
        }
        shedCounters = new AtomicCounter[PRIORITIES.length * REASONS.length];
        for (final Priority priority : PRIORITIES)
        {
            for (final ShedReason reason : REASONS)
            {
                shedCounters[index(priority, reason)] = countersManager.newCounter(
                    "offer shed: " + priority.name() + " " + reason.name(), SwitchCounters.OFFER_SHED_TYPE_ID);
            }
        }
        backPressuredCounters = new AtomicCounter[PRIORITIES.length];
        for (final Priority priority : PRIORITIES)
        {
            backPressuredCounters[priority.ordinal()] = countersManager.newCounter(
                "offer back-pressured: " + priority.name(), SwitchCounters.OFFER_BACK_PRESSURED_TYPE_ID);
        }
        config(config);
    }

    /**
     * Swap the configuration in; takes effect for the next offer on every thread.
     */
    public void config(final RegulationConfig config)
    {
        compiled = new Compiled(Objects.requireNonNull(config, "config"));
    }

    public RegulationConfig config()
    {
        return compiled.config;
    }

    /**
     * @param publisherName what rules name in {@link Rule#withPublisher}; null for anonymous offers.
     */
    public RegulationCache newCache(final String publisherName)
    {
        return new RegulationCache(publisherName, null);
    }

    /**
     * @param principal the authenticated principal the publisher is bound to: what {@link Rule#withPrincipal}
     *                  matches, a quota of its own per principal.
     */
    public RegulationCache newCache(final String publisherName, final String principal)
    {
        return new RegulationCache(publisherName, principal);
    }

    /**
     * @return the cache of offers made without a publisher.
     */
    public RegulationCache anonymousCache()
    {
        return anonymous;
    }

    /**
     * Which rule governs this message. Allocation-free once the topic has been seen under the current
     * configuration.
     */
    public Admission resolve(final RegulationCache cache, final String topic, final Priority priority)
    {
        final Compiled current = compiled;
        if (0 == current.admissions.length)
        {
            return Admission.UNREGULATED;
        }

        RegulationCache.Binding binding = cache.binding;
        if (null == binding || binding.compiled != current)
        {
            binding = new RegulationCache.Binding(current);
            cache.binding = binding;
        }

        Admission[] byClass = binding.byTopic.get(topic);
        if (null == byClass)
        {
            byClass = current.resolve(cache.publisherName, cache.principal, topic);
            if (binding.byTopic.size() >= RegulationCache.MAX_TOPICS)
            {
                binding.byTopic.clear();
            }
            binding.byTopic.put(topic, byClass);
        }
        return byClass[priority.ordinal()];
    }

    /**
     * The admission decision: sojourn-time shedding, then the rule's token bucket and in-flight limit.
     * Allocation-free.
     *
     * @param ttlNs the message's time-to-live, or {@link #NO_TTL}.
     * @return null if admitted (then the caller must queue it or call {@link Admission#onNotQueued()}),
     * else the reason it was shed, already counted.
     */
    public ShedReason admit(
        final Admission admission, final int shard, final Priority priority, final long ttlNs, final long nowNs)
    {
        final ShedReason reason = decide(admission, shard, priority, ttlNs, nowNs);
        if (null != reason)
        {
            onShed(priority, reason);
        }
        return reason;
    }

    private ShedReason decide(
        final Admission admission, final int shard, final Priority priority, final long ttlNs, final long nowNs)
    {
        final Compiled current = compiled;
        final CodelShedder shedder = shedders[shard];
        if (NO_TTL != ttlNs && ttlNs <= shedder.queueDelayNs())
        {
            return ShedReason.EXPIRED; // It would run out in the queue: refuse it now rather than drop it later.
        }
        if (current.codelEnabled && admission.sojournShedding() && shedder.shouldShed(priority))
        {
            return ShedReason.QUEUE_DELAY;
        }
        if (0 != current.criticalReserve && Priority.CRITICAL != priority && null != ringOccupancy[shard] &&
            ringSize - ringOccupancy[shard].getAsLong() <= current.criticalReserve)
        {
            return ShedReason.RESERVED_FOR_CRITICAL;
        }
        return admission.tryAcquire(nowNs);
    }

    /**
     * @return the deadline of a message offered at {@code nowNs} with this time-to-live.
     */
    public static long deadlineNs(final long nowNs, final long ttlNs)
    {
        if (NO_TTL == ttlNs)
        {
            return NO_DEADLINE;
        }
        final long deadline = nowNs + ttlNs;
        return NO_DEADLINE == deadline ? 1 : deadline;
    }

    /**
     * @return true if a message with this deadline must no longer be delivered at {@code nowNs}.
     */
    public static boolean isExpired(final long deadlineNs, final long nowNs)
    {
        return NO_DEADLINE != deadlineNs && nowNs - deadlineNs >= 0;
    }

    public void onShed(final Priority priority, final ShedReason reason)
    {
        shedCounters[index(priority, reason)].increment();
    }

    /**
     * An admitted offer found the ring full (transient: the publisher may retry).
     */
    public void onBackPressured(final Priority priority)
    {
        backPressuredCounters[priority.ordinal()].increment();
    }

    public long backPressuredCount(final Priority priority)
    {
        return backPressuredCounters[priority.ordinal()].get();
    }

    public long shedCount(final Priority priority, final ShedReason reason)
    {
        return shedCounters[index(priority, reason)].get();
    }

    public CodelShedder shedder(final int shard)
    {
        return shedders[shard];
    }

    /**
     * The dispatcher side of one shard: to be used by that shard's agent only.
     */
    public DispatchRegulation forShard(final int shard, final NanoClock clock, final LongSupplier occupancy)
    {
        ringOccupancy[shard] = occupancy;
        return new DispatchRegulation(this, shard, shedders[shard], clock,
            queueDelayCounters[shard], shedLevelCounters[shard]);
    }

    Compiled compiled()
    {
        return compiled;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(shedCounters);
        CloseHelper.closeAll(backPressuredCounters);
        CloseHelper.closeAll(queueDelayCounters);
        CloseHelper.closeAll(shedLevelCounters);
    }

    private static int index(final Priority priority, final ShedReason reason)
    {
        return priority.ordinal() * REASONS.length + reason.ordinal();
    }

    /**
     * A configuration with the live state of its rules.
     */
    static final class Compiled
    {
        final RegulationConfig config;
        final Admission[] admissions;
        final boolean codelEnabled;
        final long codelTargetNs;
        final long codelIntervalNs;
        final int criticalReserve;
        /** Keyed by the rule's own admission (identity). */
        final ConcurrentHashMap<Admission, ConcurrentHashMap<String, Admission>> byPrincipal = new ConcurrentHashMap<>();

        Compiled(final RegulationConfig config)
        {
            this.config = config;
            final List<Rule> rules = config.rules();
            admissions = new Admission[rules.size()];
            for (int i = 0; i < admissions.length; i++)
            {
                admissions[i] = Admission.of(rules.get(i));
            }
            codelEnabled = config.codelEnabled();
            codelTargetNs = config.codelTargetNs();
            codelIntervalNs = config.codelIntervalNs();
            criticalReserve = config.criticalReserve();
        }

        /**
         * The admission of a rule with a principal, for one principal: a bucket and an in-flight limit of its own,
         * made the first time that principal publishes under this configuration (as many as principals that
         * authenticate; resolved once per publisher and topic, not per message).
         */
        Admission perPrincipal(final Admission ofRule, final String principal)
        {
            return byPrincipal.computeIfAbsent(ofRule, (rule) -> new ConcurrentHashMap<>())
                .computeIfAbsent(principal, (name) -> Admission.of(ofRule.rule()));
        }

        Admission[] resolve(final String publisherName, final String principal, final String topic)
        {
            final Admission[] byClass = new Admission[PRIORITIES.length];
            for (final Priority priority : PRIORITIES)
            {
                byClass[priority.ordinal()] = Admission.UNREGULATED;
                for (final Admission admission : admissions)
                {
                    if (admission.rule().matches(publisherName, principal, topic, priority))
                    {
                        byClass[priority.ordinal()] = null == admission.rule().principal() ? admission :
                            perPrincipal(admission, principal);
                        break;
                    }
                }
            }
            return byClass;
        }
    }
}
