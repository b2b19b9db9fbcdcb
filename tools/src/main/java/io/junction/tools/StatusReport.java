package io.junction.tools;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import org.agrona.concurrent.status.CountersReader;

import io.junction.SwitchCounters;
import io.junction.observe.Alarm;
import io.junction.observe.SwitchObserver;

/**
 * What the status page at {@code /} polls ({@code /status.json}): rates per second since the previous poll,
 * totals, latency per stage, active alarms, the subscriptions with the deepest queues (at most
 * {@value #MAX_SUBSCRIPTIONS_SHOWN}, so the document stays small with 100,000 of them) and the connections.
 */
final class StatusReport
{
    static final int MAX_SUBSCRIPTIONS_SHOWN = 50;
    /** Polls closer together than this reuse the previous rates rather than divide by almost nothing. */
    private static final long MIN_RATE_INTERVAL_MS = 250;
    private static final Pattern SUBSCRIPTION = Pattern.compile(
        "subscription (\\d+) '(.*?)' (?:(?:\\(|name=)([^)\\s]+)\\)? )?(delivered|dropped|queue depth)");

    /** The totals whose rates the page shows, each the sum of a counter type. */
    private static final Map<String, Integer> RATES = new LinkedHashMap<>();

    static
    {
        RATES.put("dispatched", SwitchCounters.SHARD_DISPATCHED_TYPE_ID);
        RATES.put("delivered", SwitchCounters.SUBSCRIPTION_DELIVERED_TYPE_ID);
        RATES.put("deliveredAll", DeliveredTotal.TYPE_ID);
        RATES.put("dropped", SwitchCounters.SUBSCRIPTION_DROPPED_TYPE_ID);
        RATES.put("shed", SwitchCounters.OFFER_SHED_TYPE_ID);
        RATES.put("rejected", SwitchCounters.OFFER_REJECTED_TYPE_ID);
        RATES.put("backPressured", SwitchCounters.SHARD_BACK_PRESSURED_TYPE_ID);
        RATES.put("publishes", ProtocolServer.PUBLISHES_TYPE_ID);
    }

    @JsonPropertyOrder({ "timeMs", "version", "rates", "totals", "latency", "alarms", "subscriptions", "connections" })
    record Status(
        long timeMs, String version, Map<String, Double> rates, Map<String, Long> totals, List<StageLatency> latency,
        List<JsonOutput.AlarmJson> alarms, Subscriptions subscriptions, Connections connections)
    {
    }

    @JsonPropertyOrder({ "stage", "p50Ns", "p99Ns", "p999Ns", "maxNs", "count" })
    record StageLatency(String stage, long p50Ns, long p99Ns, long p999Ns, long maxNs, long count)
    {
    }

    @JsonPropertyOrder({ "active", "shown" })
    record Subscriptions(long active, List<SubscriptionRow> shown)
    {
    }

    @JsonPropertyOrder({ "id", "pattern", "name", "delivered", "dropped", "queueDepth" })
    record SubscriptionRow(long id, String pattern, String name, long delivered, long dropped, long queueDepth)
    {
    }

    @JsonPropertyOrder({ "connected", "publishes", "badFrames", "publishFailures" })
    record Connections(long connected, long publishes, long badFrames, long publishFailures)
    {
    }

    private final CountersReader counters;
    private final Supplier<List<Alarm>> alarms;
    private final LongSupplier clockMs;
    private final String version = BuildInfo.load().version();
    private final long startMs;
    private Map<String, Long> lastTotals;
    private long lastMs;
    private Map<String, Double> lastRates = new LinkedHashMap<>();

    StatusReport(final CountersReader counters, final Supplier<List<Alarm>> alarms, final LongSupplier clockMs)
    {
        this.counters = counters;
        this.alarms = alarms;
        this.clockMs = clockMs;
        this.startMs = clockMs.getAsLong();
    }

    synchronized String json()
    {
        return JsonOutput.write(status());
    }

    synchronized Status status()
    {
        final long nowMs = clockMs.getAsLong();
        final Map<Integer, Long> sums = new LinkedHashMap<>();
        final Map<String, long[]> stages = new LinkedHashMap<>();
        final Map<Long, SubscriptionRow> subscriptions = new LinkedHashMap<>();
        counters.forEach((value, id, label) ->
        {
            final int typeId = counters.getCounterTypeId(id);
            sums.merge(typeId, value, Long::sum);
            if (typeId == SwitchObserver.LATENCY_TYPE_ID)
            {
                latency(stages, label, value);
            }
            else if (typeId == SwitchCounters.SUBSCRIPTION_DELIVERED_TYPE_ID ||
                typeId == SwitchCounters.SUBSCRIPTION_DROPPED_TYPE_ID ||
                typeId == SwitchObserver.SUBSCRIPTION_QUEUE_DEPTH_TYPE_ID)
            {
                subscription(subscriptions, label, value);
            }
        });

        final Map<String, Long> totals = new LinkedHashMap<>();
        RATES.forEach((name, typeId) -> totals.put(name, sums.getOrDefault(typeId, 0L)));
        if (null == lastTotals || nowMs - lastMs >= MIN_RATE_INTERVAL_MS)
        {
            // The first poll has no previous one: its rates are since the endpoint started.
            final long sinceMs = null == lastTotals ? startMs : lastMs;
            final Map<String, Double> rates = new LinkedHashMap<>();
            totals.forEach((name, total) ->
            {
                final long before = null == lastTotals ? 0 : lastTotals.getOrDefault(name, 0L);
                rates.put(name, nowMs > sinceMs ? Math.max(0, total - before) * 1000.0 / (nowMs - sinceMs) : 0.0);
            });
            lastRates = rates;
            lastTotals = totals;
            lastMs = nowMs;
        }

        final List<StageLatency> latency = new ArrayList<>();
        stages.forEach((stage, v) -> latency.add(new StageLatency(stage, v[0], v[1], v[2], v[3], v[4])));
        final List<SubscriptionRow> shown = subscriptions.values().stream()
            .sorted(Comparator.comparingLong(SubscriptionRow::queueDepth).reversed()
                .thenComparingLong(SubscriptionRow::id))
            .limit(MAX_SUBSCRIPTIONS_SHOWN).toList();
        return new Status(nowMs, version, lastRates, totals, latency,
            alarms.get().stream().map(JsonOutput.AlarmJson::of).toList(),
            new Subscriptions(sums.getOrDefault(SwitchCounters.SUBSCRIPTIONS_ACTIVE_TYPE_ID, 0L), shown),
            new Connections(sums.getOrDefault(ProtocolServer.CONNECTIONS_TYPE_ID, 0L),
                sums.getOrDefault(ProtocolServer.PUBLISHES_TYPE_ID, 0L),
                sums.getOrDefault(ProtocolServer.BAD_FRAMES_TYPE_ID, 0L),
                sums.getOrDefault(ProtocolServer.PUBLISH_FAILURES_TYPE_ID, 0L)));
    }

    /** "latency STAGE p50|p99|p99.9|max ns" and "latency STAGE count" into {p50, p99, p99.9, max, count}. */
    private static void latency(final Map<String, long[]> stages, final String label, final long value)
    {
        final String[] parts = label.split(" ");
        if (parts.length < 3)
        {
            return;
        }
        final int slot = switch (parts[2])
        {
            case "p50" -> 0;
            case "p99" -> 1;
            case "p99.9" -> 2;
            case "max" -> 3;
            case "count" -> 4;
            default -> -1;
        };
        if (slot >= 0)
        {
            stages.computeIfAbsent(parts[1], (s) -> new long[5])[slot] = value;
        }
    }

    private static void subscription(final Map<Long, SubscriptionRow> rows, final String label, final long value)
    {
        final Matcher matcher = SUBSCRIPTION.matcher(label);
        if (!matcher.matches())
        {
            return;
        }
        final long id = Long.parseLong(matcher.group(1));
        final SubscriptionRow was = rows.getOrDefault(id,
            new SubscriptionRow(id, matcher.group(2), matcher.group(3), 0, 0, 0));
        rows.put(id, switch (matcher.group(4))
        {
            case "delivered" -> new SubscriptionRow(id, was.pattern(), was.name(), value, was.dropped(), was.queueDepth());
            case "dropped" -> new SubscriptionRow(id, was.pattern(), was.name(), was.delivered(), value, was.queueDepth());
            default -> new SubscriptionRow(id, was.pattern(), was.name(), was.delivered(), was.dropped(), value);
        });
    }
}
