package io.junction.cluster;

import io.junction.client.JunctionClient;
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
        final JunctionClient subscriber = harness.newClient(new io.junction.client.ClientContext().instance("sub"));
        final io.junction.client.ClientSubscription handle = harness.subscribe(subscriber, "a.*.c",
            (message) -> received.add(message.topic() + "#" + message.buffer().getInt(message.offset())),
            TIMEOUT);

        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        ClusterAcceptanceTest.publishInt(publisher, "a.b.c", 1);
        ClusterAcceptanceTest.publishInt(publisher, "a.b.d", 2);
        ClusterAcceptanceTest.publishInt(publisher, "a.x.c", 3);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 3 && received.size() == 2, publisher, subscriber);
        assertEquals(List.of("a.b.c#1", "a.x.c#3"), received);

        handle.close();
        ClusterAcceptanceTest.publishInt(publisher, "a.b.c", 4);
        harness.pollUntil(TIMEOUT, () -> acks.acked == 4, publisher, subscriber);
        harness.awaitApplied(4, TIMEOUT);
        assertEquals(2, received.size());
    }

    @Test
    @Timeout(90)
    void deliversMessagesEitherSideOfTheMtuAndTheLargestPayload()
    {
        harness = new ClusterHarness(tempDir, 21_650, 1, (ctx) -> {}).startAll(true);
        harness.awaitLeader(TIMEOUT);

        final List<Integer> lengths = new ArrayList<>();
        final List<Byte> lastBytes = new ArrayList<>();
        final JunctionClient subscriber = harness.newClient(new io.junction.client.ClientContext().instance("sub"));
        harness.subscribe(subscriber, "blob.>", (message) ->
        {
            lengths.add(message.length());
            lastBytes.add(message.buffer().getByte(message.offset() + message.length() - 1));
        }, TIMEOUT);

        // Within one datagram, either side of the default MTU (1408 bytes), and the largest payload a member takes.
        final int[] payloadLengths = { 16, 1300, 1500, 8 * 1024 };
        final ClientOutcomes acks = new ClientOutcomes();
        final JunctionClient publisher = harness.newClient(acks.context("pub"));
        final org.agrona.concurrent.UnsafeBuffer payload = new org.agrona.concurrent.UnsafeBuffer(new byte[8 * 1024]);
        for (final int length : payloadLengths)
        {
            payload.putByte(length - 1, (byte)(length % 127));
            harness.pollUntil(TIMEOUT, () -> publisher.offer("blob.x", io.junction.Priority.NORMAL,
                io.junction.QualityOfService.GUARANTEED, payload, 0, length) > 0,
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
