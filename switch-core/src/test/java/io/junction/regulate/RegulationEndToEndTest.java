package io.junction.regulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.Publisher;
import io.junction.ShedReason;
import io.junction.ThreadingMode;

/**
 * The regulators inside a running switch, in INVOKER mode with a hand-driven clock: fully deterministic.
 */
class RegulationEndToEndTest
{
    private static final long US = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ManualClock clock = new ManualClock();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
    private final List<Long> received = new ArrayList<>();
    private final List<Priority> receivedClasses = new ArrayList<>();
    private Junction junction;

    private Junction launch(final RegulationConfig config)
    {
        junction = Junction.launch(new Junction.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .nanoClock(clock)
            .ringSize(1024)
            .regulation(config));
        junction.subscribe("orders.>", (message) ->
        {
            received.add(message.buffer().getLong(0));
            receivedClasses.add(message.priority());
        });
        return junction;
    }

    @AfterEach
    void close()
    {
        if (null != junction)
        {
            junction.close();
        }
    }

    private long offer(final Publisher publisher, final Priority priority, final long id)
    {
        payload.putLong(0, id);
        return publisher.offer("orders.eur", priority, payload, 0, 8);
    }

    private void drain()
    {
        for (int i = 0; i < 100 && junction.doWork() > 0; i++)
        {
            // Until idle.
        }
    }

    @Test
    void unregulatedByDefault()
    {
        launch(RegulationConfig.none());
        final Publisher publisher = junction.publisher("gw");
        for (int i = 0; i < 500; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(publisher, Priority.BULK, i)));
        }
        drain();
        assertEquals(500, received.size());
    }

    @Test
    void rateLimitPerPublisherAndClass()
    {
        launch(RegulationConfig.none()
            .withRule(Rule.forTopics("orders.>").withPublisher("gw1").withClasses(Priority.BULK).withRateLimit(1000, 10)));
        final Publisher gw1 = junction.publisher("gw1");
        final Publisher gw2 = junction.publisher("gw2");

        for (int i = 0; i < 10; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(gw1, Priority.BULK, i)), "burst " + i);
        }
        final long shed = offer(gw1, Priority.BULK, 10);
        assertTrue(OfferResult.isShed(shed));
        assertEquals(ShedReason.RATE_LIMITED, OfferResult.shedReason(shed));
        assertFalse(OfferResult.isBackPressured(shed));
        assertNull(OfferResult.rejectReason(shed));
        assertTrue(OfferResult.describe(shed).startsWith("SHED(RATE_LIMITED"));

        // Other classes of gw1 and everything of gw2 are not governed by the rule.
        assertTrue(OfferResult.isAccepted(offer(gw1, Priority.HIGH, 11)));
        assertTrue(OfferResult.isAccepted(offer(gw2, Priority.BULK, 12)));

        clock.advance(MS);
        assertTrue(OfferResult.isAccepted(offer(gw1, Priority.BULK, 13)));
        assertTrue(OfferResult.isShed(offer(gw1, Priority.BULK, 14)));

        drain();
        assertEquals(13, received.size());
        assertEquals(2, junction.regulator().shedCount(Priority.BULK, ShedReason.RATE_LIMITED));
        assertEquals(0, junction.regulator().shedCount(Priority.HIGH, ShedReason.RATE_LIMITED));
    }

    @Test
    void inFlightLimitReleasesAsTheDispatcherTakesMessages()
    {
        launch(RegulationConfig.none().withRule(Rule.forTopics("orders.*").withMaxInFlight(3)));
        final Publisher publisher = junction.publisher("gw");
        for (int i = 0; i < 3; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(publisher, Priority.NORMAL, i)));
        }
        assertEquals(ShedReason.IN_FLIGHT_LIMITED, OfferResult.shedReason(offer(publisher, Priority.CRITICAL, 3)));

        drain();
        assertEquals(3, received.size());
        assertTrue(OfferResult.isAccepted(offer(publisher, Priority.NORMAL, 4)));
        assertEquals(1, junction.regulator().shedCount(Priority.CRITICAL, ShedReason.IN_FLIGHT_LIMITED));
    }

    @Test
    void inFlightSlotIsReturnedWhenTheRingIsFull()
    {
        launch(RegulationConfig.none().withRule(Rule.forTopics(">").withMaxInFlight(5000)));
        final Publisher publisher = junction.publisher("gw");
        int accepted = 0;
        long result;
        while (OfferResult.isAccepted(result = offer(publisher, Priority.NORMAL, accepted)))
        {
            accepted++;
        }
        assertTrue(OfferResult.isBackPressured(result), OfferResult.describe(result));
        assertEquals(1024, accepted);
        assertEquals(1, junction.regulator().backPressuredCount(Priority.NORMAL));
        assertEquals(0, junction.regulator().backPressuredCount(Priority.CRITICAL));
        final Admission admission = junction.regulator().resolve(
            junction.regulator().newCache("gw"), "orders.eur", Priority.NORMAL);
        assertEquals(1024, admission.inFlight().inFlight());
        drain();
        assertEquals(0, admission.inFlight().inFlight());
    }

    @Test
    void expiredInTheRingIsDroppedAtDispatchNeverDelivered()
    {
        launch(RegulationConfig.none());
        final Publisher publisher = junction.publisher("gw");
        payload.putLong(0, 1);
        assertTrue(OfferResult.isAccepted(publisher.offer("orders.eur", Priority.HIGH, 100 * US, payload, 0, 8)));
        payload.putLong(0, 2);
        assertTrue(OfferResult.isAccepted(publisher.offer("orders.eur", Priority.HIGH, 300 * US, payload, 0, 8)));
        payload.putLong(0, 3);
        assertTrue(OfferResult.isAccepted(publisher.offer("orders.eur", Priority.HIGH, payload, 0, 8)));

        clock.advance(100 * US); // Exactly at the first deadline: too late.
        drain();
        assertEquals(List.of(2L, 3L), received);
        assertEquals(1, junction.regulator().shedCount(Priority.HIGH, ShedReason.EXPIRED));
    }

    @Test
    void expiredAfterDispatchIsDroppedAtDelivery()
    {
        launch(RegulationConfig.none());
        final Publisher publisher = junction.publisher("gw");
        payload.putLong(0, 7);
        assertTrue(OfferResult.isAccepted(publisher.offer("orders.eur", Priority.NORMAL, 10 * US, payload, 0, 8)));
        // The dispatcher reads the clock before the deadline, the delivery agent after it.
        clock.advance(9 * US);
        clock.stepPerRead(5 * US);
        drain();
        clock.stepPerRead(0);
        assertTrue(received.isEmpty());
        assertEquals(1, junction.regulator().shedCount(Priority.NORMAL, ShedReason.EXPIRED));
    }

    @Test
    void aTimeToLiveThatHasAlreadyRunOutIsShedAtOnce()
    {
        launch(RegulationConfig.none());
        final Publisher publisher = junction.publisher("gw");
        final long result = publisher.offer("orders.eur", Priority.CRITICAL, 0, payload, 0, 8);
        assertEquals(ShedReason.EXPIRED, OfferResult.shedReason(result));
        drain();
        assertTrue(received.isEmpty());
    }

    @Test
    void codelShedsTheLowestClassAtTheEdgeAndNeverCritical()
    {
        final long target = 100 * US;
        final long interval = MS;
        launch(RegulationConfig.none().withCodel(target, interval));
        final Publisher publisher = junction.publisher("gw");
        final CodelShedder shedder = junction.regulator().shedder(0);

        // A standing queue: every message waits 200us before it is dispatched, for over an interval.
        long id = 0;
        for (int round = 0; round < 40 && shedder.shedLevel() < CodelShedder.CLASS_UNITS; round++)
        {
            for (final Priority priority : Priority.values())
            {
                offer(publisher, priority, id++);
            }
            clock.advance(200 * US);
            junction.doWork();
        }
        assertTrue(shedder.isDropping());
        assertEquals(CodelShedder.CLASS_UNITS, shedder.shedLevel(), "BULK entirely shed");

        final long bulk = offer(publisher, Priority.BULK, id++);
        assertEquals(ShedReason.QUEUE_DELAY, OfferResult.shedReason(bulk));
        assertTrue(OfferResult.isAccepted(offer(publisher, Priority.NORMAL, id++)));
        assertTrue(OfferResult.isAccepted(offer(publisher, Priority.CRITICAL, id++)));
        assertTrue(junction.regulator().shedCount(Priority.BULK, ShedReason.QUEUE_DELAY) >= 1);
        assertEquals(0, junction.regulator().shedCount(Priority.CRITICAL, ShedReason.QUEUE_DELAY));

        // The queue drains: CoDel leaves dropping and the level decays one step per interval.
        drain();
        assertFalse(shedder.isDropping());
        for (int i = 0; i < 100 && shedder.shedLevel() > 0; i++)
        {
            clock.advance(interval);
            junction.doWork();
        }
        assertEquals(0, shedder.shedLevel());
        assertTrue(OfferResult.isAccepted(offer(publisher, Priority.BULK, id++)));
        drain();
        assertEquals(0, junction.regulator().shedCount(Priority.CRITICAL, ShedReason.QUEUE_DELAY));
    }

    @Test
    void eachShardShedsOnItsOwnQueueDelay()
    {
        junction = Junction.launch(new Junction.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .nanoClock(clock)
            .shards(2)
            .regulation(RegulationConfig.none().withCodel(100 * US, MS)));
        junction.subscribe(">", (message) -> received.add(message.buffer().getLong(0)));
        final Publisher publisher = junction.publisher("gw");
        String slow = null;
        String other = null;
        for (int i = 0; null == slow || null == other; i++)
        {
            final String topic = "t" + i;
            if (0 == ((topic.hashCode() & Integer.MAX_VALUE) % 2))
            {
                slow = null == slow ? topic : slow;
            }
            else
            {
                other = null == other ? topic : other;
            }
        }
        final int slowShard = (slow.hashCode() & Integer.MAX_VALUE) % 2;
        final CodelShedder shedder = junction.regulator().shedder(slowShard);
        for (int round = 0; round < 40 && shedder.shedLevel() < CodelShedder.CLASS_UNITS; round++)
        {
            publisher.offer(slow, Priority.NORMAL, payload, 0, 8);
            publisher.offer(slow, Priority.BULK, payload, 0, 8);
            clock.advance(200 * US);
            junction.doWork();
        }
        assertEquals(CodelShedder.CLASS_UNITS, shedder.shedLevel());
        assertEquals(0, junction.regulator().shedder(1 - slowShard).shedLevel());
        assertEquals(ShedReason.QUEUE_DELAY, OfferResult.shedReason(publisher.offer(slow, Priority.BULK, payload, 0, 8)));
        assertTrue(OfferResult.isAccepted(publisher.offer(other, Priority.BULK, payload, 0, 8)));
    }

    @Test
    void aRuleCanExemptTopicsFromSojournShedding()
    {
        launch(RegulationConfig.none().withCodel(100 * US, MS)
            .withRule(Rule.forTopics("orders.eur").withSojournShedding(false)));
        final Publisher publisher = junction.publisher("gw");
        final CodelShedder shedder = junction.regulator().shedder(0);
        for (int round = 0; round < 40 && shedder.shedLevel() < CodelShedder.CLASS_UNITS; round++)
        {
            payload.putLong(0, round);
            publisher.offer("orders.usd", Priority.BULK, payload, 0, 8);
            assertTrue(OfferResult.isAccepted(publisher.offer("orders.eur", Priority.BULK, payload, 0, 8)));
            clock.advance(200 * US);
            junction.doWork();
        }
        assertEquals(CodelShedder.CLASS_UNITS, shedder.shedLevel());
        assertTrue(OfferResult.isShed(publisher.offer("orders.usd", Priority.BULK, payload, 0, 8)));
        assertTrue(OfferResult.isAccepted(offer(publisher, Priority.BULK, 1)));
    }

    @Test
    void theLastSlotsOfTheRingAreKeptForCritical()
    {
        launch(RegulationConfig.none().withCriticalReserve(24));
        final Publisher publisher = junction.publisher("gw");
        int accepted = 0;
        long result;
        while (OfferResult.isAccepted(result = offer(publisher, Priority.HIGH, accepted)))
        {
            accepted++;
        }
        assertEquals(ShedReason.RESERVED_FOR_CRITICAL, OfferResult.shedReason(result));
        assertEquals(1000, accepted);
        for (int i = 0; i < 24; i++)
        {
            assertTrue(OfferResult.isAccepted(offer(publisher, Priority.CRITICAL, accepted + i)));
        }
        assertTrue(OfferResult.isBackPressured(offer(publisher, Priority.CRITICAL, -1)));
        drain();
        assertEquals(1024, received.size());
        assertEquals(1, junction.regulator().shedCount(Priority.HIGH, ShedReason.RESERVED_FOR_CRITICAL));
    }

    @Test
    void reconfiguredAtRunTimeWithoutLosingAMessage()
    {
        launch(RegulationConfig.none().withRule(Rule.forTopics(">").withMaxInFlight(100)));
        final Publisher publisher = junction.publisher("gw");
        final List<Long> accepted = new ArrayList<>();
        long id = 0;
        for (int i = 0; i < 150; i++, id++)
        {
            if (OfferResult.isAccepted(offer(publisher, Priority.NORMAL, id)))
            {
                accepted.add(id);
            }
        }
        assertEquals(100, accepted.size());

        // Swap while 100 messages are in the ring under the old limit.
        junction.regulation(RegulationConfig.none().withRule(Rule.forTopics(">").withRateLimit(1000, 20)));
        for (int i = 0; i < 50; i++, id++)
        {
            if (OfferResult.isAccepted(offer(publisher, Priority.NORMAL, id)))
            {
                accepted.add(id);
            }
        }
        assertEquals(120, accepted.size(), "the new rule allows a burst of 20");

        drain();
        assertEquals(accepted, received, "every accepted message delivered, in order");
        assertEquals(50, junction.regulator().shedCount(Priority.NORMAL, ShedReason.IN_FLIGHT_LIMITED));
        assertEquals(30, junction.regulator().shedCount(Priority.NORMAL, ShedReason.RATE_LIMITED));

        junction.regulation(RegulationConfig.none());
        assertTrue(OfferResult.isAccepted(offer(publisher, Priority.NORMAL, id)));
    }

    @Test
    void anonymousOffersMatchOnlyRulesForAnyPublisher()
    {
        launch(RegulationConfig.none()
            .withRule(Rule.forTopics(">").withPublisher("gw").withRateLimit(1, 1))
            .withRule(Rule.forTopics("orders.*").withClasses(Priority.BULK).withRateLimit(1, 2)));
        payload.putLong(0, 0);
        assertTrue(OfferResult.isAccepted(junction.offer("orders.eur", Priority.BULK, payload, 0, 8)));
        assertTrue(OfferResult.isAccepted(junction.offer("orders.eur", Priority.BULK, payload, 0, 8)));
        assertTrue(OfferResult.isShed(junction.offer("orders.eur", Priority.BULK, payload, 0, 8)));
        assertTrue(OfferResult.isAccepted(junction.offer("orders.eur", Priority.HIGH, payload, 0, 8)));
    }
}
