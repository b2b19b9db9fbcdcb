package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.junction.Junction;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.RejectReason;
import io.junction.SlowSubscriberPolicy;
import io.junction.protocol.ProtocolFrames;
import io.junction.security.AuthenticationMethod;
import io.junction.security.AuthenticationOutcome;
import io.junction.security.Authenticator;
import io.junction.security.PatternPermissions;
import io.junction.security.Principal;

/**
 * Request/reply through the protocol server (a switch and the server in this process, real sockets): PUBLISH's
 * replyTo and correlationId reach the responder's MESSAGE, the reply's correlationId reaches the requester; a
 * principal may always subscribe under its own inbox prefix and never under another's; a guaranteed request is
 * a guaranteed publish (refused here, where there is no journal).
 */
class RequestReplyServerTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(new byte[512 * 1024]), new UnsafeBuffer(new byte[128 * 1024]));
    private Junction junction;
    private ProtocolServer server;

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            try
            {
                resources.get(i).close();
            }
            catch (final Exception ex)
            {
                // Closed by the server already.
            }
        }
        if (null != server)
        {
            server.close();
        }
        if (null != junction)
        {
            junction.close();
        }
    }

    /**
     * alice may publish to svc. (and nothing else, subscribe nowhere); bob may subscribe to svc. and publish to
     * inboxes.
     */
    private void start() throws Exception
    {
        final Principal alice = new Principal("alice", PatternPermissions.of(List.of("svc.>"), List.of()));
        final Principal bob = new Principal("bob", PatternPermissions.of(List.of("_INBOX.>"), List.of("svc.>")));
        final Authenticator authenticator = (method, user, secret, secureTransport) ->
            AuthenticationOutcome.accepted("alice".equals(user) ? alice : bob);
        junction = Junction.launch(new Junction.Context().countersManager(counters));
        server = new ProtocolServer(junction, counters, DaemonConfig.parse("network { io-agents = 1, " +
            "max-connections = 100, max-subscriptions-per-connection = 8, max-subscriptions = 100, " +
            "hello-timeout = 5s }").network(), "127.0.0.1", 0, SlowSubscriberPolicy.DROP_NEWEST, 1_000_000_000L,
            5_000_000_000L, null, authenticator, Throwable::printStackTrace, System.out::println);
    }

    private FrameRecorder connect(final String user) throws Exception
    {
        final FrameRecorder client = new FrameRecorder(ProtocolClient.raw("127.0.0.1", server.port()));
        resources.add(client);
        client.client.hello(user, ProtocolFrames.VERSION, 0, AuthenticationMethod.PASSWORD, user,
            "x".getBytes(StandardCharsets.UTF_8));
        return client;
    }

    @Test
    void aRequestReachesTheResponderWithItsReplyTopicAndTheReplyTheRequesterWithItsCorrelationId() throws Exception
    {
        start();
        final FrameRecorder bob = connect("bob");
        bob.client.subscribe("svc.>");
        bob.sync();
        final FrameRecorder alice = connect("alice");
        alice.client.subscribe("_INBOX.alice.k3y.>"); // her own inbox: no subscribe permission needed
        alice.sync();
        assertEquals(List.of(), alice.errors);

        final byte[] question = "ping".getBytes(StandardCharsets.US_ASCII);
        for (int i = 1; i <= 3; i++)
        {
            alice.client.request("svc.echo", Priority.HIGH, QualityOfService.BEST_EFFORT, "_INBOX.alice.k3y.r", 40 + i,
                question, 0, question.length);
        }
        alice.client.flush();
        await().atMost(TIMEOUT).until(() -> bob.seen.size() == 3);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(new FrameRecorder.Seen("svc.echo", 41 + i, "_INBOX.alice.k3y.r", "ping"), bob.seen.get(i));
        }

        for (final FrameRecorder.Seen request : bob.seen)
        {
            final byte[] answer = ("pong " + request.correlationId()).getBytes(StandardCharsets.US_ASCII);
            bob.client.request(request.replyTo(), Priority.HIGH, QualityOfService.BEST_EFFORT, null,
                request.correlationId(), answer, 0, answer.length);
        }
        bob.client.flush();
        await().atMost(TIMEOUT).until(() -> alice.seen.size() == 3);
        for (int i = 0; i < 3; i++)
        {
            final FrameRecorder.Seen reply = alice.seen.get(i);
            assertEquals(41 + i, reply.correlationId());
            assertNull(reply.replyTo());
            assertEquals("pong " + (41 + i), reply.payload());
        }
        assertEquals(3, counter("protocol requests"));
        assertEquals(0, counter("protocol reply topics not cached"), "one inbox: cached");
    }

    @Test
    void anotherPrincipalsInboxIsRefusedAndAGuaranteedRequestWithoutAJournalIsRefusedAsAnyGuaranteedPublish()
        throws Exception
    {
        start();
        final FrameRecorder alice = connect("alice");
        alice.client.subscribe("_INBOX.bob.>");
        alice.client.subscribe("_INBOX.>");
        alice.sync();
        assertEquals(2, alice.errors.size(), alice.errors::toString);
        assertTrue(alice.errors.get(0).startsWith("NOT_AUTHORISED alice may not subscribe to '_INBOX.bob.>'"),
            alice.errors::toString);

        alice.client.request("svc.echo", Priority.HIGH, QualityOfService.GUARANTEED, "_INBOX.alice.k.r", 9,
            new byte[1], 0, 1);
        alice.sync();
        await().atMost(TIMEOUT).until(() -> alice.failedOutcomes.size() + alice.refused.get() >= 1);
        assertTrue(alice.failedOutcomes.toString().contains("JOURNAL_UNAVAILABLE") ||
            alice.refusals.toString().contains("JOURNAL_UNAVAILABLE") ||
            alice.refusals.toString().contains("journal"), alice.failedOutcomes + " " + alice.refusals);
    }

    private long counter(final String label)
    {
        final long[] value = { -1 };
        counters.forEach((id, typeId, key, counterLabel) ->
        {
            if (counterLabel.equals(label))
            {
                value[0] = counters.getCounterValue(id);
            }
        });
        assertTrue(value[0] >= 0, () -> "no counter '" + label + "'");
        return value[0];
    }
}
