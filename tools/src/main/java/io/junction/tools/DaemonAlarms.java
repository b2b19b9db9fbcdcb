package io.junction.tools;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.agrona.concurrent.SystemEpochClock;

import io.junction.Junction;
import io.junction.journal.Journal;
import io.junction.observe.Alarm;
import io.junction.observe.AlarmEvaluator;
import io.junction.observe.AlarmRule;
import io.junction.observe.Metric;

/**
 * The alarm rules of {@code alarms.rules}, bound to the running daemon's counters and to what it derives itself
 * (ring occupancy, disk space, the journal, the cluster), evaluated by the observer's thread. A reload hands new
 * rules over; the observer takes them at its next duty cycle.
 */
final class DaemonAlarms implements DaemonComponent
{
    private final AlarmEvaluator evaluator;
    private final DaemonCounters counters;
    private final Junction junction;
    private final File dataDir;
    private final File journalDir;
    private final Journal journal;
    private final DaemonCluster cluster;
    private final AtomicReference<List<AlarmRule>> pending = new AtomicReference<>();

    /**
     * @param journal null when the journal is off; cluster null when there is none.
     */
    DaemonAlarms(final DaemonConfig config, final DaemonCounters counters, final Junction junction,
        final File dataDir, final Journal journal, final DaemonCluster cluster, final Consumer<Alarm> log)
    {
        this.counters = counters;
        this.junction = junction;
        this.dataDir = dataDir;
        this.journalDir = Daemon.journalDir(dataDir, config.journal());
        this.journal = journal;
        this.cluster = cluster;
        evaluator = new AlarmEvaluator(SystemEpochClock.INSTANCE, counters.manager());
        evaluator.addListener(log::accept);
        evaluator.rules(bind(config.alarms()));
    }

    void addListener(final Consumer<Alarm> listener)
    {
        evaluator.addListener(listener::accept);
    }

    AlarmEvaluator evaluator()
    {
        return evaluator;
    }

    List<Alarm> activeAlarms()
    {
        return evaluator.activeAlarms();
    }

    /**
     * @throws IllegalArgumentException naming a rule that cannot be bound.
     */
    List<AlarmRule> bind(final List<AlarmSpec> specs)
    {
        final List<AlarmRule> rules = new ArrayList<>();
        for (final AlarmSpec spec : specs)
        {
            final Metric base = metric(spec.metric());
            rules.add(new AlarmRule(spec.name(), spec.severity(), spec.rate() ? base.perSecond() : base, spec.above(),
                spec.threshold(), spec.raiseAfter().toNanos(), spec.clearAfter().toNanos(), spec.description()));
        }
        return rules;
    }

    /**
     * Replace the rules at the observer's next duty cycle (any thread).
     */
    void replace(final List<AlarmRule> rules)
    {
        pending.set(rules);
    }

    /**
     * On the observer's thread: take the rules a reload handed over, if any.
     */
    void applyPending()
    {
        final List<AlarmRule> rules = pending.getAndSet(null);
        if (null != rules)
        {
            evaluator.rules(rules);
        }
    }

    private Metric metric(final String name)
    {
        final Metric counted = MetricCatalogue.alarmMetric(name, counters.manager());
        if (null != counted)
        {
            return counted;
        }
        return switch (name) // the alarm metrics the daemon derives itself (MetricCatalogue.DERIVED_ALARM_METRICS)
        {
            case "ring-occupancy" -> (now) -> junction.ringOccupancy();
            case "disk-free-mb" -> (now) -> dataDir.getUsableSpace() >> 20;
            case "journal-unavailable" -> (now) -> null != journal && !journal.isAvailable() ? 1 : 0;
            case "journal-disk-free-mb" -> (now) -> (journalDir.isDirectory() ? journalDir : dataDir).getUsableSpace() >> 20;
            case "journal-size-mb" -> (now) -> null == journal ? 0 : journal.counters().sizeBytes() >> 20;
            case "cluster-no-leader" -> (now) -> null == cluster ? 0 : cluster.noLeader();
            case "cluster-elections" -> (now) -> null == cluster ? 0 : cluster.elections();
            case "cluster-role" -> (now) -> null == cluster ? 0 : cluster.role();
            default -> throw new IllegalArgumentException("unknown metric '" + name + "'");
        };
    }

    @Override
    public void close()
    {
        evaluator.close();
    }
}
