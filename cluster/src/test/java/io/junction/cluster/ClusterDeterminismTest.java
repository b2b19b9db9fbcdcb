package io.junction.cluster;

import io.junction.Message;
import io.junction.MessageHandler;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.ReplyListener;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.protocol.codecs.PublishEncoder;
import io.junction.protocol.codecs.QualityOfServiceCode;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every member makes the same decisions from the same log: after a mix of subscribes, unsubscribes, durable
 * acknowledgements, publishes on several topics and priorities from two publishers, resends of publishes already
 * in the log, refused publishes, requests answered through the switch and a replaying subscription, the snapshot
 * each member takes at the same log position is the same byte for byte, and so is each member's journal.
 */
@Tag("slow")
class ClusterDeterminismTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(40);
    private static final String[] TOPICS = { "orders.eu.fx", "orders.us.eq", "prices.fx", "misc.z", "orders.eu.eq" };

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
    void membersTakeIdenticalSnapshotsAndKeepIdenticalJournals()
    {
        harness = new ClusterHarness(tempDir, 21_800, 3, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);

        final JunctionClient subscriber = harness.newClient(new ClientContext().instance("sub"));
        final List<String> received = new ArrayList<>();
        final MessageHandler record = (message) -> received.add(message.topic() + "@" + message.sequence());
        harness.subscribe(subscriber, "orders.>", record, TIMEOUT);
        final ClientSubscription durable = subscriber.subscribe("orders.eu.*", record,
            ClientSubscriptionOptions.defaults().durable("eu-audit"));
        final ClientSubscription prices = subscriber.subscribe("prices.*", record);
        harness.pollUntil(TIMEOUT, () -> durable.isInEffect() && prices.isInEffect(), subscriber);

        // Two publishers numbering from 1; publisher B's transport also sends frames of the test's own.
        final ClientOutcomes first = new ClientOutcomes();
        final ClientOutcomes second = new ClientOutcomes();
        final JunctionClient publisherA = harness.newClient(first.context("a").initialPublisherSequence(1));
        final RawFrames rawB = new RawFrames(harness.transport((ctx) -> {}));
        final JunctionClient publisherB = harness.newClient(second.context("b").initialPublisherSequence(1), rawB);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final int count = 240;
        for (int i = 1; i <= count; i++)
        {
            payload.putInt(0, i);
            final JunctionClient publisher = i % 4 == 0 ? publisherB : publisherA;
            publish(publisher, TOPICS[i % TOPICS.length], Priority.get(i % 4), payload, 4 + (i % 50),
                subscriber, publisherA, publisherB);
            if (i == count / 2)
            {
                prices.close();
                final long acknowledged = i / 3;
                harness.pollUntil(TIMEOUT, () -> durable.ack(acknowledged), subscriber);
            }
        }
        harness.pollUntil(TIMEOUT, () -> first.acked + second.acked == count, publisherA, publisherB, subscriber);

        // Resends of publishes the log already has (publisher b, sequences 1 and 2) are answered as such.
        final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(256);
        for (int sequence = 1; sequence <= 2; sequence++)
        {
            final PublishEncoder encoder = new PublishEncoder().wrapAndApplyHeader(frame, 0, new MessageHeaderEncoder())
                .publisherSequence(sequence).priority(PriorityCode.NORMAL)
                .qualityOfService(QualityOfServiceCode.GUARANTEED).ttlNs(0).correlationId(0).key(0)
                .topic("orders.eu.fx").putPayload(payload, 0, 8).replyTo("");
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
            harness.pollUntil(TIMEOUT, () -> rawB.offer(frame, 0, length), publisherB);
        }
        harness.pollUntil(TIMEOUT, () -> rawB.duplicates == 2, publisherA, publisherB, subscriber);

        // A refused request and a second durable subscription that resumes from the acknowledged position.
        publisherA.offer("orders..bad", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, 4);
        harness.pollUntil(TIMEOUT, () -> first.refused.size() == 1, publisherA);
        final JunctionClient late = harness.newClient(new ClientContext().instance("late"));
        final List<String> replayed = new ArrayList<>();
        final ClientSubscription lateDurable = late.subscribe("orders.eu.*",
            (message) -> replayed.add(message.topic() + "@" + message.sequence()),
            ClientSubscriptionOptions.defaults().durable("eu-audit"));
        harness.pollUntil(TIMEOUT, () -> lateDurable.isInEffect() && !replayed.isEmpty(), late, subscriber);

        final long lastSequence = Math.max(first.lastSequence, second.lastSequence);
        assertEquals(count, lastSequence, "each publish sequenced once");

        // Requests through the replicated switch: publisher a answers on svc.echo, publisher b asks; each reply
        // reaches b's inbox (a subscription, so in the snapshot) under its request's correlation id.
        harness.subscribe(publisherA, "svc.echo", (request) ->
            publisherA.reply(request, Priority.NORMAL, request.buffer(), request.offset(), request.length()), TIMEOUT);
        final int requests = 3;
        final List<Long> answered = new ArrayList<>();
        final ReplyListener replies = new ReplyListener()
        {
            public void onReply(final long requestId, final Message reply)
            {
                answered.add(requestId);
            }

            public void onTimedOut(final long requestId)
            {
                answered.add(-requestId);
            }
        };
        final List<Long> asked = new ArrayList<>();
        for (int i = 0; i < requests; i++)
        {
            payload.putInt(0, 1000 + i);
            asked.add(publisherB.request("svc.echo", Priority.HIGH, payload, 0, 8, TimeUnit.SECONDS.toNanos(30),
                replies));
        }
        harness.pollUntil(TIMEOUT, () -> answered.size() == requests, publisherA, publisherB, subscriber, late);
        assertEquals(asked, answered, "every request answered, in order, matched by correlation id");
        final long applied = count + 2 * requests; // the requests and their replies are in the log too
        harness.awaitApplied(applied, TIMEOUT);
        harness.takeSnapshot(TIMEOUT);

        final byte[] snapshot0 = SnapshotBytes.latest(harness.node(0), TIMEOUT);
        final byte[] snapshot1 = SnapshotBytes.latest(harness.node(1), TIMEOUT);
        final byte[] snapshot2 = SnapshotBytes.latest(harness.node(2), TIMEOUT);
        assertTrue(contains(snapshot0, "eu-audit") && contains(snapshot0, "orders.>") && contains(snapshot0, "_INBOX."),
            "the snapshot holds the subscriptions and durable names");
        assertArrayEquals(snapshot0, snapshot1, "member 1's snapshot differs from member 0's");
        assertArrayEquals(snapshot0, snapshot2, "member 2's snapshot differs from member 0's");

        // A follower restarted from its snapshot and log (routes made again from the snapshot, journal reopened)
        // goes on deciding as the others do.
        final int follower = harness.awaitLeader(TIMEOUT).memberId() == 2 ? 1 : 2;
        harness.stop(follower);
        harness.start(follower, false);
        final int more = 30;
        for (int i = count + 1; i <= count + more; i++)
        {
            payload.putInt(0, i);
            publish(publisherA, TOPICS[i % TOPICS.length], Priority.get(i % 4), payload, 4 + (i % 50),
                subscriber, publisherA, late);
        }
        harness.pollUntil(TIMEOUT, () -> first.acked + second.acked == count + more, publisherA, publisherB,
            subscriber, late);
        harness.awaitApplied(applied + more, TIMEOUT);
        assertTrue(harness.node(follower).service().restoredFromSnapshot());
        harness.takeSnapshot(TIMEOUT);
        final byte[] again0 = SnapshotBytes.latest(harness.node(0), TIMEOUT);
        assertTrue(again0.length > 0 && !java.util.Arrays.equals(again0, snapshot0), "a later snapshot");
        assertArrayEquals(again0, SnapshotBytes.latest(harness.node(1), TIMEOUT), "after a restart, member 1");
        assertArrayEquals(again0, SnapshotBytes.latest(harness.node(2), TIMEOUT), "after a restart, member 2");

        harness.stopAll();
        final List<String> journal0 = JournalReader.entries(harness.journalDir(0));
        assertEquals(applied + more, journal0.size());
        assertEquals(journal0, JournalReader.entries(harness.journalDir(1)));
        assertEquals(journal0, JournalReader.entries(harness.journalDir(2)));
    }

    private void publish(
        final JunctionClient publisher,
        final String topic,
        final Priority priority,
        final UnsafeBuffer payload,
        final int length,
        final JunctionClient... toPoll)
    {
        harness.pollUntil(TIMEOUT, () -> publisher.inFlight() < 32 &&
            publisher.offer(topic, priority, QualityOfService.GUARANTEED, payload, 0, length) > 0, toPoll);
    }

    private static boolean contains(final byte[] bytes, final String text)
    {
        return new String(bytes, StandardCharsets.ISO_8859_1).contains(text);
    }
}
