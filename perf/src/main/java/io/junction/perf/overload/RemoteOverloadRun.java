package io.junction.perf.overload;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Priority;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.perf.Machine;
import io.junction.perf.suite.JunctionRemoteTarget;
import io.junction.perf.suite.ServerProcess;

/**
 * Overload end to end through the daemon: a daemon child process configured as an operator would for overload
 * (CoDel shedding at the edge, a CRITICAL reserve in every ring and in each subscriber's credit window and send
 * buffer, CRITICAL expressed past lower classes, drop-oldest subscribers), a subscriber client that works
 * {@code serviceNs} per message, and a publisher client. First the capacity: the highest rate the subscriber keeps
 * up with in an open-loop ramp of all-NORMAL steps. Then two phases of the same topology and class mix (a
 * {@code criticalShare} of the messages CRITICAL, numbered, the rest HIGH, NORMAL and BULK alike): unloaded, at
 * {@code unloadedShare} of the capacity for {@code unloadedSeconds}, then loaded, at {@code multiplier} times the
 * capacity for {@code seconds}. Every message carries the publisher's clock at its offer; the subscriber's handler
 * records publish-to-handler latency per class and phase in an HdrHistogram (both clients share this JVM's clock).
 * Every second of the loaded phase: offered and received per class, the daemon's resident memory and heap. At the
 * end: per class and phase the latency percentiles and what was lost end to end, the CRITICAL ones the publisher
 * handed to its client that the subscriber never received (the goal is none), the loaded/unloaded ratio of
 * CRITICAL's latency (the goal is at most 2 at p99), the longest second without a delivery (a stall), whether RSS
 * and heap stayed flat after the warm-up, and the daemon's own drop counts over the loaded phase.
 * <p>
 * Run: {@code java <junction jvm flags> -cp perf/target/benchmarks.jar io.junction.perf.overload.RemoteOverloadRun}
 * with system properties {@code remote.seconds} (120: the loaded phase), {@code remote.unloadedSeconds} (20),
 * {@code remote.unloadedShare} (0.1), {@code remote.multiplier} (3), {@code remote.criticalShare} (0.1),
 * {@code remote.serviceNs} (5000), {@code remote.criticalReserve} (12: the daemon's {@code network.critical-reserve}),
 * {@code remote.credit} (4096: the subscription's credit window), {@code remote.criticalCredit} (65536: its CRITICAL
 * credit window; 0: CRITICAL shares the credit), {@code remote.expressLane} (1M: the daemon's
 * {@code network.express-send-buffer}, room for the CRITICAL window's frames ahead of the send buffer),
 * {@code remote.express} (true: the subscriber's CRITICAL overtakes the lower classes waiting in its client,
 * {@code ClientSubscriptionOptions.expressCritical}), {@code remote.out} (perf/results/remote-overload-&lt;time&gt;).
 * The daemon runs with {@code -Xms512m -Xmx512m -XX:+AlwaysPreTouch}, so its resident memory is flat unless
 * something outside the heap grows. About {@code seconds + unloadedSeconds + 40} s.
 */
public final class RemoteOverloadRun
{
    private static final String TOPIC = "overload.orders";
    private static final Priority[] CLASSES = Priority.values();
    private static final int CRITICAL = Priority.CRITICAL.ordinal();
    private static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int STEP_SECONDS = 3;
    private static final double STEP_FACTOR = 1.5;
    private static final double KEPT_UP = 0.97;
    private static final int MAX_STEPS = 12;
    /** Payload: the message's number (CRITICAL numbered apart), the publisher's clock at the offer, the phase. */
    private static final int NUMBER_AT = 0;
    private static final int SENT_NS_AT = 8;
    private static final int PHASE_AT = 16;
    private static final int PAYLOAD_LENGTH = 64;

    private final int seconds = Integer.getInteger("remote.seconds", 120);
    private final int unloadedSeconds = Integer.getInteger("remote.unloadedSeconds", 20);
    private final double unloadedShare = Double.parseDouble(System.getProperty("remote.unloadedShare", "0.1"));
    private final double multiplier = Double.parseDouble(System.getProperty("remote.multiplier", "3"));
    private final double criticalShare = Double.parseDouble(System.getProperty("remote.criticalShare", "0.1"));
    private final long serviceNs = Long.getLong("remote.serviceNs", 5_000);
    private final long credit = Long.getLong("remote.credit", ClientSubscriptionOptions.DEFAULT_INITIAL_CREDIT);
    /**
     * CRITICAL's window must cover its rate times the longest pause of the subscriber it is to ride out without a
     * drop: 65,536 is two seconds of 30,000 CRITICAL/s (3x a capacity of 100,000 msg/s, 10% CRITICAL); 16,384 lost
     * 0.08% of CRITICAL on a starved host (perf/results/critical-overload-2026-12-03).
     */
    private final long criticalCredit = Long.getLong("remote.criticalCredit", 65_536);
    /**
     * The subscriber's CRITICAL overtakes the lower classes waiting in its client (ClientSubscriptionOptions
     * .expressCritical): without it every CRITICAL message waited behind the lower-class credit window in flight.
     */
    private final boolean express = Boolean.parseBoolean(System.getProperty("remote.express", "true"));
    /** The daemon's heap fixed and touched at start, so that its resident memory can be judged flat or not. */
    private static final List<String> DAEMON_HEAP = List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch");
    private final Path out = Path.of(System.getProperty("remote.out",
        "perf/results/remote-overload-" + Instant.now().toString().replace(':', '-').substring(0, 19)));

    /** Received per class, by the subscriber's thread; read by the sampler. */
    private final AtomicLongArray received = new AtomicLongArray(CLASSES.length);
    /** Handed to the publisher's client per class. */
    private final AtomicLongArray offered = new AtomicLongArray(CLASSES.length);
    private final AtomicLongArray notOffered = new AtomicLongArray(CLASSES.length);
    private volatile boolean counting;
    /** The phase whose messages the handler records (others, late ones of an earlier phase, it only counts). */
    private volatile Phase phase = new Phase(0, "capacity", 0);

    /**
     * One phase's record: written by the subscriber's thread, read by the main thread once it has stopped, or for
     * the sampler the counts above.
     */
    private static final class Phase
    {
        final int id;
        final String name;
        final long rate;
        final Histogram[] latency = new Histogram[CLASSES.length];
        /**
         * CRITICAL's latency in two: publisher to the daemon's switch accepting it (the message's timestamp, the
         * daemon's System.nanoTime, the same monotonic clock as this process's on Linux), and from there to the
         * handler.
         */
        final Histogram criticalToSwitch = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram criticalFromSwitch = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final BitSet criticalSeen = new BitSet();
        final long[] offered = new long[CLASSES.length];
        final long[] notOffered = new long[CLASSES.length];
        final long[] received = new long[CLASSES.length];
        final long[] recorded = new long[CLASSES.length];
        long lostCritical;

        Phase(final int id, final String name, final long rate)
        {
            this.id = id;
            this.name = name;
            this.rate = rate;
            for (int i = 0; i < latency.length; i++)
            {
                latency[i] = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            }
        }
    }

    public static void main(final String[] args) throws Exception
    {
        new RemoteOverloadRun().run();
    }

    private void run() throws Exception
    {
        Files.createDirectories(out);
        final Path work = Files.createTempDirectory("junction-remote-overload-");
        final Path dataDir = Files.createDirectories(work.resolve("data"));
        final int port = ServerProcess.freePort();
        final int httpPort = ServerProcess.freePort();
        final Path config = work.resolve("overload.conf");
        Files.writeString(config, config(dataDir, port, httpPort), StandardCharsets.UTF_8);
        final StringBuilder report = new StringBuilder();
        report.append("# Remote overload, end to end through the daemon\n\n")
            .append(Machine.describe()).append("\n\n")
            .append("Run ").append(Instant.now()).append(": unloaded ").append(unloadedSeconds).append(" s at ")
            .append(unloadedShare).append("x capacity, then loaded ").append(seconds).append(" s at ")
            .append(multiplier)
            .append("x capacity, ").append((int)(criticalShare * 100)).append("% CRITICAL, subscriber work ")
            .append(serviceNs).append(" ns/message, subscription credit ").append(credit).append(", CRITICAL credit ")
            .append(0 == criticalCredit ? "none (CRITICAL shares the credit)" : Long.toString(criticalCredit))
            .append(express ? ", CRITICAL first in the subscriber's client (expressCritical)" :
                ", every message handled in the order read (no expressCritical)")
            .append(".\n\nDaemon JVM heap: ").append(String.join(" ", DAEMON_HEAP))
            .append(".\n\nDaemon config:\n\n```\n")
            .append(Files.readString(config)).append("```\n\n");
        try (ServerProcess daemon = ServerProcess.start("junction-daemon",
            JunctionRemoteTarget.command(config, dataDir, DAEMON_HEAP), Map.of(), work))
        {
            daemon.awaitPort(port, TimeUnit.SECONDS.toNanos(60));
            final long pid = daemon.process().pid();
            final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            final URI metrics = URI.create("http://127.0.0.1:" + httpPort + "/metrics");
            final JunctionClient subscriber = JunctionClient.connect(new ClientContext()
                .url("tcp://127.0.0.1:" + port).instance("overload-sub"));
            final JunctionClient publisher = JunctionClient.connect(new ClientContext()
                .url("tcp://127.0.0.1:" + port).instance("overload-pub"));
            try
            {
                final ClientSubscriptionOptions options = ClientSubscriptionOptions.defaults().initialCredit(credit)
                    .criticalCredit(criticalCredit).expressCritical(express);
                final ClientSubscription subscription = subscriber.subscribe(TOPIC, this::onMessage, options);
                pollUntil(() -> subscription.isInEffect() && publisher.isConnected(), subscriber, publisher);
                subscriber.startAgent(null, null);

                final double capacity = capacity(publisher, report);
                final Phase unloaded = new Phase(1, "unloaded", Math.max(100, (long)(capacity * unloadedShare)));
                final Phase loaded = new Phase(2, "loaded", (long)(capacity * multiplier));
                runPhase(unloaded, unloadedSeconds, publisher, pid, http, metrics, null);
                final Map<String, Double> before = counts(fetch(http, metrics));
                final List<String> rows = new ArrayList<>();
                rows.add("second,offered,offered_critical,not_offered,received,received_critical,rss_mb,heap_mb");
                final long[] rss = new long[seconds];
                final long[] heap = new long[seconds];
                final long longestQuietSeconds = runPhase(loaded, seconds, publisher, pid, http, metrics,
                    new Sampling(rows, rss, heap));
                counting = false;
                report.append("Subscriber client: ").append(subscriber.statistics()).append(", last error: ")
                    .append(subscriber.lastError()).append("\n\nPublisher client: ").append(publisher.statistics())
                    .append("\n\n");
                subscriber.close(); // stops and joins its agent thread: what it recorded is now visible here
                Files.write(out.resolve("seconds.csv"), rows, StandardCharsets.UTF_8);
                final String finalMetrics = fetch(http, metrics);
                Files.writeString(out.resolve("metrics-at-end.txt"), finalMetrics, StandardCharsets.UTF_8);
                for (final Phase p : new Phase[] {unloaded, loaded})
                {
                    for (int n = 0; n < p.offered[CRITICAL]; n++)
                    {
                        p.lostCritical += p.criticalSeen.get(n) ? 0 : 1;
                    }
                }
                summarise(report, unloaded, loaded, longestQuietSeconds, rss, heap, before, counts(finalMetrics));
            }
            finally
            {
                CloseHelper.quietCloseAll(publisher, subscriber);
            }
        }
        Files.writeString(out.resolve("report.md"), report.toString(), StandardCharsets.UTF_8);
        System.out.println(report);
        System.out.println("written to " + out.toAbsolutePath());
    }

    /** The subscriber's handler: counts, records the latency of the current phase's messages, then works. */
    private void onMessage(final io.junction.Message message)
    {
        final long nowNs = System.nanoTime();
        final int priority = message.priority().ordinal();
        final Phase current = phase;
        if (counting)
        {
            received.incrementAndGet(priority);
        }
        if (message.length() >= PAYLOAD_LENGTH &&
            message.buffer().getInt(message.offset() + PHASE_AT) == current.id && current.id > 0)
        {
            current.received[priority]++;
            current.latency[priority].recordValue(
                Math.max(0, Math.min(nowNs - message.buffer().getLong(message.offset() + SENT_NS_AT),
                current.latency[priority].getHighestTrackableValue())));
            if (CRITICAL == priority)
            {
                current.criticalSeen.set((int)message.buffer().getLong(message.offset() + NUMBER_AT));
                final long acceptedNs = message.timestampNs();
                final long sentNs = message.buffer().getLong(message.offset() + SENT_NS_AT);
                current.criticalToSwitch.recordValue(Math.max(0, Math.min(acceptedNs - sentNs,
                    current.criticalToSwitch.getHighestTrackableValue())));
                current.criticalFromSwitch.recordValue(Math.max(0, Math.min(nowNs - acceptedNs,
                    current.criticalFromSwitch.getHighestTrackableValue())));
            }
        }
        final long until = System.nanoTime() + serviceNs; // the application's work
        while (System.nanoTime() - until < 0)
        {
            Thread.onSpinWait();
        }
    }

    /** Where the loaded phase's per-second samples go. */
    private record Sampling(List<String> rows, long[] rss, long[] heap)
    {
    }

    /**
     * Publish the phase's open loop for {@code length} seconds, sampling each second, then drain.
     *
     * @return the longest run of seconds with no delivery.
     */
    private long runPhase(final Phase p, final int length, final JunctionClient publisher, final long pid,
        final HttpClient http, final URI metrics, final Sampling sampling) throws InterruptedException
    {
        resetCounts();
        phase = p;
        final AtomicBoolean publishing = new AtomicBoolean(true);
        final Thread load = new Thread(() -> openLoop(publisher, p, publishing), "overload-publisher-" + p.name);
        load.start();
        long longestQuietSeconds = 0;
        long quiet = 0;
        long lastOffered = 0;
        long lastReceived = 0;
        long lastOfferedCritical = 0;
        long lastReceivedCritical = 0;
        long lastNotOffered = 0;
        for (int second = 0; second < length; second++)
        {
            LockSupport.parkNanos(SECOND_NS);
            final long offeredNow = sum(offered);
            final long receivedNow = sum(received);
            final long delivered = receivedNow - lastReceived;
            quiet = 0 == delivered ? quiet + 1 : 0;
            longestQuietSeconds = Math.max(longestQuietSeconds, quiet);
            if (null != sampling)
            {
                final long offeredCritical = offered.get(CRITICAL);
                final long receivedCritical = received.get(CRITICAL);
                final long notOfferedNow = sum(notOffered);
                sampling.rss[second] = residentBytes(pid);
                sampling.heap[second] = heapBytes(http, metrics);
                sampling.rows.add(String.format("%d,%d,%d,%d,%d,%d,%.1f,%.1f", second + 1, offeredNow - lastOffered,
                    offeredCritical - lastOfferedCritical, notOfferedNow - lastNotOffered, delivered,
                    receivedCritical - lastReceivedCritical, sampling.rss[second] / 1e6, sampling.heap[second] / 1e6));
                lastOfferedCritical = offeredCritical;
                lastReceivedCritical = receivedCritical;
                lastNotOffered = notOfferedNow;
            }
            lastOffered = offeredNow;
            lastReceived = receivedNow;
        }
        publishing.set(false);
        load.join();
        // Drain: what was accepted and queued reaches the subscriber (or is counted dropped by the daemon).
        final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long before = -1;
        while (System.nanoTime() - drainDeadline < 0 && before != sum(received))
        {
            before = sum(received);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
        for (int i = 0; i < CLASSES.length; i++)
        {
            p.offered[i] = offered.get(i);
            p.notOffered[i] = notOffered.get(i);
        }
        return longestQuietSeconds;
    }

    private void summarise(final StringBuilder report, final Phase unloaded, final Phase loaded,
        final long longestQuietSeconds, final long[] rss, final long[] heap, final Map<String, Double> before,
        final Map<String, Double> after)
    {
        final int warm = Math.min(rss.length - 1, Math.max(1, rss.length / 6));
        for (final Phase p : new Phase[] {unloaded, loaded})
        {
            report.append(String.format("## %s: %,d msg/s offered open loop for %d s%n%n", p.name, p.rate,
                p == loaded ? seconds : unloadedSeconds))
                .append("| class | handed to the client | not taken by it | received | lost end to end | " +
                    "received share | p50 µs | p99 µs | p99.9 µs | max µs |\n")
                .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (final Priority priority : CLASSES)
            {
                final int c = priority.ordinal();
                final Histogram h = p.latency[c];
                final long lost = CRITICAL == c ? p.lostCritical : Math.max(0, p.offered[c] - p.received[c]);
                report.append(String.format("| %s | %,d | %,d | %,d | %,d | %.2f%% | %s | %s | %s | %s |%n", priority,
                    p.offered[c], p.notOffered[c], p.received[c], lost,
                    p.offered[c] == 0 ? 0.0 : 100.0 * p.received[c] / p.offered[c],
                    micros(h, 50), micros(h, 99), micros(h, 99.9), micros(h, 100)));
            }
            report.append('\n');
        }
        final Histogram u = unloaded.latency[CRITICAL];
        final Histogram l = loaded.latency[CRITICAL];
        report.append(String.format("- **CRITICAL lost end to end (loaded): %,d** of %,d handed to the client " +
                "(unloaded: %,d of %,d).%n", loaded.lostCritical, loaded.offered[CRITICAL], unloaded.lostCritical,
                unloaded.offered[CRITICAL]))
            .append(String.format("- **CRITICAL latency loaded/unloaded: p50 %.2f×, p99 %.2f×, p99.9 %.2f×, " +
                "max %.2f×** (goal: p99 at most 2×).%n", ratio(l, u, 50), ratio(l, u, 99), ratio(l, u, 99.9), ratio(l, u, 100)))
            .append(String.format("- CRITICAL's latency in two (µs, p50 / p99 / p99.9 / max): publisher to the " +
                "daemon's switch accepting it, unloaded %s, loaded %s; from there to the handler, unloaded %s, loaded %s.%n",
                quartet(unloaded.criticalToSwitch), quartet(loaded.criticalToSwitch),
                quartet(unloaded.criticalFromSwitch), quartet(loaded.criticalFromSwitch)))
            .append(String.format("- Longest run of seconds with no delivery (a stall), loaded: %d.%n",
                longestQuietSeconds))
            .append(String.format("- Daemon RSS after the warm-up (second %d) %.0f MB, at the end %.0f MB, highest " +
                "%.0f MB.%n", warm + 1, rss[warm] / 1e6, rss[rss.length - 1] / 1e6, max(rss, warm) / 1e6))
            .append(String.format("- Daemon heap used: highest %.0f MB after the warm-up, at the end %.0f MB " +
                "(heap limit -Xmx512m).%n", max(heap, warm) / 1e6, heap[heap.length - 1] / 1e6))
            .append("- The daemon's own drop, shed and CRITICAL counts over the loaded phase (its drain included; " +
                "everything at the end: metrics-at-end.txt):\n\n```\n");
        for (final Map.Entry<String, Double> entry : after.entrySet())
        {
            final String name = entry.getKey();
            final double delta = entry.getValue() - before.getOrDefault(name, 0.0);
            if (delta != 0 && (name.contains("drop") || name.contains("shed") || name.contains("critical") ||
                name.contains("CRITICAL") || name.contains("express") || name.contains("refus")))
            {
                report.append(name).append(' ').append(String.format("%.0f", delta)).append('\n');
            }
        }
        report.append("```\n\nPer second (loaded): seconds.csv.\n");
    }

    private static String quartet(final Histogram h)
    {
        return micros(h, 50) + " / " + micros(h, 99) + " / " + micros(h, 99.9) + " / " + micros(h, 100);
    }

    private static String micros(final Histogram h, final double percentile)
    {
        return 0 == h.getTotalCount() ? "-" : String.format("%,.1f", h.getValueAtPercentile(percentile) / 1e3);
    }

    private static double ratio(final Histogram loaded, final Histogram unloaded, final double percentile)
    {
        final long base = unloaded.getValueAtPercentile(percentile);
        return 0 == base ? Double.NaN : (double)loaded.getValueAtPercentile(percentile) / base;
    }

    /** The Prometheus exposition's samples, by name and labels. */
    private static Map<String, Double> counts(final String exposition)
    {
        final Map<String, Double> samples = new TreeMap<>();
        for (final String line : exposition.split("\n"))
        {
            final int space = line.lastIndexOf(' ');
            if (line.startsWith("#") || space < 0)
            {
                continue;
            }
            try
            {
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
            catch (final NumberFormatException ex)
            {
                // not a sample
            }
        }
        return samples;
    }

    /**
     * The capacity, from an open-loop ramp: a closed-loop flood (all NORMAL, as fast as the client takes them, 3 s
     * after 3 s of warm-up) only gives a first estimate, because the flooding publisher takes CPU from the daemon and
     * the subscriber on a small machine. Then steps of {@value #STEP_SECONDS} s at fixed rates, from 3/4 of that
     * estimate up by {@value #STEP_FACTOR}× each until the subscriber receives less than {@value #KEPT_UP} of what
     * was handed over, then between the last step that kept up
     * and the first that did not, halving the bracket (geometrically) until it is within 10%. The capacity is the highest rate
     * received in a step that kept up.
     */
    private double capacity(final JunctionClient publisher, final StringBuilder report)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        counting = true;
        final long warmEndNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        final long endNs = warmEndNs + TimeUnit.SECONDS.toNanos(3);
        long atWarmEnd = -1;
        while (System.nanoTime() - endNs < 0)
        {
            if (atWarmEnd < 0 && System.nanoTime() - warmEndNs >= 0)
            {
                atWarmEnd = sum(received);
            }
            if (publisher.offer(TOPIC, Priority.NORMAL, payload, 0, 64) < 0)
            {
                publisher.poll();
            }
        }
        final double estimate = (sum(received) - atWarmEnd) / 3.0;
        settle();
        report.append(String.format("Capacity: a closed-loop flood (all NORMAL, as fast as the client takes them, 3 s) " +
            "received %,.0f msg/s; then open-loop steps of %d s, all NORMAL:%n%n", estimate, STEP_SECONDS))
            .append("| offered msg/s | handed to the client | received msg/s | received share |\n")
            .append("| ---: | ---: | ---: | ---: |\n");
        double capacity = 0;
        long good = 0;
        long bad = 0;
        long rate = Math.max(1_000, (long)(estimate * 0.75));
        for (int step = 0; step < MAX_STEPS; step++)
        {
            final long receivedBefore = sum(received);
            final long handed = openLoopStep(publisher, payload, rate, TimeUnit.SECONDS.toNanos(STEP_SECONDS));
            settle();
            final long got = sum(received) - receivedBefore;
            final double share = handed == 0 ? 0 : (double)got / handed;
            report.append(String.format("| %,d | %,d | %,.0f | %.1f%% |%n", rate, handed, got / (double)STEP_SECONDS,
                100 * share));
            if (share < KEPT_UP)
            {
                bad = rate;
            }
            else
            {
                good = rate;
                capacity = Math.max(capacity, got / (double)STEP_SECONDS);
            }
            if (0 == bad)
            {
                rate = (long)(rate * STEP_FACTOR); // still keeping up: climb
            }
            else if (0 == good)
            {
                rate = Math.max(1_000, rate / 2); // the first step was already too much
            }
            else if (bad < good * 1.1)
            {
                break; // bracketed within 10%
            }
            else
            {
                rate = (long)Math.sqrt((double)good * bad); // bisect between the last that kept up and the first that did not
            }
        }
        if (0 == good)
        {
            capacity = estimate; // no step kept up: fall back to the closed-loop figure, and say so
            report.append("\nNo step kept up: the closed-loop figure is used.\n");
        }
        report.append(String.format("%nCapacity: %,.0f msg/s received (the highest step that kept up).%n%n", capacity));
        return capacity;
    }

    /** All NORMAL at a fixed rate, open loop, for a while: what the client took (a message it refuses is skipped). */
    private static long openLoopStep(
        final JunctionClient publisher, final UnsafeBuffer payload, final long rate, final long durationNs)
    {
        final long intervalPs = 1_000_000_000_000L / rate;
        final long startNs = System.nanoTime();
        long handed = 0;
        for (long n = 0; ; n++)
        {
            final long dueNs = startNs + (n * intervalPs) / 1000;
            if (dueNs - startNs >= durationNs)
            {
                return handed;
            }
            while (System.nanoTime() - dueNs < 0)
            {
                publisher.poll();
            }
            handed += publisher.offer(TOPIC, Priority.NORMAL, payload, 0, 64) > 0 ? 1 : 0;
        }
    }

    /** Until the subscriber has received nothing more for 200 ms (what was queued has arrived), at most 5 s. */
    private void settle()
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long before = -1;
        while (System.nanoTime() - deadlineNs < 0 && before != sum(received))
        {
            before = sum(received);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    /**
     * Open loop: each message has its time, whatever happened to the one before; a message the client cannot take
     * now (its send buffer is full) is counted not taken, except a CRITICAL one, which waits for room, as an
     * application keeps its most important messages. Each carries its number, the clock at its offer and the phase.
     */
    private void openLoop(final JunctionClient publisher, final Phase p, final AtomicBoolean publishing)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
        payload.putInt(PHASE_AT, p.id);
        final long intervalPs = 1_000_000_000_000L / p.rate;
        final int criticalEvery = (int)Math.max(1, Math.round(1 / criticalShare));
        final long startNs = System.nanoTime();
        long n = 0;
        long criticalNumber = 0;
        while (publishing.get())
        {
            final long dueNs = startNs + (n * intervalPs) / 1000;
            if (System.nanoTime() - dueNs < 0)
            {
                publisher.poll();
                continue;
            }
            final boolean critical = n % criticalEvery == 0;
            final Priority priority = critical ? Priority.CRITICAL : CLASSES[1 + (int)(n % 3)];
            payload.putLong(NUMBER_AT, critical ? criticalNumber : n);
            payload.putLong(SENT_NS_AT, System.nanoTime());
            long result = publisher.offer(TOPIC, priority, payload, 0, PAYLOAD_LENGTH);
            while (critical && ClientResult.BACK_PRESSURED == result && publishing.get())
            {
                publisher.poll();
                result = publisher.offer(TOPIC, priority, payload, 0, PAYLOAD_LENGTH);
            }
            if (result > 0)
            {
                offered.incrementAndGet(priority.ordinal());
                criticalNumber += critical ? 1 : 0;
            }
            else
            {
                notOffered.incrementAndGet(priority.ordinal());
                publisher.poll();
            }
            n++;
        }
    }

    private static String config(final Path dataDir, final int port, final int httpPort)
    {
        return String.join("\n",
            "dir = \"" + dataDir.toAbsolutePath().toString().replace("\\", "\\\\") + "\"",
            "histogram-log = false",
            "listen { host = \"127.0.0.1\", port = " + port + " }",
            "journal { enabled = false }",
            "http { enabled = true, host = \"127.0.0.1\", port = " + httpPort + " }",
            "regulation { codel { enabled = true }, critical-reserve = 256, express-critical = true, rules = [] }",
            "subscriber { policy = drop-oldest }",
            "network { critical-reserve = " + Integer.getInteger("remote.criticalReserve", 12) +
                ", express-send-buffer = " + System.getProperty("remote.expressLane", "1M") + " }",
            "alarms { rules = [] }",
            "");
    }

    private void resetCounts()
    {
        counting = false;
        for (int i = 0; i < CLASSES.length; i++)
        {
            received.set(i, 0);
            offered.set(i, 0);
            notOffered.set(i, 0);
        }
        counting = true;
    }

    private static long sum(final AtomicLongArray counts)
    {
        long total = 0;
        for (int i = 0; i < counts.length(); i++)
        {
            total += counts.get(i);
        }
        return total;
    }

    private static long max(final long[] values, final int from)
    {
        long max = 0;
        for (int i = from; i < values.length; i++)
        {
            max = Math.max(max, values[i]);
        }
        return max;
    }

    private static long residentBytes(final long pid)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1;
        }
        return -1;
    }

    private static long heapBytes(final HttpClient http, final URI metrics)
    {
        long used = 0;
        for (final String line : fetch(http, metrics).split("\n"))
        {
            if (line.startsWith("jvm_memory_used_bytes{area=\"heap\""))
            {
                used += (long)Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return used;
    }

    private static String fetch(final HttpClient http, final URI uri)
    {
        try
        {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (final IOException ex)
        {
            return "";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static void pollUntil(final java.util.function.BooleanSupplier done, final JunctionClient... clients)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean())
        {
            for (final JunctionClient client : clients)
            {
                client.poll();
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("clients not connected and subscribed within 30 s");
            }
            LockSupport.parkNanos(100_000);
        }
    }
}
