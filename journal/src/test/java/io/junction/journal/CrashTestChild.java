package io.junction.journal;

import java.io.File;
import java.io.PrintStream;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Durability;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.ThreadingMode;

/**
 * The process {@link CrashRecoveryTest} kills. It publishes guaranteed messages in bursts of 1 to 32 (so the
 * journal stage takes batches of several records, one document each) and reports each that the switch
 * acknowledged as journaled ("A round n"), while a durable subscriber reports
 * each delivery ("S recordNumber round n") and then acknowledges it. It runs until it is killed.
 * <p>
 * Arguments: journal directory, round.
 */
public final class CrashTestChild
{
    private CrashTestChild()
    {
    }

    public static void main(final String[] args)
    {
        final File dir = new File(args[0]);
        final int round = Integer.parseInt(args[1]);
        final PrintStream out = System.out;

        final Journal journal = Journal.launch(new Journal.Context()
            .directory(dir)
            .blockSize(256 << 10)
            .minFreeDiskBytes(0)
            .lockTimeoutMs(2_000)
            .errorHandler(error -> error.printStackTrace(System.err)));
        final Junction junction = Junction.launch(new Junction.Context()
            .threadingMode(ThreadingMode.SHARED)
            .ringSize(1024)
            .journalSink(journal));
        journal.subscribe("crash-sub", ">", StartPosition.earliest(), (subscription, message) ->
        {
            out.println("S " + message.recordNumber() + " " + JournalTestSupport.payload(message));
            subscription.acknowledge(message);
        });
        out.println("READY " + journal.nextRecordNumberValue());

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final Random random = new Random(round);
        final long[] sequences = new long[32];
        for (int n = 0; ; )
        {
            final int burst = 1 + random.nextInt(sequences.length);
            for (int i = 0; i < burst; i++)
            {
                final int length = buffer.putStringWithoutLengthAscii(0, round + " " + (n + i));
                long sequence;
                while (!OfferResult.isAccepted(sequence = junction.offer(
                    "crash.test", Priority.NORMAL, QualityOfService.GUARANTEED, buffer, 0, length)))
                {
                    if (sequence != OfferResult.BACK_PRESSURED)
                    {
                        throw new IllegalStateException(OfferResult.describe(sequence));
                    }
                    Thread.onSpinWait();
                }
                sequences[i] = sequence;
            }
            for (int i = 0; i < burst; i++, n++)
            {
                Durability durability;
                while ((durability = junction.durability(sequences[i])) == Durability.PENDING)
                {
                    Thread.onSpinWait();
                }
                if (durability != Durability.JOURNALED)
                {
                    throw new IllegalStateException("message " + n + " is " + durability);
                }
                out.println("A " + round + " " + n);
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }
}
