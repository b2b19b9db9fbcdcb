package io.junction.journal;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.agrona.concurrent.UnsafeBuffer;

import io.junction.Junction;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.ThreadingMode;

/**
 * Builds a journal and a switch driven by the test's own thread (INVOKER mode), so tests are deterministic.
 */
final class JournalTestSupport
{
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);

    Journal.Context journalContext(final File dir)
    {
        return new Journal.Context()
            .directory(dir)
            .blockSize(256 << 10)
            .minFreeDiskBytes(0)
            .useInvoker(true)
            .errorHandler(errors::add);
    }

    Junction.Context switchContext(final Journal journal)
    {
        return new Junction.Context()
            .threadingMode(ThreadingMode.INVOKER)
            .ringSize(1024)
            .journalSink(journal)
            .errorHandler(errors::add);
    }

    long offer(final Junction junction, final String topic, final QualityOfService qos, final String payload)
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.US_ASCII);
        buffer.putBytes(0, bytes);
        return junction.offer(topic, Priority.NORMAL, qos, buffer, 0, bytes.length);
    }

    static String payload(final JournalMessage message)
    {
        return message.buffer().getStringWithoutLengthAscii(message.offset(), message.length());
    }

    static void drive(final Junction junction, final Journal journal, final int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            junction.doWork();
            journal.doWork();
        }
    }
}
