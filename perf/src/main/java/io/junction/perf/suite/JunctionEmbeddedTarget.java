package io.junction.perf.suite;

import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import io.junction.DeliveryThread;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.SubscriptionOptions;

/**
 * Junction embedded in the benchmark's JVM: the publisher calls {@code offer}, each subscriber is a
 * handler on its own delivery thread. With its default (2-core friendly) idle strategies, which park an
 * idle thread for up to 1 ms, or {@link #yielding()}: spin then yield, never park, as the raw Disruptor
 * limit's YieldingWaitStrategy does (lower latency at low rates, a core busy when idle). In-process: no
 * network and no serialisation, unlike the peers, which cross loopback TCP. "Junction remote", over the
 * daemon's network protocol, is the like-for-like comparison with them once it exists.
 */
public final class JunctionEmbeddedTarget implements Target
{
    private static final String TOPIC = "bench.quotes.eurusd";

    private final boolean yielding;

    /** Junction embedded with its default idle strategies. */
    public JunctionEmbeddedTarget()
    {
        this(false);
    }

    private JunctionEmbeddedTarget(final boolean yielding)
    {
        this.yielding = yielding;
    }

    /** Junction embedded with yielding (never parking) pipeline and delivery idle strategies. */
    public static JunctionEmbeddedTarget yielding()
    {
        return new JunctionEmbeddedTarget(true);
    }

    @Override
    public String name()
    {
        return yielding ? "Junction embedded (yielding)" : "Junction embedded";
    }

    @Override
    public boolean variant()
    {
        return yielding;
    }

    @Override
    public Kind kind()
    {
        return Kind.JUNCTION;
    }

    @Override
    public String transport()
    {
        return "in-process";
    }

    @Override
    public String semantics()
    {
        return "lossless (BACK_PRESSURE subscribers), one delivery thread per subscriber, " +
            (yielding ? "YieldingIdleStrategy (never parks)" : "default idle strategies (park up to 1 ms when idle)");
    }

    @Override
    public String version()
    {
        final String version = Junction.class.getPackage().getImplementationVersion();
        return null == version ? "this build" : version;
    }

    @Override
    public String prepare(final Path workDir)
    {
        return null;
    }

    @Override
    public Connection open(final Workload workload, final Receivers receivers)
    {
        final Junction.Context ctx = new Junction.Context()
            .singleProducer(true)
            .maxMessageLength(Math.max(Junction.Context.DEFAULT_MAX_MESSAGE_LENGTH, workload.payloadBytes()));
        if (yielding)
        {
            ctx.pipelineIdleStrategySupplier(YieldingIdleStrategy::new)
                .deliveryIdleStrategySupplier(YieldingIdleStrategy::new);
        }
        final Junction junction = Junction.launch(ctx);
        try
        {
            for (int i = 0; i < receivers.subscribers(); i++)
            {
                final int index = i;
                junction.subscribe(TOPIC,
                    message -> receivers.onMessage(index,
                        Stamp.intendedSendNs(message.buffer(), message.offset()),
                        Stamp.runId(message.buffer(), message.offset())),
                    SubscriptionOptions.defaults()
                        .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE)
                        .deliveryThread(DeliveryThread.OWN));
            }
        }
        catch (final RuntimeException ex)
        {
            junction.close();
            throw ex;
        }

        return new Connection()
        {
            @Override
            public boolean publish(final UnsafeBuffer payload, final int length)
            {
                final long result = junction.offer(TOPIC, Priority.NORMAL, payload, 0, length);
                if (OfferResult.isAccepted(result))
                {
                    return true;
                }
                if (OfferResult.isBackPressured(result))
                {
                    return false;
                }
                throw new IllegalStateException("offer failed: " + OfferResult.describe(result));
            }

            @Override
            public void close()
            {
                junction.close();
            }
        };
    }

    @Override
    public void close()
    {
    }
}
