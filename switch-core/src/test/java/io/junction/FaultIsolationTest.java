package io.junction;

import static io.junction.TestSupport.offer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.junction.TestSupport.Collector;

/**
 * A handler that throws is counted and restarted within its restart intensity, then terminated; the
 * pipeline and the other subscribers never notice.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class FaultIsolationTest
{
    private Junction junction;

    @AfterEach
    void close()
    {
        if (null != junction)
        {
            junction.close();
        }
    }

    @ParameterizedTest
    @EnumSource(DeliveryThread.class)
    void restartsAFaultyHandlerWithAFreshInstanceWithinItsIntensity(final DeliveryThread deliveryThread)
    {
        junction = Junction.launch(TestSupport.context());
        final Collector healthy = new Collector();
        junction.subscribe("work.>", healthy);

        final AtomicInteger instances = new AtomicInteger();
        final List<Long> handled = new CopyOnWriteArrayList<>();
        final List<Throwable> restarts = new CopyOnWriteArrayList<>();
        final Supplier<MessageHandler> factory = () ->
        {
            instances.incrementAndGet();
            return message ->
            {
                final long value = message.buffer().getLong(message.offset());
                if (value % 10 == 3)
                {
                    throw new IllegalStateException("poison " + value);
                }
                handled.add(value);
            };
        };
        final Subscription faulty = junction.subscribe("work.>", factory.get(), SubscriptionOptions.defaults()
            .deliveryThread(deliveryThread)
            .restartIntensity(100, 1, TimeUnit.MINUTES)
            .restartWith(factory)
            .listener(new SubscriptionListener()
            {
                @Override
                public void onRestart(final Subscription subscription, final Throwable cause)
                {
                    restarts.add(cause);
                }
            }));

        for (int i = 0; i < 100; i++)
        {
            offer(junction, "work.item", i);
        }

        healthy.awaitCount(100);
        await().atMost(TestSupport.TIMEOUT).until(() -> faulty.faults() == 10 && handled.size() == 90);

        assertEquals(LongStream.range(0, 100).boxed().toList(), healthy.values());
        assertEquals(LongStream.range(0, 100).filter(v -> v % 10 != 3).boxed().toList(), handled,
            "the faulting message is not redelivered; the rest arrive in order");
        assertEquals(10, restarts.size());
        assertEquals(11, instances.get(), "one new handler per restart");
        assertTrue(faulty.isActive());
    }

    @ParameterizedTest
    @EnumSource(DeliveryThread.class)
    void terminatesPastTheRestartIntensityAndTellsTheApplication(final DeliveryThread deliveryThread)
    {
        junction = Junction.launch(TestSupport.context());
        final Collector healthy = new Collector();
        junction.subscribe("work.>", healthy);

        final AtomicReference<TerminationReason> reason = new AtomicReference<>();
        final AtomicReference<Throwable> cause = new AtomicReference<>();
        final AtomicInteger calls = new AtomicInteger();
        final Subscription faulty = junction.subscribe("work.>", message ->
        {
            calls.incrementAndGet();
            throw new IllegalArgumentException("always fails");
        }, SubscriptionOptions.defaults()
            .deliveryThread(deliveryThread)
            .restartIntensity(2, 1, TimeUnit.MINUTES)
            .listener(new SubscriptionListener()
            {
                @Override
                public void onTerminated(final Subscription s, final TerminationReason r, final Throwable c)
                {
                    cause.set(c);
                    reason.set(r);
                }
            }));

        for (int i = 0; i < 50; i++)
        {
            offer(junction, "work.item", i);
        }

        await().atMost(TestSupport.TIMEOUT).until(() -> reason.get() != null);
        assertEquals(TerminationReason.RESTART_INTENSITY_EXCEEDED, reason.get());
        assertInstanceOf(IllegalArgumentException.class, cause.get());
        assertEquals(3, faulty.faults(), "two restarts allowed, the third fault terminates");
        assertEquals(3, calls.get(), "nothing delivered after termination");
        assertEquals(TerminationReason.RESTART_INTENSITY_EXCEEDED, faulty.terminationReason());

        // The pipeline carries on for everybody else.
        for (int i = 50; i < 100; i++)
        {
            offer(junction, "work.item", i);
        }
        healthy.awaitCount(100);
        assertEquals(LongStream.range(0, 100).boxed().toList(), healthy.values());
    }
}
