package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.Publisher;
import io.junction.QualityOfService;
import io.junction.ShedReason;
import io.junction.SubscriptionOptions;
import net.openhft.chronicle.core.time.SetTimeProvider;

/**
 * Guaranteed publishes with a time-to-live: the journal records the expiry (record format 6), a durable
 * subscription that resumes after it and a replay pass over the expired message and count it, while one with a
 * long time-to-live is delivered; a live subscriber that has not had it by its deadline never gets it.
 */
class GuaranteedTtlTest
{
    private static final long START_MS = 1_700_000_000_000L;
    private static final long SHORT_TTL_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long LONG_TTL_NS = TimeUnit.HOURS.toNanos(1);

    private final JournalTestSupport support = new JournalTestSupport();
    private final SetTimeProvider time = new SetTimeProvider(TimeUnit.MILLISECONDS.toNanos(START_MS));
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);

    @TempDir
    Path dir;

    @Test
    void aStoppedDurableSubscriberThatResumesAfterTheExpiryIsNotRedeliveredTheExpiredMessage()
    {
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()).timeProvider(time));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final List<String> first = new ArrayList<>();
            final DurableSubscription durable = journal.subscribe("d", ">", StartPosition.earliest(),
                (s, m) -> first.add(JournalTestSupport.payload(m)));
            JournalTestSupport.drive(junction, journal, 3);
            durable.close(); // stopped: what follows waits for it in the journal

            final Publisher publisher = junction.publisher("ttl");
            assertTrue(OfferResult.isAccepted(offer(publisher, "orders.short", SHORT_TTL_NS, "short")));
            assertTrue(OfferResult.isAccepted(offer(publisher, "orders.long", LONG_TTL_NS, "long")));
            assertTrue(OfferResult.isAccepted(offer(publisher, "orders.none", Publisher.NO_TTL, "none")));
            // An idempotent guaranteed publish takes a time-to-live too.
            assertTrue(OfferResult.isAccepted(publisher.offer("orders.idempotent", Publisher.NO_KEY,
                Priority.NORMAL, SHORT_TTL_NS, payload("idempotent"), 0, "idempotent".length(), 7, 1, null, 0)));
            JournalTestSupport.drive(junction, journal, 5);

            time.advanceMillis(1_000); // the subscriber is back a second later
            final List<String> resumed = new ArrayList<>();
            journal.subscribe("d", ">", StartPosition.earliest(), (s, m) ->
            {
                resumed.add(JournalTestSupport.payload(m));
                s.acknowledge(m.position(), m.recordNumber(), m.sequence());
            });
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(List.of(), first);
            assertEquals(List.of("long", "none"), resumed, "the expired ones are passed over");
            assertEquals(2, journal.counters().expired(true));

            final List<String> replayed = new ArrayList<>();
            journal.subscribe(null, "orders.*", StartPosition.earliest(),
                (s, m) -> replayed.add(JournalTestSupport.payload(m)));
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(List.of("long", "none"), replayed);
            assertEquals(2, journal.counters().expired(false));
        }
        assertTrue(support.errors.isEmpty(), support.errors.toString());

        // The journal keeps each expiry on its own clock; the records that have one are in format 6.
        final List<long[]> expiries = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(dir.toFile()))
        {
            reader.read(StartPosition.earliest(), ">", (m) -> expiries.add(new long[]{ m.expiryEpochNs() }));
        }
        final long startNs = TimeUnit.MILLISECONDS.toNanos(START_MS);
        assertEquals(4, expiries.size());
        assertTrue(expiries.get(0)[0] > startNs && expiries.get(0)[0] <= startNs + SHORT_TTL_NS,
            "expiry " + expiries.get(0)[0]);
        assertTrue(expiries.get(1)[0] > startNs + LONG_TTL_NS - SHORT_TTL_NS);
        assertEquals(0, expiries.get(2)[0], "no time-to-live, no expiry");
        assertTrue(expiries.get(3)[0] > startNs && expiries.get(3)[0] <= startNs + SHORT_TTL_NS);
    }

    @Test
    void aLiveSubscriberNeverGetsAGuaranteedMessagePastItsDeadlineAndItIsCountedExpired()
    {
        final long[] nowNs = { 1_000_000_000L };
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()).timeProvider(time));
            Junction junction = Junction.launch(support.switchContext(journal).nanoClock(() -> nowNs[0])))
        {
            final List<String> live = new ArrayList<>();
            junction.subscribe("orders.*", (m) -> live.add(m.buffer().getStringWithoutLengthAscii(m.offset(),
                m.length())), SubscriptionOptions.defaults());
            JournalTestSupport.drive(junction, journal, 3);
            final Publisher publisher = junction.publisher("ttl");
            assertTrue(OfferResult.isAccepted(offer(publisher, "orders.short", SHORT_TTL_NS, "short")));
            assertTrue(OfferResult.isAccepted(offer(publisher, "orders.long", LONG_TTL_NS, "long")));
            nowNs[0] += TimeUnit.SECONDS.toNanos(1); // the shard reaches them a second later
            JournalTestSupport.drive(junction, journal, 10);
            assertEquals(List.of("long"), live);
            assertEquals(1, junction.regulator().shedCount(Priority.NORMAL, ShedReason.EXPIRED));
        }
        assertTrue(support.errors.isEmpty(), support.errors.toString());
    }

    @Test
    void aRecordWithEveryOptionalFieldReadsBack()
    {
        final JournalRecord record = new JournalRecord(4096);
        final byte[] payload = "body".getBytes(StandardCharsets.US_ASCII);
        record.add(5, 6, Priority.HIGH.ordinal(), "a.b", new UnsafeBuffer(payload), 0, payload.length, 9, 10,
            "reply.here", 11, 12_345L);
        record.add(7, 8, Priority.BULK.ordinal(), "a.c", new UnsafeBuffer(payload), 0, payload.length);
        final int length = record.finish(0, 1, 0, 1);
        assertEquals(JournalRecord.FORMAT_6, record.array()[0] & 0xFF);

        final JournalDocument document = new JournalDocument();
        final net.openhft.chronicle.bytes.Bytes<byte[]> bytes =
            net.openhft.chronicle.bytes.Bytes.wrapForRead(java.util.Arrays.copyOf(record.array(), length));
        assertEquals(JournalDocument.VALID, document.wrap(0, bytes), document.problem());
        final JournalMessage message = new JournalMessage();
        document.next(message);
        assertEquals("a.b", message.topic());
        assertEquals(9, message.publisherId());
        assertEquals(10, message.publisherSequence());
        assertEquals("reply.here", message.replyTo());
        assertEquals(11, message.correlationId());
        assertEquals(12_345L, message.expiryEpochNs());
        assertEquals(Priority.HIGH, message.priority());
        assertEquals("body", JournalTestSupport.payload(message));
        assertTrue(message.isExpiredAt(12_345L));
        document.next(message);
        assertEquals(0, message.expiryEpochNs());
        assertEquals(Priority.BULK, message.priority());
        assertEquals("body", JournalTestSupport.payload(message));
    }

    private long offer(final Publisher publisher, final String topic, final long ttlNs, final String text)
    {
        return publisher.offer(topic, Priority.NORMAL, QualityOfService.GUARANTEED, ttlNs, payload(text), 0,
            text.length());
    }

    private UnsafeBuffer payload(final String text)
    {
        buffer.putStringWithoutLengthAscii(0, text);
        return buffer;
    }
}
