package io.junction.tools;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.Message;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code junction loadgen}: publishes to a running daemon at a fixed rate and subscribes to what it
 * publishes, through the client library ({@code io.junction.client}: the publisher polled on this thread, the
 * subscriber on its own agent thread), timing each message from its intended send time to its receipt (so a stalled daemon
 * shows as latency, not as a lower rate). A live line each second; an HdrHistogram log at the end.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true,
    description = "Load a running daemon at a rate, size, topic set and class mix; live line; histogram log.")
public final class LoadgenCommand implements Callable<Integer>
{
    @Option(names = "--dir", paramLabel = "DIR", description = "The daemon's data directory (finds its port).")
    File dir;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Daemon host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "7420", description = "Daemon protocol port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--rate", defaultValue = "10000", converter = CliValues.RateConverter.class,
        description = "Messages per second, e.g. 10000 or 10k (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--size", defaultValue = "64", converter = CliValues.SizeConverter.class,
        description = "Payload bytes, e.g. 64 or 1k: from 8 to the daemon's max-message-length (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--topics", defaultValue = "4", description = "Distinct topics, 1..100000 (default ${DEFAULT-VALUE}).")
    int topics;

    @Option(names = "--topic-prefix", defaultValue = "loadgen", description = "Topic prefix (default ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--mix", defaultValue = "normal=100",
        description = "Class mix as weights, e.g. critical=5,high=15,normal=70,bulk=10 (default ${DEFAULT-VALUE}).")
    String mix;

    @Option(names = "--duration", defaultValue = "10s", description = "How long, >= 1s (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Spec
    CommandSpec spec;

    @Option(names = "--histogram-log", defaultValue = "loadgen.hlog",
        description = "Where to write the latency histogram log (default ${DEFAULT-VALUE}).")
    File histogramLog;

    @Option(names = "--publisher", paramLabel = "NAME",
        description = "Publish as this named publisher (HELLO), for regulation rules by publisher.")
    String publisherName;

    @Option(names = "--guaranteed",
        description = "Publish guaranteed (journaled before dispatch, each answered DURABLE): measures the journal.")
    boolean guaranteed;

    @Option(names = "--record-acks", paramLabel = "FILE",
        description = "With --guaranteed: write the sequence of each publish answered DURABLE to FILE, one a line.")
    File recordAcks;

    // Outcomes of guaranteed publishes: each is answered DURABLE, FAILED (or another refusal), or TIMED_OUT.
    private final AtomicLong durable = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final org.agrona.collections.LongArrayList acknowledged = new org.agrona.collections.LongArrayList();

    private final SingleWriterRecorder latency = new SingleWriterRecorder(1, TimeUnit.SECONDS.toNanos(60), 3);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong shed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile String lastError;

    @Override
    public Integer call() throws Exception
    {
        CliValues.check(spec, "--rate", rate, 1, 100_000_000);
        CliValues.check(spec, "--topics", topics, 1, 100_000);
        CliValues.check(spec, "--port", port, 1, 65535);
        CliValues.check(spec, "--duration", duration, Duration.ofSeconds(1));
        if (null != recordAcks && !guaranteed)
        {
            throw new ParameterException(spec.commandLine(), "--record-acks needs --guaranteed");
        }
        final Priority[] classes;
        try
        {
            classes = parseMix(mix);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--mix': " + ex.getMessage());
        }
        int maxSize = Junction.Context.DEFAULT_MAX_MESSAGE_LENGTH;
        String limitSource = "the default max-message-length; give --dir to read the daemon's own";
        if (null != dir)
        {
            final Properties properties;
            try
            {
                properties = Daemon.readProperties(dir);
            }
            catch (final IOException ex)
            {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--dir': " + ex.getMessage());
            }
            host = properties.getProperty("listen.host");
            port = Integer.parseInt(properties.getProperty("listen.port"));
            maxSize = Integer.parseInt(properties.getProperty("max-message-length", Integer.toString(maxSize)));
            limitSource = "the daemon's max-message-length";
        }
        if (size < DemoCommand.MIN_SIZE || size > maxSize)
        {
            // A larger PUBLISH is a bad frame to the daemon, which closes the connection (a Broken pipe here).
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--size': must be between " +
                DemoCommand.MIN_SIZE + " and " + maxSize + " (" + limitSource + "), was " + size);
        }
        final String[] topicNames = new String[topics];
        for (int i = 0; i < topics; i++)
        {
            topicNames[i] = topicPrefix + ".t" + i;
        }

        final ClientContext subscriberContext = new ClientContext().url(url()).connectTimeoutNs(
            TimeUnit.SECONDS.toNanos(10));
        final ClientContext publisherContext = new ClientContext().url(url())
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .maxInFlight(4096) // the daemon's default deduplication window
            .outcomeListener(this::onOutcome)
            .refusalListener(this::onRefused);
        if (null != publisherName)
        {
            publisherContext.instance(publisherName);
        }
        try (JunctionClient subscriber = JunctionClient.connect(subscriberContext);
            JunctionClient publisher = JunctionClient.connect(publisherContext);
            PrintStream log = new PrintStream(histogramLog, java.nio.charset.StandardCharsets.US_ASCII))
        {
            final ClientSubscription subscription = subscriber.subscribe(topicPrefix + ".>", this::onMessage,
                ClientSubscriptionOptions.defaults());
            final long subscribeDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!subscription.isInEffect() || !publisher.isConnected())
            {
                if (0 == subscriber.poll() + publisher.poll())
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                if (!subscription.isActive() || System.nanoTime() - subscribeDeadlineNs > 0)
                {
                    System.err.println("junction loadgen: no SUBSCRIBED from the daemon at " + url() + ": " +
                        (null != subscription.endReason() ? subscription.endReason() : subscriber.lastError()) +
                        (publisher.lastError().isEmpty() ? "" : "; " + publisher.lastError()));
                    return 1;
                }
            }
            // The subscriber on its own agent thread: receipt is timed as it arrives, whatever the publisher does.
            subscriber.startAgent(null, null);
            System.out.printf("junction loadgen: %s:%d, %,d msg/s of %d bytes on %d topic(s), mix %s, for %s%n",
                host, port, rate, size, topics, mix, CliValues.text(duration));

            final HistogramLogWriter writer = new HistogramLogWriter(log);
            final long startMs = System.currentTimeMillis();
            writer.outputLogFormatVersion();
            writer.outputStartTime(startMs);
            writer.setBaseTime(startMs);
            writer.outputLegend();
            final Histogram total = new Histogram(1, TimeUnit.SECONDS.toNanos(60), 3);
            final long sent = publish(publisher, topicNames, classes, duration.toNanos(),
                writer, total);

            // The daemon answers a sync after every earlier publish; guaranteed: every publish answered, within
            // the daemon's durable timeout (5 s by default) and a margin.
            long sync = -1;
            final long answerDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((!publisher.isSynced(sync) || (guaranteed && publisher.inFlight() > 0)) &&
                System.nanoTime() - answerDeadlineNs < 0)
            {
                if (sync <= 0)
                {
                    sync = publisher.sync();
                }
                if (0 == publisher.poll())
                {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                }
            }
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.get() < sent - shed.get() - errors.get() && System.nanoTime() - deadlineNs < 0)
            {
                publisher.poll();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            errors.addAndGet(publisher.statistics().errors() + subscriber.statistics().errors());
            if (!publisher.lastError().isEmpty() && null == lastError)
            {
                lastError = publisher.lastError();
            }
            final Histogram last = latency.getIntervalHistogram();
            total.add(last);
            if (last.getTotalCount() > 0)
            {
                writer.outputIntervalHistogram(last);
            }
            System.out.printf("total: sent %,d  received %,d  p50 %,.1f us  p99 %,.1f us  p99.9 %,.1f us  " +
                "max %,.1f us  shed %,d  errors %,d  not received %,d%s%n",
                sent, received.get(), total.getValueAtPercentile(50) / 1000.0,
                total.getValueAtPercentile(99) / 1000.0, total.getValueAtPercentile(99.9) / 1000.0,
                total.getMaxValue() / 1000.0, shed.get(), errors.get(),
                Math.max(0, sent - shed.get() - errors.get() - received.get()),
                null == lastError ? "" : "  last error: " + lastError);
            System.out.println("histogram log: " + histogramLog.getAbsolutePath());
            if (guaranteed)
            {
                final long answered = durable.get() + failed.get() + timedOut.get() + refused.get();
                System.out.printf("guaranteed: durable %d  failed %d  timed out %d  refused %d  unanswered %d%n",
                    durable.get(), failed.get(), timedOut.get(), refused.get(), Math.max(0, sent - answered));
            }
            if (null != recordAcks)
            {
                writeAcknowledged(recordAcks);
                System.out.println("acknowledged sequences: " + recordAcks.getAbsolutePath());
            }
            return errors.get() == 0 ? 0 : 1;
        }
        catch (final IOException ex)
        {
            System.err.println("junction loadgen: " + ex);
            return 1;
        }
    }

    private String url()
    {
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private void writeAcknowledged(final File file) throws IOException
    {
        try (PrintStream out = new PrintStream(new java.io.BufferedOutputStream(
            new java.io.FileOutputStream(file)), false, java.nio.charset.StandardCharsets.US_ASCII))
        {
            synchronized (acknowledged)
            {
                for (int i = 0; i < acknowledged.size(); i++)
                {
                    out.println(acknowledged.getLong(i));
                }
            }
        }
    }

    private long publish(
        final JunctionClient publisher,
        final String[] topicNames,
        final Priority[] classes,
        final long durationNs,
        final HistogramLogWriter writer,
        final Histogram total)
    {
        final byte[] payload = new byte[size];
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final long startNs = System.nanoTime();
        final QualityOfService qos = guaranteed ? QualityOfService.GUARANTEED : QualityOfService.BEST_EFFORT;
        long nextSendNs = startNs;
        long nextReportNs = startNs + TimeUnit.SECONDS.toNanos(1);
        long sent = 0;
        long sentInInterval = 0;
        long lastReceived = 0;
        Histogram interval = null;
        int index = 0;

        // Exactly the schedule's messages: if this thread was held up, it catches up rather than skipping.
        final long scheduled = Math.max(1, (long)((double)rate * durationNs / TimeUnit.SECONDS.toNanos(1)));
        while (sent < scheduled)
        {
            final long now = System.nanoTime();
            boolean held = false;
            while (now - nextSendNs >= 0 && sent < scheduled)
            {
                buffer.putLong(0, nextSendNs); // the intended send time: no coordinated omission
                final long result = publisher.offer(topicNames[index % topicNames.length],
                    classes[index % classes.length], qos, buffer, 0, size);
                if (result <= 0)
                {
                    if (result != ClientResult.BACK_PRESSURED && result != ClientResult.IN_FLIGHT_FULL &&
                        result != ClientResult.IN_FLIGHT_BUFFER_FULL && result != ClientResult.NOT_CONNECTED)
                    {
                        errors.incrementAndGet();
                        lastError = "publish refused by the client: " + ClientResult.describe(result);
                    }
                    else
                    {
                        held = true; // Sent again after the next poll, still timed from its intended send time.
                        break;
                    }
                }
                index++;
                sent++;
                sentInInterval++;
                nextSendNs += intervalNs;
            }
            final int work = publisher.poll();
            if (!held && 0 == work && nextSendNs - now > TimeUnit.MICROSECONDS.toNanos(200))
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }

            if (now - nextReportNs >= 0)
            {
                interval = latency.getIntervalHistogram(interval);
                total.add(interval);
                if (interval.getTotalCount() > 0)
                {
                    writer.outputIntervalHistogram(interval);
                }
                final long receivedNow = received.get();
                System.out.printf("%4ds  per second: sent %,9d  received %,9d  latency p50 %,8.1f us  p99 %,9.1f us  " +
                    "p99.9 %,9.1f us  |  totals: shed %,d  errors %,d%n",
                    TimeUnit.NANOSECONDS.toSeconds(now - startNs), sentInInterval, receivedNow - lastReceived,
                    interval.getValueAtPercentile(50) / 1000.0, interval.getValueAtPercentile(99) / 1000.0,
                    interval.getValueAtPercentile(99.9) / 1000.0, shed.get(), errors.get());
                lastReceived = receivedNow;
                sentInInterval = 0;
                nextReportNs += TimeUnit.SECONDS.toNanos(1);
            }
        }
        return sent;
    }

    /**
     * On the subscriber's agent thread: the latency from the intended send time in the payload.
     */
    private void onMessage(final Message message)
    {
        final long sendNs = message.buffer().getLong(message.offset());
        latency.recordValue(Math.min(Math.max(0, System.nanoTime() - sendNs), TimeUnit.SECONDS.toNanos(60)));
        received.incrementAndGet();
    }

    /**
     * Best-effort publishes refused, a run at a time.
     */
    private void onRefused(final long count, final PublishOutcome outcome, final int reasonCode)
    {
        refused.addAndGet(count);
        if (PublishOutcome.BACK_PRESSURED == outcome || PublishOutcome.SHED == outcome)
        {
            shed.addAndGet(count);
        }
        else
        {
            errors.addAndGet(count);
        }
        lastError = outcome + " " + OfferResult.describe(reasonCode);
    }

    /**
     * One per guaranteed publish: durable, or why not.
     */
    private void onOutcome(final long publisherSequence, final PublishOutcome outcome, final long sequence,
        final int reasonCode)
    {
        switch (outcome)
        {
            case DURABLE ->
            {
                durable.incrementAndGet();
                if (null != recordAcks)
                {
                    acknowledged.addLong(sequence); // the publisher's thread, which writes them out at the end
                }
            }
            case TIMED_OUT, FAILED ->
            {
                // Not journaled in time (it may still become durable), or not accepted at all.
                errors.incrementAndGet();
                (PublishOutcome.TIMED_OUT == outcome ? timedOut : failed).incrementAndGet();
                lastError = "guaranteed publish " + publisherSequence + ": " + outcome;
            }
            default ->
            {
                refused.incrementAndGet();
                if (PublishOutcome.BACK_PRESSURED == outcome || PublishOutcome.SHED == outcome)
                {
                    shed.incrementAndGet();
                }
                else
                {
                    errors.incrementAndGet();
                }
                lastError = "guaranteed publish " + publisherSequence + ": " + outcome + " " +
                    OfferResult.describe(reasonCode);
            }
        }
    }

    static Priority[] parseMix(final String mix)
    {
        final List<Priority> slots = new ArrayList<>();
        for (final String part : mix.split(","))
        {
            final String[] kv = part.trim().split("=");
            if (kv.length != 2)
            {
                throw new IllegalArgumentException("expected class=weight, got '" + part + "'");
            }
            final Priority priority;
            try
            {
                priority = Priority.valueOf(kv[0].trim().toUpperCase(Locale.ROOT));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("unknown class '" + kv[0] + "'; known: critical, high, normal, bulk");
            }
            final int weight = Integer.parseInt(kv[1].trim());
            if (weight < 0 || weight > 1000)
            {
                throw new IllegalArgumentException("weight of " + kv[0] + " must be 0..1000: " + weight);
            }
            for (int i = 0; i < weight; i++)
            {
                slots.add(priority);
            }
        }
        if (slots.isEmpty())
        {
            throw new IllegalArgumentException("all weights are 0");
        }
        // Interleave so every second has the mix, not blocks of one class.
        final Priority[] interleaved = new Priority[slots.size()];
        int step = 1;
        for (final int candidate : new int[]{ 7, 11, 13, 17, 19, 23 })
        {
            if (java.math.BigInteger.valueOf(candidate).gcd(java.math.BigInteger.valueOf(slots.size())).intValue() == 1)
            {
                step = candidate;
                break;
            }
        }
        for (int i = 0; i < interleaved.length; i++)
        {
            interleaved[i] = slots.get((int)((long)i * step % slots.size()));
        }
        return interleaved;
    }
}
