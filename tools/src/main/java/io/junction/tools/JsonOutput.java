package io.junction.tools;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.junction.observe.Alarm;
import io.junction.observe.AlarmEvaluator;
import io.junction.observe.CountersFileReader;
import io.junction.observe.CountersFileReader.CounterValue;

/**
 * The JSON the tools write (webhooks, {@code /alarms}, {@code stat --json}, {@code /status.json}), through one
 * Jackson mapper; each document's shape is a record here.
 */
final class JsonOutput
{
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonOutput()
    {
    }

    /**
     * An alarm notification (webhook body, an entry of {@code /alarms}).
     *
     * @param value the metric's value at the change; null when it was not a number.
     */
    @JsonPropertyOrder({ "alarm", "state", "severity", "value", "condition", "description", "timeMs" })
    record AlarmJson(
        String alarm, String state, String severity, Double value, String condition, String description, long timeMs)
    {
        static AlarmJson of(final Alarm alarm)
        {
            final double value = alarm.value();
            return new AlarmJson(alarm.name(), alarm.raised() ? "RAISED" : "CLEARED", alarm.severity().name(),
                Double.isFinite(value) ? value : null, alarm.rule().condition(), alarm.rule().description(),
                alarm.timeMs());
        }
    }

    /**
     * {@code junction stat --json}: the counters file's header and every counter.
     *
     * @param alive          the daemon runs and beat within 5 s; false once it stopped.
     * @param status         what the text output says: running, stopped, or not running (it did not stop cleanly).
     * @param stopTimeMs     when the daemon stopped, null while it has not; stoppedAt the same, as ISO-8601 text.
     * @param heartbeatAgeMs null once stopped.
     */
    @JsonPropertyOrder({ "timeMs", "pid", "alive", "status", "state", "stopped", "stopTimeMs", "stoppedAt",
        "heartbeatAgeMs", "counters", "activeAlarms" })
    record StatJson(
        long timeMs, long pid, boolean alive, String status, int state, boolean stopped, Long stopTimeMs,
        String stoppedAt, Long heartbeatAgeMs, List<CounterJson> counters, List<String> activeAlarms)
    {
    }

    @JsonPropertyOrder({ "id", "typeId", "label", "value" })
    record CounterJson(int id, int typeId, String label, long value)
    {
    }

    static String alarm(final Alarm alarm)
    {
        return write(AlarmJson.of(alarm));
    }

    static String alarms(final List<Alarm> alarms)
    {
        return write(alarms.stream().map(AlarmJson::of).toList()) + "\n";
    }

    static String stat(final CountersFileReader reader, final List<CounterValue> values)
    {
        final long nowMs = System.currentTimeMillis();
        final List<CounterJson> counters = new ArrayList<>(values.size());
        final List<String> active = new ArrayList<>();
        for (final CounterValue v : values)
        {
            counters.add(new CounterJson(v.id(), v.typeId(), v.label(), v.value()));
            if (v.typeId() == AlarmEvaluator.ALARM_TYPE_ID && v.value() != 0)
            {
                active.add(v.label().substring("alarm ".length()));
            }
        }
        final boolean stopped = reader.isStopped();
        final boolean alive = !stopped && reader.isAlive(nowMs, ALIVE_WITHIN_MS);
        return write(new StatJson(nowMs, reader.pid(), alive, status(reader, nowMs), reader.state(), stopped,
            stopped ? reader.stopTimeMs() : null, stopped ? Instant.ofEpochMilli(reader.stopTimeMs()).toString() : null,
            stopped ? null : nowMs - reader.heartbeatMs(), counters, active));
    }

    /** A daemon whose heartbeat is older than this is not running (it beats each observe-interval). */
    static final long ALIVE_WITHIN_MS = TimeUnit.SECONDS.toMillis(5);

    /**
     * @return "stopped" once the daemon stopped (its counters kept), "running" while it beats, else "not running"
     *         (it did not stop cleanly): what {@code junction stat} says in text and JSON alike.
     */
    static String status(final CountersFileReader reader, final long nowMs)
    {
        if (reader.isStopped())
        {
            return "stopped";
        }
        return reader.isAlive(nowMs, ALIVE_WITHIN_MS) ? "running" : "not running";
    }

    static String write(final Object value)
    {
        try
        {
            return MAPPER.writeValueAsString(value);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", ex);
        }
    }
}
