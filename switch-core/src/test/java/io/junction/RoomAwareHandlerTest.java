package io.junction;

import static io.junction.TestSupport.offer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A back-pressure handler on the pipeline that says it has no room: the shard holds the message and offers it again
 * on a later cycle (here the caller's, INVOKER mode), losing and reordering nothing, rather than the handler waiting.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class RoomAwareHandlerTest
{
    @Test
    void aHandlerWithoutRoomHasTheShardHoldTheMessageUntilItHasRoom()
    {
        final Held handler = new Held();
        final List<Long> received = handler.received;
        try (Junction junction = Junction.launch(TestSupport.context().threadingMode(ThreadingMode.INVOKER)))
        {
            junction.subscribeAsync("held.>", handler, SubscriptionOptions.defaults()
                .deliveryThread(DeliveryThread.PIPELINE).slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE));
            drain(junction);
            for (int i = 0; i < 10; i++)
            {
                offer(junction, "held.x", i);
            }
            drain(junction);
            assertTrue(received.isEmpty(), "no room: nothing handed over");
            assertTrue(junction.isInvokerBusy(), "the held shard is work no wake announces");
            assertEquals(10, junction.ringOccupancy(), "held in the ring, not dropped");

            handler.room = true;
            drain(junction);
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), received, "all of them, in order");
            assertFalse(junction.isInvokerBusy());
        }
    }

    @Test
    void aQueueGroupMemberWithoutRoomKeepsItsOutboxWhileTheOtherMemberTakesTheRestAndTheCallerIsNotSpun()
    {
        final int outboxCapacity = 8;
        final int count = 40;
        final Held stuck = new Held();
        final List<Long> stuckReceived = stuck.received;
        final List<Long> otherReceived = new ArrayList<>();
        final MessageHandler other = (message) -> otherReceived.add(message.buffer().getLong(message.offset()));
        try (Junction junction = Junction.launch(TestSupport.context().threadingMode(ThreadingMode.INVOKER)))
        {
            final Subscription stuckMember = junction.subscribeAsync("work.>", stuck, SubscriptionOptions.defaults()
                .queueGroup("workers").outboxCapacity(outboxCapacity)
                .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE));
            junction.subscribeAsync("work.>", other, SubscriptionOptions.defaults()
                .queueGroup("workers").outboxCapacity(outboxCapacity)
                .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE));
            drain(junction);
            for (int i = 0; i < count; i++)
            {
                offer(junction, "work.x", i);
            }
            drain(junction);
            assertTrue(stuckReceived.isEmpty(), "no room: nothing handed over");
            assertEquals(outboxCapacity, stuckMember.queueDepth(), "held in its outbox, which filled");
            assertEquals(count - outboxCapacity, otherReceived.size(), "the other member took the rest");
            assertEquals(0, junction.ringOccupancy());
            assertTrue(junction.isInvokerBusy(), "the held member is work no wake announces");
            assertEquals(0, junction.doWork(), "a cycle that only finds the member still without room is idle");

            stuck.room = true;
            drain(junction);
            assertEquals(outboxCapacity, stuckReceived.size());
            for (int i = 1; i < stuckReceived.size(); i++)
            {
                assertTrue(stuckReceived.get(i - 1) < stuckReceived.get(i), "in order: " + stuckReceived);
            }
            final List<Long> all = new ArrayList<>(stuckReceived);
            all.addAll(otherReceived);
            all.sort(null);
            for (int i = 0; i < count; i++)
            {
                assertEquals(i, all.get(i), "each message once: " + all);
            }
            assertEquals(0, stuckMember.queueDepth());
            assertFalse(junction.isInvokerBusy());
        }
    }

    /**
     * Takes messages (their first 8 bytes) only while it says it has room.
     */
    private static final class Held implements RoomAwareHandler
    {
        final List<Long> received = new ArrayList<>();
        boolean room;

        @Override
        public boolean hasRoomFor(final Message message)
        {
            return room;
        }

        @Override
        public void onMessage(final Message message)
        {
            received.add(message.buffer().getLong(message.offset()));
        }
    }

    private static void drain(final Junction junction)
    {
        for (int i = 0; i < 100 && junction.doWork() > 0; i++)
        {
            // Until idle (a held shard does no work).
        }
    }
}
