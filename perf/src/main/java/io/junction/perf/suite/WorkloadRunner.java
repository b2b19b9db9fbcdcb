package io.junction.perf.suite;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Drives one open connection: a throughput run (as fast as the target accepts) and latency runs at fixed
 * rates, open loop: message i is due at start + i / rate, stamped with that intended time, and sent as
 * soon as possible after it, however late, so that a stall of the target shows up in the latency of
 * every message it delayed rather than vanishing from the record.
 */
public final class WorkloadRunner implements AutoCloseable
{
    private static final long SPIN_THRESHOLD_NS = TimeUnit.MICROSECONDS.toNanos(80);

    private final Target target;
    private final Workload workload;
    private Target.Connection connection;
    private final Receivers receivers;
    private final UnsafeBuffer payload;
    private final long drainTimeoutNs;
    private final Histogram sendLag = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
    private int nextRunId = 1;

    /**
     * Opens a connection to the target for the workload; closed with the runner.
     */
    public WorkloadRunner(
        final Target target,
        final Workload workload,
        final Receivers receivers,
        final long drainTimeoutNs) throws Exception
    {
        this.target = target;
        this.workload = workload;
        this.receivers = receivers;
        this.payload = new UnsafeBuffer(new byte[workload.payloadBytes()]);
        this.drainTimeoutNs = drainTimeoutNs;
        this.connection = target.open(workload, receivers);
    }

    /**
     * Closes the connection and opens a fresh one: a backlog the target did not drain (a broker's queue)
     * would otherwise leak into the next run.
     */
    public void reconnect() throws Exception
    {
        final Target.Connection old = connection;
        connection = null;
        old.close();
        connection = target.open(workload, receivers);
    }

    @Override
    public void close() throws Exception
    {
        if (null != connection)
        {
            connection.close();
            connection = null;
        }
    }

    /**
     * Publishes probes until every subscriber has received one: subscriptions that propagate
     * asynchronously (to a broker, to a driver) are in place after this.
     *
     * @return false if that did not happen within the timeout.
     */
    public boolean awaitReady(final long timeoutNs) throws Exception
    {
        receivers.beginRun(nextRunId);
        final int runId = nextRunId++;
        final long deadlineNs = System.nanoTime() + timeoutNs;
        boolean ready = false;
        while (!ready && System.nanoTime() < deadlineNs)
        {
            Stamp.write(payload, System.nanoTime(), runId);
            connection.publish(payload, workload.payloadBytes());
            connection.flush();
            ready = receivers.awaitAll(1, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
        }
        receivers.endRun();
        return ready;
    }

    /**
     * {@code trials} throughput runs of {@code durationNs} each; the median by rate, so that one stall of
     * a shared machine does not decide the figure.
     */
    public ThroughputResult throughput(final long durationNs, final int trials) throws Exception
    {
        final java.util.List<ThroughputResult> all = new java.util.ArrayList<>();
        for (int i = 0; i < trials; i++)
        {
            final ThroughputResult trial = throughput(durationNs);
            all.add(trial);
            if (trial.delivered() < trial.sent())
            {
                break; // a backlog left behind would spoil the next trial
            }
        }
        all.sort(java.util.Comparator.comparingDouble(ThroughputResult::msgsPerSec));
        return all.get(all.size() / 2);
    }

    public ThroughputResult throughput(final long durationNs) throws Exception
    {
        receivers.beginRun(nextRunId);
        final int runId = nextRunId++;
        final int length = workload.payloadBytes();
        final long startNs = System.nanoTime();
        final long endNs = startNs + durationNs;
        long sent = 0;
        long nowNs = startNs;
        while (nowNs < endNs)
        {
            Stamp.write(payload, nowNs, runId);
            if (connection.publish(payload, length))
            {
                sent++;
            }
            else
            {
                Thread.yield();
            }
            nowNs = System.nanoTime();
        }
        connection.flush();
        receivers.awaitAll(sent, System.nanoTime() + drainTimeoutNs);
        receivers.endRun();
        final long delivered = Math.min(sent, receivers.minReceived());
        final long lastNs = Math.max(receivers.lastReceiptNs(), endNs);
        final double seconds = (lastNs - startNs) / 1e9;
        return new ThroughputResult(target.name(), target.kind(), target.transport(), workload,
            sent, delivered, seconds, delivered / seconds);
    }

    /**
     * A warm-up at the rate (not recorded), then the measured window at the same rate.
     */
    public LatencyResult latency(final long ratePerSec, final long warmupNs, final long durationNs) throws Exception
    {
        if (warmupNs > 0)
        {
            fixedRate(ratePerSec, warmupNs);
            receivers.endRun();
        }
        final long[] counts = fixedRate(ratePerSec, durationNs);
        receivers.endRun();
        final long scheduled = counts[0];
        final long sent = counts[1];
        final long backlogNs = counts[2];
        final long delivered = Math.min(sent, receivers.minReceived());
        final boolean saturated = sent < scheduled || delivered < sent ||
            backlogNs > Math.max(durationNs / 4, TimeUnit.MILLISECONDS.toNanos(50));
        return new LatencyResult(target.name(), target.kind(), target.transport(), workload, ratePerSec,
            scheduled, sent, delivered, Percentiles.of(receivers.merged()), Percentiles.of(sendLag), saturated);
    }

    /**
     * @return {scheduled, sent, backlog}: backlog is how long after the last send the last message arrived
     * (a target that queues up what it cannot carry drains long after); the publisher stops at 2 × the
     * window + 1 s if the target cannot keep up, so that a saturated target costs bounded time.
     */
    private long[] fixedRate(final long ratePerSec, final long durationNs) throws Exception
    {
        receivers.beginRun(nextRunId);
        sendLag.reset();
        final int runId = nextRunId++;
        final int length = workload.payloadBytes();
        final long scheduled = Math.max(1, durationNs * ratePerSec / 1_000_000_000L);
        final double intervalNs = 1e9 / ratePerSec;
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        // Room for the publisher thread to be descheduled a while on a loaded machine and catch up (open
        // loop: it then sends what was due at once), but bounded if the target blocks or back-pressures.
        final long giveUpNs = startNs + 2 * durationNs + TimeUnit.SECONDS.toNanos(1);
        long lastSendNs = startNs;
        long sent = 0;
        boolean late = false;
        for (long i = 0; i < scheduled && !late; i++)
        {
            final long intendedNs = startNs + (long)(i * intervalNs);
            long nowNs = System.nanoTime();
            if (nowNs < intendedNs)
            {
                connection.flush(); // about to wait: send what is buffered (nothing is, for most targets)
            }
            while ((nowNs = System.nanoTime()) < intendedNs)
            {
                final long waitNs = intendedNs - nowNs;
                if (waitNs > SPIN_THRESHOLD_NS)
                {
                    LockSupport.parkNanos(waitNs - SPIN_THRESHOLD_NS);
                }
                else
                {
                    Thread.yield();
                }
            }
            Stamp.write(payload, intendedNs, runId);
            while (!connection.publish(payload, length))
            {
                if (System.nanoTime() > giveUpNs)
                {
                    late = true;
                    break;
                }
                Thread.yield();
            }
            if (!late)
            {
                sent++;
                lastSendNs = System.nanoTime();
                sendLag.recordValue(Math.min(sendLag.getHighestTrackableValue(), lastSendNs - intendedNs));
                late = nowNs > giveUpNs;
            }
        }
        connection.flush();
        receivers.awaitAll(sent, System.nanoTime() + drainTimeoutNs);
        return new long[] { scheduled, sent, Math.max(0, receivers.lastReceiptNs() - lastSendNs) };
    }
}
