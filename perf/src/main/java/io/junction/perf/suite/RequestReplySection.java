package io.junction.perf.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Message;
import io.junction.Priority;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.JunctionClient;
import io.junction.client.ReplyListener;

/**
 * Request/reply round trips, one request in flight, 64-byte payloads, in the same run: the Junction daemon (a child
 * JVM, its defaults as the shared workload's, then with {@code idle-strategy = yielding}) through {@code io.junction.client} (the requester's
 * {@code request(...)} and a responder client on its own agent thread answering with {@code reply(...)}), beside
 * NATS request/reply through jnats ({@code Connection.request} and a dispatcher that publishes to the reply subject).
 * Each records the round trip from just before the request to the reply in the requester, warm-up discarded.
 */
public final class RequestReplySection implements Section
{
    private static final int PAYLOAD = 64;
    private static final String TOPIC = "rr.echo";
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    @Override
    public String title()
    {
        return "Request/reply round trip: Junction daemon via the client vs NATS";
    }

    @Override
    public long estimateSeconds(final SuiteOptions options)
    {
        return 15 + Math.round(3 * (options.roundTrips * 1.2) / 5_000.0);
    }

    @Override
    public void run(final SuiteOptions options, final SuiteResults results) throws Exception
    {
        final int warmUp = Math.max(100, options.roundTrips / 5);
        final List<List<String>> rows = new ArrayList<>();
        Percentiles junction = null;
        Percentiles nats = null;
        for (final boolean yielding : new boolean[] { false, true })
        {
            final String name = yielding ? "Junction daemon, idle-strategy = yielding (io.junction.client)" :
                "Junction daemon (io.junction.client)";
            final Path junctionDir = Files.createTempDirectory("junction-bench-rr-");
            try (JunctionRemoteTarget target = yielding ? JunctionRemoteTarget.yielding() : new JunctionRemoteTarget())
            {
                target.prepare(junctionDir);
                final Percentiles rtt = junction(target.port(), warmUp, options.roundTrips);
                add(results, rows, name, rtt);
                if (!yielding)
                {
                    junction = rtt; // the defaults are what the ratio compares
                }
            }
            catch (final Exception ex)
            {
                results.skip("request/reply " + name, "failed: " + ex);
            }
            finally
            {
                SharedWorkloadSection.deleteRecursively(junctionDir);
            }
        }
        final Path natsDir = Files.createTempDirectory("junction-bench-rr-nats-");
        try (NatsTarget target = new NatsTarget())
        {
            final String whyNot = target.prepare(natsDir);
            if (null != whyNot)
            {
                results.skip("request/reply NATS", whyNot);
            }
            else
            {
                nats = nats(target, warmUp, options.roundTrips);
                add(results, rows, "NATS (jnats request)", nats);
            }
        }
        catch (final Exception ex)
        {
            results.skip("request/reply NATS", "failed: " + ex);
        }
        finally
        {
            SharedWorkloadSection.deleteRecursively(natsDir);
        }
        if (null != junction && null != nats)
        {
            final Percentiles j = junction;
            final Percentiles n = nats;
            results.note(String.format(Locale.ROOT,
                "request/reply RTT Junction/NATS: p50 %.2fx, p99 %.2fx, p99.9 %.2fx (below 1: Junction faster)",
                (double)j.p50Ns() / n.p50Ns(), (double)j.p99Ns() / n.p99Ns(), (double)j.p999Ns() / n.p999Ns()));
        }
        if (!rows.isEmpty())
        {
            results.tables.add(new SuiteResults.Table("request-reply", "Request/reply round trip (64 B, one in " +
                "flight, loopback TCP)", List.of("target", "round trips", "p50 us", "p99 us", "p99.9 us", "max us"),
                rows));
        }
    }

    private static void add(final SuiteResults results, final List<List<String>> rows, final String name,
        final Percentiles rtt)
    {
        results.roundTrips.add(new SuiteResults.RoundTripResult(name + " request/reply", "loopback TCP", PAYLOAD, rtt));
        rows.add(List.of(name, Long.toString(rtt.count()), us(rtt.p50Ns()), us(rtt.p99Ns()), us(rtt.p999Ns()),
            us(rtt.maxNs())));
        results.note(String.format(Locale.ROOT, "%s request/reply: p50 %.1f us, p99 %.1f us, p99.9 %.1f us",
            name, rtt.p50Ns() / 1e3, rtt.p99Ns() / 1e3, rtt.p999Ns() / 1e3));
    }

    private static String us(final long ns)
    {
        return String.format(Locale.ROOT, "%.1f", ns / 1e3);
    }

    /** The Junction side: closed loop, one request in flight, the requester polled on this thread. */
    static Percentiles junction(final int port, final int warmUp, final int measured) throws Exception
    {
        final ClientContext context = new ClientContext().url("tcp://127.0.0.1:" + port);
        try (JunctionClient responder = JunctionClient.connect(context);
            JunctionClient requester = JunctionClient.connect(new ClientContext().url("tcp://127.0.0.1:" + port)))
        {
            final UnsafeBuffer answer = new UnsafeBuffer(new byte[PAYLOAD]);
            responder.subscribe(TOPIC, (message) -> responder.reply(message, Priority.NORMAL, answer, 0, PAYLOAD));
            awaitUp(responder, requester);
            final AgentRunner runner = responder.startAgent(new Idle(), new BackoffIdleStrategy());
            try
            {
                final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                final UnsafeBuffer question = new UnsafeBuffer(new byte[PAYLOAD]);
                final Waiter waiter = new Waiter();
                for (int i = 0; i < warmUp + measured; i++)
                {
                    waiter.done = false;
                    final long startNs = System.nanoTime();
                    long id;
                    while ((id = requester.request(TOPIC, Priority.NORMAL, question, 0, PAYLOAD, TIMEOUT_NS, waiter)) ==
                        ClientResult.BACK_PRESSURED)
                    {
                        requester.poll();
                    }
                    if (id < 0)
                    {
                        throw new IllegalStateException("request refused: " + ClientResult.describe(id));
                    }
                    while (!waiter.done)
                    {
                        requester.poll();
                    }
                    if (waiter.timedOut)
                    {
                        throw new IllegalStateException("a request timed out: " + requester.lastError());
                    }
                    if (i >= warmUp)
                    {
                        histogram.recordValue(System.nanoTime() - startNs);
                    }
                }
                return Percentiles.of(histogram);
            }
            finally
            {
                runner.close();
            }
        }
    }

    /** The NATS side: the same loop through jnats. */
    static Percentiles nats(final NatsTarget target, final int warmUp, final int measured) throws Exception
    {
        try (io.nats.client.Connection responder = target.newConnection();
            io.nats.client.Connection requester = target.newConnection())
        {
            final byte[] answer = new byte[PAYLOAD];
            final io.nats.client.Dispatcher dispatcher = responder.createDispatcher(
                (message) -> responder.publish(message.getReplyTo(), answer));
            dispatcher.subscribe(TOPIC);
            responder.flush(Duration.ofSeconds(10));
            final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            final byte[] question = new byte[PAYLOAD];
            for (int i = 0; i < warmUp + measured; i++)
            {
                final long startNs = System.nanoTime();
                final io.nats.client.Message reply = requester.request(TOPIC, question, Duration.ofNanos(TIMEOUT_NS));
                if (null == reply)
                {
                    throw new IllegalStateException("a NATS request timed out");
                }
                if (i >= warmUp)
                {
                    histogram.recordValue(System.nanoTime() - startNs);
                }
            }
            return Percentiles.of(histogram);
        }
    }

    private static void awaitUp(final JunctionClient responder, final JunctionClient requester)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (!(requester.isConnected() && responder.isConnected() && responder.subscriptions().get(0).isInEffect()))
        {
            responder.poll();
            requester.poll();
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the clients did not connect: " + requester.lastError() + " / " +
                    responder.lastError());
            }
        }
    }

    private static final class Waiter implements ReplyListener
    {
        boolean done;
        boolean timedOut;

        @Override
        public void onReply(final long requestId, final Message reply)
        {
            done = true;
        }

        @Override
        public void onTimedOut(final long requestId)
        {
            timedOut = true;
            done = true;
        }
    }

    private static final class Idle implements Agent
    {
        @Override
        public int doWork()
        {
            return 0;
        }

        @Override
        public String roleName()
        {
            return "bench-responder";
        }
    }
}
