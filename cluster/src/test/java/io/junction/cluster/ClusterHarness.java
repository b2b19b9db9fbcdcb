package io.junction.cluster;

import io.aeron.cluster.ClusterControl;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.junction.MessageHandler;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.Transport;
import io.junction.cluster.client.ClusterTransport;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A cluster of members in this JVM on loopback, with a client media driver, for tests. Each test gives its own
 * directory and a base port, kept if its range is free and otherwise replaced by a free one ({@link FreePortRange});
 * close() stops everything.
 */
final class ClusterHarness implements AutoCloseable
{
    private final File baseDir;
    private final ClusterNode[] nodes;
    private final ClusterNode.Context template;
    private final List<JunctionClient> clients = new ArrayList<>();
    private final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
    private MediaDriver clientDriver;

    ClusterHarness(final File baseDir, final int basePort, final int memberCount, final Consumer<ClusterNode.Context> custom)
    {
        this.baseDir = baseDir;
        this.nodes = new ClusterNode[memberCount];
        template = new ClusterNode.Context().baseDir(baseDir).basePort(FreePortRange.startingAt(basePort, memberCount))
            .memberCount(memberCount);
        custom.accept(template);
    }

    ClusterHarness startAll(final boolean cleanStart)
    {
        for (int i = 0; i < nodes.length; i++)
        {
            start(i, cleanStart);
        }
        return this;
    }

    ClusterNode start(final int memberId, final boolean cleanStart)
    {
        return start(memberId, cleanStart, (ctx) -> {});
    }

    /**
     * Start one member with settings of its own on top of the cluster's.
     */
    ClusterNode start(final int memberId, final boolean cleanStart, final Consumer<ClusterNode.Context> custom)
    {
        final ClusterNode.Context ctx = template.copyFor(memberId).cleanStart(cleanStart);
        custom.accept(ctx);
        nodes[memberId] = ClusterNode.launch(ctx);
        return nodes[memberId];
    }

    /**
     * The context a member is started with (the cluster's settings, this member's id), for what works on its
     * directory while it is not running ({@link MemberSeed}).
     */
    ClusterNode.Context contextFor(final int memberId)
    {
        return template.copyFor(memberId).cleanStart(false);
    }

    /**
     * Forget a member that stopped by itself (it is closed already).
     */
    void forget(final int memberId)
    {
        nodes[memberId] = null;
    }

    void stop(final int memberId)
    {
        CloseHelper.close(nodes[memberId]);
        nodes[memberId] = null;
    }

    /**
     * A planned stop of one member ({@link ClusterNode#closeGracefully()}, as on SIGTERM).
     */
    void stopGracefully(final int memberId)
    {
        nodes[memberId].closeGracefully();
        nodes[memberId] = null;
    }

    void stopAll()
    {
        for (int i = 0; i < nodes.length; i++)
        {
            stop(i);
        }
    }

    ClusterNode node(final int memberId)
    {
        return nodes[memberId];
    }

    List<ClusterNode> running()
    {
        final List<ClusterNode> running = new ArrayList<>();
        for (final ClusterNode node : nodes)
        {
            if (null != node)
            {
                running.add(node);
            }
        }
        return running;
    }

    File journalDir(final int memberId)
    {
        return new File(new File(baseDir, "member-" + memberId), "journal");
    }

    ClusterNode awaitLeader(final Duration timeout)
    {
        final ClusterNode[] leader = new ClusterNode[1];
        awaitCondition(timeout, () ->
        {
            for (final ClusterNode node : nodes)
            {
                if (null != node && node.isLeader())
                {
                    leader[0] = node;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    void awaitApplied(final long sequence, final Duration timeout)
    {
        awaitCondition(timeout, () ->
        {
            for (final ClusterNode node : running())
            {
                if (node.service().appliedSequence() < sequence)
                {
                    return false;
                }
            }
            return true;
        });
    }

    void takeSnapshot(final Duration timeout)
    {
        final ClusterNode leader = awaitLeader(timeout);
        final long[] before = new long[nodes.length];
        for (final ClusterNode node : running())
        {
            before[node.memberId()] = node.snapshotCount();
        }
        awaitCondition(timeout, () ->
            ClusterControl.ToggleState.SNAPSHOT.toggle(leader.consensusModuleContext().controlToggleCounter()));
        awaitCondition(timeout, () ->
        {
            for (final ClusterNode node : running())
            {
                if (node.snapshotCount() <= before[node.memberId()])
                {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * A client of the Junction protocol (io.junction.client, the daemon's API) over a {@link ClusterTransport} to
     * this cluster, through the harness's client media driver.
     */
    JunctionClient newClient(final ClientContext clientContext)
    {
        return newClient(clientContext, (ctx) -> {});
    }

    JunctionClient newClient(final ClientContext clientContext, final Consumer<ClusterTransport.Context> custom)
    {
        return newClient(clientContext, transport(custom));
    }

    /**
     * The name {@link #newClient(ClientContext, Consumer)} had while the harness also made clients of the old
     * cluster client.
     */
    JunctionClient newProtocolClient(final ClientContext clientContext, final Consumer<ClusterTransport.Context> custom)
    {
        return newClient(clientContext, custom);
    }

    /**
     * A client over a transport of the test's own (e.g. a {@link RawFrames} around {@link #transport}).
     */
    JunctionClient newClient(final ClientContext clientContext, final Transport transport)
    {
        final JunctionClient client = JunctionClient.connect(clientContext, transport);
        clients.add(client);
        return client;
    }

    /**
     * A cluster transport to this cluster (the members' leader heartbeat timeout, the harness's media driver).
     */
    ClusterTransport transport(final Consumer<ClusterTransport.Context> custom)
    {
        final ClusterTransport.Context ctx = new ClusterTransport.Context()
            .aeronDirectoryName(clientAeronDirectory())
            .ingressEndpoints(template.ingressEndpoints())
            .leaderHeartbeatTimeoutNs(template.leaderHeartbeatTimeoutNs());
        custom.accept(ctx);
        return new ClusterTransport(ctx);
    }

    private String clientAeronDirectory()
    {
        if (null == clientDriver)
        {
            clientDriver = MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(new File(baseDir, "client-aeron").getAbsolutePath())
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000))
                .termBufferSparseFile(true)
                .publicationTermBufferLength(128 * 1024)
                .ipcTermBufferLength(128 * 1024)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
        }
        return clientDriver.aeronDirectoryName();
    }

    String ingressEndpoints()
    {
        return template.ingressEndpoints();
    }

    /**
     * Subscribe and poll the client until the cluster has confirmed the subscription.
     */
    ClientSubscription subscribe(
        final JunctionClient client, final String pattern, final MessageHandler handler, final Duration timeout)
    {
        return subscribe(client, pattern, handler, ClientSubscriptionOptions.defaults(), timeout);
    }

    ClientSubscription subscribe(
        final JunctionClient client, final String pattern, final MessageHandler handler,
        final ClientSubscriptionOptions options, final Duration timeout)
    {
        final ClientSubscription subscription = client.subscribe(pattern, handler, options);
        pollUntil(timeout, subscription::isInEffect, client);
        return subscription;
    }

    /**
     * Poll the clients until the condition holds, failing after the timeout.
     */
    void pollUntil(final Duration timeout, final BooleanSupplier condition, final JunctionClient... toPoll)
    {
        awaitCondition(timeout, () ->
        {
            int work = 0;
            for (final JunctionClient client : toPoll)
            {
                work += client.poll();
            }
            return condition.getAsBoolean() || (work < 0);
        });
    }

    void awaitCondition(final Duration timeout, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        idle.reset();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("condition not met within " + timeout);
            }
            if (Thread.currentThread().isInterrupted())
            {
                throw new AssertionError("interrupted");
            }
            idle.idle();
        }
    }

    public void close()
    {
        CloseHelper.closeAll(clients);
        CloseHelper.closeAll(nodes);
        CloseHelper.close(clientDriver);
    }

    /**
     * Failure detection slow enough that a loaded machine's pauses (a collection, a member's threads not scheduled
     * for a few hundred milliseconds) start no election: for tests whose assertions need the leader to stay while
     * they run (no client told of a leader change while a follower restarts; no follower purged behind while it
     * leads). The members' defaults (250 ms heartbeat timeout) stay for the tests of failover itself. The startup
     * canvass spans two heartbeat timeouts, as Aeron wants.
     */
    static void tolerantOfLoad(final ClusterNode.Context ctx)
    {
        ctx.leaderHeartbeatTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .leaderHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .startupCanvassTimeoutNs(TimeUnit.SECONDS.toNanos(4));
    }

    static long secondsToNanos(final long seconds)
    {
        return TimeUnit.SECONDS.toNanos(seconds);
    }
}
