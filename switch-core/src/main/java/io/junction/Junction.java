package io.junction;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.agrona.BitUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import io.junction.agent.AgentPlacement;
import io.junction.agent.WakeableIdleStrategy;
import io.junction.regulate.RegulationConfig;
import io.junction.regulate.Regulator;

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
 * <p>
 * A facade over the engine: offers go through the {@link Ingress} to a {@link Shard}'s ring, whose agent
 * routes ({@link Router}) and dispatches ({@link Dispatcher}) them to outboxes that {@link DeliveryAgent}s
 * drain into handlers; subscriptions are the {@link Conductor}'s. This class builds them and places their
 * agents on threads.
 */
public final class Junction implements AutoCloseable
{
    private final Context ctx;
    private final SwitchCounters counters;
    private final Shard[] shards;
    private final Regulator regulator;
    private final Ingress ingress;
    private final Conductor conductor;
    private final List<AutoCloseable> pipelineRunners = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AgentInvoker invoker;
    private volatile boolean isClosed;

    private Junction(final Context ctx)
    {
        this.ctx = ctx;
        this.counters = new SwitchCounters(ctx.countersManager());
        this.shards = new Shard[ctx.shards()];
        this.regulator = new Regulator(shards.length, ctx.ringSize(), ctx.regulation(), ctx.countersManager());
        for (int i = 0; i < shards.length; i++)
        {
            shards[i] = new Shard(i, ctx, counters);
            shards[i].regulation = regulator.forShard(i, ctx.nanoClock(), shards[i]::ringOccupancy);
        }
        this.ingress = new Ingress(ctx, shards, regulator, counters);
        final boolean onCaller = ctx.threadingMode() == ThreadingMode.INVOKER;
        this.conductor = new Conductor(ctx, counters, regulator, shards, onCaller);

        if (onCaller)
        {
            final List<Agent> agents = new ArrayList<>(List.of(journalStages()));
            agents.addAll(List.of(shards));
            agents.addAll(List.of(conductor.sharedAgents()));
            invoker = AgentPlacement.onCaller(
                AgentPlacement.composite("junction-invoker", agents.toArray(new Agent[0])), conductor::onError);
        }
        else
        {
            invoker = null;
            startPipeline();
            conductor.startSharedAgents();
        }
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
        return ingress.offer(regulator.anonymousCache(), topic, QueueGroup.NO_KEY, priority,
            QualityOfService.BEST_EFFORT, Regulator.NO_TTL, buffer, offset, length, 0, 0);
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
        return ingress.offer(regulator.anonymousCache(), topic, key, priority, QualityOfService.BEST_EFFORT,
            Regulator.NO_TTL, buffer, offset, length, 0, 0);
    }

    /**
     * Offer a request: as {@link Publisher#offer(String, Priority, String, long, DirectBuffer, int, int)}, as the
     * anonymous publisher.
     */
    public long offer(
        final String topic,
        final Priority priority,
        final String replyTo,
        final long correlationId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        return ingress.offer(regulator.anonymousCache(), topic, QueueGroup.NO_KEY, priority,
            QualityOfService.BEST_EFFORT, Regulator.NO_TTL, buffer, offset, length, 0, 0, replyTo, correlationId);
    }

    /**
     * Answer a request (a message with a {@link Message#replyTo()}): as
     * {@link Publisher#reply(Message, Priority, DirectBuffer, int, int)}, as the anonymous publisher.
     */
    public long reply(
        final Message request, final Priority priority, final DirectBuffer buffer, final int offset, final int length)
    {
        return ingress.reply(regulator.anonymousCache(), request, priority, buffer, offset, length);
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
        return ingress.offer(regulator.anonymousCache(), topic, QueueGroup.NO_KEY, priority, qos, Regulator.NO_TTL,
            buffer, offset, length, 0, 0);
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
        return ingress.offerIdempotent(topic, priority, buffer, offset, length, publisherId, publisherSequence);
    }

    /**
     * A named publisher: its offers can carry a time-to-live, and rules can regulate it by name.
     */
    public Publisher publisher(final String name)
    {
        return new Publisher(ingress, regulator.newCache(Objects.requireNonNull(name, "name")));
    }

    /**
     * A named publisher bound to an authenticated principal: regulation rules with a principal
     * ({@code Rule.withPrincipal}) govern it, with a quota per principal.
     */
    public Publisher publisher(final String name, final String principal)
    {
        return new Publisher(ingress, regulator.newCache(Objects.requireNonNull(name, "name"), principal));
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
     * @throws SubscribeRefusedException if a shard's route command queue stayed full (see
     *                                   {@link Context#routeCommandQueueCapacity(int)}).
     */
    public Subscription subscribe(final String pattern, final MessageHandler handler, final SubscriptionOptions options)
    {
        return conductor.subscribe(pattern, handler, options, true);
    }

    /**
     * Subscribe without waiting for the shards: returns at once, and the subscription is in effect when
     * {@link Subscription#isInEffect()} says so, or its listener's
     * {@link SubscriptionListener#onInEffect(Subscription)} is called. Many subscriptions made this way are
     * applied by each shard in one batch, which is how a switch takes on thousands a second.
     *
     * @throws InvalidTopicException if the pattern is malformed.
     * @throws SubscribeRefusedException if a shard's route command queue stayed full: the shard is not applying
     *                                   subscription changes (its thread is held, or INVOKER mode's
     *                                   {@link #doWork()} is not being called); retry once it has caught up.
     */
    public Subscription subscribeAsync(
        final String pattern, final MessageHandler handler, final SubscriptionOptions options)
    {
        return conductor.subscribe(pattern, handler, options, false);
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
     * INVOKER mode with a {@link Context#invokerWake}: the caller is about to idle. Until {@link #disarmWake()},
     * the first producer on another thread that hands the switch work runs the wake.
     *
     * @return true if the switch has work already (the caller calls {@link #disarmWake()} and does not idle).
     */
    public boolean armWake()
    {
        final InvokerWake wake = ctx.invokerWakeSignal();
        if (null != wake)
        {
            wake.arm(); // Before looking: a hand-off after the look finds it armed.
        }
        return hasInvokerWork();
    }

    /**
     * The caller has stopped idling (it was woken, or woke by itself).
     */
    public void disarmWake()
    {
        final InvokerWake wake = ctx.invokerWakeSignal();
        if (null != wake)
        {
            wake.disarm();
        }
    }

    /**
     * INVOKER mode: whether the switch has work that no wake announces (a subscriber back-pressuring a shard,
     * queue-group leavers to move, a journal stage behind, a back-pressure handler without room for what its outbox
     * holds): the caller's idle stays short.
     */
    public boolean isInvokerBusy()
    {
        for (final Shard shard : shards)
        {
            if (shard.isBusyOnCaller())
            {
                return true;
            }
        }
        return conductor.sharedAgentsHoldWork();
    }

    private boolean hasInvokerWork()
    {
        for (final Shard shard : shards)
        {
            if (shard.hasWorkOnCaller())
            {
                return true;
            }
        }
        return conductor.sharedLanesHaveWork();
    }

    /**
     * @return a snapshot of the active subscriptions, oldest first (allocates: for observers, not for the hot path).
     */
    public List<Subscription> subscriptions()
    {
        return conductor.subscriptions();
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
        ingress.close();
        conductor.refuseNew();

        drain();

        conductor.endAll();

        final List<AutoCloseable> resources = new ArrayList<>(pipelineRunners);
        resources.addAll(conductor.runners());
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
        return conductor.areIdle();
    }

    /**
     * Place the shards (and journal stages) on threads: all on one in SHARED mode, one each otherwise.
     * The delivery watchdog rides on shard 0's thread: it reads the clock once per cycle and looks rarely.
     */
    private void startPipeline()
    {
        final int[] cpus = ctx.cpuAffinity();
        final Agent[] stages = journalStages();
        if (ctx.threadingMode() == ThreadingMode.SHARED)
        {
            final List<Agent> agents = new ArrayList<>(List.of(stages));
            agents.addAll(List.of(shards));
            agents.add(conductor.newWatchdog());
            pipelineRunners.add(AgentPlacement.onThread(
                AgentPlacement.composite("junction-shards", agents.toArray(new Agent[0])),
                pipelineIdle(new AllShards(shards)), AgentPlacement.cpuFor(cpus, 0), conductor::onError));
        }
        else
        {
            for (int i = 0; i < stages.length; i++)
            {
                pipelineRunners.add(AgentPlacement.onThread(stages[i], journalIdle((JournalStage)stages[i]),
                    AgentPlacement.cpuFor(cpus, i), conductor::onError));
            }
            pipelineRunners.add(AgentPlacement.onThread(
                AgentPlacement.composite(shards[0].roleName(), shards[0], conductor.newWatchdog()),
                pipelineIdle(shards[0]), AgentPlacement.cpuFor(cpus, 0), conductor::onError));
            for (int i = 1; i < shards.length; i++)
            {
                pipelineRunners.add(AgentPlacement.onThread(
                    shards[i], pipelineIdle(shards[i]), AgentPlacement.cpuFor(cpus, i), conductor::onError));
            }
        }
    }

    /**
     * The default idle strategy becomes a wakeable one, so that a publisher wakes a parked shard; one the
     * application chose is used as it is. A shard whose every piece of work comes with a wake parks up to
     * as long as a delivery agent; while it has work that nothing announces, up to 1 ms.
     */
    private IdleStrategy pipelineIdle(final WakeableIdleStrategy.Signal signal)
    {
        return ctx.pipelineIdleStrategySupplier() == Context.DEFAULT_IDLE_STRATEGY_SUPPLIER ?
            new WakeableIdleStrategy(signal, WakeableIdleStrategy.DEFAULT_SPINS, WakeableIdleStrategy.DEFAULT_YIELDS,
                WakeableIdleStrategy.SIGNALLED_MAX_PARK_NS, WakeableIdleStrategy.MAX_PARK_NS) :
            ctx.pipelineIdleStrategySupplier().get();
    }

    /**
     * A journal stage on the default idle strategy is woken by publishers too, so a message does not wait out the
     * stage's park (up to 1 ms) and then the shard's; the stage wakes its shard once it has passed the message.
     */
    private IdleStrategy journalIdle(final JournalStage stage)
    {
        return ctx.pipelineIdleStrategySupplier() == Context.DEFAULT_IDLE_STRATEGY_SUPPLIER ?
            new WakeableIdleStrategy(stage, WakeableIdleStrategy.DEFAULT_SPINS, WakeableIdleStrategy.DEFAULT_YIELDS,
                WakeableIdleStrategy.MAX_PARK_NS, WakeableIdleStrategy.MAX_PARK_NS) :
            ctx.pipelineIdleStrategySupplier().get();
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
        public boolean wasWoken()
        {
            for (final Shard shard : shards)
            {
                if (shard.wasWoken())
                {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean isBusy()
        {
            for (final Shard shard : shards)
            {
                if (shard.isBusy())
                {
                    return true;
                }
            }
            return false;
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
        /**
         * Route additions a shard holds before it applies them: room for a batch of asynchronous subscribes
         * (about 256 KiB of references per shard); only a shard that stopped applying them fills it.
         */
        public static final int DEFAULT_ROUTE_COMMAND_QUEUE_CAPACITY = 65_536;
        public static final int DEFAULT_COUNTERS_CAPACITY = 8192;
        public static final long DEFAULT_CONTROL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
        public static final long DEFAULT_SHUTDOWN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
        /** Shared delivery agents: one per two cores, at least one (so 1 on a 2-core machine). */
        public static final int DEFAULT_DELIVERY_AGENTS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        public static final long DEFAULT_DELIVERY_STALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(1);
        /**
         * How long a shard holds a full outbox before its policy drops (or disconnects): about a scheduler
         * tick, long enough for a delivery agent that waits for a core to get one, and short enough that a
         * slow subscriber barely slows its shard (one grace per spell of fullness; it then drops at once
         * until it has drained to half its outbox).
         */
        public static final long DEFAULT_DROP_GRACE_NS = TimeUnit.MILLISECONDS.toNanos(1);

        /** {@link AgentPlacement#BACKOFF_IDLE_STRATEGY}, the default of every Junction agent. */
        public static final Supplier<IdleStrategy> DEFAULT_IDLE_STRATEGY_SUPPLIER = AgentPlacement.BACKOFF_IDLE_STRATEGY;

        private boolean isConcluded;
        private int shards = DEFAULT_SHARDS;
        private int ringSize = DEFAULT_RING_SIZE;
        private int maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH;
        private int maxTopicLength = DEFAULT_MAX_TOPIC_LENGTH;
        private int maxTopicTokens = DEFAULT_MAX_TOPIC_TOKENS;
        private int routeCacheSize = DEFAULT_ROUTE_CACHE_SIZE;
        private int dispatchBatchLimit = DEFAULT_DISPATCH_BATCH_LIMIT;
        private int deliveryBatchLimit = DEFAULT_DELIVERY_BATCH_LIMIT;
        private int routeCommandQueueCapacity = DEFAULT_ROUTE_COMMAND_QUEUE_CAPACITY;
        private int countersCapacity = DEFAULT_COUNTERS_CAPACITY;
        private int deliveryAgents = DEFAULT_DELIVERY_AGENTS;
        private long deliveryStallTimeoutNs = DEFAULT_DELIVERY_STALL_TIMEOUT_NS;
        private long dropGraceNs = DEFAULT_DROP_GRACE_NS;
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
        private Runnable invokerWake;
        private InvokerWake invokerWakeSignal;

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
            requireAtLeast("routeCommandQueueCapacity", routeCommandQueueCapacity, 2);
            if (routeCommandQueueCapacity > 1 << 30)
            {
                throw new IllegalArgumentException("routeCommandQueueCapacity must be <= 2^30: " +
                    routeCommandQueueCapacity);
            }
            requireAtLeast("countersCapacity", countersCapacity, 64);
            requireAtLeast("deliveryAgents", deliveryAgents, 1);
            if (deliveryStallTimeoutNs <= 0)
            {
                throw new IllegalArgumentException("deliveryStallTimeoutNs must be > 0: " + deliveryStallTimeoutNs);
            }
            if (dropGraceNs < 0)
            {
                throw new IllegalArgumentException("dropGraceNs must be >= 0: " + dropGraceNs);
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
         * @param graceNs how long a shard holds a subscriber's full outbox, as BACK_PRESSURE would, before a
         *                dropping or DISCONNECT policy applies; 0 applies it at once. Not used in
         *                {@link ThreadingMode#INVOKER} mode.
         */
        public Context dropGraceNs(final long graceNs)
        {
            this.dropGraceNs = graceNs;
            return this;
        }

        public long dropGraceNs()
        {
            return dropGraceNs;
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

        /**
         * @param capacity route additions (one per subscription per shard) a shard may hold not yet applied; a
         *                 subscribe that finds a shard's queue full waits for room up to {@link #controlTimeoutNs()},
         *                 then is refused with {@link SubscribeRefusedException} and counted
         *                 ({@code shard N route additions refused}); at once, without the wait, while that shard has
         *                 applied nothing since its last refusal, from the shard's own thread, or in
         *                 {@link ThreadingMode#INVOKER} mode. Rounded up to a power of two.
         */
        public Context routeCommandQueueCapacity(final int capacity)
        {
            this.routeCommandQueueCapacity = capacity;
            return this;
        }

        public int routeCommandQueueCapacity()
        {
            return routeCommandQueueCapacity;
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

        /**
         * {@link ThreadingMode#INVOKER}: how a producer on another thread wakes the caller's duty cycle when it idles
         * in a wait of its own ({@link Junction#armWake()}); null (the default): no wake, the caller polls.
         */
        public Context invokerWake(final Runnable wake)
        {
            this.invokerWake = wake;
            return this;
        }

        public Runnable invokerWake()
        {
            return invokerWake;
        }

        /**
         * @return the wake shards and delivery lanes signal in INVOKER mode, or null for none.
         */
        InvokerWake invokerWakeSignal()
        {
            if (null == invokerWakeSignal && null != invokerWake && ThreadingMode.INVOKER == threadingMode)
            {
                invokerWakeSignal = new InvokerWake(invokerWake);
            }
            return invokerWakeSignal;
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
