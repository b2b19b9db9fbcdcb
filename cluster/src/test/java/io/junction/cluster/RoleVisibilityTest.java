package io.junction.cluster;

import io.aeron.cluster.service.Cluster;
import io.junction.client.JunctionClient;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator can tell who leads: counters carry the member's real id, role changes are logged, and each member
 * shows its commit and applied positions.
 */
class RoleVisibilityTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

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
    void membersShowTheirIdRoleLeaderAndLag()
    {
        harness = new ClusterHarness(tempDir, 21_800, 3, (ctx) -> {}).startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        ClusterAcceptanceTest.publishInt(publisher, "a.b", 1);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 1, publisher);
        harness.awaitApplied(1, TIMEOUT);

        for (final ClusterNode node : harness.running())
        {
            final List<String> labels = serviceLabels(node);
            assertFalse(labels.isEmpty(), "member " + node.memberId() + " has service counters");
            for (final String label : labels)
            {
                assertTrue(label.endsWith(" member=" + node.memberId()), label);
            }

            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final RoleLog roleLog = new RoleLog(node, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            harness.awaitCondition(TIMEOUT, () -> node.leaderMemberId() == leader.memberId());
            assertTrue(roleLog.poll());
            assertFalse(roleLog.poll(), "nothing changed, nothing logged");
            final String expectedRole = node == leader ? Cluster.Role.LEADER.name() : Cluster.Role.FOLLOWER.name();
            final String line = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(line.contains("junction cluster member " + node.memberId() + ": role " + expectedRole +
                ", term " + node.leadershipTermId() + ", leader " + leader.memberId()), line);

            // Lag closes once the service has applied what is committed.
            harness.awaitCondition(TIMEOUT, () -> node.appliedPosition() == node.commitPosition());
            assertTrue(node.appliedPosition() > 0);
        }
        assertEquals(1, harness.running().stream().filter(ClusterNode::isLeader).count());
    }

    private static List<String> serviceLabels(final ClusterNode node)
    {
        final CountersReader reader = node.consensusModuleContext().aeron().countersReader();
        final List<String> labels = new ArrayList<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (label.startsWith("junction-cluster "))
            {
                labels.add(label);
            }
        });
        return labels;
    }
}
