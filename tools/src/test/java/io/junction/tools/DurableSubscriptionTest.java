package io.junction.tools;

import static io.junction.tools.ClientTestSupport.pollUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.client.StartAt;
import io.junction.security.PasswordHash;

/**
 * Durable subscriptions and replays through a real daemon child process, served from its journal: replay from the
 * earliest message, a sequence and a time; a durable subscription resumed by a new client after the first closed
 * without acknowledging (exactly the unacknowledged messages, then live, no gap); the maximum of unacknowledged
 * messages holding delivery until an ACK; a name held by one connection refused to a second; and per principal
 * names and permissions.
 */
class DurableSubscriptionTest
{
    private static final int MAX_UNACKED = 4;

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withClientTestConfig();

    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);

    private JunctionClient client(final ClientContext ctx)
    {
        final JunctionClient client = JunctionClient.connect(ctx);
        daemon.closeAfter(client);
        return client;
    }

    private static ClientContext context(final int port)
    {
        return new ClientContext().url("tcp://127.0.0.1:" + port)
            .reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(200));
    }

    /**
     * Publish guaranteed messages (the outcome listener records each journal sequence).
     */
    private void publishGuaranteed(final JunctionClient publisher, final String topic, final int first,
        final int count)
    {
        for (int i = first; i < first + count; i++)
        {
            final int length = payload.putStringWithoutLengthUtf8(0, "m" + i);
            final long result = publisher.offer(topic, Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, length);
            assertTrue(result > 0, () -> ClientResult.describe(result));
        }
    }

    private static final class Received implements io.junction.MessageHandler
    {
        final List<Long> sequences = new ArrayList<>();
        final List<String> payloads = new ArrayList<>();

        @Override
        public void onMessage(final io.junction.Message message)
        {
            sequences.add(message.sequence());
            payloads.add(message.buffer().getStringWithoutLengthUtf8(0, message.length()));
        }

        int size()
        {
            return sequences.size();
        }

        long last()
        {
            return sequences.get(sequences.size() - 1);
        }

        @Override
        public String toString()
        {
            return payloads + " " + sequences;
        }
    }

    /**
     * Poll for a while and check that nothing more arrives (what a limit holds back must stay held back).
     */
    private static void stillHolds(final Received received, final int expected, final JunctionClient... clients)
    {
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        while (System.nanoTime() - until < 0)
        {
            for (final JunctionClient client : clients)
            {
                client.poll();
            }
            assertEquals(expected, received.size(), received::toString);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void replaysResumesWithoutAGapHoldsAtTheUnacknowledgedLimitAndRefusesASecondHolder() throws Exception
    {
        daemon.start("journal.durable { max-unacknowledged = " + MAX_UNACKED + " }");
        final int port = daemon.port();

        final List<Long> durable = new ArrayList<>();
        final JunctionClient publisher = client(context(port).instance("feed").outcomeListener(
            (publisherSequence, outcome, sequence, reason) ->
            {
                assertEquals(PublishOutcome.DURABLE, outcome);
                durable.add(sequence);
            }));
        pollUntil(publisher::isConnected, publisher::lastError, publisher);
        publishGuaranteed(publisher, "orders.paid", 0, 5);
        pollUntil(() -> durable.size() == 5, durable::toString, publisher);
        // The next five a few milliseconds later, so that a time falls between the two batches.
        final long before = System.currentTimeMillis();
        pollUntil(() -> System.currentTimeMillis() > before + 5, () -> "time passes", publisher);
        final Instant between = Instant.ofEpochMilli(System.currentTimeMillis());
        pollUntil(() -> System.currentTimeMillis() > between.toEpochMilli() + 5, () -> "time passes", publisher);
        publishGuaranteed(publisher, "orders.paid", 5, 5);
        pollUntil(() -> durable.size() == 10, durable::toString, publisher);

        // (c) Replays (no name: no acknowledgement, no limit), each the right first sequence, in order.
        final JunctionClient reader = client(context(port));
        final Received earliest = new Received();
        final Received fromSequence = new Received();
        final Received fromTime = new Received();
        reader.subscribe("orders.>", earliest, ClientSubscriptionOptions.defaults().startAt(StartAt.earliest()));
        reader.subscribe("orders.>", fromSequence, ClientSubscriptionOptions.defaults()
            .startAt(StartAt.sequence(durable.get(6))));
        reader.subscribe("orders.>", fromTime, ClientSubscriptionOptions.defaults().startAt(StartAt.time(between)));
        pollUntil(() -> earliest.size() == 10 && fromSequence.size() == 4 && fromTime.size() == 5,
            () -> earliest + " / " + fromSequence + " / " + fromTime, reader);
        assertEquals(durable, earliest.sequences);
        assertEquals(durable.subList(6, 10), fromSequence.sequences);
        assertEquals(durable.subList(5, 10), fromTime.sequences);
        assertEquals("m0", earliest.payloads.get(0));

        // (d) A durable subscription gets at most MAX_UNACKED unacknowledged messages, then more after an ACK.
        final JunctionClient first = client(context(port).instance("first"));
        final Received firstReceived = new Received();
        final ClientSubscription firstDurable = first.subscribe("orders.>", firstReceived,
            ClientSubscriptionOptions.defaults().durable("audit").startAt(StartAt.earliest()));
        pollUntil(() -> firstReceived.size() == MAX_UNACKED, firstReceived::toString, first);
        stillHolds(firstReceived, MAX_UNACKED, first);
        assertTrue(firstDurable.ack(durable.get(1)), "ack sent");
        pollUntil(() -> firstReceived.size() == MAX_UNACKED + 2, firstReceived::toString, first);
        stillHolds(firstReceived, MAX_UNACKED + 2, first);
        assertTrue(firstDurable.ack(durable.get(3)), "ack sent");
        pollUntil(() -> firstReceived.size() == MAX_UNACKED + 4, firstReceived::toString, first);
        assertEquals(durable.subList(0, 8), firstReceived.sequences, "in journal order, no gap");

        // A second connection cannot take the name while the first holds it.
        final JunctionClient intruder = client(context(port).instance("intruder"));
        final ClientSubscription refused = intruder.subscribe("orders.>", new Received(),
            ClientSubscriptionOptions.defaults().durable("audit"));
        pollUntil(() -> !refused.isActive(), () -> "refused", intruder);
        assertTrue(refused.endReason().startsWith("DUPLICATE_SUBSCRIPTION"), refused.endReason());
        assertTrue(refused.endReason().contains("open on another connection"), refused.endReason());

        // (a) The first client goes away having acknowledged up to the 4th; a new one resumes with exactly the
        // unacknowledged (the 5th on), then live, with no gap; auto-ack keeps the limit out of the way.
        first.close();
        final JunctionClient second = client(context(port).instance("second"));
        final Received secondReceived = new Received();
        final ClientSubscription resumed = second.subscribe("orders.>", secondReceived,
            ClientSubscriptionOptions.defaults().durable("audit").startAt(StartAt.earliest()).autoAck(true));
        pollUntil(() -> secondReceived.size() == 6, secondReceived::toString, second);
        assertEquals(durable.subList(4, 10), secondReceived.sequences, "exactly the unacknowledged ones");
        assertEquals("m4", secondReceived.payloads.get(0));
        publishGuaranteed(publisher, "orders.paid", 10, 3);
        pollUntil(() -> durable.size() == 13 && secondReceived.size() == 9, secondReceived::toString, publisher, second);
        assertEquals(durable.subList(4, 13), secondReceived.sequences, "then live, no gap, no duplicate");
        assertTrue(resumed.isActive());

        // REPLAY: from the third message again, then on live; its acknowledgements still advance the position.
        assertTrue(resumed.replay(StartAt.sequence(durable.get(2))), "replay sent");
        pollUntil(() -> secondReceived.size() == 9 + 11, secondReceived::toString, second);
        assertEquals(durable.subList(2, 13), secondReceived.sequences.subList(9, 20), "replayed in order, then live");

        // Best-effort messages are not journaled: a durable subscription does not see them.
        final int length = payload.putStringWithoutLengthUtf8(0, "best-effort");
        assertTrue(publisher.offer("orders.paid", Priority.NORMAL, QualityOfService.BEST_EFFORT, payload, 0, length) > 0);
        publishGuaranteed(publisher, "orders.paid", 13, 1);
        pollUntil(() -> durable.size() == 14 && secondReceived.size() == 21, secondReceived::toString, publisher, second);
        assertEquals("m13", secondReceived.payloads.get(20));

        // Closing it lets the name go once the daemon applied its last (automatic) ACK, within a duty cycle of
        // the journal: another connection takes it then.
        resumed.close();
        second.close();
        final Received third = new Received();
        final JunctionClient later = client(context(port).instance("later"));
        // (A SUBSCRIBE that finds the name still closing waits for it in the daemon, rather than being refused.)
        final ClientSubscription taken = later.subscribe("orders.>", third,
            ClientSubscriptionOptions.defaults().durable("audit"));
        pollUntil(taken::isInEffect, () -> String.valueOf(taken.endReason()), later);
        publishGuaranteed(publisher, "orders.paid", 14, 1);
        pollUntil(() -> durable.size() == 15 && third.size() >= 1, third::toString, publisher, later);
        assertEquals(durable.get(14), third.last(), "every earlier one was acknowledged: only the new one");
        assertEquals(1, third.size(), third::toString);
    }

    @Test
    void aDurableNameIsThePrincipalsOwnAndNeedsThePermissionToSubscribe() throws Exception
    {
        final String hash = PasswordHash.create("s3cret".toCharArray(), 2_000).encoded();
        daemon.start("security {",
            "  authentication = required",
            "  users = [",
            "    { name = alice, password-hash = \"" + hash + "\", publish = [\">\"], subscribe = [\">\"] }",
            "    { name = bob, password-hash = \"" + hash + "\", publish = [], subscribe = [\"public.>\"] }",
            "  ]",
            "}");
        final int port = daemon.port();

        final List<Long> durable = new ArrayList<>();
        final JunctionClient alice = client(context(port).instance("a").credentials("alice", "s3cret".toCharArray())
            .outcomeListener((publisherSequence, outcome, sequence, reason) -> durable.add(sequence)));
        pollUntil(alice::isConnected, alice::lastError, alice);
        publishGuaranteed(alice, "public.news", 0, 3);
        pollUntil(() -> durable.size() == 3, durable::toString, alice);

        final Received aliceReceived = new Received();
        final ClientSubscription aliceDurable = alice.subscribe("public.>", aliceReceived,
            ClientSubscriptionOptions.defaults().durable("shared").startAt(StartAt.earliest()));
        pollUntil(() -> aliceReceived.size() == 3, aliceReceived::toString, alice);
        assertTrue(aliceDurable.ack(durable.get(2)));
        aliceDurable.close();

        // (e) bob may not subscribe to what alice's durable subscription reads: refused, named.
        final JunctionClient bob = client(context(port).instance("b").credentials("bob", "s3cret".toCharArray()));
        final ClientSubscription notAllowed = bob.subscribe(">", new Received(),
            ClientSubscriptionOptions.defaults().durable("shared"));
        pollUntil(() -> !notAllowed.isActive(), () -> "refused", bob);
        assertTrue(notAllowed.endReason().startsWith("NOT_AUTHORISED"), notAllowed.endReason());

        // bob's "shared" is bob's own, not alice's: it starts where bob asks, not after alice's acknowledgement,
        // and alice's is held by nobody, so no DUPLICATE_SUBSCRIPTION either while bob holds his.
        final Received bobReceived = new Received();
        bob.subscribe("public.>", bobReceived, ClientSubscriptionOptions.defaults().durable("shared")
            .startAt(StartAt.earliest()));
        pollUntil(() -> bobReceived.size() == 3, bobReceived::toString, bob);
        assertEquals(durable, bobReceived.sequences);
        final Received aliceAgain = new Received();
        final ClientSubscription aliceResumed = alice.subscribe("public.>", aliceAgain,
            ClientSubscriptionOptions.defaults().durable("shared").startAt(StartAt.earliest()));
        pollUntil(aliceResumed::isInEffect, () -> String.valueOf(aliceResumed.endReason()), alice);
        stillHolds(aliceAgain, 0, alice, bob);
        assertFalse(aliceAgain.size() > 0, "alice acknowledged all three");
    }
}
