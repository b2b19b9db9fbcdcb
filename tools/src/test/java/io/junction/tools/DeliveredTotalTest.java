package io.junction.tools;

import io.junction.Junction;
import io.junction.Priority;
import io.junction.ThreadingMode;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DeliveredTotalTest
{
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)), new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024)));
    private final Junction junction = Junction.launch(new Junction.Context().threadingMode(ThreadingMode.INVOKER));

    @AfterEach
    void close()
    {
        junction.close();
    }

    @Test
    void aSubscriptionThatDeliveredNothingYetIsCountedFromZeroAndEveryDeliveryOnce()
    {
        final AtomicLong received = new AtomicLong();
        junction.subscribe("a.>", (message) -> received.incrementAndGet());
        junction.subscribe("b.>", (message) -> received.incrementAndGet());
        drain();
        final DeliveredTotal total = new DeliveredTotal(counters, junction::subscriptions);

        total.update(); // nothing delivered yet: 0 must be storable as "delivered so far"
        assertEquals(0, total.value());

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 3; i++)
        {
            junction.offer("a.x", Priority.NORMAL, payload, 0, payload.capacity());
        }
        drain();
        total.update();
        assertEquals(3, received.get());
        assertEquals(3, total.value());

        total.update(); // nothing new: nothing added twice
        assertEquals(3, total.value());
        total.close();
    }

    private void drain()
    {
        for (int i = 0; i < 100 && junction.doWork() > 0; i++)
        {
            // run the switch until it is idle
        }
        junction.doWork();
    }
}
