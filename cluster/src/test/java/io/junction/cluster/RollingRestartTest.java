package io.junction.cluster;

import io.aeron.cluster.ElectionState;
import io.junction.MessageHandler;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.ConnectionListener;
import io.junction.client.ConnectionState;
import io.junction.client.DisconnectReason;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.client.StartAt;
import org.agrona.concurrent.UnsafeBuffer;
import org.awaitility.core.ConditionTimeoutException;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling restart, as for an upgrade: each member of a 3-member cluster stopped and started again on its
 * directory in turn, the followers first and the leader last, each only once the one before has caught up, while
 * a client publishes guaranteed messages at a steady rate and two subscribers receive: one that stays subscribed,
 * and one that resumes by sequence (closes its subscription and subscribes after the last sequence it had) each
 * time a member is back. Every publish is answered DURABLE once, each subscriber gets every message once and in
 * order, no client is told anything while a follower restarts (and no more than a short NO_QUORUM then the
 * new leader while the leader restarts), and every restarted member loaded the snapshot its old run wrote
 * (same code here: what the snapshot format guarantees across versions is in tools/README.md) and ends with the
 * same journal and snapshot as the others.
 */
@Tag("slow")
class RollingRestartTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long PUBLISH_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int BEFORE = 200;
    private static final int AFTER = 200;

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
    @Timeout(400)
    void membersRestartedOneAtATimeUnderTrafficLoseNothingAndDeliverNothingTwice() throws Exception
    {
        // A 2 s heartbeat timeout: at 250 ms a loaded machine's pause is an election (and NO_QUORUM) while a
        // follower restarts, which the test rightly counts against the restart.
        harness = new ClusterHarness(tempDir, 24_600, 3, ClusterHarness::tolerantOfLoad).startAll(true);
        final ClusterNode firstLeader = harness.awaitLeader(TIMEOUT);
        final List<Integer> order = List.of(
            (firstLeader.memberId() + 1) % 3, (firstLeader.memberId() + 2) % 3, firstLeader.memberId());

        final AtomicInteger membersBack = new AtomicInteger(-1);      // -1 before the first stop
        final StateLog publisherStates = new StateLog(membersBack);
        final StateLog subscriberStates = new StateLog(membersBack);
        final StateLog resumerStates = new StateLog(membersBack);
        final Map<Long, PublishOutcome> outcomes = new TreeMap<>();
        final Map<Long, Integer> outcomeCounts = new TreeMap<>();
        final JunctionClient publisher = harness.newClient(new ClientContext().instance("pub")
            .connectionListener(publisherStates)
            .outcomeListener((publisherSequence, outcome, sequence, reasonCode) ->
            {
                outcomes.put(publisherSequence, outcome);
                outcomeCounts.merge(publisherSequence, 1, Integer::sum);
            }));
        final List<Integer> received = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient(new ClientContext().instance("stays")
            .connectionListener(subscriberStates));
        harness.subscribe(subscriber, "rolling.>", (message) -> received.add(message.buffer().getInt(message.offset())),
            TIMEOUT);
        final List<Integer> resumed = new ArrayList<>();
        final long[] resumedSequence = { 0 };
        final List<String> outOfOrder = new ArrayList<>();
        final MessageHandler resumeHandler = (message) ->
        {
            if (message.sequence() <= resumedSequence[0])
            {
                outOfOrder.add(message.sequence() + " after " + resumedSequence[0]);
            }
            resumedSequence[0] = message.sequence();
            resumed.add(message.buffer().getInt(message.offset()));
        };
        final JunctionClient resumer = harness.newClient(new ClientContext().instance("resumes")
            .connectionListener(resumerStates));
        ClientSubscription resuming = harness.subscribe(resumer, "rolling.>", resumeHandler, TIMEOUT);
        final JunctionClient[] clients = { publisher, subscriber, resumer };

        final Publishing publishing = new Publishing(publisher);
        while (publishing.published < BEFORE)
        {
            publishing.step();
            pollAll(clients);
        }
        harness.pollUntil(TIMEOUT, () -> outcomes.size() == BEFORE, clients);
        harness.takeSnapshot(TIMEOUT);             // what each member's old run leaves for its new one to load

        membersBack.set(0);
        final Set<Integer> phasesWithAnElection = ConcurrentHashMap.newKeySet();
        phasesWithAnElection.add(order.size() - 1);     // the leader's restart
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread roller = new Thread(() ->
        {
            try
            {
                for (final int memberId : order)
                {
                    final long termBefore = leadershipTermId();
                    restartAndAwaitCatchUp(memberId);
                    if (leadershipTermId() != termBefore)
                    {
                        phasesWithAnElection.add(membersBack.get());
                    }
                    membersBack.incrementAndGet();
                }
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, "rolling-restart");
        roller.start();

        int resumedAt = 0;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (roller.isAlive() && System.nanoTime() < deadlineNs)
        {
            publishing.step();
            pollAll(clients);
            if (membersBack.get() > resumedAt)
            {
                resumedAt = membersBack.get();
                resuming.close();
                resuming = resumer.subscribe("rolling.>", resumeHandler,
                    ClientSubscriptionOptions.defaults().startAt(StartAt.afterSequence(resumedSequence[0])));
            }
        }
        roller.join(TimeUnit.SECONDS.toMillis(30));
        final long termAfterRestarts = leadershipTermId();
        assertNull(failure.get(), () -> "the rolling restart failed: " + failure.get());
        final int target = publishing.published + AFTER;
        while (publishing.published < target)
        {
            publishing.step();
            pollAll(clients);
        }
        final int total = publishing.published;
        try
        {
            harness.pollUntil(TIMEOUT, () -> outcomes.size() == total && received.size() == total &&
                resumed.size() == total, clients);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError("of " + total + " publishes, " + outcomes.size() + " answered, " +
                received.size() + " received (last " + last(received) + "), " + resumed.size() +
                " received by the resuming subscriber (last " + last(resumed) + ", sequence " + resumedSequence[0] +
                "); told: publisher " + publisherStates.told + ", subscriber " + subscriberStates.told +
                ", resumer " + resumerStates.told, ex);
        }

        final List<Integer> expected = MemberRebuildTest.range(1, total);
        assertEquals(expected, received, "the subscriber that stayed: every message once, in order");
        assertEquals(List.of(), outOfOrder, "cluster sequences the resuming subscriber was given again");
        assertEquals(expected, resumed, "the subscriber that resumed by sequence: every message once, in order");
        for (final Map.Entry<Long, PublishOutcome> outcome : outcomes.entrySet())
        {
            assertEquals(PublishOutcome.DURABLE, outcome.getValue(), "publish " + outcome.getKey());
            assertEquals(1, outcomeCounts.get(outcome.getKey()), "one outcome for " + outcome.getKey());
        }
        if (leadershipTermId() != termAfterRestarts)
        {
            phasesWithAnElection.add(order.size());     // a spurious election after the restarts
        }
        for (final StateLog states : List.of(publisherStates, subscriberStates, resumerStates))
        {
            states.assertServedThroughout(phasesWithAnElection);
        }
        assertTrue(harness.running().stream().allMatch((node) -> node.service().restoredFromSnapshot()),
            "every restarted member loaded its old run's snapshot");

        // The restarted members agree: a snapshot written by each now, and their journals.
        harness.awaitApplied(total, TIMEOUT);
        harness.takeSnapshot(TIMEOUT);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);
        final long position = SnapshotBytes.latestLogPosition(leader);
        final byte[] leaderSnapshot = SnapshotBytes.at(leader, position, TIMEOUT);
        for (final ClusterNode node : harness.running())
        {
            assertArrayEquals(leaderSnapshot, SnapshotBytes.at(node, position, TIMEOUT), "member " + node.memberId());
        }
        harness.stopAll();
        final List<String> journal = JournalReader.entries(harness.journalDir(0));
        assertEquals(total, journal.size());
        assertEquals(journal, JournalReader.entries(harness.journalDir(1)));
        assertEquals(journal, JournalReader.entries(harness.journalDir(2)));
    }

    /**
     * Stop a member and start it again on its directory (the new build, in an upgrade; the leader once the others
     * have elected a new one), then wait until it has
     * applied what the others had when it came back, its election over (it may lead: an election on a loaded machine
     * can elect it). (Not {@link ClusterNode#leaderMemberId()}: a
     * follower restarted from a snapshot within the leader's term says -1 until the next election, as its service
     * learns the leader only from a new leadership term in the log.)
     */
    private void restartAndAwaitCatchUp(final int memberId)
    {
        final boolean wasLeader = harness.node(memberId).isLeader();
        harness.stop(memberId);
        if (wasLeader)
        {
            // As an operator would: see the others elect a leader before starting the stopped one again.
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() ->
                harness.running().stream().anyMatch(ClusterNode::isLeader));
        }
        final ClusterNode restarted = harness.start(memberId, false);
        final long othersApplied = harness.running().stream().filter((node) -> node != restarted)
            .mapToLong((node) -> node.service().appliedSequence()).max().orElseThrow();
        try
        {
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() ->
                restarted.electionState() == ElectionState.CLOSED &&
                restarted.service().appliedSequence() >= othersApplied);
        }
        catch (final ConditionTimeoutException ex)
        {
            throw new AssertionError("member " + memberId + " did not catch up to sequence " + othersApplied +
                ": election " + restarted.electionState() + ", role " + restarted.role() + ", leader " +
                restarted.leaderMemberId() + ", applied " + restarted.service().appliedSequence(), ex);
        }
    }

    /**
     * What a client was told, with how many members were back when it was told. While a follower restarts the
     * clients are told nothing, unless an election happened meanwhile (a loaded machine has spurious ones); while
     * the leader restarts, or in such an election, they may be told NO_QUORUM (the transport's probe went
     * unanswered for 1.5 heartbeat timeouts, which a loaded machine's election can outlast) and then of the new
     * leader; never DISCONNECTED.
     */
    private static final class StateLog implements ConnectionListener
    {
        private final AtomicInteger membersBack;
        private final List<Integer> phases = new CopyOnWriteArrayList<>();
        private final List<String> told = new CopyOnWriteArrayList<>();

        StateLog(final AtomicInteger membersBack)
        {
            this.membersBack = membersBack;
        }

        public void onConnectionState(final ConnectionState state, final DisconnectReason reason, final String detail)
        {
            phases.add(membersBack.get());
            told.add(state + (null == detail ? "" : " (" + detail + ")"));
        }

        void assertServedThroughout(final Set<Integer> phasesWithAnElection)
        {
            final List<String> unexpected = new ArrayList<>();
            for (int i = 0; i < told.size(); i++)
            {
                final int phase = phases.get(i);
                final String state = told.get(i);
                final boolean isConnected = state.startsWith(ConnectionState.CONNECTED.name());
                final boolean expected = -1 == phase ? isConnected :
                    (state.startsWith(ConnectionState.NO_QUORUM.name()) ||
                    state.startsWith(ConnectionState.LEADER_CHANGED.name()) || isConnected) &&
                    phasesWithAnElection.contains(phase);
                if (!expected)
                {
                    unexpected.add(phase + ":" + state);
                }
            }
            assertEquals(List.of(), unexpected, "told (members back:state) " + phases + " " + told +
                ", elections while members back " + phasesWithAnElection);
            final String last = told.get(told.size() - 1);
            assertTrue(last.startsWith(ConnectionState.CONNECTED.name()) ||
                last.startsWith(ConnectionState.LEADER_CHANGED.name()), told.toString());
        }
    }

    private static Integer last(final List<Integer> values)
    {
        return values.isEmpty() ? null : values.get(values.size() - 1);
    }

    private long leadershipTermId()
    {
        return harness.running().stream().mapToLong(ClusterNode::leadershipTermId).max().orElse(-1);
    }

    private static void pollAll(final JunctionClient... clients)
    {
        for (final JunctionClient client : clients)
        {
            client.poll();
        }
    }

    /**
     * Guaranteed publishes of 1, 2, 3... at a steady rate, never more than 64 awaiting their outcome.
     */
    private static final class Publishing
    {
        private final JunctionClient publisher;
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[4]);
        private long nextNs = System.nanoTime();
        int published;

        Publishing(final JunctionClient publisher)
        {
            this.publisher = publisher;
        }

        void step()
        {
            if (System.nanoTime() - nextNs < 0 || publisher.inFlight() >= 64)
            {
                return;
            }
            payload.putInt(0, published + 1);
            if (publisher.offer("rolling.a", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, 4) > 0)
            {
                published++;
                nextNs = System.nanoTime() + PUBLISH_INTERVAL_NS;
            }
        }
    }
}
