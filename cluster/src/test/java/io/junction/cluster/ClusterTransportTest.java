package io.junction.cluster;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.ClientSubscription;
import io.junction.client.ConnectionState;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.cluster.client.ClusterTransport;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's client API (io.junction.client.JunctionClient) over a {@link io.junction.cluster.client.ClusterTransport}
 * to a real 3-member cluster: the cluster speaks the Junction protocol. Chained on one cluster start: publish and
 * subscribe with an outcome per guaranteed publish; a leader stop, after which the client resends with the same
 * publisher sequences and the cluster logs each message once; then a second stop (no majority), which the client
 * is told as NO_QUORUM within twice the leader heartbeat timeout plus the transport's election allowance, and
 * publishes are refused NOT_CONNECTED.
 */
@Tag("slow")
class ClusterTransportTest
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
    @Timeout(180)
    void sameClientApiOverTheClusterThroughFailoverAndLostQuorum() throws Exception
    {
        harness = new ClusterHarness(tempDir, 22_300, 3, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);
        final long heartbeatTimeoutNs = harness.node(0).context().leaderHeartbeatTimeoutNs();

        final List<Integer> received = new ArrayList<>();
        final List<Long> receivedSequences = new ArrayList<>();
        final List<String> subscriberStates = new CopyOnWriteArrayList<>();
        final JunctionClient subscriber = harness.newClient(new ClientContext().instance("sub")
            .connectionListener((state, reason, detail) -> subscriberStates.add(state + " " + detail)), (ctx) -> {});
        final ClientSubscription subscription = subscriber.subscribe("orders.>", (message) ->
        {
            received.add(message.buffer().getInt(message.offset()));
            receivedSequences.add(message.sequence());
        });

        final Map<Long, PublishOutcome> outcomes = new TreeMap<>();
        final Map<Long, Integer> outcomeCounts = new TreeMap<>();
        final List<ConnectionState> states = new CopyOnWriteArrayList<>();
        final long[] noQuorumAtNs = { 0 };
        final JunctionClient publisher = harness.newClient(new ClientContext()
            .instance("pub")
            .connectionListener((state, reason, detail) ->
            {
                states.add(state);
                if (ConnectionState.NO_QUORUM == state)
                {
                    noQuorumAtNs[0] = System.nanoTime();
                }
            })
            .outcomeListener((publisherSequence, outcome, sequence, reasonCode) ->
            {
                outcomes.put(publisherSequence, outcome);
                outcomeCounts.merge(publisherSequence, 1, Integer::sum);
            }), (ctx) -> {});
        pollUntil(() -> subscription.isInEffect() && publisher.isConnected(), publisher, subscriber);
        assertTrue(publisher.principal().isEmpty() || publisher.publisher().endsWith("pub"), publisher.publisher());

        // Guaranteed publishes: one outcome each, DURABLE; every matching one delivered, in order.
        final List<Long> sent = new ArrayList<>();
        final int firstBatch = 100;
        for (int i = 1; i <= firstBatch; i++)
        {
            sent.add(publish(publisher, i % 4 == 0 ? "audit.x" : "orders.eu", i, subscriber));
        }
        pollUntil(() -> outcomes.size() == firstBatch && received.size() == firstBatch * 3 / 4, publisher, subscriber);
        for (final long publisherSequence : sent)
        {
            assertEquals(PublishOutcome.DURABLE, outcomes.get(publisherSequence), "publish " + publisherSequence);
        }
        for (int i = 1; i < receivedSequences.size(); i++)
        {
            assertTrue(receivedSequences.get(i) > receivedSequences.get(i - 1));
        }
        harness.awaitApplied(firstBatch, TIMEOUT);

        // The leader stops: the client follows the new leader, resends what awaited an outcome with the same
        // publisher sequences, and the cluster logs each publish once.
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final int stopped = leader.memberId();
        final int secondBatch = 100;
        for (int i = 1; i <= 20; i++)
        {
            sent.add(publish(publisher, "orders.us", firstBatch + i, subscriber));
        }
        harness.stop(stopped);
        for (int i = 21; i <= secondBatch; i++)
        {
            sent.add(publish(publisher, "orders.us", firstBatch + i, subscriber));
        }
        pollUntil(() -> outcomes.size() == firstBatch + secondBatch && received.size() == firstBatch * 3 / 4 + secondBatch,
            () -> "outcomes " + outcomes.size() + ", received " + received.size() + " " + received + ", states " +
            states + ", subscriber " + subscriber.statistics() + " " + subscriberStates, publisher, subscriber);
        // The subscriber was re-made after its last delivery at the new leader: every message once, in order.
        final List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= firstBatch + secondBatch; i++)
        {
            if (i > firstBatch || i % 4 != 0)
            {
                expected.add(i);
            }
        }
        assertEquals(expected, received);
        for (final long publisherSequence : sent)
        {
            assertEquals(PublishOutcome.DURABLE, outcomes.get(publisherSequence), "publish " + publisherSequence);
            assertEquals(1, outcomeCounts.get(publisherSequence), "one outcome for " + publisherSequence);
        }
        assertTrue(states.contains(ConnectionState.LEADER_CHANGED) || states.contains(ConnectionState.CONNECTED),
            states.toString());
        harness.awaitApplied(firstBatch + secondBatch, TIMEOUT);
        for (final ClusterNode node : harness.running())
        {
            assertEquals(firstBatch + secondBatch, node.service().appliedSequence(),
                "member " + node.memberId() + " logged each publish once");
        }

        // A second member stops: no majority. The client is told within twice the leader heartbeat timeout.
        final int second = harness.running().get(0).memberId();
        final long[] stoppedAtNs = { 0 };
        final Thread stopper = new Thread(() ->
        {
            harness.stop(second);
            stoppedAtNs[0] = System.nanoTime();
        }, "stop-member-" + second);
        stopper.start();
        // Told within the bound of the majority going (or already before the stop completed: a loaded machine's
        // slow stop), and still so when the stop is done.
        pollUntil(() -> !stopper.isAlive() && ConnectionState.NO_QUORUM == states.get(states.size() - 1),
            () -> "states " + states, publisher, subscriber);
        stopper.join();
        final long noticeNs = Math.max(0, noQuorumAtNs[0] - stoppedAtNs[0]);
        final long boundNs = 2 * heartbeatTimeoutNs + ClusterTransport.Context.ELECTION_ALLOWANCE_NS;
        assertTrue(noticeNs <= boundNs, "NO_QUORUM " + TimeUnit.NANOSECONDS.toMillis(noticeNs) +
            " ms after the majority was gone; the bound is 2 x " + TimeUnit.NANOSECONDS.toMillis(heartbeatTimeoutNs) +
            " ms + " + TimeUnit.NANOSECONDS.toMillis(ClusterTransport.Context.ELECTION_ALLOWANCE_NS) + " ms");
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[4]);
        assertEquals(ClientResult.NOT_CONNECTED,
            publisher.offer("orders.eu", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, 4));
        assertTrue(!publisher.isConnected());
    }

    private long publish(final JunctionClient publisher, final String topic, final int value, final JunctionClient other)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[4]);
        payload.putInt(0, value);
        final long[] result = { 0 };
        pollUntil(() ->
        {
            result[0] = publisher.offer(topic, Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, 4);
            return result[0] > 0;
        }, publisher, other);
        return result[0];
    }

    private void pollUntil(final java.util.function.BooleanSupplier condition, final JunctionClient... clients)
    {
        pollUntil(condition, () -> "", clients);
    }

    private void pollUntil(
        final java.util.function.BooleanSupplier condition, final java.util.function.Supplier<String> state,
        final JunctionClient... clients)
    {
        try
        {
            awaitPolling(condition, clients);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + ": " + state.get(), ex);
        }
    }

    private void awaitPolling(final java.util.function.BooleanSupplier condition, final JunctionClient... clients)
    {
        harness.awaitCondition(TIMEOUT, () ->
        {
            for (final JunctionClient client : clients)
            {
                client.poll();
            }
            return condition.getAsBoolean();
        });
    }
}
