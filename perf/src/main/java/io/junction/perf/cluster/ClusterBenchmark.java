package io.junction.perf.cluster;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ConnectionState;
import io.junction.client.JunctionClient;
import io.junction.cluster.ClusterNode;
import io.junction.cluster.FreePortRange;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * System benchmark of the replicated switch on a 3-member cluster in one JVM on loopback, side by side with a
 * bare Aeron Cluster echo service on the same node setup (the limit):
 * <ul>
 *   <li>throughput: N messages published as fast as the in-flight window allows, from the first publish to the
 *   last delivery (switch: publisher → cluster → another subscribing client; echo: client → cluster → back);</li>
 *   <li>latency of each message, publish → delivery, in the same runs (closed loop with a window: it includes
 *   queueing, so read it as latency under full load, not at a fixed rate);</li>
 *   <li>failover: the leader is killed during a paced stream; time to the client's new-leader event and to the
 *   first delivery after it.</li>
 * </ul>
 * After an untimed warm-up round of each, rounds alternate switch and echo so that machine noise falls on both.
 * Usage:
 * {@code java $FLAGS -cp perf/target/benchmarks.jar io.junction.perf.cluster.ClusterBenchmark [messages] [rounds] [failovers]};
 * the perf suite calls {@link #measure}.
 */
public final class ClusterBenchmark
{
    private static final int PAYLOAD_LENGTH = 64;
    /** Messages sent and not yet delivered, in both variants ({@code -Djunction.cluster-bench.window=N}). */
    private static final int WINDOW = Integer.getInteger("junction.cluster-bench.window", 256);
    /**
     * Whether the benchmark's client backs off (up to 100 us) after a pass of its loop that found nothing to do, in
     * both variants, so that on 2 cores it leaves the members the CPU it would spin on (a JFR profile of a spinning
     * run: 86% of the samples in the client's empty polls, 9% in the leader's service). Default true;
     * {@code -Djunction.cluster-bench.client-idles=false} spins, as the runs before 3 Dec 2026 did.
     */
    private static final boolean CLIENT_IDLES =
        Boolean.parseBoolean(System.getProperty("junction.cluster-bench.client-idles", "true"));
    private static final long ROUND_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(90);
    /**
     * Whether the switch's members record with a CRC32 in each archived frame
     * ({@code -Djunction.cluster-bench.record-checksum=true}), to measure what the checksum costs.
     */
    private static final boolean RECORD_CHECKSUM = Boolean.getBoolean("junction.cluster-bench.record-checksum");

    /**
     * What one measurement does.
     *
     * @param messages   per throughput round.
     * @param rounds     throughput rounds of each variant (after one untimed warm-up round of each, if warmUp).
     * @param noJournal  also run the switch with a journal that keeps nothing (what the Chronicle append costs).
     * @param failovers  failover rounds.
     * @param basePort   a hint for the first cluster's ports (each cluster asks 100 higher); a cluster whose
     *                   ports are taken gets a free range ({@link FreePortRange}).
     */
    public record Settings(int messages, int rounds, boolean warmUp, boolean noJournal, int failovers, int basePort)
    {
        /** Roughly how long {@link #measure} takes, in seconds, on a loaded 2-core machine. */
        public double estimateSeconds()
        {
            final int variants = noJournal ? 3 : 2;
            final int clusters = variants * (rounds + (warmUp ? 1 : 0));
            // A cluster starts and elects in 1-2 s; a round carries ~40k msg/s; a failover takes ~3 s.
            return clusters * (2.0 + messages / 40_000.0) + failovers * 4.5;
        }
    }

    /**
     * The figures of one measurement; rates in messages per second, latencies in ns, failover times in ms.
     */
    public record Result(
        Settings settings,
        List<Double> switchRates,
        List<Double> noJournalRates,
        List<Double> echoRates,
        Histogram switchLatency,
        Histogram noJournalLatency,
        Histogram echoLatency,
        List<FailoverTimeline> failovers)
    {
        /** ms from the leader's stop to the client's new-leader event, per failover. */
        public List<Double> newLeaderMs()
        {
            return failovers.stream().map(FailoverTimeline::newLeaderEventMs).toList();
        }

        /** ms from the leader's stop to the first delivery after the new-leader event, per failover. */
        public List<Double> firstDeliveryMs()
        {
            return failovers.stream().map(FailoverTimeline::firstDeliveryMs).toList();
        }
    }

    public static void main(final String[] args) throws Exception
    {
        final int messages = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final int failovers = args.length > 2 ? Integer.parseInt(args[2]) : rounds;
        final File baseDir = Files.createTempDirectory("junction-cluster-bench").toFile();
        try
        {
            print(measure(baseDir, new Settings(messages, rounds, rounds > 0, true, failovers,
                22_000), System.out::println));
        }
        finally
        {
            IoUtil.delete(baseDir, true);
        }
    }

    /**
     * Runs the rounds (switch, switch without journal, echo, alternating) and the failovers.
     *
     * @param progress a line per round.
     */
    public static Result measure(final File baseDir, final Settings settings, final Consumer<String> progress)
    {
        final int messages = settings.messages();
        final List<Double> switchRates = new ArrayList<>();
        final List<Double> noJournalRates = new ArrayList<>();
        final Histogram noJournalLatency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final List<Double> echoRates = new ArrayList<>();
        final Histogram switchLatency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Histogram echoLatency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final List<FailoverTimeline> failovers = new ArrayList<>();
        final Consumer<ClusterNode.Context> noJournal = (ctx) -> ctx.journalFactory((dir) -> new DiscardingJournal());

        final MediaDriver clientDriver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(baseDir, "client-aeron").getAbsolutePath())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000))
            .termBufferSparseFile(true)
            .publicationTermBufferLength(128 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        try
        {
            int port = settings.basePort();
            if (settings.warmUp())
            {
                // Warm-up: one untimed round of each, so that the JIT has compiled all paths before measuring.
                final Histogram discard = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                switchRound(clientDriver, new File(baseDir, "ws"), port, messages, discard, (ctx) -> {});
                port += 100;
                if (settings.noJournal())
                {
                    switchRound(clientDriver, new File(baseDir, "wn"), port, messages, discard, noJournal);
                    port += 100;
                }
                echoRound(clientDriver, new File(baseDir, "we"), port, messages, discard);
                port += 100;
            }

            for (int round = 0; round < settings.rounds(); round++)
            {
                switchRates.add(switchRound(
                    clientDriver, new File(baseDir, "s" + round), port, messages, switchLatency, (ctx) -> {}));
                port += 100;
                if (settings.noJournal())
                {
                    noJournalRates.add(switchRound(clientDriver, new File(baseDir, "n" + round), port, messages,
                        noJournalLatency, noJournal));
                    port += 100;
                }
                echoRates.add(echoRound(clientDriver, new File(baseDir, "e" + round), port, messages, echoLatency));
                port += 100;
                progress.accept(String.format("round %d: switch %.0f msg/s, switch without journal %s msg/s, " +
                    "echo %.0f msg/s", round, switchRates.get(round),
                    settings.noJournal() ? String.format("%.0f", noJournalRates.get(round)) : "(not run)",
                    echoRates.get(round)));
            }

            for (int i = 0; i < settings.failovers(); i++)
            {
                final FailoverTimeline failover = failoverRound(clientDriver, new File(baseDir, "f" + i), port);
                port += 100;
                failovers.add(failover);
                progress.accept("failover " + i + ": " + failover);
            }
        }
        finally
        {
            CloseHelper.close(clientDriver);
        }
        return new Result(settings, switchRates, noJournalRates, echoRates, switchLatency, noJournalLatency,
            echoLatency, failovers);
    }

    private static void print(final Result result)
    {
        final Settings settings = result.settings();
        final double switchMedian = median(result.switchRates());
        final double echoMedian = median(result.echoRates());
        System.out.println();
        System.out.printf("messages per round %d, payload %d B, window %d, rounds %d, client %s, record checksum %s%n",
            settings.messages(), PAYLOAD_LENGTH, WINDOW, settings.rounds(), CLIENT_IDLES ? "idles" : "spins",
            RECORD_CHECKSUM ? "on" : "off");
        System.out.printf("throughput median: switch %.0f msg/s, echo %.0f msg/s, ratio %.1f%%%n",
            switchMedian, echoMedian, 100.0 * switchMedian / echoMedian);
        System.out.printf("switch without journal (no Chronicle append) median %.0f msg/s, ratio %.1f%%%n",
            median(result.noJournalRates()), 100.0 * median(result.noJournalRates()) / echoMedian);
        System.out.println("switch rounds " + result.switchRates() + " no-journal rounds " + result.noJournalRates() +
            " echo rounds " + result.echoRates());
        printLatency("switch publish->deliver", result.switchLatency());
        printLatency("switch w/o journal    ", result.noJournalLatency());
        printLatency("echo   send->echo     ", result.echoLatency());
        System.out.printf("failover median: new leader event %.0f ms, first delivery %.0f ms (all: %s, %s)%n",
            median(result.newLeaderMs()), median(result.firstDeliveryMs()), result.newLeaderMs(),
            result.firstDeliveryMs());
        result.failovers().forEach((failover) -> System.out.println("  " + failover));
    }

    private static ClusterNode[] startCluster(
        final File dir, final int basePort, final Consumer<ClusterNode.Context> custom)
    {
        final ClusterNode.Context template = new ClusterNode.Context().baseDir(dir).basePort(basePort).memberCount(3)
            .recordChecksum(RECORD_CHECKSUM);
        custom.accept(template);
        final ClusterNode[] nodes = new ClusterNode[3];
        for (int i = 0; i < 3; i++)
        {
            nodes[i] = ClusterNode.launch(template.copyFor(i));
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Arrays.stream(nodes).noneMatch(ClusterNode::isLeader))
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("no leader");
            }
            Thread.onSpinWait();
        }
        return nodes;
    }

    private static double switchRound(
        final MediaDriver driver,
        final File dir,
        final int portHint,
        final int messages,
        final Histogram latency,
        final Consumer<ClusterNode.Context> custom)
    {
        final int basePort = FreePortRange.startingAt(portHint, 3);
        final ClusterNode[] nodes = startCluster(dir, basePort, custom);
        final String endpoints = ClusterNode.Context.ingressEndpoints("localhost", basePort, 3);
        final long[] received = { 0 };
        final long[] lastNs = { 0 };
        final long heartbeatTimeoutNs = nodes[0].context().leaderHeartbeatTimeoutNs();
        try (JunctionClient subscriber = ClusterClients.connect(new ClientContext().instance("bench-sub"),
                driver.aeronDirectoryName(), endpoints, heartbeatTimeoutNs);
            JunctionClient publisher = ClusterClients.connect(new ClientContext().instance("bench-pub")
                .maxInFlight(1024), driver.aeronDirectoryName(), endpoints, heartbeatTimeoutNs))
        {
            final ClientSubscription subscription = subscriber.subscribe("bench.>", (message) ->
            {
                final long nowNs = System.nanoTime();
                latency.recordValue(Math.max(0, nowNs - message.buffer().getLong(message.offset())));
                received[0]++;
                lastNs[0] = nowNs;
            });
            awaitReady(subscription, publisher, subscriber);

            final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
            final IdleStrategy idle = clientIdle();
            final long startNs = System.nanoTime();
            int sent = 0;
            while (received[0] < messages)
            {
                checkDeadline(startNs, sent, received[0]);
                int work = 0;
                if (sent < messages && sent - received[0] < WINDOW)
                {
                    payload.putLong(0, System.nanoTime());
                    // Guaranteed: each publish answered DURABLE once committed, as an application that must not
                    // lose it publishes (the echo service answers each message once, too).
                    if (publisher.offer("bench.x", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0,
                        PAYLOAD_LENGTH) > 0)
                    {
                        sent++;
                        work++;
                    }
                }
                work += publisher.poll();
                work += subscriber.poll();
                idle.idle(work);
            }
            return messages / ((lastNs[0] - startNs) / 1e9);
        }
        finally
        {
            CloseHelper.closeAll(nodes);
        }
    }

    /**
     * Poll both clients until the subscription is in effect and the publisher connected (a cluster start on a
     * loaded machine can take seconds).
     */
    private static void awaitReady(
        final ClientSubscription subscription, final JunctionClient publisher, final JunctionClient subscriber)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!subscription.isInEffect() || !publisher.isConnected())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("clients not ready within 60 s: subscriber " + subscriber.lastError() +
                    ", publisher " + publisher.lastError());
            }
            publisher.poll();
            subscriber.poll();
        }
    }

    private static double echoRound(
        final MediaDriver driver, final File dir, final int portHint, final int messages, final Histogram latency)
    {
        final int basePort = FreePortRange.startingAt(portHint, 3);
        final ClusterNode[] nodes = startCluster(dir, basePort, (ctx) -> ctx.customService(EchoService::new));
        final long[] received = { 0 };
        final long[] lastNs = { 0 };
        final EgressListener listener = new EgressListener()
        {
            public void onMessage(
                final long clusterSessionId, final long timestamp, final DirectBuffer buffer, final int offset,
                final int length, final Header header)
            {
                final long nowNs = System.nanoTime();
                latency.recordValue(Math.max(0, nowNs - buffer.getLong(offset)));
                received[0]++;
                lastNs[0] = nowNs;
            }
        };
        try (AeronCluster client = AeronCluster.connect(new AeronCluster.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .ingressChannel("aeron:udp?term-length=128k")
            .ingressEndpoints(ClusterNode.Context.ingressEndpoints("localhost", basePort, 3))
            .egressChannel("aeron:udp?endpoint=localhost:0|term-length=128k")
            .egressListener(listener)))
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
            final IdleStrategy idle = clientIdle();
            final long startNs = System.nanoTime();
            int sent = 0;
            while (received[0] < messages)
            {
                checkDeadline(startNs, sent, received[0]);
                int work = 0;
                if (sent < messages && sent - received[0] < WINDOW)
                {
                    payload.putLong(0, System.nanoTime());
                    if (client.offer(payload, 0, PAYLOAD_LENGTH) > 0)
                    {
                        sent++;
                        work++;
                    }
                }
                work += client.pollEgress();
                idle.idle(work);
            }
            return messages / ((lastNs[0] - startNs) / 1e9);
        }
        finally
        {
            CloseHelper.closeAll(nodes);
        }
    }

    /**
     * The leader is stopped as SIGTERM stops it ({@link ClusterNode#closeGracefully()}: consensus module first, the
     * driver kept up for the end of the log; on a thread of its own so the clients keep polling) during a paced
     * stream of guaranteed publishes.
     */
    private static FailoverTimeline failoverRound(final MediaDriver driver, final File dir, final int portHint)
    {
        final int basePort = FreePortRange.startingAt(portHint, 3);
        final ClusterNode[] nodes = startCluster(dir, basePort, (ctx) -> {});
        final String endpoints = ClusterNode.Context.ingressEndpoints("localhost", basePort, 3);
        final long heartbeatTimeoutNs = nodes[0].context().leaderHeartbeatTimeoutNs();
        final FailoverTimeline timeline = new FailoverTimeline();
        Thread stopper = null;
        try (JunctionClient subscriber = ClusterClients.connect(new ClientContext().instance("failover-sub")
                .connectionListener((state, reason, detail) ->
                {
                    if (ConnectionState.LEADER_CHANGED == state || ConnectionState.CONNECTED == state)
                    {
                        timeline.onNewLeaderEvent(System.nanoTime());
                    }
                }), driver.aeronDirectoryName(), endpoints, heartbeatTimeoutNs);
            JunctionClient publisher = ClusterClients.connect(new ClientContext().instance("failover-pub")
                .connectionListener((state, reason, detail) ->
                {
                    if (ConnectionState.LEADER_CHANGED == state || ConnectionState.CONNECTED == state)
                    {
                        timeline.onPublisherNewLeaderEvent(System.nanoTime());
                    }
                }), driver.aeronDirectoryName(), endpoints, heartbeatTimeoutNs))
        {
            final ClientSubscription subscription = subscriber.subscribe("bench.>",
                (message) -> timeline.onDelivery(System.nanoTime()));
            awaitReady(subscription, publisher, subscriber);

            final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
            final long intervalNs = TimeUnit.MICROSECONDS.toNanos(500);
            final long startNs = System.nanoTime();
            long nextNs = startNs;
            int stopped = -1;
            final long deadlineNs = startNs + TimeUnit.SECONDS.toNanos(30);
            while (!timeline.isComplete() && System.nanoTime() < deadlineNs)
            {
                final long nowNs = System.nanoTime();
                if (nowNs >= nextNs)
                {
                    payload.putLong(0, nowNs);
                    publisher.offer("bench.x", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0,
                        PAYLOAD_LENGTH);
                    nextNs += intervalNs;
                }
                if (stopped < 0 && nowNs - startNs > TimeUnit.SECONDS.toNanos(1))
                {
                    for (final ClusterNode node : nodes)
                    {
                        if (node.isLeader())
                        {
                            stopped = node.memberId();
                            timeline.onStop(System.nanoTime());
                            stopper = new Thread(node::closeGracefully, "stop-leader-" + stopped);
                            stopper.start();
                            break;
                        }
                    }
                }
                else if (stopped >= 0)
                {
                    timeline.watch(nodes, stopped, nowNs);
                }
                publisher.poll();
                subscriber.poll();
            }
            if (!timeline.isComplete())
            {
                throw new IllegalStateException("no delivery after failover: " + timeline);
            }
            return timeline;
        }
        finally
        {
            join(stopper);
            CloseHelper.closeAll(nodes);
        }
    }

    private static void join(final Thread thread)
    {
        if (null == thread)
        {
            return;
        }
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static IdleStrategy clientIdle()
    {
        return CLIENT_IDLES ? new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MICROSECONDS.toNanos(100)) :
            new BusySpinIdleStrategy();
    }

    private static void checkDeadline(final long startNs, final long sent, final long received)
    {
        if (System.nanoTime() - startNs > ROUND_TIMEOUT_NS)
        {
            throw new IllegalStateException("round stalled: sent " + sent + ", received " + received);
        }
    }

    /** The median; NaN for none. */
    public static double median(final List<Double> values)
    {
        if (values.isEmpty())
        {
            return Double.NaN;
        }
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] :
            (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static void printLatency(final String name, final Histogram histogram)
    {
        System.out.printf("%s latency us: p50 %.0f, p90 %.0f, p99 %.0f, p99.9 %.0f, p99.99 %.0f, max %.0f (n=%d)%n",
            name,
            histogram.getValueAtPercentile(50) / 1e3,
            histogram.getValueAtPercentile(90) / 1e3,
            histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3,
            histogram.getValueAtPercentile(99.99) / 1e3,
            histogram.getMaxValue() / 1e3,
            histogram.getTotalCount());
    }
}
