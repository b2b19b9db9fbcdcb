package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.QualityOfService;
import net.openhft.chronicle.core.time.SetTimeProvider;

class ReplayTest
{
    private static final long START_MS = 1_700_000_000_000L;

    private final JournalTestSupport support = new JournalTestSupport();
    private final SetTimeProvider time = new SetTimeProvider(TimeUnit.MILLISECONDS.toNanos(START_MS));
    private final long[] sequences = new long[10];

    @TempDir
    Path dir;

    @BeforeEach
    void journalTenMessagesOneSecondApart()
    {
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()).timeProvider(time));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            for (int i = 0; i < sequences.length; i++)
            {
                sequences[i] = support.offer(junction, i % 2 == 0 ? "even.m" : "odd.m", QualityOfService.GUARANTEED,
                    "m" + i);
                assertTrue(OfferResult.isAccepted(sequences[i]));
                JournalTestSupport.drive(junction, journal, 3);
                time.advanceMillis(1000);
            }
        }
    }

    private List<String> replay(final String pattern, final StartPosition start, final Runnable whileOpen)
    {
        final List<String> seen = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()).timeProvider(time));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            journal.subscribe(null, pattern, start, (s, m) -> seen.add(JournalTestSupport.payload(m)));
            JournalTestSupport.drive(junction, journal, 5);
            if (null != whileOpen)
            {
                support.offer(junction, "even.m", QualityOfService.GUARANTEED, "new");
                JournalTestSupport.drive(junction, journal, 5);
            }
        }
        assertTrue(support.errors.isEmpty(), support.errors.toString());
        return seen;
    }

    @Test
    void fromEarliest()
    {
        assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"),
            replay(">", StartPosition.earliest(), null));
    }

    @Test
    void fromEarliestFilteredByPattern()
    {
        assertEquals(List.of("m1", "m3", "m5", "m7", "m9"), replay("odd.*", StartPosition.earliest(), null));
    }

    @Test
    void fromLatestDeliversOnlyNewMessages()
    {
        assertEquals(List.of("new"), replay(">", StartPosition.latest(), () -> { }));
    }

    @Test
    void fromASequence()
    {
        assertEquals(List.of("m6", "m7", "m8", "m9"), replay(">", StartPosition.sequence(sequences[6]), null));
    }

    @Test
    void fromATime()
    {
        final long epochNs = TimeUnit.MILLISECONDS.toNanos(START_MS + 3_500);
        assertEquals(List.of("m4", "m5", "m6", "m7", "m8", "m9"), replay(">", StartPosition.time(epochNs), null));
    }

    @Test
    void aHandlerThatRefusesIsOfferedTheSameMessageAgainWithNoGap()
    {
        final List<String> seen = new ArrayList<>();
        final int[] calls = new int[1];
        final int[] polls = new int[1];
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()).timeProvider(time));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            journal.subscribe(null, ">", StartPosition.earliest(), new DurableMessageHandler()
            {
                @Override
                public void onMessage(final DurableSubscription subscription, final JournalMessage message)
                {
                    throw new AssertionError("tryMessage is called instead");
                }

                @Override
                public boolean tryMessage(final DurableSubscription subscription, final JournalMessage message)
                {
                    if (calls[0]++ % 2 == 0)
                    {
                        return false; // full every other time: offered again on the next poll
                    }
                    seen.add(JournalTestSupport.payload(message));
                    return true;
                }

                @Override
                public void onPoll(final DurableSubscription subscription)
                {
                    polls[0]++;
                }
            });
            JournalTestSupport.drive(junction, journal, 40);
        }
        assertTrue(support.errors.isEmpty(), support.errors.toString());
        assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"), seen);
        assertTrue(polls[0] >= 20, "onPoll runs every duty cycle: " + polls[0]);
    }

    @Test
    void aClosedSubscriptionIsReleasedByTheDeliveryThread()
    {
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()).timeProvider(time));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final List<String> seen = new ArrayList<>();
            final DurableSubscription subscription = journal.subscribe("released", ">", StartPosition.earliest(),
                (s, m) -> seen.add(JournalTestSupport.payload(m)));
            JournalTestSupport.drive(junction, journal, 5);
            assertEquals(10, seen.size());
            subscription.close();
            assertEquals(1, journal.closedAwaitingRelease());
            JournalTestSupport.drive(junction, journal, 1);
            assertEquals(0, journal.closedAwaitingRelease(), "its tailer and values are closed");
        }
        assertTrue(support.errors.isEmpty(), support.errors.toString());
    }

    @Test
    void aHandlerIsToldWhenItsSubscriptionStops()
    {
        final List<Throwable> stopped = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()).timeProvider(time));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            final DurableSubscription subscription = journal.subscribe(null, ">", StartPosition.earliest(),
                new DurableMessageHandler()
                {
                    @Override
                    public void onMessage(final DurableSubscription s, final JournalMessage m)
                    {
                        throw new IllegalStateException("no room");
                    }

                    @Override
                    public void onStopped(final DurableSubscription s, final Throwable cause)
                    {
                        stopped.add(cause);
                    }
                });
            JournalTestSupport.drive(junction, journal, 3);
            assertEquals(DurableSubscription.State.FAILED, subscription.state());
        }
        assertEquals(1, stopped.size(), stopped::toString);
        assertTrue(stopped.get(0).getMessage().contains("handler threw"), stopped.get(0)::getMessage);
        support.errors.clear();
    }

    @Test
    void fromBeyondTheEndWaitsForNewMessages()
    {
        assertEquals(List.of("new"), replay(">", StartPosition.sequence(Long.MAX_VALUE), () -> { }));
    }

    @Test
    void sequencesContinueAfterRestart()
    {
        try (Journal journal = Journal.launch(support.journalContext(dir.toFile()).timeProvider(time));
            Junction junction = Junction.launch(support.switchContext(journal)))
        {
            assertEquals(sequences[9], journal.lastSequence());
            assertEquals(10, journal.nextRecordNumberValue());
            final long next = support.offer(junction, "even.m", QualityOfService.GUARANTEED, "after");
            assertTrue(next > sequences[9], next + " > " + sequences[9]);
        }
    }
}
