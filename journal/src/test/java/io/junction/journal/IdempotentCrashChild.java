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
import io.junction.RejectReason;
import io.junction.ThreadingMode;

/**
 * The process {@link IdempotentCrashTest} kills: an idempotent publisher that sends its publisher sequences from the
 * one it is given, in bursts of 1 to 32, as a publisher resending after a crash does. It prints "A n" when sequence
 * n is journaled, "D n" when the journal refuses it as a duplicate (journaled before the crash), and runs until it
 * is killed.
 * <p>
 * Arguments: journal directory, first publisher sequence, seed.
 */
public final class IdempotentCrashChild
{
    static final long PUBLISHER_ID = 0x1D_E4_70_7EL;

    private IdempotentCrashChild()
    {
    }

    public static void main(final String[] args)
    {
        final File dir = new File(args[0]);
        final long first = Long.parseLong(args[1]);
        final Random random = new Random(Long.parseLong(args[2]));
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
        out.println("READY " + journal.nextRecordNumberValue());

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final long duplicate = OfferResult.rejected(RejectReason.DUPLICATE);
        final long[] sequences = new long[32];
        for (long n = first; ; )
        {
            final int burst = 1 + random.nextInt(sequences.length);
            for (int i = 0; i < burst; i++)
            {
                final int length = buffer.putStringWithoutLengthAscii(0, "p " + (n + i));
                long sequence;
                while (OfferResult.BACK_PRESSURED == (sequence = junction.offer(
                    "crash.idempotent", Priority.NORMAL, buffer, 0, length, PUBLISHER_ID, n + i)))
                {
                    Thread.onSpinWait();
                }
                if (sequence != duplicate && !OfferResult.isAccepted(sequence))
                {
                    throw new IllegalStateException((n + i) + ": " + OfferResult.describe(sequence));
                }
                sequences[i] = sequence;
            }
            for (int i = 0; i < burst; i++, n++)
            {
                if (sequences[i] == duplicate)
                {
                    out.println("D " + n);
                    continue;
                }
                Durability durability;
                while ((durability = junction.durability(sequences[i])) == Durability.PENDING)
                {
                    Thread.onSpinWait();
                }
                if (durability != Durability.JOURNALED)
                {
                    throw new IllegalStateException("publisher sequence " + n + " is " + durability);
                }
                out.println("A " + n);
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }
}
