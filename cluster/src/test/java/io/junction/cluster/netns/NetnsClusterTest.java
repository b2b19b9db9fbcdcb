package io.junction.cluster.netns;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three members on three hosts (network namespaces on a bridge, 10.213.0.0/24), started as the README's
 * three-machine instructions say (a member list, one address each), serve a client on a fourth host.
 */
@Tag("netns")
class NetnsClusterTest
{
    private static final Duration STARTUP = Duration.ofSeconds(90);

    @TempDir
    File tempDir;

    private NsCluster cluster;

    @BeforeAll
    static void needsNamespaces()
    {
        NetnsHosts.assumeAvailable();
    }

    @AfterEach
    void tearDown()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    @Timeout(180)
    void threeHostsElectALeaderAndServeAClientOnAFourth()
    {
        cluster = new NsCluster(3, tempDir).startAll();
        final int leader;
        try
        {
            leader = cluster.awaitLeader(STARTUP);
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("no leader:\n" + cluster.outputs(), ex);
        }
        cluster.awaitAllFollow(leader, STARTUP);

        final NsProcess client = cluster.startClient();
        final History history = cluster.history();
        client.send("sub fault.>");
        await().atMost(STARTUP).until(() -> history.subscribed() || !client.isAlive());
        assertTrue(history.subscribed(), cluster::outputs);
        assertTrue(history.events().stream().anyMatch((e) -> e.line().equals("CONNECTED " + leader)),
            cluster::outputs);

        client.send("pub 200 400");
        await().atMost(STARTUP).until(() -> (history.sent() == 200 && history.settled()) || !client.isAlive());
        assertEquals(200, history.acked(), cluster::outputs);
        assertEquals(200, history.delivered(), cluster::outputs);
        assertEquals(java.util.List.of(), history.check());
    }

    @Test
    @Timeout(180)
    void aClusterWithDelayedLinksStillServes()
    {
        cluster = new NsCluster(3, tempDir);
        assumeTrue(cluster.hosts().hasNetem(), "this kernel has no netem qdisc (tc qdisc add ... netem: \"Specified " +
            "qdisc kind is unknown\"), so link delay cannot be tested here");
        for (int member = 0; member < 3; member++)
        {
            cluster.hosts().delay(member, 20);
        }
        cluster.startAll();
        cluster.awaitAgreement(STARTUP);
        final NsProcess client = cluster.startClient();
        final History history = cluster.history();
        client.send("sub fault.>");
        await().atMost(STARTUP).until(() -> history.subscribed() || !client.isAlive());
        client.send("pub 100 200");
        await().atMost(STARTUP).until(() -> (history.sent() == 100 && history.settled()) || !client.isAlive());
        assertEquals(100, history.acked(), cluster::outputs);
        assertEquals(java.util.List.of(), history.check());
    }
}
