package io.junction;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How a subscription behaves: its outbox, what happens when it is slow, how its faults are handled, and
 * where it runs. Fluent; the defaults suit most subscribers.
 */
public final class SubscriptionOptions
{
    public static final int DEFAULT_OUTBOX_CAPACITY = 1024;
    public static final int DEFAULT_MAX_RESTARTS = 3;
    public static final long DEFAULT_RESTART_WINDOW_NS = TimeUnit.SECONDS.toNanos(5);

    private SlowSubscriberPolicy slowSubscriberPolicy = SlowSubscriberPolicy.DROP_NEWEST;
    private int outboxCapacity = DEFAULT_OUTBOX_CAPACITY;
    private int maxRestarts = DEFAULT_MAX_RESTARTS;
    private long restartWindowNs = DEFAULT_RESTART_WINDOW_NS;
    private Supplier<MessageHandler> handlerFactory;
    private SubscriptionListener listener = SubscriptionListener.NO_OP;
    private DeliveryThread deliveryThread = DeliveryThread.SHARED;
    private String name;
    private String queueGroup;
    private QueueGroupDiscipline queueGroupDiscipline = QueueGroupDiscipline.BALANCED;

    // Never changed: what the subscriptions on the default options share.
    private static final SubscriptionOptions DEFAULTS = new SubscriptionOptions();

    public static SubscriptionOptions defaults()
    {
        return new SubscriptionOptions();
    }

    public SubscriptionOptions slowSubscriberPolicy(final SlowSubscriberPolicy policy)
    {
        this.slowSubscriberPolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    public SlowSubscriberPolicy slowSubscriberPolicy()
    {
        return slowSubscriberPolicy;
    }

    /**
     * @param capacity messages the outbox holds per shard; rounded up to a power of two.
     */
    public SubscriptionOptions outboxCapacity(final int capacity)
    {
        if (capacity < 1 || capacity > 1 << 24)
        {
            throw new IllegalArgumentException("outboxCapacity must be in [1, 2^24]: " + capacity);
        }
        this.outboxCapacity = capacity;
        return this;
    }

    public int outboxCapacity()
    {
        return outboxCapacity;
    }

    /**
     * The restart intensity, as an OTP supervisor's: more than {@code maxRestarts} faults within
     * {@code window} terminate the subscription.
     */
    public SubscriptionOptions restartIntensity(final int maxRestarts, final long window, final TimeUnit unit)
    {
        if (maxRestarts < 0 || window <= 0)
        {
            throw new IllegalArgumentException("restart intensity needs maxRestarts >= 0 and window > 0");
        }
        this.maxRestarts = maxRestarts;
        this.restartWindowNs = unit.toNanos(window);
        return this;
    }

    public int maxRestarts()
    {
        return maxRestarts;
    }

    public long restartWindowNs()
    {
        return restartWindowNs;
    }

    /**
     * A factory for a fresh handler on each restart, so that a handler's corrupted state dies with it.
     * Without one, the same handler instance is kept.
     */
    public SubscriptionOptions restartWith(final Supplier<MessageHandler> handlerFactory)
    {
        this.handlerFactory = handlerFactory;
        return this;
    }

    public Supplier<MessageHandler> handlerFactory()
    {
        return handlerFactory;
    }

    public SubscriptionOptions listener(final SubscriptionListener listener)
    {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    public SubscriptionListener listener()
    {
        return listener;
    }

    /**
     * @param thread where the handler runs: {@link DeliveryThread#SHARED} (the default: one of the switch's
     *               delivery agents), OWN or PIPELINE.
     */
    public SubscriptionOptions deliveryThread(final DeliveryThread thread)
    {
        this.deliveryThread = Objects.requireNonNull(thread, "thread");
        return this;
    }

    public DeliveryThread deliveryThread()
    {
        return deliveryThread;
    }

    /**
     * @param name a name for its counters: a named subscription has delivered, dropped, faults and restarts
     *             counters of its own in the counters file (as OWN and PIPELINE ones always do); an unnamed
     *             SHARED one keeps its figures in plain fields, readable through {@link Subscription}, and
     *             its drops are counted switch-wide per class.
     */
    public SubscriptionOptions name(final String name)
    {
        this.name = name;
        return this;
    }

    public String name()
    {
        return name;
    }

    /**
     * Join a queue group, {@link QueueGroupDiscipline#BALANCED}: each message on the pattern goes to one
     * member of the group (the subscriptions with this group name and the same pattern), not to each.
     */
    public SubscriptionOptions queueGroup(final String group)
    {
        return queueGroup(group, QueueGroupDiscipline.BALANCED);
    }

    /**
     * Join a queue group with a discipline; the first member's discipline is the group's.
     */
    public SubscriptionOptions queueGroup(final String group, final QueueGroupDiscipline discipline)
    {
        if (null != group && group.isEmpty())
        {
            throw new IllegalArgumentException("queueGroup must not be empty (null for none)");
        }
        this.queueGroup = group;
        this.queueGroupDiscipline = Objects.requireNonNull(discipline, "discipline");
        return this;
    }

    /**
     * @return the queue group's name, or null if it is not in one.
     */
    public String queueGroup()
    {
        return queueGroup;
    }

    public QueueGroupDiscipline queueGroupDiscipline()
    {
        return queueGroupDiscipline;
    }

    /**
     * @return what a subscription keeps of these options: a copy, so that the caller may change or reuse them;
     * the one shared copy when they are the defaults, as most are (one object less per subscription). Never
     * changed once made.
     */
    SubscriptionOptions snapshot()
    {
        return isDefault() ? DEFAULTS : copy();
    }

    private boolean isDefault()
    {
        return slowSubscriberPolicy == DEFAULTS.slowSubscriberPolicy && outboxCapacity == DEFAULTS.outboxCapacity &&
            maxRestarts == DEFAULTS.maxRestarts && restartWindowNs == DEFAULTS.restartWindowNs &&
            handlerFactory == DEFAULTS.handlerFactory && listener == DEFAULTS.listener &&
            deliveryThread == DEFAULTS.deliveryThread && name == DEFAULTS.name && queueGroup == DEFAULTS.queueGroup &&
            queueGroupDiscipline == DEFAULTS.queueGroupDiscipline;
    }

    SubscriptionOptions copy()
    {
        final SubscriptionOptions copy = new SubscriptionOptions();
        copy.slowSubscriberPolicy = slowSubscriberPolicy;
        copy.outboxCapacity = outboxCapacity;
        copy.maxRestarts = maxRestarts;
        copy.restartWindowNs = restartWindowNs;
        copy.handlerFactory = handlerFactory;
        copy.listener = listener;
        copy.deliveryThread = deliveryThread;
        copy.name = name;
        copy.queueGroup = queueGroup;
        copy.queueGroupDiscipline = queueGroupDiscipline;
        return copy;
    }
}
