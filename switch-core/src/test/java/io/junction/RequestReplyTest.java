package io.junction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Request/reply in the switch: a request carries its reply topic and correlation id to the subscriber, whatever
 * the delivery thread; the reply carries the correlation id back; a guaranteed request and a bad reply topic are
 * refused with their own reasons, counted.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class RequestReplyTest
{
    private record Seen(String topic, String replyTo, long correlationId, long value)
    {
    }

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
    void aRequestCarriesItsReplyTopicAndTheReplyItsCorrelationId(final DeliveryThread thread)
    {
        junction = Junction.launch(TestSupport.context().shards(2));
        final Publisher responder = junction.publisher("responder");
        final UnsafeBuffer answer = new UnsafeBuffer(new byte[8]);
        final List<Seen> requests = new CopyOnWriteArrayList<>();
        final List<Long> replyResults = new CopyOnWriteArrayList<>();
        junction.subscribe("svc.double", (message) ->
        {
            requests.add(seen(message));
            answer.putLong(0, message.buffer().getLong(message.offset()) * 2);
            replyResults.add(responder.reply(message, Priority.HIGH, answer, 0, 8));
        }, SubscriptionOptions.defaults().deliveryThread(thread));
        final List<Seen> replies = new CopyOnWriteArrayList<>();
        junction.subscribe("_INBOX.me.>", (message) -> replies.add(seen(message)),
            SubscriptionOptions.defaults().deliveryThread(thread));

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        for (int i = 1; i <= 20; i++)
        {
            buffer.putLong(0, i);
            final long result = i % 2 == 0 ?
                junction.offer("svc.double", Priority.NORMAL, "_INBOX.me.r", 1000 + i, buffer, 0, 8) :
                junction.offer("svc.double", Priority.NORMAL, buffer, 0, 8); // an ordinary message between requests
            assertTrue(result >= 0, "accepted: " + OfferResult.describe(result));
        }

        await().atMost(TestSupport.TIMEOUT).until(() -> replies.size() >= 10 && requests.size() >= 20);
        for (final Seen request : requests)
        {
            if (request.value() % 2 == 0)
            {
                assertEquals("_INBOX.me.r", request.replyTo());
                assertEquals(1000 + request.value(), request.correlationId());
            }
            else
            {
                assertNull(request.replyTo(), "a slot reused after a request carries no reply topic");
                assertEquals(0, request.correlationId());
            }
        }
        for (final Seen reply : replies)
        {
            assertEquals("_INBOX.me.r", reply.topic());
            assertNull(reply.replyTo());
            assertEquals(2 * (reply.correlationId() - 1000), reply.value());
        }
        // The ordinary messages were answered too, refused since they are not requests.
        assertEquals(10, replyResults.stream()
            .filter((result) -> RejectReason.INVALID_REPLY_TO == OfferResult.rejectReason(result)).count());
        assertEquals(10, junction.counters().offerRejected(RejectReason.INVALID_REPLY_TO));
    }

    @Test
    void aGuaranteedRequestWithoutAJournalIsRefusedAsAnyGuaranteedOffer()
    {
        junction = Junction.launch(TestSupport.context());
        final Publisher publisher = junction.publisher("p");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);

        final long result = publisher.offer(
            "svc.x", Priority.NORMAL, QualityOfService.GUARANTEED, Publisher.NO_TTL, "_INBOX.me.r", 7, buffer, 0, 8);

        assertEquals(OfferResult.JOURNAL_UNAVAILABLE, result, OfferResult.describe(result));
        assertEquals(0, junction.counters().offerRejected(RejectReason.GUARANTEED_REQUEST));
    }

    @Test
    void aReplyTopicThatIsNoTopicIsRefused()
    {
        junction = Junction.launch(TestSupport.context());
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);

        for (final String replyTo : new String[] {"_INBOX.*", "", "a..b", "_INBOX.>"})
        {
            final long result = junction.offer("svc.x", Priority.NORMAL, replyTo, 1, buffer, 0, 8);
            assertEquals(RejectReason.INVALID_REPLY_TO, OfferResult.rejectReason(result), replyTo);
        }
        assertEquals(4, junction.counters().offerRejected(RejectReason.INVALID_REPLY_TO));
    }

    private static Seen seen(final Message message)
    {
        return new Seen(message.topic(), message.replyTo(), message.correlationId(),
            message.buffer().getLong(message.offset()));
    }
}
