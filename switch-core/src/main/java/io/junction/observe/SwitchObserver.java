package io.junction.observe;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import io.junction.Subscription;
import io.junction.SwitchCounters;

/**
 * The switch's observation duty cycle, off the hot path: once per interval it beats the counters
 * file's heartbeat, samples gauges into counters, turns the latency recorders' interval histograms
 * into percentile counters (and a histogram log), evaluates the alarms, and emits JFR events for
 * bursts of turned-away offers. Run it as an {@link Agent} or call {@link #onInterval(long)}.
 */
public final class SwitchObserver implements Agent, AutoCloseable
{
    public static final int GAUGE_TYPE_ID = 1100;
    public static final int LATENCY_TYPE_ID = 1110;
    public static final int OBSERVER_TYPE_ID = 1120;
    public static final int SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID = 1101;
    /** The deepest subscription's queue depth at the last interval, over every subscription. */
    public static final int SUBSCRIPTIONS_QUEUE_DEPTH_MAX_TYPE_ID = 1047;
    /** Messages waiting in every subscription's outboxes together at the last interval. */
    public static final int SUBSCRIPTIONS_QUEUE_DEPTH_TOTAL_TYPE_ID = 1048;
    /** The quantiles published per stage, and their label suffixes. */
    static final double[] PERCENTILES = { 50, 99, 99.9 };
    static final String[] PERCENTILE_NAMES = { "p50", "p99", "p99.9" };

    private final Context ctx;
    private final List<Gauge> gauges = new ArrayList<>();
    private final List<StageCounters> stages = new ArrayList<>();
    private final java.util.Map<Subscription, AtomicCounter> queueDepths = new java.util.HashMap<>();
    private final AtomicCounter intervals;
    private final AtomicCounter queueDepthMax;
    private final AtomicCounter queueDepthTotal;
    private final HistogramLogWriter logWriter;
    private final PrintStream logStream;
    private final Metric turnedAway;
    private long nextIntervalNs;
    private long lastIntervalNs;
    private double lastTurnedAway = -1;

    public SwitchObserver(final Context ctx)
    {
        this.ctx = ctx.conclude();
        final CountersManager counters = ctx.countersManager;
        intervals = counters.newCounter("observer intervals", OBSERVER_TYPE_ID);
        if (null != ctx.subscriptions)
        {
            queueDepthMax = counters.newCounter("subscriptions queue depth max", SUBSCRIPTIONS_QUEUE_DEPTH_MAX_TYPE_ID);
            queueDepthTotal = counters.newCounter(
                "subscriptions queue depth total", SUBSCRIPTIONS_QUEUE_DEPTH_TOTAL_TYPE_ID);
        }
        else
        {
            queueDepthMax = null;
            queueDepthTotal = null;
        }
        if (null != ctx.latency)
        {
            for (final StageLatency stage : ctx.latency.stages())
            {
                stages.add(new StageCounters(stage, counters));
            }
        }
        if (null != ctx.histogramLogFile)
        {
            try
            {
                logStream = new PrintStream(ctx.histogramLogFile, java.nio.charset.StandardCharsets.US_ASCII);
            }
            catch (final java.io.IOException ex)
            {
                throw new IllegalStateException("cannot open histogram log " + ctx.histogramLogFile + ": " + ex, ex);
            }
            logWriter = new HistogramLogWriter(logStream);
            final long nowMs = ctx.epochClock.time();
            logWriter.outputLogFormatVersion();
            logWriter.outputStartTime(nowMs);
            logWriter.setBaseTime(nowMs);
            logWriter.outputLegend();
        }
        else
        {
            logStream = null;
            logWriter = null;
        }
        final Metric backPressured = CounterMetrics.sumOfType(counters, SwitchCounters.SHARD_BACK_PRESSURED_TYPE_ID);
        final Metric rejected = CounterMetrics.sumOfType(counters, SwitchCounters.OFFER_REJECTED_TYPE_ID);
        final Metric shed = CounterMetrics.sumOfType(counters, SwitchCounters.OFFER_SHED_TYPE_ID);
        turnedAway = (nowNs) -> backPressured.sample(nowNs) + rejected.sample(nowNs) + shed.sample(nowNs);
        nextIntervalNs = ctx.nanoClock.nanoTime() + ctx.intervalNs;
        lastIntervalNs = ctx.nanoClock.nanoTime();
    }

    /**
     * Sample a value into a counter each interval (ring occupancy, queue depth, disk free...).
     */
    public SwitchObserver addGauge(final String label, final LongSupplier supplier)
    {
        gauges.add(new Gauge(ctx.countersManager.newCounter(label, GAUGE_TYPE_ID), supplier));
        return this;
    }

    public AlarmEvaluator alarms()
    {
        return ctx.alarms;
    }

    @Override
    public int doWork()
    {
        final long nowNs = ctx.nanoClock.nanoTime();
        if (nowNs - nextIntervalNs < 0)
        {
            return 0;
        }
        nextIntervalNs = nowNs + ctx.intervalNs;
        onInterval(nowNs);
        return 1;
    }

    /**
     * One observation. Called from one thread.
     */
    public void onInterval(final long nowNs)
    {
        final long nowMs = ctx.epochClock.time();
        if (null != ctx.countersFile)
        {
            ctx.countersFile.heartbeat(nowMs);
        }
        for (final Gauge gauge : gauges)
        {
            gauge.counter.setRelease(gauge.supplier.getAsLong());
        }
        sampleQueueDepths();
        for (final StageCounters stage : stages)
        {
            final Histogram interval = stage.stage.intervalHistogram();
            stage.publish(interval);
            if (null != logWriter && interval.getTotalCount() > 0)
            {
                interval.setStartTimeStamp(nowMs - (nowNs - lastIntervalNs) / 1_000_000);
                interval.setEndTimeStamp(nowMs);
                interval.setTag(stage.stage.name());
                logWriter.outputIntervalHistogram(interval);
            }
        }
        if (null != logStream)
        {
            logStream.flush();
        }
        final double turned = turnedAway.sample(nowNs);
        if (lastTurnedAway >= 0 && turned - lastTurnedAway >= ctx.burstThreshold)
        {
            ShedBurstJfrEvent.emit("back-pressured + rejected", (long)(turned - lastTurnedAway),
                (nowNs - lastIntervalNs) / 1_000_000);
        }
        lastTurnedAway = turned;
        if (null != ctx.alarms)
        {
            ctx.alarms.evaluate(nowNs);
        }
        lastIntervalNs = nowNs;
        intervals.incrementRelease();
    }

    /**
     * The deepest and the total queue depth over every subscription, and a queue-depth counter of its own
     * for each subscription that asked for one (a named one, or every one with
     * {@link Context#queueDepthOfEverySubscription(boolean)}): allocated as they appear, freed as they end,
     * so that a switch with a million anonymous subscriptions holds two counters for them, not a million.
     */
    private void sampleQueueDepths()
    {
        if (null == ctx.subscriptions)
        {
            return;
        }
        final java.util.Collection<? extends Subscription> current = ctx.subscriptions.get();
        long max = 0;
        long total = 0;
        int counted = 0;
        for (final Subscription subscription : current)
        {
            final long depth = subscription.queueDepth();
            max = Math.max(max, depth);
            total += depth;
            if (ctx.queueDepthOfEverySubscription || null != subscription.name())
            {
                final AtomicCounter counter = queueDepths.computeIfAbsent(subscription, (s) ->
                    ctx.countersManager.newCounter(
                        Subscription.counterLabel(s.id(), s.pattern(), s.name()) + "queue depth",
                        SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID));
                counter.setRelease(depth);
                counted++;
            }
        }
        queueDepthMax.setRelease(max);
        queueDepthTotal.setRelease(total);
        if (queueDepths.size() > counted) // some that had a counter ended
        {
            releaseEnded(current);
        }
    }

    /**
     * Free the counters of subscriptions that ended.
     */
    private void releaseEnded(final java.util.Collection<? extends Subscription> current)
    {
        if (queueDepths.isEmpty())
        {
            return;
        }
        final java.util.Set<Subscription> live = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        live.addAll(current);
        queueDepths.entrySet().removeIf((entry) ->
        {
            if (!live.contains(entry.getKey()))
            {
                entry.getValue().close();
                return true;
            }
            return false;
        });
    }

    @Override
    public String roleName()
    {
        return "junction-observer";
    }

    @Override
    public void close()
    {
        for (final Gauge gauge : gauges)
        {
            gauge.counter.close();
        }
        queueDepths.values().forEach(AtomicCounter::close);
        queueDepths.clear();
        CloseHelper.closeAll(queueDepthMax, queueDepthTotal);
        for (final StageCounters stage : stages)
        {
            stage.close();
        }
        intervals.close();
        CloseHelper.quietClose(logStream);
    }

    private record Gauge(AtomicCounter counter, LongSupplier supplier)
    {
    }

    private static final class StageCounters
    {
        final StageLatency stage;
        final AtomicCounter[] percentiles = new AtomicCounter[PERCENTILES.length];
        final AtomicCounter max;
        final AtomicCounter count;

        StageCounters(final StageLatency stage, final CountersManager counters)
        {
            this.stage = stage;
            for (int i = 0; i < PERCENTILES.length; i++)
            {
                percentiles[i] = counters.newCounter(
                    "latency " + stage.name() + " " + PERCENTILE_NAMES[i] + " ns", LATENCY_TYPE_ID);
            }
            max = counters.newCounter("latency " + stage.name() + " max ns", LATENCY_TYPE_ID);
            count = counters.newCounter("latency " + stage.name() + " count", LATENCY_TYPE_ID);
        }

        void publish(final Histogram interval)
        {
            for (int i = 0; i < PERCENTILES.length; i++)
            {
                percentiles[i].setRelease(interval.getValueAtPercentile(PERCENTILES[i]));
            }
            max.setRelease(interval.getMaxValue());
            count.getAndAddRelease(interval.getTotalCount());
        }

        void close()
        {
            for (final AtomicCounter counter : percentiles)
            {
                counter.close();
            }
            max.close();
            count.close();
        }
    }

    /**
     * What to observe.
     */
    public static final class Context
    {
        private CountersManager countersManager;
        private CountersFile countersFile;
        private SwitchLatency latency;
        private java.util.function.Supplier<? extends java.util.Collection<? extends Subscription>> subscriptions;
        private AlarmEvaluator alarms;
        private File histogramLogFile;
        private boolean queueDepthOfEverySubscription;
        private long intervalNs = 1_000_000_000L;
        private long burstThreshold = 1000;
        private NanoClock nanoClock = org.agrona.concurrent.SystemNanoClock.INSTANCE;
        private EpochClock epochClock = org.agrona.concurrent.SystemEpochClock.INSTANCE;

        Context conclude()
        {
            if (null == countersManager && null != countersFile)
            {
                countersManager = countersFile.countersManager();
            }
            Objects.requireNonNull(countersManager, "countersManager (or countersFile)");
            if (intervalNs <= 0)
            {
                throw new IllegalArgumentException("intervalNs must be > 0: " + intervalNs);
            }
            return this;
        }

        public Context countersManager(final CountersManager countersManager)
        {
            this.countersManager = countersManager;
            return this;
        }

        /**
         * @param countersFile beaten each interval; also the counters manager if none is given.
         */
        public Context countersFile(final CountersFile countersFile)
        {
            this.countersFile = countersFile;
            return this;
        }

        public Context latency(final SwitchLatency latency)
        {
            this.latency = latency;
            return this;
        }

        /**
         * @param subscriptions sampled each interval into the deepest and the total queue depth over them
         *                      all, and a queue-depth counter for each named subscription, e.g.
         *                      {@code junction::subscriptions}.
         */
        public Context subscriptions(
            final java.util.function.Supplier<? extends java.util.Collection<? extends Subscription>> subscriptions)
        {
            this.subscriptions = subscriptions;
            return this;
        }

        /**
         * @param every true to give every subscription a queue-depth counter of its own, named or not (one
         *              counter each: mind the counters file's capacity); false (the default) gives one to
         *              named subscriptions only.
         */
        public Context queueDepthOfEverySubscription(final boolean every)
        {
            this.queueDepthOfEverySubscription = every;
            return this;
        }

        public Context alarms(final AlarmEvaluator alarms)
        {
            this.alarms = alarms;
            return this;
        }

        /**
         * @param file where to write the interval histograms (HdrHistogram log format); null for none.
         */
        public Context histogramLogFile(final File file)
        {
            this.histogramLogFile = file;
            return this;
        }

        public Context intervalNs(final long intervalNs)
        {
            this.intervalNs = intervalNs;
            return this;
        }

        /**
         * @param threshold offers turned away in one interval that make a JFR shed-burst event.
         */
        public Context burstThreshold(final long threshold)
        {
            this.burstThreshold = threshold;
            return this;
        }

        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public Context epochClock(final EpochClock epochClock)
        {
            this.epochClock = epochClock;
            return this;
        }
    }
}
