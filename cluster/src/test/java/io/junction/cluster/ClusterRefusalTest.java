package io.junction.cluster;

import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.RejectReason;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.DisconnectReason;
import io.junction.client.JunctionClient;
import io.junction.protocol.ProtocolFrames;
import io.junction.protocol.codecs.ErrorCode;
import io.junction.protocol.codecs.MessageHeaderEncoder;
import io.junction.protocol.codecs.PriorityCode;
import io.junction.protocol.codecs.PublishEncoder;
import io.junction.protocol.codecs.QualityOfServiceCode;
import io.junction.protocol.codecs.ReplayEncoder;
import io.junction.protocol.codecs.StartPositionKind;
import io.junction.protocol.codecs.SubscribedEncoder;
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

        // Wrong secret: the connect is refused and counted, and the client does not retry it.
        final JunctionClient wrong = harness.newClient(new ClientContext().instance("wrong")
            .credentials("alice", "wrong".toCharArray()));
        harness.pollUntil(TIMEOUT, () -> DisconnectReason.AUTHENTICATION_FAILED == wrong.disconnectReason(), wrong);
        assertTrue(authenticationRejected.get() >= 1);

        final ClientOutcomes outcomes = new ClientOutcomes();
        final RawFrames raw = new RawFrames(harness.transport((ctx) -> {}));
        final JunctionClient alice = harness.newClient(outcomes.context("app").credentials("alice",
            "s3cret".toCharArray()), raw);
        harness.pollUntil(TIMEOUT, alice::isConnected, alice);
        assertEquals("alice/app", alice.publisher());

        // Not allowed: publish outside orders.>, subscribe wider than orders.*.
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[2048]);
        final long deniedPublish = alice.offer("admin.shutdown", Priority.CRITICAL, QualityOfService.GUARANTEED,
            payload, 0, 8);
        final ClientSubscription denied = alice.subscribe("orders.>", (message) -> {});
        harness.pollUntil(TIMEOUT, () -> outcomes.refused.size() == 1 && !denied.isActive(), alice);
        assertEquals(List.of("NOT_AUTHORISED:" + deniedPublish), outcomes.refused);
        assertEquals(List.of("NOT_AUTHORISED:" + denied.id()), raw.errors);
        assertTrue(denied.endReason().startsWith("NOT_AUTHORISED"), denied.endReason());
        assertEquals(0, alice.inFlight(), "a refused publish is not resent");

        // An invalid topic through the client API is refused by the cluster; an oversized payload by the client,
        // which knows the cluster's limit from WELCOME.
        outcomes.refused.clear();
        final long badTopic = alice.offer("orders..eu", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, 8);
        assertEquals(OfferResult.rejected(RejectReason.PAYLOAD_TOO_LARGE),
            alice.offer("orders.eu", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, 1100));
        harness.pollUntil(TIMEOUT, () -> outcomes.refused.size() == 1, alice);
        assertEquals(List.of("REJECTED:" + badTopic), outcomes.refused);
        assertEquals(0, alice.inFlight(), "a refused publish is not resent");

        // Raw bad frames, each answered with an ERROR naming the problem (correlation -1 where none is known).
        raw.errors.clear();
        raw.refused.clear();
        final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(4096);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final PublishEncoder publish = new PublishEncoder();
        final int publishLength = encodePublish(frame, header, publish, 1_000_000, payload, 16);
        offerRaw(alice, raw, frame, publishLength - 5);                  // truncated
        offerRaw(alice, raw, frame, 3);                                  // shorter than a header
        final UnsafeBuffer garbage = new UnsafeBuffer(new byte[64]);
        garbage.setMemory(0, 64, (byte)0x7F);
        offerRaw(alice, raw, garbage, 64);                               // another schema
        final int replayLength = MessageHeaderEncoder.ENCODED_LENGTH + ReplayEncoder.BLOCK_LENGTH;
        new ReplayEncoder().wrapAndApplyHeader(frame, 0, header);
        frame.putShort(2, (short)77);                                    // unknown template
        offerRaw(alice, raw, frame, replayLength);
        new ReplayEncoder().wrapAndApplyHeader(frame, 0, header);
        frame.putShort(6, (short)(ProtocolFrames.VERSION + 1));          // from the future
        offerRaw(alice, raw, frame, replayLength);
        final int subscribedLength = MessageHeaderEncoder.ENCODED_LENGTH +
            new SubscribedEncoder().wrapAndApplyHeader(frame, 0, header).subscriptionId(1).startSequence(0)
            .pattern("x").encodedLength();
        offerRaw(alice, raw, frame, subscribedLength);                   // a server's frame sent as a request
        final int badPriorityLength = encodePublish(frame, header, publish, 1_000_001, payload, 1);
        frame.putByte(MessageHeaderEncoder.ENCODED_LENGTH + PublishEncoder.priorityEncodingOffset(), (byte)9);
        offerRaw(alice, raw, frame, badPriorityLength);                  // priority out of range
        new ReplayEncoder().wrapAndApplyHeader(frame, 0, header).subscriptionId(12345)
            .startPositionKind(StartPositionKind.EARLIEST).startPositionValue(0);
        offerRaw(alice, raw, frame, replayLength);                       // no such subscription
        offerRaw(alice, raw, frame, encodePublish(frame, header, publish, 1_000_002, payload, 2000)); // frame too large
        harness.pollUntil(TIMEOUT, () -> raw.errors.size() >= 9, alice);
        assertEquals(List.of(
            "MALFORMED_FRAME:-1", "MALFORMED_FRAME:-1", "UNKNOWN_SCHEMA:-1", "UNKNOWN_TEMPLATE:-1",
            "UNSUPPORTED_VERSION:-1", "UNKNOWN_TEMPLATE:-1", "INVALID_FIELD:-1", "UNKNOWN_SUBSCRIPTION:12345",
            "FRAME_TOO_LARGE:-1"), raw.errors);
        // A payload over the cluster's limit in a frame that is not too long: the member refuses the publish.
        offerRaw(alice, raw, frame, encodePublish(frame, header, publish, 1_000_003, payload, 1100));
        harness.pollUntil(TIMEOUT, () -> raw.refused.size() == 1, alice);
        assertEquals(List.of("REJECTED:1000003"), raw.refused);
        assertTrue(alice.isConnected(), "bad frames do not end the session");

        // Every member counted every refusal (the log is the same everywhere) and still serves.
        final long acksBefore = outcomes.acked;
        ClusterAcceptanceTest.publishInt(alice, "orders.eu", 42);
        harness.pollUntil(TIMEOUT, () -> outcomes.acked == acksBefore + 1, alice);
        harness.awaitCondition(TIMEOUT, () -> harness.running().stream().allMatch((node) ->
            node.service().counters().protocolRefusals() == 10 && // the subscribe and the 9 frames
            node.service().counters().errors(ErrorCode.NOT_AUTHORISED) == 2 &&
            node.service().counters().errors(ErrorCode.INVALID_TOPIC) == 1 &&
            node.service().counters().errors(ErrorCode.PAYLOAD_TOO_LARGE) == 1 &&
            node.service().counters().published() == 1));
        assertEquals(1, leader.service().appliedSequence());
    }

    /**
     * A guaranteed PUBLISH to orders.eu with the test's own publisher sequence.
     *
     * @return its length.
     */
    private static int encodePublish(
        final ExpandableArrayBuffer frame, final MessageHeaderEncoder header, final PublishEncoder publish,
        final long publisherSequence, final UnsafeBuffer payload, final int payloadLength)
    {
        publish.wrapAndApplyHeader(frame, 0, header).publisherSequence(publisherSequence)
            .priority(PriorityCode.NORMAL).qualityOfService(QualityOfServiceCode.GUARANTEED).ttlNs(0).correlationId(0)
            .key(0).topic("orders.eu").putPayload(payload, 0, payloadLength).replyTo("");
        return MessageHeaderEncoder.ENCODED_LENGTH + publish.encodedLength();
    }

    private void offerRaw(
        final JunctionClient client, final RawFrames raw, final org.agrona.DirectBuffer buffer, final int length)
    {
        harness.pollUntil(TIMEOUT, () -> raw.offer(buffer, 0, length), client);
    }
}
