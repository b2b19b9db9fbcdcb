package io.junction.cluster;

import io.junction.cluster.client.JunctionClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Remote access to a single node: a 1-member cluster serves the same protocol over Aeron UDP on loopback.
 */
class SingleMemberTest
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
    @Timeout(90)
    void oneMemberServesPublishAndSubscribe()
    {
        harness = new ClusterHarness(tempDir, 21_600, 1, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);

        final List<String> received = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient((ctx) -> {});
        final long handle = harness.subscribe(subscriber, "a.*.c",
            (topic, sequence, priority, buffer, offset, length) -> received.add(topic + "#" + buffer.getInt(offset)),
            TIMEOUT);

        final ClusterAcceptanceTest.AckCounter acks = new ClusterAcceptanceTest.AckCounter();
        final JunctionClient publisher = harness.newClient((ctx) -> ctx.listener(acks));
        ClusterAcceptanceTest.publishInt(publisher, "a.b.c", 1);
        ClusterAcceptanceTest.publishInt(publisher, "a.b.d", 2);
        ClusterAcceptanceTest.publishInt(publisher, "a.x.c", 3);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 3 && received.size() == 2, publisher, subscriber);
        assertEquals(List.of("a.b.c#1", "a.x.c#3"), received);

        subscriber.unsubscribe(handle);
        ClusterAcceptanceTest.publishInt(publisher, "a.b.c", 4);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 4, publisher, subscriber);
        harness.awaitApplied(4, TIMEOUT);
        assertEquals(2, received.size());
    }

    @Test
    @Timeout(90)
    void deliversSmallMessagesInPlaceAndLargeOnesByOffer()
    {
        harness = new ClusterHarness(tempDir, 21_650, 1, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);

        final List<Integer> lengths = new ArrayList<>();
        final List<Byte> lastBytes = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient((ctx) -> {});
        harness.subscribe(subscriber, "blob.>", (topic, sequence, priority, buffer, offset, length) ->
        {
            lengths.add(length);
            lastBytes.add(buffer.getByte(offset + length - 1));
        }, TIMEOUT);

        // Either side of EgressPublisher.MAX_CLAIM_LENGTH, and the largest payload a member takes.
        final int[] payloadLengths = { 16, EgressPublisher.MAX_CLAIM_LENGTH - 100, EgressPublisher.MAX_CLAIM_LENGTH,
            8 * 1024 };
        final ClusterAcceptanceTest.AckCounter acks = new ClusterAcceptanceTest.AckCounter();
        final JunctionClient publisher = harness.newClient((ctx) -> ctx.listener(acks));
        final org.agrona.concurrent.UnsafeBuffer payload = new org.agrona.concurrent.UnsafeBuffer(new byte[8 * 1024]);
        for (final int length : payloadLengths)
        {
            payload.putByte(length - 1, (byte)(length % 127));
            harness.pollUntil(TIMEOUT, () -> publisher.publish("blob.x", io.junction.Priority.NORMAL, payload, 0, length) > 0,
                publisher, subscriber);
        }
        harness.pollUntil(TIMEOUT, () -> acks.acked == payloadLengths.length && lengths.size() == payloadLengths.length,
            publisher, subscriber);
        for (int i = 0; i < payloadLengths.length; i++)
        {
            assertEquals(payloadLengths[i], lengths.get(i));
            assertEquals((byte)(payloadLengths[i] % 127), lastBytes.get(i));
        }
    }
}
