package io.junction.cluster;

import io.junction.Message;
import io.junction.Priority;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.ReplyListener;
import io.junction.client.StartAt;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request/reply through a real 3-member cluster, with the client library over {@link
 * io.junction.cluster.client.ClusterTransport}: the request's reply topic (the requester's inbox) and correlation id
 * go through the replicated switch to the responder, whose reply reaches the requester and is matched to its request;
 * a responder replaying the requests from the journal sees the same reply topics and correlation ids.
 */
@Tag("slow")
class ClusterRequestReplyTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(40);

    @TempDir
    File tempDir;

    private ClusterHarness harness;

    @AfterEach
    void tearDown()
    {
        if (null != harness)
        {
            harness.close();
        }
    }

    @Test
    @Timeout(120)
    void requestsAreAnsweredThroughTheCluster()
    {
        harness = new ClusterHarness(tempDir, 22_500, 3, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);

        final JunctionClient responder = harness.newClient(new ClientContext().instance("responder"));
        final UnsafeBuffer answer = new UnsafeBuffer(new byte[4]);
        final List<String> requestsSeen = new ArrayList<>();
        harness.subscribe(responder, "svc.double", (request) ->
        {
            requestsSeen.add(request.replyTo() + "#" + request.correlationId());
            answer.putInt(0, 2 * request.buffer().getInt(request.offset()));
            assertTrue(responder.reply(request, Priority.NORMAL, answer, 0, 4) > 0, "reply sent");
        }, TIMEOUT);

        final JunctionClient requester = harness.newClient(new ClientContext().instance("requester"));
        harness.pollUntil(TIMEOUT, requester::isConnected, requester);
        final List<String> replies = new ArrayList<>();
        final List<Long> timedOut = new ArrayList<>();
        final ReplyListener listener = new ReplyListener()
        {
            public void onReply(final long requestId, final Message reply)
            {
                replies.add(requestId + "=" + reply.buffer().getInt(reply.offset()));
            }

            public void onTimedOut(final long requestId)
            {
                timedOut.add(requestId);
            }
        };
        final UnsafeBuffer question = new UnsafeBuffer(new byte[4]);
        final List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 5; i++)
        {
            question.putInt(0, i);
            final long requestId = requester.request("svc.double", Priority.NORMAL, question, 0, 4,
                TimeUnit.SECONDS.toNanos(30), listener);
            assertTrue(requestId > 0, "request " + i + ": " + requestId);
            expected.add(requestId + "=" + 2 * i);
        }
        harness.pollUntil(TIMEOUT, () -> replies.size() + timedOut.size() == 5, requester, responder);
        assertEquals(expected, replies, "each request answered once, matched by its correlation id");
        assertEquals(List.of(), timedOut);
        assertEquals(5, requestsSeen.size());
        assertTrue(requestsSeen.get(0).startsWith("_INBOX."), "the requester's inbox: " + requestsSeen);
        assertEquals(0, requester.outstandingRequests());

        // A responder that subscribes later, from the earliest, has the requests replayed from the member journal
        // with the reply topics and correlation ids they were published with.
        final JunctionClient lateResponder = harness.newClient(new ClientContext().instance("late-responder"));
        final List<String> replayedSeen = new ArrayList<>();
        harness.subscribe(lateResponder, "svc.double", (request) -> replayedSeen.add(request.replyTo() + "#" +
            request.correlationId()), ClientSubscriptionOptions.defaults().startAt(StartAt.earliest()), TIMEOUT);
        harness.pollUntil(TIMEOUT, () -> replayedSeen.size() >= 5, lateResponder);
        assertEquals(requestsSeen, replayedSeen);

        // A request nobody answers times out at the requester, and the cluster carries on.
        final long unanswered = requester.request("svc.nobody", Priority.NORMAL, question, 0, 4,
            TimeUnit.MILLISECONDS.toNanos(300), listener);
        harness.pollUntil(TIMEOUT, () -> timedOut.contains(unanswered), requester, responder);
    }
}
