package io.junction;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import io.junction.regulate.Admission;
import io.junction.regulate.RegulationConfig;
import io.junction.regulate.Regulator;
import io.junction.topic.Topics;
import net.openhft.affinity.Affinity;

/**
 * The embeddable switch. Launch one from a {@link Context}, {@link #offer} messages on topics, and
 * {@link #subscribe} handlers to patterns; close it to stop.
 *
 * <pre>{@code
 * try (Junction junction = Junction.launch(new Junction.Context()))
 * {
 *     junction.subscribe("prices.>", message -> System.out.println(message.topic()));
 *     junction.offer("prices.eur.usd", Priority.NORMAL, buffer, 0, length);
 * }
 * }</pre>
 */
public final class Junction implements AutoCloseable
{
    private final Context ctx;
    private final SwitchCounters counters;
    private final Shard[] shards;
    private final int maxTopicLength;
    private final int maxTopicTokens;
    private final int maxMessageLength;
    private final NanoClock nanoClock;
    private final ValidTopicCache validTopics = new ValidTopicCache();
    private final Regulator regulator;
    private final DeliveryLane[] sharedLanes;
    private final DeliveryAgent[] sharedAgents;
    private final List<AgentRunner> deliveryRunners = java.util.Collections.synchronizedList(new ArrayList<>());
    private final org.agrona.concurrent.status.AtomicCounter deliveryStalls;
    private final List<AgentRunner> pipelineRunners = new ArrayList<>();
    private final Set<SwitchSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<SwitchSubscription, AgentRunner> subscriptionRunners = new ConcurrentHashMap<>();
    private final AtomicLong subscriptionIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AgentInvoker invoker;
    private volatile boolean isClosed;

    private Junction(final Context ctx)
    {
        this.ctx = ctx;
        this.counters = new SwitchCounters(ctx.countersManager());
        this.maxTopicLength = ctx.maxTopicLength();
        this.maxTopicTokens = ctx.maxTopicTokens();
        this.maxMessageLength = ctx.maxMessageLength();
        this.nanoClock = ctx.nanoClock();
        this.shards = new Shard[ctx.shards()];
        this.regulator = new Regulator(shards.length, ctx.ringSize(), ctx.regulation(), ctx.countersManager());
        for (int i = 0; i < shards.length; i++)
        {
            shards[i] = new Shard(i, ctx, counters);
            shards[i].regulation = regulator.forShard(i, nanoClock, shards[i]::ringOccupancy);
        }
        sharedLanes = new DeliveryLane[ctx.deliveryAgents()];
        sharedAgents = new DeliveryAgent[sharedLanes.length];
        for (int i = 0; i < sharedLanes.length; i++)
        {
            sharedLanes[i] = new DeliveryLane(i);
            sharedAgents[i] = newSharedAgent(i);
        }
        deliveryStalls = counters.newCounter("delivery agent stalls", SwitchCounters.DELIVERY_STALLS_TYPE_ID);

        if (ctx.threadingMode() == ThreadingMode.INVOKER)
        {
            final List<Agent> agentList = new ArrayList<>(List.of(journalStages()));
            agentList.addAll(List.of(shards));
            agentList.addAll(List.of(sharedAgents));
            final Agent[] agents = agentList.toArray(new Agent[0]);
            invoker = new AgentInvoker(this::onError, null, named("junction-invoker", new CompositeAgent(agents)));
            invoker.start();
        }
        else
        {
            invoker = null;
            startPipeline();
            for (final DeliveryAgent agent : sharedAgents)
            {
                deliveryRunners.add(start(agent, deliveryIdle(agent.lane()), null));
            }
        }
    }

    /**
     * The default idle strategies become wakeable ones, so that a producer wakes a parked consumer; one
     * the application chose is used as it is.
     */
    private IdleStrategy deliveryIdle(final DeliveryLane lane)
    {
        return ctx.deliveryIdleStrategySupplier() == Context.DEFAULT_IDLE_STRATEGY_SUPPLIER ?
            new WakeableIdleStrategy(lane, WakeableIdleStrategy.SIGNALLED_MAX_PARK_NS) :
            ctx.deliveryIdleStrategySupplier().get();
    }

    private IdleStrategy pipelineIdle(final WakeableIdleStrategy.Signal signal)
    {
        return ctx.pipelineIdleStrategySupplier() == Context.DEFAULT_IDLE_STRATEGY_SUPPLIER ?
            new WakeableIdleStrategy(signal, WakeableIdleStrategy.MAX_PARK_NS) : ctx.pipelineIdleStrategySupplier().get();
    }

    private DeliveryAgent newSharedAgent(final int lane)
    {
        return new DeliveryAgent(sharedLanes[lane], ctx.deliveryBatchLimit(), "junction-delivery-" + lane, false);
    }

    /**
     * The watchdog found a handler blocking agent {@code lane}: a new agent takes the lane's other
     * subscriptions on; the old one ends when the handler returns.
     */
    private void replaceSharedAgent(final int lane)
    {
        if (isClosed)
        {
            return;
        }
        final DeliveryAgent agent = newSharedAgent(lane);
        sharedAgents[lane] = agent;
        deliveryRunners.add(start(agent, deliveryIdle(agent.lane()), null));
    }

    private DeliveryWatchdog newWatchdog()
    {
        return new DeliveryWatchdog(
            sharedAgents, nanoClock, ctx.deliveryStallTimeoutNs(), this::replaceSharedAgent, deliveryStalls);
    }

    /**
     * Launch a switch with the default configuration.
     */
    public static Junction launch()
    {
        return launch(new Context());
    }

    /**
     * Launch a switch. The context is concluded here and owned by the switch from then on.
     */
    public static Junction launch(final Context ctx)
    {
        ctx.conclude();
        try
        {
            return new Junction(ctx);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(ctx);
            throw ex;
        }
    }

    public Context context()
    {
        return ctx;
    }

    public SwitchCounters counters()
    {
        return counters;
    }

    public CountersReader countersReader()
    {
        return ctx.countersManager();
    }

    /**
     * Offer a message. Never blocks, never allocates.
     *
     * @return its sequence ({@code >= 0}) when accepted, else a negative {@link OfferResult} code.
     */
    public long offer(
        final String topic, final Priority priority, final DirectBuffer buffer, final int offset, final int length)
    {
        return offer(regulator.anonymousCache(), topic, priority, QualityOfService.BEST_EFFORT, Regulator.NO_TTL,
            buffer, offset, length);
    }

    /**
     * Offer with a key: a {@link QueueGroupDiscipline#KEYED} queue group hands all messages of one key to
     * the same member, in order (without a key, the topic is the key). Other subscriptions ignore it.
     */
    public long offer(
        final String topic,
        final long key,
        final Priority priority,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return offer(regulator.anonymousCache(), topic, key, priority, QualityOfService.BEST_EFFORT, Regulator.NO_TTL,
            buffer, offset, length, 0, 0);
    }

    /**
     * Offer with a quality of service. A {@link QualityOfService#GUARANTEED} message is journaled before
     * it is dispatched; poll {@link #durability(long)} with the returned sequence to learn when it is
     * durable. Without a usable journal it is refused with {@link OfferResult#JOURNAL_UNAVAILABLE}.
     */
    public long offer(
        final String topic,
        final Priority priority,
        final QualityOfService qos,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return offer(regulator.anonymousCache(), topic, priority, qos, Regulator.NO_TTL, buffer, offset, length);
    }

    /**
     * Idempotent guaranteed offer: as a {@link QualityOfService#GUARANTEED} offer, carrying the publisher's id and
     * its own sequence number for the message, kept in the journal record, so that a resend (after a reconnect or
     * a crash) is journaled once: it is refused as {@link RejectReason#DUPLICATE} if the journal accepted that
     * publisher sequence before (even before a restart, within its deduplication window), or
     * {@link RejectReason#TOO_OLD_FOR_DEDUPLICATION} if it is older than that window. One thread at a time per
     * publisher id.
     *
     * @param publisherId       not 0: the publisher's stream, stable across its reconnects and restarts.
     * @param publisherSequence {@code >= 1}, increasing in the publisher's stream.
     */
    public long offer(
        final String topic,
        final Priority priority,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence)
    {
        return offer(regulator.anonymousCache(), topic, priority, buffer, offset, length, publisherId,
            publisherSequence);
    }

    long offer(
        final io.junction.regulate.RegulationCache publisher,
        final String topic,
        final Priority priority,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence)
    {
        final JournalSink sink = ctx.journalSink();
        if (0 == publisherId || publisherSequence < 1)
        {
            counters.onOfferRejected(RejectReason.INVALID_PUBLISHER);
            return OfferResult.rejected(RejectReason.INVALID_PUBLISHER);
        }
        if (null == sink || !sink.isAvailable())
        {
            return OfferResult.JOURNAL_UNAVAILABLE;
        }
        final long reserved = sink.reservePublisherSequence(publisherId, publisherSequence);
        if (reserved < 0)
        {
            final RejectReason reason = OfferResult.rejectReason(reserved);
            if (null != reason)
            {
                counters.onOfferRejected(reason);
            }
            return reserved;
        }
        final long result = offer(publisher, topic, QueueGroup.NO_KEY, priority,
            QualityOfService.GUARANTEED, Regulator.NO_TTL, buffer, offset, length, publisherId, publisherSequence);
        if (result < 0)
        {
            sink.releasePublisherSequence(publisherId, publisherSequence);
        }
        return result;
    }

    long offer(
        final io.junction.regulate.RegulationCache publisher,
        final String topic,
        final Priority priority,
        final long ttlNs,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return offer(publisher, topic, priority, QualityOfService.BEST_EFFORT, ttlNs, buffer, offset, length);
    }

    long offer(
        final io.junction.regulate.RegulationCache publisher,
        final String topic,
        final Priority priority,
        final QualityOfService qos,
        final long ttlNs,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return offer(publisher, topic, QueueGroup.NO_KEY, priority, qos, ttlNs, buffer, offset, length, 0, 0);
    }

    /**
     * Validate, regulate, then queue: the path of every offer, with or without a {@link Publisher}.
     */
    long offer(
        final io.junction.regulate.RegulationCache publisher,
        final String topic,
        final long key,
        final Priority priority,
        final QualityOfService qos,
        final long ttlNs,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long publisherId,
        final long publisherSequence)
    {
        if (isClosed)
        {
            return OfferResult.CLOSED;
        }

        final RejectReason reason = validate(topic, priority, buffer, offset, length);
        if (null != reason)
        {
            counters.onOfferRejected(reason);
            return OfferResult.rejected(reason);
        }

        final long nowNs = nanoClock.nanoTime();
        final Shard shard = shardFor(topic);
        final Admission admission = regulator.resolve(publisher, topic, priority);
        final ShedReason shed = regulator.admit(admission, shard.index(), priority, ttlNs, nowNs);
        if (null != shed)
        {
            return OfferResult.shed(shed);
        }

        final long result = shard.offer(
            topic, key, priority, qos, nowNs, Regulator.deadlineNs(nowNs, ttlNs), admission, buffer, offset, length,
            publisherId, publisherSequence);
        if (result >= 0)
        {
            shard.wake();
        }
        else
        {
            admission.onNotQueued();
            if (OfferResult.BACK_PRESSURED == result)
            {
                regulator.onBackPressured(priority);
            }
        }
        return result;
    }

    /**
     * A named publisher: its offers can carry a time-to-live, and rules can regulate it by name.
     */
    public Publisher publisher(final String name)
    {
        return new Publisher(this, regulator.newCache(Objects.requireNonNull(name, "name")));
    }

    /**
     * Change load regulation at run time: no restart, and no message already accepted is lost.
     */
    public void regulation(final RegulationConfig config)
    {
        regulator.config(config);
    }

    public RegulationConfig regulation()
    {
        return regulator.config();
    }

    /**
     * @return load regulation: shed counts per class and reason, the rings' shedders.
     */
    public Regulator regulator()
    {
        return regulator;
    }

    /**
     * A subscription is about to deliver a message with a deadline.
     *
     * @return true if it expired: counted, and must not be delivered.
     */
    boolean onExpiredAtDelivery(final Message message, final long nowNs)
    {
        if (Regulator.isExpired(message.deadlineNs, nowNs))
        {
            regulator.onShed(message.priority(), ShedReason.EXPIRED);
            return true;
        }
        return false;
    }

    /**
     * Whether a guaranteed message is durable yet: two volatile reads, no allocation, callable from any
     * thread. Messages of one shard become durable in sequence order, so a publisher that polls its latest
     * sequence learns about all its earlier ones on that topic too.
     *
     * @param sequence a sequence returned by {@link #offer(String, Priority, QualityOfService, DirectBuffer, int, int)}.
     */
    public Durability durability(final long sequence)
    {
        if (sequence < 0)
        {
            return Durability.UNKNOWN;
        }
        for (final Shard shard : shards)
        {
            if (shard.shardOf(sequence) == shard.index())
            {
                return shard.durability(sequence);
            }
        }
        return Durability.UNKNOWN;
    }

    private Agent[] journalStages()
    {
        if (null == ctx.journalSink())
        {
            return new Agent[0];
        }
        final Agent[] stages = new Agent[shards.length];
        for (int i = 0; i < shards.length; i++)
        {
            stages[i] = shards[i].journalStage();
        }
        return stages;
    }

    private RejectReason validate(
        final String topic, final Priority priority, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!validTopics.contains(topic))
        {
            final RejectReason topicReason = Topics.validateTopic(topic, maxTopicLength, maxTopicTokens);
            if (null != topicReason)
            {
                return topicReason;
            }
            validTopics.add(topic);
        }
        if (null == priority)
        {
            return RejectReason.MISSING_PRIORITY;
        }
        if (length > maxMessageLength)
        {
            return RejectReason.PAYLOAD_TOO_LARGE;
        }
        if (null == buffer || offset < 0 || length < 0 || offset > buffer.capacity() - length)
        {
            return RejectReason.INVALID_BUFFER_RANGE;
        }
        return null;
    }

    private Shard shardFor(final String topic)
    {
        return shards.length == 1 ? shards[0] : shards[(topic.hashCode() & Integer.MAX_VALUE) % shards.length];
    }

    /**
     * Subscribe with the default options.
     */
    public Subscription subscribe(final String pattern, final MessageHandler handler)
    {
        return subscribe(pattern, handler, SubscriptionOptions.defaults());
    }

    /**
     * Subscribe a handler to every topic the pattern matches. Returns once the subscription is in
     * effect on every shard (in {@link ThreadingMode#INVOKER} mode, from the next {@link #doWork()}):
     * any message offered after that is delivered to it.
     *
     * @throws InvalidTopicException if the pattern is malformed.
     */
    public Subscription subscribe(final String pattern, final MessageHandler handler, final SubscriptionOptions options)
    {
        final SwitchSubscription subscription = newSubscription(pattern, handler, options);
        if (null == invoker)
        {
            awaitInEffect(subscription);
        }
        return subscription;
    }

    /**
     * Subscribe without waiting for the shards: returns at once, and the subscription is in effect when
     * {@link Subscription#isInEffect()} says so, or its listener's
     * {@link SubscriptionListener#onInEffect(Subscription)} is called. Many subscriptions made this way are
     * applied by each shard in one batch, which is how a switch takes on thousands a second.
     *
     * @throws InvalidTopicException if the pattern is malformed.
     */
    public Subscription subscribeAsync(
        final String pattern, final MessageHandler handler, final SubscriptionOptions options)
    {
        return newSubscription(pattern, handler, options);
    }

    private SwitchSubscription newSubscription(
        final String pattern, final MessageHandler handler, final SubscriptionOptions options)
    {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        if (isClosed)
        {
            throw new IllegalStateException("switch is closed");
        }
        final RejectReason reason = Topics.validatePattern(pattern, maxTopicLength, maxTopicTokens);
        if (null != reason)
        {
            counters.subscribeRejected().increment();
            throw new InvalidTopicException(reason, pattern);
        }

        final long id = subscriptionIds.incrementAndGet();
        final SwitchSubscription subscription = new SwitchSubscription(
            id, pattern, handler, options.copy(), this, shards.length);
        subscriptions.add(subscription);
        counters.subscriptionsActive().increment();

        if (options.deliveryThread() == DeliveryThread.PIPELINE)
        {
            subscription.deliversOnPipeline();
        }
        else if (null != invoker || options.deliveryThread() == DeliveryThread.SHARED)
        {
            // Placed by id, so the same subscriptions made in the same order share agents alike.
            subscription.deliversThrough(sharedLanes[(int)(id % sharedLanes.length)]);
        }
        else
        {
            final DeliveryLane lane = new DeliveryLane(-1);
            subscription.deliversThrough(lane);
            subscriptionRunners.put(subscription, start(
                new DeliveryAgent(lane, ctx.deliveryBatchLimit(), "junction-sub-" + id, true),
                deliveryIdle(lane), null));
        }

        for (final Shard shard : shards)
        {
            shard.enqueue(new RouteCommand(true, pattern, subscription.outbox(shard.index()), subscription));
        }
        return subscription;
    }

    private void awaitInEffect(final SwitchSubscription subscription)
    {
        final long deadlineNs = System.nanoTime() + ctx.controlTimeoutNs();
        subscription.waiter(Thread.currentThread());
        while (!subscription.isInEffect() && !isClosed && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(subscription, TimeUnit.MILLISECONDS.toNanos(1));
        }
        subscription.waiter(null);
        if (!subscription.isInEffect())
        {
            unsubscribe(subscription, TerminationReason.CLOSED);
            throw new IllegalStateException("subscription to '" + subscription.pattern() +
                "' was not applied by every shard within controlTimeoutNs=" + ctx.controlTimeoutNs());
        }
    }

    void unsubscribe(final SwitchSubscription subscription, final TerminationReason reason)
    {
        subscription.terminate(reason, null, false);
        subscription.finish();
    }

    /**
     * Called once per subscription when it ends, from whichever thread ended it.
     */
    void onSubscriptionFinished(final SwitchSubscription subscription)
    {
        if (!subscriptions.remove(subscription))
        {
            return;
        }
        if (!isClosed) // A closing switch drops its routes all at once.
        {
            for (final Shard shard : shards)
            {
                shard.enqueue(new RouteCommand(false, subscription.pattern(), subscription.outbox(shard.index()), null));
            }
        }
        final AgentRunner runner = subscriptionRunners.remove(subscription);
        if (null != runner && runner.thread() != Thread.currentThread())
        {
            CloseHelper.close(this::onError, runner);
        }

        counters.subscriptionsActive().decrement();
        final TerminationReason reason = subscription.terminationReason();
        if (reason != TerminationReason.CLOSED && reason != TerminationReason.SWITCH_CLOSED)
        {
            counters.subscriptionsTerminated().increment();
        }
        subscription.closeCounters();
    }

    /**
     * In {@link ThreadingMode#INVOKER} mode, run one duty cycle of every agent on the caller's thread.
     *
     * @return the work done; 0 means idle.
     */
    public int doWork()
    {
        if (null == invoker)
        {
            throw new IllegalStateException("doWork() is for ThreadingMode.INVOKER; mode is " + ctx.threadingMode());
        }
        return invoker.invoke();
    }

    /**
     * @return a snapshot of the active subscriptions (allocates: for observers, not for the hot path).
     */
    public List<Subscription> subscriptions()
    {
        return List.copyOf(subscriptions);
    }

    /**
     * @return messages in the rings, not yet dispatched to outboxes.
     */
    public long ringOccupancy()
    {
        long occupancy = 0;
        for (final Shard shard : shards)
        {
            occupancy += shard.ringOccupancy();
        }
        return occupancy;
    }

    public boolean isClosed()
    {
        return isClosed;
    }

    /**
     * Stop admitting, deliver what was accepted (within {@code shutdownTimeoutNs}), then stop every
     * thread and free every resource.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        isClosed = true;

        drain();

        for (final SwitchSubscription subscription : subscriptions)
        {
            unsubscribe(subscription, TerminationReason.SWITCH_CLOSED);
        }

        final List<AutoCloseable> resources = new ArrayList<>(pipelineRunners);
        synchronized (deliveryRunners)
        {
            resources.addAll(deliveryRunners);
        }
        resources.addAll(subscriptionRunners.values());
        resources.add(invoker);
        CloseHelper.closeAll(resources);
        for (final Shard shard : shards)
        {
            shard.closeCounters();
        }
        regulator.close();
        counters.close();
        ctx.close();
    }

    private void drain()
    {
        final long deadlineNs = System.nanoTime() + ctx.shutdownTimeoutNs();
        while (!isDrained() && System.nanoTime() - deadlineNs < 0)
        {
            if (null != invoker)
            {
                invoker.invoke();
            }
            else
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
    }

    private boolean isDrained()
    {
        for (final Shard shard : shards)
        {
            if (!shard.isDrained())
            {
                return false;
            }
        }
        for (final SwitchSubscription subscription : subscriptions)
        {
            if (!subscription.isIdle())
            {
                return false;
            }
        }
        return true;
    }

    void onError(final Throwable error)
    {
        if (error instanceof AgentTerminationException)
        {
            return; // A subscription's agent ending itself, not a fault.
        }
        counters.errors().increment();
        ctx.errorHandler().onError(error);
    }

    private void startPipeline()
    {
        final IdleStrategy[] idle = new IdleStrategy[shards.length];
        for (int i = 0; i < shards.length; i++)
        {
            idle[i] = pipelineIdle(shards[i]);
        }

        final Agent[] stages = journalStages();
        if (ctx.threadingMode() == ThreadingMode.SHARED)
        {
            final List<Agent> agents = new ArrayList<>(List.of(stages));
            agents.addAll(List.of(shards));
            agents.add(newWatchdog());
            pipelineRunners.add(start(named("junction-shards", new CompositeAgent(agents)),
                pipelineIdle(new AllShards(shards)), cpuFor(0)));
        }
        else
        {
            for (int i = 0; i < stages.length; i++)
            {
                pipelineRunners.add(start(stages[i], ctx.pipelineIdleStrategySupplier().get(), cpuFor(i)));
            }
            // The watchdog rides on shard 0's thread: it reads the clock once per cycle and looks rarely.
            pipelineRunners.add(start(
                named(shards[0].roleName(), new CompositeAgent(shards[0], newWatchdog())), idle[0], cpuFor(0)));
            for (int i = 1; i < shards.length; i++)
            {
                pipelineRunners.add(start(shards[i], idle[i], cpuFor(i)));
            }
        }
    }

    private Integer cpuFor(final int shardIndex)
    {
        final int[] cpus = ctx.cpuAffinity();
        return cpus.length == 0 ? null : cpus[shardIndex % cpus.length];
    }

    private AgentRunner start(final Agent agent, final IdleStrategy idleStrategy, final Integer cpu)
    {
        final AgentRunner runner = new AgentRunner(idleStrategy, this::onError, null, agent);
        final ThreadFactory factory = null == cpu ? Thread::new : pinnedTo(cpu);
        AgentRunner.startOnThread(runner, factory);
        return runner;
    }

    /**
     * The shards that share one thread (ThreadingMode.SHARED): any of them may wake it.
     */
    private record AllShards(Shard[] shards) implements WakeableIdleStrategy.Signal
    {
        @Override
        public void parked(final Thread thread)
        {
            for (final Shard shard : shards)
            {
                shard.parked(thread);
            }
        }

        @Override
        public boolean hasWork()
        {
            for (final Shard shard : shards)
            {
                if (shard.hasWork())
                {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * A composite agent under a name of ours, so its thread is recognisable as the switch's.
     */
    private static Agent named(final String roleName, final CompositeAgent agent)
    {
        return new Agent()
        {
            @Override
            public void onStart()
            {
                agent.onStart();
            }

            @Override
            public int doWork() throws Exception
            {
                return agent.doWork();
            }

            @Override
            public void onClose()
            {
                agent.onClose();
            }

            @Override
            public String roleName()
            {
                return roleName;
            }
        };
    }

    private static ThreadFactory pinnedTo(final int cpu)
    {
        return (runnable) -> new Thread(() ->
        {
            Affinity.setAffinity(cpu);
            runnable.run();
        });
    }

    /**
     * Configuration of a switch: defaults for everything, checked and completed by {@link #conclude()}.
     */
    public static final class Context implements AutoCloseable
    {
        public static final int DEFAULT_SHARDS = 1;
        public static final int DEFAULT_RING_SIZE = 8192;
        public static final int DEFAULT_MAX_MESSAGE_LENGTH = 1024;
        public static final int DEFAULT_MAX_TOPIC_LENGTH = 256;
        public static final int DEFAULT_MAX_TOPIC_TOKENS = 32;
        public static final int DEFAULT_ROUTE_CACHE_SIZE = 4096;
        public static final int DEFAULT_DISPATCH_BATCH_LIMIT = 256;
        public static final int DEFAULT_DELIVERY_BATCH_LIMIT = 256;
        public static final int DEFAULT_COUNTERS_CAPACITY = 8192;
        public static final long DEFAULT_CONTROL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
        public static final long DEFAULT_SHUTDOWN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
        /** Shared delivery agents: one per two cores, at least one (so 1 on a 2-core machine). */
        public static final int DEFAULT_DELIVERY_AGENTS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        public static final long DEFAULT_DELIVERY_STALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);

        /**
         * Spin a little, yield a little, then park up to 1 ms: cheap on an idle 2-core machine. Use a
         * busy-spin or yielding strategy on dedicated cores for the lowest latency.
         */
        public static final Supplier<IdleStrategy> DEFAULT_IDLE_STRATEGY_SUPPLIER =
            () -> new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));

        private boolean isConcluded;
        private int shards = DEFAULT_SHARDS;
        private int ringSize = DEFAULT_RING_SIZE;
        private int maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH;
        private int maxTopicLength = DEFAULT_MAX_TOPIC_LENGTH;
        private int maxTopicTokens = DEFAULT_MAX_TOPIC_TOKENS;
        private int routeCacheSize = DEFAULT_ROUTE_CACHE_SIZE;
        private int dispatchBatchLimit = DEFAULT_DISPATCH_BATCH_LIMIT;
        private int deliveryBatchLimit = DEFAULT_DELIVERY_BATCH_LIMIT;
        private int countersCapacity = DEFAULT_COUNTERS_CAPACITY;
        private int deliveryAgents = DEFAULT_DELIVERY_AGENTS;
        private long deliveryStallTimeoutNs = DEFAULT_DELIVERY_STALL_TIMEOUT_NS;
        private long controlTimeoutNs = DEFAULT_CONTROL_TIMEOUT_NS;
        private long shutdownTimeoutNs = DEFAULT_SHUTDOWN_TIMEOUT_NS;
        private boolean singleProducer;
        private boolean expressCritical;
        private ThreadingMode threadingMode = ThreadingMode.DEDICATED;
        private Supplier<IdleStrategy> pipelineIdleStrategySupplier = DEFAULT_IDLE_STRATEGY_SUPPLIER;
        private Supplier<IdleStrategy> deliveryIdleStrategySupplier = DEFAULT_IDLE_STRATEGY_SUPPLIER;
        private int[] cpuAffinity = new int[0];
        private NanoClock nanoClock;
        private ErrorHandler errorHandler;
        private CountersManager countersManager;
        private boolean ownsCountersManager;
        private io.junction.observe.SwitchLatency latency;
        private JournalSink journalSink;
        private RegulationConfig regulation = RegulationConfig.none();

        /**
         * Check the settings and fill in what was left out. Runs once.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                throw new IllegalStateException("context already concluded");
            }
            isConcluded = true;

            requireAtLeast("shards", shards, 1);
            requireAtLeast("maxMessageLength", maxMessageLength, 0);
            requireAtLeast("maxTopicLength", maxTopicLength, 1);
            requireAtLeast("maxTopicTokens", maxTopicTokens, 1);
            requireAtLeast("routeCacheSize", routeCacheSize, 1);
            requireAtLeast("dispatchBatchLimit", dispatchBatchLimit, 1);
            requireAtLeast("deliveryBatchLimit", deliveryBatchLimit, 1);
            requireAtLeast("countersCapacity", countersCapacity, 64);
            requireAtLeast("deliveryAgents", deliveryAgents, 1);
            if (deliveryStallTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("deliveryStallTimeoutNs must be > 0: " + deliveryStallTimeoutNs);
            }
            if (ringSize < 2 || !BitUtil.isPowerOfTwo(ringSize))
            {
                throw new IllegalArgumentException("ringSize must be a power of two >= 2: " + ringSize);
            }
            if (controlTimeoutNs <= 0 || shutdownTimeoutNs < 0)
            {
                throw new IllegalArgumentException("controlTimeoutNs must be > 0 and shutdownTimeoutNs >= 0");
            }

            if (null == nanoClock)
            {
                nanoClock = SystemNanoClock.INSTANCE;
            }
            if (null == errorHandler)
            {
                errorHandler = Throwable::printStackTrace;
            }
            if (null == countersManager)
            {
                final int valuesLength = countersCapacity * CountersReader.COUNTER_LENGTH;
                final int metadataLength = countersCapacity * CountersReader.METADATA_LENGTH;
                // A freed counter is not reused for a second, so a late write never lands in a new owner's.
                countersManager = new CountersManager(
                    new UnsafeBuffer(ByteBuffer.allocateDirect(metadataLength)),
                    new UnsafeBuffer(ByteBuffer.allocateDirect(valuesLength)),
                    java.nio.charset.StandardCharsets.US_ASCII,
                    SystemEpochClock.INSTANCE,
                    1000);
                ownsCountersManager = true;
            }
            return this;
        }

        private static void requireAtLeast(final String name, final int value, final int min)
        {
            if (value < min)
            {
                throw new IllegalArgumentException(name + " must be >= " + min + ": " + value);
            }
        }

        /**
         * @param shards pipelines to partition topics across; at most one per core is useful.
         */
        public Context shards(final int shards)
        {
            this.shards = shards;
            return this;
        }

        public int shards()
        {
            return shards;
        }

        /**
         * @param ringSize slots per shard's ring, a power of two. The ring is where bursts wait.
         */
        public Context ringSize(final int ringSize)
        {
            this.ringSize = ringSize;
            return this;
        }

        public int ringSize()
        {
            return ringSize;
        }

        /**
         * @param length the largest payload accepted, in bytes; every ring slot reserves this much.
         */
        public Context maxMessageLength(final int length)
        {
            this.maxMessageLength = length;
            return this;
        }

        public int maxMessageLength()
        {
            return maxMessageLength;
        }

        public Context maxTopicLength(final int length)
        {
            this.maxTopicLength = length;
            return this;
        }

        public int maxTopicLength()
        {
            return maxTopicLength;
        }

        public Context maxTopicTokens(final int tokens)
        {
            this.maxTopicTokens = tokens;
            return this;
        }

        public int maxTopicTokens()
        {
            return maxTopicTokens;
        }

        /**
         * @param size topics whose matching subscriptions each shard remembers; cleared on any
         *             subscription change.
         */
        public Context routeCacheSize(final int size)
        {
            this.routeCacheSize = size;
            return this;
        }

        public int routeCacheSize()
        {
            return routeCacheSize;
        }

        public Context dispatchBatchLimit(final int limit)
        {
            this.dispatchBatchLimit = limit;
            return this;
        }

        public int dispatchBatchLimit()
        {
            return dispatchBatchLimit;
        }

        public Context deliveryBatchLimit(final int limit)
        {
            this.deliveryBatchLimit = limit;
            return this;
        }

        public int deliveryBatchLimit()
        {
            return deliveryBatchLimit;
        }

        /**
         * @param agents shared delivery agents (threads) that run the {@link DeliveryThread#SHARED}
         *               subscriptions, each placed on agent {@code id % agents}; in INVOKER mode they run on
         *               the caller's thread.
         */
        public Context deliveryAgents(final int agents)
        {
            this.deliveryAgents = agents;
            return this;
        }

        public int deliveryAgents()
        {
            return deliveryAgents;
        }

        /**
         * @param timeoutNs how long one turn of a handler on a shared delivery agent may last before the
         *                  agent is retired and a new one takes over the others on it (counted as a stall).
         */
        public Context deliveryStallTimeoutNs(final long timeoutNs)
        {
            this.deliveryStallTimeoutNs = timeoutNs;
            return this;
        }

        public long deliveryStallTimeoutNs()
        {
            return deliveryStallTimeoutNs;
        }

        /**
         * @param capacity counters in the default in-memory counters manager (4 per named, OWN or PIPELINE
         *                 subscription; none for an unnamed SHARED one).
         */
        public Context countersCapacity(final int capacity)
        {
            this.countersCapacity = capacity;
            return this;
        }

        public int countersCapacity()
        {
            return countersCapacity;
        }

        public Context controlTimeoutNs(final long timeoutNs)
        {
            this.controlTimeoutNs = timeoutNs;
            return this;
        }

        public long controlTimeoutNs()
        {
            return controlTimeoutNs;
        }

        /**
         * @param timeoutNs how long {@link Junction#close()} waits for accepted messages to be delivered.
         */
        public Context shutdownTimeoutNs(final long timeoutNs)
        {
            this.shutdownTimeoutNs = timeoutNs;
            return this;
        }

        public long shutdownTimeoutNs()
        {
            return shutdownTimeoutNs;
        }

        /**
         * @param singleProducer true if only one thread ever offers: a cheaper claim on the ring.
         */
        public Context singleProducer(final boolean singleProducer)
        {
            this.singleProducer = singleProducer;
            return this;
        }

        public boolean singleProducer()
        {
            return singleProducer;
        }

        /**
         * An express lane for {@link Priority#CRITICAL}: while messages queue in a shard's ring (a
         * back-pressuring subscriber holds it up, or more arrive than one dispatch batch takes), its
         * dispatcher looks past the head and hands CRITICAL messages to the outboxes first, so they do not
         * wait behind the lower classes queued in the ring.
         * <p>
         * Order is then kept per publisher, per topic and per class: a CRITICAL message may overtake
         * lower-class messages of the same topic. Off by default, which keeps order per topic across classes.
         *
         * @param expressCritical true to let CRITICAL messages overtake queued lower classes.
         */
        public Context expressCritical(final boolean expressCritical)
        {
            this.expressCritical = expressCritical;
            return this;
        }

        public boolean expressCritical()
        {
            return expressCritical;
        }

        public Context threadingMode(final ThreadingMode mode)
        {
            this.threadingMode = Objects.requireNonNull(mode, "threadingMode");
            return this;
        }

        public ThreadingMode threadingMode()
        {
            return threadingMode;
        }

        public Context pipelineIdleStrategySupplier(final Supplier<IdleStrategy> supplier)
        {
            this.pipelineIdleStrategySupplier = Objects.requireNonNull(supplier);
            return this;
        }

        public Supplier<IdleStrategy> pipelineIdleStrategySupplier()
        {
            return pipelineIdleStrategySupplier;
        }

        public Context deliveryIdleStrategySupplier(final Supplier<IdleStrategy> supplier)
        {
            this.deliveryIdleStrategySupplier = Objects.requireNonNull(supplier);
            return this;
        }

        public Supplier<IdleStrategy> deliveryIdleStrategySupplier()
        {
            return deliveryIdleStrategySupplier;
        }

        /**
         * @param cpus cores to pin pipeline threads to, shard i on {@code cpus[i % cpus.length]};
         *             empty (the default) pins nothing.
         */
        public Context cpuAffinity(final int... cpus)
        {
            this.cpuAffinity = cpus.clone();
            return this;
        }

        public int[] cpuAffinity()
        {
            return cpuAffinity.clone();
        }

        public Context nanoClock(final NanoClock clock)
        {
            this.nanoClock = clock;
            return this;
        }

        public NanoClock nanoClock()
        {
            return nanoClock;
        }

        public Context errorHandler(final ErrorHandler handler)
        {
            this.errorHandler = handler;
            return this;
        }

        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        /**
         * @param manager where the switch allocates its counters; by default an in-memory one.
         */
        public Context countersManager(final CountersManager manager)
        {
            this.countersManager = manager;
            return this;
        }

        public CountersManager countersManager()
        {
            return countersManager;
        }

        /**
         * @param latency where to record per-stage latency; null (the default) records none.
         */
        public Context latency(final io.junction.observe.SwitchLatency latency)
        {
            this.latency = latency;
            return this;
        }

        public io.junction.observe.SwitchLatency latency()
        {
            return latency;
        }

        /**
         * @param sink where guaranteed messages are journaled (the journal module's {@code Journal});
         *             null (the default) means no journal, and guaranteed offers are refused. The
         *             application owns the sink and closes it after the switch.
         */
        public Context journalSink(final JournalSink sink)
        {
            this.journalSink = sink;
            return this;
        }

        public JournalSink journalSink()
        {
            return journalSink;
        }

        /**
         * @param config load regulation at launch; none by default. Change it later with
         *               {@link Junction#regulation(RegulationConfig)}.
         */
        public Context regulation(final RegulationConfig config)
        {
            this.regulation = Objects.requireNonNull(config, "regulation");
            return this;
        }

        public RegulationConfig regulation()
        {
            return regulation;
        }

        @Override
        public void close()
        {
            if (ownsCountersManager)
            {
                countersManager = null;
            }
        }
    }
}
