package io.junction.cluster;

import static io.junction.cluster.ClusterAcceptanceTest.publishInt;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.junction.client.ClientContext;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.StartAt;

/**
 * A subscription through a real 3-member cluster that starts at a time: it gets the journaled messages from the
 * first at or after that time (found in the member journal, whose timestamps are the cluster's time), then the live
 * ones with no gap; a time before everything is the earliest, a time after everything is from now on.
 */
@Tag("slow")
class ClusterStartAtTimeTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(40);

    @TempDir
    File tempDir;

    private ClusterHarness harness;
    private final List<JunctionClient> clients = new ArrayList<>();

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
    void aSubscriptionFromATimeGetsWhatWasJournaledFromThenAndThenLive()
    {
        harness = new ClusterHarness(tempDir, 22_600, 3, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);
        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        clients.add(publisher);

        for (int i = 1; i <= 5; i++)
        {
            publishInt(publisher, "ticks.a", i);
        }
        harness.pollUntil(TIMEOUT, () -> acks.acked == 5, publisher);
        // A millisecond boundary that 1..5 (logged before now) are all before, and 6..10 all at or after.
        final long boundaryMs = System.currentTimeMillis() + 1;
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(1))
            .until(() -> System.currentTimeMillis() > boundaryMs);
        for (int i = 6; i <= 10; i++)
        {
            publishInt(publisher, "ticks.a", i);
        }
        harness.pollUntil(TIMEOUT, () -> acks.acked == 10, publisher);

        final List<Integer> fromBoundary = subscribeFrom(StartAt.time(Instant.ofEpochMilli(boundaryMs)), "mid");
        final List<Integer> fromEpoch = subscribeFrom(StartAt.time(Instant.EPOCH), "epoch");
        final List<Integer> fromFuture = subscribeFrom(
            StartAt.time(Instant.ofEpochMilli(System.currentTimeMillis() + 3_600_000)), "future");
        harness.pollUntil(TIMEOUT, () -> fromBoundary.size() == 5 && fromEpoch.size() == 10, all());

        publishInt(publisher, "ticks.a", 11); // then live, with no gap
        harness.pollUntil(TIMEOUT, () -> acks.acked == 11 && fromBoundary.size() == 6 && fromEpoch.size() == 11 &&
            fromFuture.size() == 1, all());
        assertEquals(List.of(6, 7, 8, 9, 10, 11), fromBoundary);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), fromEpoch);
        assertEquals(List.of(11), fromFuture);
        harness.awaitApplied(11, TIMEOUT);
    }

    private JunctionClient[] all()
    {
        return clients.toArray(JunctionClient[]::new);
    }

    private List<Integer> subscribeFrom(final StartAt start, final String name)
    {
        final List<Integer> received = new ArrayList<>();
        final JunctionClient client = harness.newClient(new ClientContext().instance(name));
        clients.add(client);
        harness.subscribe(client, "ticks.>", (message) -> received.add(message.buffer().getInt(message.offset())),
            ClientSubscriptionOptions.defaults().startAt(start), TIMEOUT);
        return received;
    }
}
