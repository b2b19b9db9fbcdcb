package io.junction;

import static io.junction.TestSupport.offer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.junction.TestSupport.Collector;

class ShutdownTest
{
    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    void closeDeliversWhatWasAcceptedAndLeavesNoThreads(final ThreadingMode mode)
    {
        final AtomicReference<TerminationReason> ended = new AtomicReference<>();
        final Collector collector = new Collector();
        final Junction junction = Junction.launch(TestSupport.context().threadingMode(mode).shards(2));
        junction.subscribe("a.>", collector, SubscriptionOptions.defaults()
            .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE)
            .listener(new SubscriptionListener()
            {
                @Override
                public void onTerminated(final Subscription s, final TerminationReason reason, final Throwable cause)
                {
                    ended.set(reason);
                }
            }));
        junction.subscribe("b.>", message -> { }, SubscriptionOptions.defaults().deliveryThread(DeliveryThread.SHARED));
        if (mode == ThreadingMode.INVOKER)
        {
            junction.doWork();
        }

        for (int i = 0; i < 5_000; i++)
        {
            final long result = mode == ThreadingMode.INVOKER ? offerDriving(junction, i) : offer(junction, "a.b", i);
            assertTrue(OfferResult.isAccepted(result));
        }
        assertTrue(TestSupport.NoLeakedThreads.junctionThreads().isEmpty() == (mode == ThreadingMode.INVOKER));

        junction.close();

        assertEquals(5_000, collector.count(), "everything accepted was delivered before close returned");
        assertEquals(TerminationReason.SWITCH_CLOSED, ended.get());
        assertEquals(OfferResult.CLOSED, junction.offer("a.b", Priority.NORMAL, TestSupport.payload(1), 0, 8));
        assertThrows(IllegalStateException.class, () -> junction.subscribe("a.b", message -> { }));
        junction.close(); // idempotent
        await().atMost(Duration.ofSeconds(10)).until(() -> TestSupport.NoLeakedThreads.junctionThreads().isEmpty());
    }

    @Test
    void closingASubscriptionStopsItsThread()
    {
        try (Junction junction = Junction.launch(TestSupport.context()))
        {
            final List<String> before = TestSupport.NoLeakedThreads.junctionThreads();
            final Subscription shared = junction.subscribe("x", message -> { });
            assertEquals(before, TestSupport.NoLeakedThreads.junctionThreads(), "the default runs on a shared agent");
            shared.close();
            final Subscription subscription = junction.subscribe("x", message -> { },
                SubscriptionOptions.defaults().deliveryThread(DeliveryThread.OWN));
            assertTrue(TestSupport.NoLeakedThreads.junctionThreads().contains("junction-sub-" + subscription.id()));
            subscription.close();
            assertTrue(!TestSupport.NoLeakedThreads.junctionThreads().contains("junction-sub-" + subscription.id()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> TestSupport.NoLeakedThreads.junctionThreads().isEmpty());
    }

    private static long offerDriving(final Junction junction, final long value)
    {
        long result;
        while ((result = junction.offer("a.b", Priority.NORMAL, TestSupport.payload(value), 0, 8)) ==
            OfferResult.BACK_PRESSURED)
        {
            junction.doWork();
        }
        return result;
    }
}
