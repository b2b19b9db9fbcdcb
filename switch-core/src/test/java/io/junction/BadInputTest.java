package io.junction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.junction.TestSupport.Collector;

/**
 * Every kind of bad input is refused with its reason and counted, and never reaches a ring.
 */
@ExtendWith(TestSupport.NoLeakedThreads.class)
class BadInputTest
{
    private static final int MAX_MESSAGE_LENGTH = 64;

    private Junction junction;
    private final Collector everything = new Collector();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);

    @BeforeEach
    void start()
    {
        junction = Junction.launch(TestSupport.context()
            .threadingMode(ThreadingMode.INVOKER)
            .maxMessageLength(MAX_MESSAGE_LENGTH)
            .maxTopicLength(40)
            .maxTopicTokens(4));
        junction.subscribe(">", everything);
        junction.doWork();
    }

    @AfterEach
    void close()
    {
        junction.close();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                          | EMPTY_TOPIC",
        "'a..b'                                      | EMPTY_TOKEN",
        "'.a'                                        | EMPTY_TOKEN",
        "'a.'                                        | EMPTY_TOKEN",
        "'a.b.c.d.e'                                 | TOO_MANY_TOKENS",
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' | TOPIC_TOO_LONG",
        "'a b'                                       | ILLEGAL_CHARACTER",
        "'caf\u00e9'                                 | ILLEGAL_CHARACTER",
        "'a.*'                                       | WILDCARD_IN_TOPIC",
        "'a.>'                                       | WILDCARD_IN_TOPIC",
    })
    void rejectsBadTopics(final String topic, final RejectReason reason)
    {
        assertRejected(reason, junction.offer(topic, Priority.NORMAL, buffer, 0, 8));
    }

    @Test
    void rejectsNullTopic()
    {
        assertRejected(RejectReason.EMPTY_TOPIC, junction.offer(null, Priority.NORMAL, buffer, 0, 8));
    }

    @Test
    void rejectsOversizedPayload()
    {
        assertRejected(RejectReason.PAYLOAD_TOO_LARGE,
            junction.offer("a.b", Priority.NORMAL, buffer, 0, MAX_MESSAGE_LENGTH + 1));
    }

    @Test
    void rejectsBufferRangesOutsideTheBuffer()
    {
        assertRejected(RejectReason.INVALID_BUFFER_RANGE, junction.offer("a.b", Priority.NORMAL, buffer, -1, 8));
        assertRejected(RejectReason.INVALID_BUFFER_RANGE, junction.offer("a.b", Priority.NORMAL, buffer, 0, -1));
        assertRejected(RejectReason.INVALID_BUFFER_RANGE, junction.offer("a.b", Priority.NORMAL, buffer, 250, 8));
        assertRejected(RejectReason.INVALID_BUFFER_RANGE, junction.offer("a.b", Priority.NORMAL, null, 0, 8));
    }

    @Test
    void rejectsMissingPriority()
    {
        assertRejected(RejectReason.MISSING_PRIORITY, junction.offer("a.b", null, buffer, 0, 8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'a.>.b' | FULL_WILDCARD_NOT_LAST",
        "'a*'    | PARTIAL_WILDCARD",
        "'a..b'  | EMPTY_TOKEN",
        "''      | EMPTY_TOPIC",
        "'a b'   | ILLEGAL_CHARACTER",
        "'a.b.c.d.*' | TOO_MANY_TOKENS",
    })
    void rejectsBadPatternsAtSubscribe(final String pattern, final RejectReason reason)
    {
        final InvalidTopicException ex = assertThrows(
            InvalidTopicException.class, () -> junction.subscribe(pattern, message -> { }));
        assertEquals(reason, ex.reason());
        assertTrue(ex.getMessage().contains(reason.description()), ex.getMessage());
        assertEquals(1, junction.counters().subscribeRejectedCount());
    }

    @Test
    void goodInputStillFlowsAfterBadInput()
    {
        assertRejected(RejectReason.EMPTY_TOKEN, junction.offer("a..b", Priority.NORMAL, buffer, 0, 8));
        buffer.putLong(0, 42);
        assertTrue(OfferResult.isAccepted(junction.offer("a.b", Priority.NORMAL, buffer, 0, 8)));
        while (junction.doWork() > 0)
        {
            // Drive the pipeline until it is idle.
        }
        assertEquals(1, everything.count());
        assertEquals(42L, everything.values().get(0));
    }

    private final java.util.EnumMap<RejectReason, Long> counted = new java.util.EnumMap<>(RejectReason.class);

    private void assertRejected(final RejectReason reason, final long result)
    {
        final long expectedCount = counted.merge(reason, 1L, Long::sum);
        assertTrue(OfferResult.isRejected(result), OfferResult.describe(result));
        assertEquals(reason, OfferResult.rejectReason(result));
        assertTrue(OfferResult.describe(result).contains(reason.name()));
        assertEquals(expectedCount, junction.counters().offerRejected(reason), "each rejection counted once");

        while (junction.doWork() > 0)
        {
            // Drive the pipeline until it is idle.
        }
        assertEquals(0, junction.ringOccupancy());
        assertEquals(0, everything.count(), "a rejected message never reaches a ring");
    }
}
