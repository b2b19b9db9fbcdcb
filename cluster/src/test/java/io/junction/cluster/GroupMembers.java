package io.junction.cluster;

import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.QueueGroupDiscipline;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Queue-group members of a test cluster, each a client of its own, and what each received: payloads are an int
 * value and the long key it was published with.
 */
final class GroupMembers
{
    static final int PAYLOAD_LENGTH = 12;

    private final ClusterHarness harness;
    private final Duration timeout;
    final List<Member> members = new ArrayList<>();
    /** Clients polled with the members (the publisher, other subscribers). */
    final List<JunctionClient> others = new ArrayList<>();

    GroupMembers(final ClusterHarness harness, final Duration timeout)
    {
        this.harness = harness;
        this.timeout = timeout;
    }

    static final class Member
    {
        final String name;
        final JunctionClient client;
        ClientSubscription subscription;
        final List<Integer> values = new ArrayList<>();
        final Map<Long, List<Integer>> byKey = new HashMap<>();

        Member(final String name, final JunctionClient client)
        {
            this.name = name;
            this.client = client;
        }
    }

    Member join(final String name, final String pattern, final String group, final QueueGroupDiscipline discipline)
    {
        return join(name, new ClientContext().instance(name), pattern, group, discipline);
    }

    Member join(
        final String name, final ClientContext context, final String pattern, final String group,
        final QueueGroupDiscipline discipline)
    {
        final Member member = new Member(name, harness.newClient(context));
        member.subscription = harness.subscribe(member.client, pattern, (message) ->
        {
            final int value = message.buffer().getInt(message.offset());
            final long key = message.buffer().getLong(message.offset() + 4);
            member.values.add(value);
            member.byKey.computeIfAbsent(key, (k) -> new ArrayList<>()).add(value);
        }, ClientSubscriptionOptions.defaults().queueGroup(group, discipline), timeout);
        members.add(member);
        return member;
    }

    GroupMembers alsoPoll(final JunctionClient client)
    {
        others.add(client);
        return this;
    }

    JunctionClient[] clients()
    {
        final List<JunctionClient> clients = new ArrayList<>(others);
        for (final Member member : members)
        {
            clients.add(member.client);
        }
        return clients.toArray(new JunctionClient[0]);
    }

    int received()
    {
        int received = 0;
        for (final Member member : members)
        {
            received += member.values.size();
        }
        return received;
    }

    /**
     * @return every value received by any member, each as often as it was received.
     */
    List<Integer> all()
    {
        final List<Integer> all = new ArrayList<>();
        for (final Member member : members)
        {
            all.addAll(member.values);
        }
        return all;
    }

    Set<Integer> distinct()
    {
        return new HashSet<>(all());
    }

    /**
     * A guaranteed publish of (value, key) with the key as the keyed groups' key (0: none, the topic decides), with
     * at most 32 awaiting their outcome; polls the members meanwhile.
     */
    void publish(final JunctionClient publisher, final String topic, final int value, final long key)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
        buffer.putInt(0, value);
        buffer.putLong(4, key);
        if (!others.contains(publisher))
        {
            others.add(publisher);
        }
        final JunctionClient[] clients = clients();
        harness.pollUntil(timeout, () -> publisher.inFlight() < 32 &&
            publisher.offer(topic, key, Priority.NORMAL, QualityOfService.GUARANTEED, buffer, 0, PAYLOAD_LENGTH) > 0,
            clients);
        publisher.poll();
    }

    void pollUntil(final java.util.function.BooleanSupplier condition, final JunctionClient... also)
    {
        final JunctionClient[] clients = clients();
        final JunctionClient[] toPoll = new JunctionClient[clients.length + also.length];
        System.arraycopy(clients, 0, toPoll, 0, clients.length);
        System.arraycopy(also, 0, toPoll, clients.length, also.length);
        try
        {
            harness.pollUntil(timeout, condition, toPoll);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError(ex.getMessage() + ": " + describe(), ex);
        }
    }

    String describe()
    {
        final StringBuilder text = new StringBuilder();
        for (final Member member : members)
        {
            text.append(member.name).append(' ').append(member.values.size()).append(" received (")
                .append(member.subscription.isInEffect() ? "in effect" : "not in effect").append(", connects ")
                .append(member.client.statistics().connects()).append(") ");
        }
        return text.toString();
    }
}
