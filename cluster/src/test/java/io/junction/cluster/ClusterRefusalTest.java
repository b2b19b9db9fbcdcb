package io.junction.cluster;

import io.aeron.exceptions.AeronException;
import io.junction.Priority;
import io.junction.cluster.client.JunctionClient;
import io.junction.cluster.codecs.ErrorCode;
import io.junction.cluster.codecs.MessageHeaderEncoder;
import io.junction.cluster.codecs.PriorityCode;
import io.junction.cluster.codecs.PublishEncoder;
import io.junction.cluster.codecs.ResumeEncoder;
import io.junction.cluster.codecs.SubscribeAckEncoder;
import io.junction.cluster.codecs.SubscribeDecoder;
import io.junction.security.ConfiguredAuthenticator;
import io.junction.security.PasswordHash;
import io.junction.security.PatternPermissions;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance (5): bad frames and unauthorised requests are refused with an error and counted, and the cluster
 * keeps serving.
 */
@Tag("slow")
class ClusterRefusalTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(40);

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
    void refusesBadFramesAndUnauthorisedRequestsWithErrorsAndCounters()
    {
        final AtomicLong authenticationRejected = new AtomicLong();
        final ConfiguredAuthenticator credentials = ConfiguredAuthenticator.builder()
            .user("alice", PasswordHash.parse(PasswordHash.create("s3cret".toCharArray(), 5_000).encoded()))
            .grant("alice", PatternPermissions.of(List.of("orders.>"), List.of("orders.*")))
            .build();
        harness = new ClusterHarness(tempDir, 21_200, 3, (ctx) -> ctx
            .authenticatorSupplier(() -> new CredentialsAuthenticator(credentials, true, authenticationRejected))
            .permissions(credentials)
            .maxPayloadLength(1024))
            .startAll(true);
        final ClusterNode leader = harness.awaitLeader(TIMEOUT);

        // Wrong secret: the connect is refused and counted.
        assertThrows(AeronException.class, () -> harness.newClient((ctx) -> ctx
            .credentials(CredentialsAuthenticator.encode("alice", "wrong"))
            .connectTimeoutNs(ClusterHarness.secondsToNanos(5))));
        assertTrue(authenticationRejected.get() >= 1);

        final ClusterAcceptanceTest.AckCounter outcomes = new ClusterAcceptanceTest.AckCounter();
        final JunctionClient alice = harness.newClient((ctx) -> ctx
            .credentials(CredentialsAuthenticator.encode("alice", "s3cret"))
            .listener(outcomes));

        // Not allowed: publish outside orders.>, subscribe wider than orders.*.
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[2048]);
        final long deniedPublish = alice.publish("admin.shutdown", Priority.CRITICAL, payload, 0, 8);
        alice.subscribe("orders.>", (topic, sequence, priority, buffer, offset, length) -> {});
        awaitErrors(alice, outcomes, 2);
        assertEquals(List.of("NOT_AUTHORISED:" + deniedPublish, "NOT_AUTHORISED:1"), outcomes.errors);
        assertEquals(0, alice.inFlight(), "a refused publish is not resent");

        // Invalid topic and oversized payload through the client API.
        outcomes.errors.clear();
        final long badTopic = alice.publish("orders..eu", Priority.NORMAL, payload, 0, 8);
        final long tooLarge = alice.publish("orders.eu", Priority.NORMAL, payload, 0, 1100);
        final long frameTooLarge = alice.publish("orders.eu", Priority.NORMAL, payload, 0, 2000);
        awaitErrors(alice, outcomes, 3);
        assertEquals(List.of("INVALID_TOPIC:" + badTopic, "PAYLOAD_TOO_LARGE:" + tooLarge,
            "FRAME_TOO_LARGE:" + frameTooLarge), outcomes.errors);
        assertEquals(0, alice.inFlight(), "a refused publish is not resent");

        // Raw bad frames.
        outcomes.errors.clear();
        final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(256);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final PublishEncoder publish = new PublishEncoder();
        publish.wrapAndApplyHeader(frame, 0, header).publisherId(99).publisherSequence(1)
            .priority(PriorityCode.NORMAL).topic("orders.eu").putPayload(payload, 0, 16);
        final int publishLength = MessageHeaderEncoder.ENCODED_LENGTH + publish.encodedLength();
        offerRaw(alice, frame, publishLength - 5);                       // truncated
        offerRaw(alice, frame, 3);                                      // shorter than a header
        final UnsafeBuffer garbage = new UnsafeBuffer(new byte[64]);
        garbage.setMemory(0, 64, (byte)0x7F);
        offerRaw(alice, garbage, 64);                                   // unknown schema
        new ResumeEncoder().wrapAndApplyHeader(frame, 0, header);
        frame.putShort(2, (short)77);                                   // unknown template
        offerRaw(alice, frame, MessageHeaderEncoder.ENCODED_LENGTH + ResumeEncoder.BLOCK_LENGTH);
        new ResumeEncoder().wrapAndApplyHeader(frame, 0, header);
        frame.putShort(6, (short)(WireFrames.SCHEMA_VERSION + 1));      // from the future
        offerRaw(alice, frame, MessageHeaderEncoder.ENCODED_LENGTH + ResumeEncoder.BLOCK_LENGTH);
        new SubscribeAckEncoder().wrapAndApplyHeader(frame, 0, header); // egress message sent as a request
        offerRaw(alice, frame, MessageHeaderEncoder.ENCODED_LENGTH + SubscribeAckEncoder.BLOCK_LENGTH);
        publish.wrapAndApplyHeader(frame, 0, header).publisherId(99).publisherSequence(2);
        frame.putByte(MessageHeaderEncoder.ENCODED_LENGTH + 16, (byte)9); // priority out of range
        publish.topic("orders.eu").putPayload(payload, 0, 1);
        offerRaw(alice, frame, MessageHeaderEncoder.ENCODED_LENGTH + publish.encodedLength());
        new ResumeEncoder().wrapAndApplyHeader(frame, 0, header).subscriptionId(12345).afterSequence(0).afterCount(0);
        offerRaw(alice, frame, MessageHeaderEncoder.ENCODED_LENGTH + ResumeEncoder.BLOCK_LENGTH);

        awaitErrors(alice, outcomes, 8);
        assertEquals(List.of(
            "MALFORMED_FRAME:1", "MALFORMED_FRAME:-1", "UNKNOWN_MESSAGE:-1", "UNKNOWN_MESSAGE:-1",
            "UNSUPPORTED_VERSION:-1", "UNKNOWN_MESSAGE:-1", "INVALID_PRIORITY:2", "UNKNOWN_SUBSCRIPTION:12345"),
            outcomes.errors);

        // Every member counted every refusal (the log is the same everywhere) and still serves.
        final long acksBefore = outcomes.acked;
        ClusterAcceptanceTest.publishInt(alice, "orders.eu", 42);
        harness.pollUntil(TIMEOUT, () -> outcomes.acked == acksBefore + 1, alice);
        harness.awaitCondition(TIMEOUT, () -> harness.running().stream().allMatch((node) ->
            node.service().counters().errors(ErrorCode.MALFORMED_FRAME) == 2 &&
            node.service().counters().errors(ErrorCode.NOT_AUTHORISED) == 2 &&
            node.service().counters().errors(ErrorCode.UNKNOWN_MESSAGE) == 3 &&
            node.service().counters().errors(ErrorCode.UNSUPPORTED_VERSION) == 1 &&
            node.service().counters().errors(ErrorCode.INVALID_TOPIC) == 1 &&
            node.service().counters().errors(ErrorCode.PAYLOAD_TOO_LARGE) == 1 &&
            node.service().counters().errors(ErrorCode.FRAME_TOO_LARGE) == 1 &&
            node.service().counters().errors(ErrorCode.INVALID_PRIORITY) == 1 &&
            node.service().counters().errors(ErrorCode.UNKNOWN_SUBSCRIPTION) == 1 &&
            node.service().counters().published() == 1));
        assertEquals(SubscribeDecoder.TEMPLATE_ID, 3);
        assertTrue(leader.service().appliedSequence() == 1);
    }

    private void offerRaw(final JunctionClient client, final org.agrona.DirectBuffer buffer, final int length)
    {
        harness.pollUntil(TIMEOUT, () -> client.offerRaw(buffer, 0, length), client);
    }

    private void awaitErrors(final JunctionClient client, final ClusterAcceptanceTest.AckCounter outcomes, final int count)
    {
        harness.pollUntil(TIMEOUT, () -> outcomes.errors.size() >= count, client);
    }
}
