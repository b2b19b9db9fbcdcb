package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.junction.Junction;
import io.junction.Message;
import io.junction.MessageHandler;
import io.junction.Priority;
import io.junction.SlowSubscriberPolicy;
import io.junction.Subscription;
import io.junction.SubscriptionOptions;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.security.Authenticator;

/**
 * Queue groups through the protocol server (a switch and the server in this process, real sockets, the client
 * library): members on different connections, mixed with an embedded member, share a pattern's messages, each
 * message reaching exactly one; a member whose connection closes mid-stream leaves the group and the others take
 * everything from then on; an invalid group name is answered ERROR INVALID_FIELD naming the field.
 */
class RemoteQueueGroupTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String GROUP = "workers";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CountersManager counters = new CountersManager(
        new UnsafeBuffer(new byte[512 * 1024]), new UnsafeBuffer(new byte[128 * 1024]));
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
    /** Message index → how many times it arrived, over every member. */
    private final ConcurrentHashMap<Long, Integer> arrivals = new ConcurrentHashMap<>();
    private final List<JunctionClient> clients = new ArrayList<>();
    private Junction junction;
    private ProtocolServer server;

    @AfterEach
    void cleanUp() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
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

    private void start() throws Exception
    {
        junction = Junction.launch(new Junction.Context().countersManager(counters));
        server = server(counters, 0);
    }

    private ProtocolServer server(final CountersManager counters, final int port) throws Exception
    {
        return new ProtocolServer(junction, counters, DaemonConfig.parse("network { io-agents = 2, " +
            "max-connections = 100, max-subscriptions-per-connection = 8, max-subscriptions = 100, " +
            "hello-timeout = 5s }").network(), "127.0.0.1", port, SlowSubscriberPolicy.DROP_NEWEST, 1_000_000_000L,
            5_000_000_000L, null, Authenticator.OPEN, Throwable::printStackTrace, System.out::println);
    }

    private JunctionClient client()
    {
        final JunctionClient client = JunctionClient.connect(new ClientContext().url("tcp://127.0.0.1:" +
            server.port()).reconnectBackoff(TimeUnit.MILLISECONDS.toNanos(20), TimeUnit.MILLISECONDS.toNanos(200)));
        resources.add(client);
        clients.add(client);
        return client;
    }

    /**
     * A member on a connection of its own; lossless in the daemon (BACK_PRESSURE), so every message the switch
     * accepted reaches a member.
     */
    private Member remoteMember(final String pattern)
    {
        final Member member = new Member();
        member.client = client();
        member.subscription = member.client.subscribe(pattern, member, ClientSubscriptionOptions.defaults()
            .queueGroup(GROUP).slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE));
        return member;
    }

    @Test
    void threeMembersOnThreeConnectionsAndAnEmbeddedOneShareEveryMessageOnce() throws Exception
    {
        start();
        final List<Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            members.add(remoteMember("jobs.>"));
        }
        pollUntil(() -> members.stream().allMatch((m) -> m.subscription.isInEffect()), "subscribed");
        final Member embedded = new Member();
        final Subscription local = junction.subscribe("jobs.>", embedded, SubscriptionOptions.defaults()
            .queueGroup(GROUP).slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE));
        resources.add(local);
        // Outside the group, on the same pattern: it gets every message.
        final Member everything = new Member();
        final ClientSubscription all = client().subscribe("jobs.>", (message) -> everything.count.incrementAndGet(),
            ClientSubscriptionOptions.defaults().slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE));
        pollUntil(all::isInEffect, "the ungrouped subscription");

        final int published = 6_000;
        publish(0, published);
        pollUntil(() -> total(members) + embedded.count.get() == published && everything.count.get() == published,
            () -> "received " + total(members) + " + " + embedded.count.get() + " of " + published + " in the group, " +
            everything.count.get() + " outside it");

        for (final Member member : members)
        {
            assertTrue(member.count.get() > 0, "every remote member took a share: " + counts(members));
        }
        assertTrue(embedded.count.get() > 0, "the embedded member took a share");
        assertEquals(published, arrivals.size(), "every message arrived");
        assertTrue(arrivals.values().stream().allMatch((n) -> n == 1), "no message arrived twice");
        assertEquals(0, counter("protocol subscriber messages dropped"));
    }

    @Test
    void aMemberWhoseConnectionClosesMidStreamLeavesAndTheOthersTakeEverythingFromThenOn() throws Exception
    {
        start();
        final List<Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            members.add(remoteMember("jobs.>"));
        }
        pollUntil(() -> members.stream().allMatch((m) -> m.subscription.isInEffect()), "subscribed");
        final Member leaver = members.get(2);
        final List<Member> stayers = members.subList(0, 2);

        final int first = 3_000;
        publish(0, first);
        pollUntil(() -> arrivals.size() == first, () -> arrivals.size() + " of " + first);
        assertTrue(leaver.count.get() > 0, "the leaver took a share: " + counts(members));

        // Mid-stream: the leaver stops reading, so what it is given stays on its way (its connection's send buffer),
        // then its connection closes; the stream goes on.
        clients.remove(leaver.client);
        final int second = 500;
        publish(first, second);
        leaver.client.close();
        final long leaverTook = leaver.count.get();
        await().atMost(TIMEOUT).until(() -> counter("protocol remote subscriptions") == 2);

        final int third = 5_000;
        final int published = first + second + third;
        publish(first + second, third);
        pollUntil(() -> arrivedFrom(first + second, published) == third,
            () -> arrivedFrom(first + second, published) + " of the " + third + " published after the leave; " +
            "members " + counts(members));

        assertEquals(leaverTook, leaver.count.get(), "nothing reaches a closed member");
        for (final Member member : stayers)
        {
            assertTrue(member.count.get() > first / 3 + third / 3, "each remaining member took a share: " +
                counts(stayers));
        }
        assertTrue(arrivals.values().stream().allMatch((n) -> n == 1), "no message arrived twice");
        // Only what was on its way to the leaver while it did not read can be missing: at most its turns of the
        // middle run, never a message given to a member still connected.
        final long missing = published - arrivals.size();
        assertTrue(missing <= second / 2, () -> missing + " missing of the " + second + " sent while it did not read");
        assertEquals(published - missing, total(members));
        assertEquals(0, counter("protocol subscriber messages dropped"));
    }

    @Test
    void membersJoiningWhileTrafficFlowsLoseNothing() throws Exception
    {
        start();
        final List<Member> members = new ArrayList<>();
        members.add(remoteMember("jobs.>"));
        pollUntil(members.get(0).subscription::isInEffect, "the first member");

        // Each joins while messages flow: what the group gives it before its SUBSCRIBED is out still reaches it.
        long published = 0;
        for (int i = 0; i < 4; i++)
        {
            final Member joiner = remoteMember("jobs.>");
            members.add(joiner);
            while (!joiner.subscription.isInEffect())
            {
                publish(published, 50);
                published += 50;
            }
            publish(published, 500);
            published += 500;
        }
        final long total = published;
        pollUntil(() -> arrivals.size() == total, () -> arrivals.size() + " of " + total + ", members " +
            counts(members) + ", dropped " + counter("protocol subscriber messages dropped"));
        assertTrue(arrivals.values().stream().allMatch((n) -> n == 1), "no message arrived twice");
        assertEquals(total, total(members));
        for (final Member member : members)
        {
            assertTrue(member.count.get() > 0, "every member took a share: " + counts(members));
        }
    }

    @Test
    void aClientResubscribesInTheSameGroupAfterAReconnect() throws Exception
    {
        start();
        final int port = server.port();
        final Member remote = remoteMember("jobs.>");
        pollUntil(remote.subscription::isInEffect, "subscribed");
        final Member embedded = new Member();
        resources.add(junction.subscribe("jobs.>", embedded, SubscriptionOptions.defaults().queueGroup(GROUP)
            .slowSubscriberPolicy(SlowSubscriberPolicy.BACK_PRESSURE)));

        // The server goes away and comes back on the same port: the client reconnects and subscribes again.
        server.close();
        pollUntil(() -> !remote.client.isConnected(), "disconnected");
        server = server(new CountersManager(new UnsafeBuffer(new byte[512 * 1024]),
            new UnsafeBuffer(new byte[128 * 1024])), port);
        pollUntil(() -> remote.client.isConnected() && remote.subscription.isInEffect(), "resubscribed");

        final int published = 2_000;
        publish(0, published);
        pollUntil(() -> remote.count.get() + embedded.count.get() == published,
            () -> remote.count.get() + " + " + embedded.count.get() + " of " + published);
        // In the group again: it shares with the embedded member rather than getting every message.
        assertTrue(remote.count.get() > 0 && embedded.count.get() > 0,
            () -> remote.count.get() + " and " + embedded.count.get());
        assertEquals(published, arrivals.size());
        assertTrue(arrivals.values().stream().allMatch((n) -> n == 1), "no message arrived twice");
    }

    @Test
    void anInvalidGroupNameIsRefusedNamingTheField() throws Exception
    {
        start();
        assertThrows(IllegalArgumentException.class, () -> ClientSubscriptionOptions.defaults().queueGroup("a b"));

        // Past the client's own check, on the wire: the daemon names the field.
        final FrameRecorder raw = new FrameRecorder(new ProtocolClient("127.0.0.1", server.port(), "raw"));
        resources.add(raw);
        final long badFramesBefore = counter("protocol bad frames");
        raw.client.subscribe("jobs.>", null, -1, "no spaces");
        raw.client.flush();
        await().atMost(TIMEOUT).until(() -> !raw.errors.isEmpty());
        assertTrue(raw.errors.get(0).startsWith(ErrorCode.INVALID_FIELD + " field 'queueGroup' refused"),
            raw.errors::toString);
        assertEquals(badFramesBefore + 1, counter("protocol bad frames"));
        assertFalse(raw.subscribed);
    }

    private void publish(final long from, final int count)
    {
        for (long i = from; i < from + count; i++)
        {
            payload.putLong(0, i);
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (junction.offer(i % 2 == 0 ? "jobs.a" : "jobs.b", Priority.NORMAL, payload, 0, 8) < 0)
            {
                // Back pressure from a lossless member: let the clients read, then offer again.
                pollClients();
                assertTrue(System.nanoTime() - deadline < 0, "offer " + i + " not accepted within " + TIMEOUT);
            }
            if (0 == (i & 63))
            {
                pollClients();
            }
        }
    }

    private long arrivedFrom(final long from, final long to)
    {
        return arrivals.keySet().stream().filter((i) -> i >= from && i < to).count();
    }

    private static long total(final List<Member> members)
    {
        return members.stream().mapToLong((m) -> m.count.get()).sum();
    }

    private static String counts(final List<Member> members)
    {
        return members.stream().map((m) -> Long.toString(m.count.get())).toList().toString();
    }

    private int pollClients()
    {
        int work = 0;
        for (final JunctionClient client : clients)
        {
            work += client.poll();
        }
        return work;
    }

    private void pollUntil(final BooleanSupplier condition, final String what)
    {
        pollUntil(condition, () -> what);
    }

    private void pollUntil(final BooleanSupplier condition, final java.util.function.Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not within " + TIMEOUT + ": " + what.get());
            }
            if (0 == pollClients())
            {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    private String dump()
    {
        final StringBuilder text = new StringBuilder();
        counters.forEach((id, typeId, key, label) -> text.append(label).append('=')
            .append(counters.getCounterValue(id)).append("; "));
        return text.toString();
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

    /**
     * One member: counts what it takes and records each message's index.
     */
    private final class Member implements MessageHandler
    {
        final AtomicLong count = new AtomicLong();
        JunctionClient client;
        ClientSubscription subscription;

        @Override
        public void onMessage(final Message message)
        {
            count.incrementAndGet();
            arrivals.merge(message.buffer().getLong(message.offset()), 1, Integer::sum);
        }
    }
}
