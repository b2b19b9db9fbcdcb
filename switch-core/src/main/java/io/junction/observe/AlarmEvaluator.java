package io.junction.observe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * Evaluates alarm rules each time {@link #evaluate(long)} is called, with the time passed in, so a test
 * can drive it with a hand-advanced clock. Raises an alarm after its condition has held for the rule's
 * raise delay, clears it after the condition has stayed false for the clear delay, and tells the
 * listeners of each change. Each rule has a counter (1 while raised) so {@code junction stat} shows
 * the active alarms from outside the process.
 * <p>
 * {@link #evaluate(long)} and {@link #rules(List)} are for one thread; {@link #activeAlarms()} is for any.
 */
public final class AlarmEvaluator implements AutoCloseable
{
    public static final int ALARM_TYPE_ID = 1200;

    private final EpochClock epochClock;
    private final CountersManager countersManager;
    private final List<AlarmListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, RuleState> states = new LinkedHashMap<>();
    private volatile List<Alarm> active = List.of();

    /**
     * @param countersManager where to allocate a counter per rule; may be null.
     */
    public AlarmEvaluator(final EpochClock epochClock, final CountersManager countersManager)
    {
        this.epochClock = Objects.requireNonNull(epochClock);
        this.countersManager = countersManager;
    }

    public AlarmEvaluator addListener(final AlarmListener listener)
    {
        listeners.add(Objects.requireNonNull(listener));
        return this;
    }

    /**
     * Replace the rules (a reload). A rule that keeps its name keeps its state; an alarm whose rule is
     * gone is cleared, with a notification.
     */
    public void rules(final List<AlarmRule> rules)
    {
        final java.util.Set<String> names = new java.util.HashSet<>();
        for (final AlarmRule rule : rules)
        {
            if (!names.add(rule.name()))
            {
                throw new IllegalArgumentException("duplicate alarm name: " + rule.name());
            }
        }
        final Map<String, RuleState> previous = new HashMap<>(states);
        states.clear();
        for (final AlarmRule rule : rules)
        {
            final RuleState old = previous.remove(rule.name());
            final RuleState state = new RuleState(rule, null == old ? null : old);
            states.put(rule.name(), state);
        }
        for (final RuleState gone : previous.values())
        {
            if (gone.raised)
            {
                gone.raised = false;
                notifyListeners(new Alarm(gone.rule, false, gone.lastValue, epochClock.time()));
            }
            gone.close();
        }
        publishActive();
    }

    public List<AlarmRule> rules()
    {
        final List<AlarmRule> rules = new ArrayList<>();
        states.values().forEach((state) -> rules.add(state.rule));
        return rules;
    }

    /**
     * Sample every rule's metric and move its state.
     *
     * @return the number of alarms that changed state.
     */
    public int evaluate(final long nowNs)
    {
        int changes = 0;
        for (final RuleState state : states.values())
        {
            final AlarmRule rule = state.rule;
            final double value = state.sample(nowNs);
            if (rule.isBreached(value))
            {
                state.clearSinceNs = Long.MIN_VALUE;
                if (state.breachedSinceNs == Long.MIN_VALUE)
                {
                    state.breachedSinceNs = nowNs;
                }
                if (!state.raised && nowNs - state.breachedSinceNs >= rule.raiseAfterNs())
                {
                    state.raised = true;
                    state.raisedAlarm = new Alarm(rule, true, value, epochClock.time());
                    changes++;
                    notifyListeners(state.raisedAlarm);
                }
            }
            else
            {
                state.breachedSinceNs = Long.MIN_VALUE;
                if (state.clearSinceNs == Long.MIN_VALUE)
                {
                    state.clearSinceNs = nowNs;
                }
                if (state.raised && nowNs - state.clearSinceNs >= rule.clearAfterNs())
                {
                    state.raised = false;
                    state.raisedAlarm = null;
                    changes++;
                    notifyListeners(new Alarm(rule, false, value, epochClock.time()));
                }
            }
            state.publish();
        }
        if (changes > 0)
        {
            publishActive();
        }
        return changes;
    }

    /**
     * @return the alarms raised now, each as it was raised. Safe from any thread.
     */
    public List<Alarm> activeAlarms()
    {
        return active;
    }

    private void publishActive()
    {
        final List<Alarm> raised = new ArrayList<>();
        for (final RuleState state : states.values())
        {
            if (state.raised && null != state.raisedAlarm)
            {
                raised.add(state.raisedAlarm);
            }
        }
        active = List.copyOf(raised);
    }

    private void notifyListeners(final Alarm alarm)
    {
        AlarmJfrEvent.emit(alarm);
        for (final AlarmListener listener : listeners)
        {
            try
            {
                listener.onAlarm(alarm);
            }
            catch (final RuntimeException ex)
            {
                // A faulty listener must not stop the others or the evaluation.
                System.err.println("alarm listener failed: " + ex);
            }
        }
    }

    @Override
    public void close()
    {
        states.values().forEach(RuleState::close);
        states.clear();
        active = List.of();
    }

    private final class RuleState
    {
        final AlarmRule rule;
        final AtomicCounter counter;
        long breachedSinceNs = Long.MIN_VALUE;
        long clearSinceNs = Long.MIN_VALUE;
        boolean raised;
        Alarm raisedAlarm;
        double lastValue;

        RuleState(final AlarmRule rule, final RuleState previous)
        {
            this.rule = rule;
            if (null != previous)
            {
                breachedSinceNs = previous.breachedSinceNs;
                clearSinceNs = previous.clearSinceNs;
                raised = previous.raised;
                raisedAlarm = previous.raised ? new Alarm(rule, true, previous.lastValue, previous.raisedAlarm.timeMs()) :
                    null;
                previous.close();
            }
            counter = null == countersManager ? null :
                countersManager.newCounter("alarm " + rule.name() + " [" + rule.severity() + "]", ALARM_TYPE_ID);
            publish();
        }

        double sample(final long nowNs)
        {
            lastValue = rule.metric().sample(nowNs);
            return lastValue;
        }

        void publish()
        {
            if (null != counter)
            {
                counter.setRelease(raised ? 1 : 0);
            }
        }

        void close()
        {
            if (null != counter && !counter.isClosed())
            {
                counter.close();
            }
        }
    }
}
