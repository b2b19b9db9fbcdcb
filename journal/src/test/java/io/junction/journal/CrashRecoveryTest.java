package io.junction.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A real child JVM publishes guaranteed messages while a durable subscriber acknowledges them; it is killed
 * with SIGKILL at a random moment, several times. After each kill, every message the switch acknowledged to
 * the publisher is in the journal in order, and the durable subscriber gets every journaled message, in
 * order, without a gap (at least once: a message it had not acknowledged may come again).
 */
class CrashRecoveryTest
{
    private static final int ROUNDS = 3;
    private static final long READY_TIMEOUT_MS = 60_000;

    @TempDir
    Path dir;

    /**
     * What one child printed before it died.
     */
    private static final class ChildRun
    {
        final List<String> lines = new CopyOnWriteArrayList<>();
        volatile boolean ready;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 23, 47})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void acknowledgedMessagesSurviveSigkillAndDurableSubscriberResumesWithoutGaps(final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final File journalDir = dir.resolve("journal").toFile();
        final List<ChildRun> runs = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++)
        {
            runs.add(runChildAndKill(journalDir, round, 150 + random.nextInt(900)));
        }

        final JournalTestSupport support = new JournalTestSupport();
        final List<long[]> journaled = new ArrayList<>(); // {recordNumber, round, n}
        final List<Long> resumed = new ArrayList<>();
        try (Journal journal = Journal.launch(support.journalContext(journalDir)))
        {
            journal.subscribe(null, ">", StartPosition.earliest(), (s, m) ->
            {
                final String[] parts = JournalTestSupport.payload(m).split(" ");
                journaled.add(new long[]{ m.recordNumber(), Long.parseLong(parts[0]), Long.parseLong(parts[1]) });
            });
            journal.subscribe("crash-sub", ">", StartPosition.earliest(), (s, m) ->
            {
                resumed.add(m.recordNumber());
                s.acknowledge(m);
            });
            while (journal.doWork() > 0)
            {
                // Deliver everything there is.
            }
            assertTrue(journal.isAvailable(), String.valueOf(journal.failure()));
        }
        assertTrue(support.errors.isEmpty(), support.errors.toString());
        final long documents = countDocuments(journalDir);
        System.out.println("seed " + seed + ": " + journaled.size() + " records in " + documents + " documents");
        assertTrue(documents < journaled.size(), "bursts were journaled as batches of several records per document");

        // 1. The journal: records numbered 0, 1, 2... and each round's messages 0, 1, 2... in order.
        for (int i = 0; i < journaled.size(); i++)
        {
            assertEquals(i, journaled.get(i)[0], "record numbers without gaps");
        }
        final long[] nextN = new long[ROUNDS];
        for (final long[] record : journaled)
        {
            final int round = (int)record[1];
            assertEquals(nextN[round], record[2], "round " + round + " journaled in order, none missing");
            nextN[round]++;
        }

        // 2. Every message acknowledged to the publisher is in the journal.
        for (int round = 0; round < ROUNDS; round++)
        {
            final ChildRun run = runs.get(round);
            long acknowledged = 0;
            for (final String line : run.lines)
            {
                if (line.startsWith("A "))
                {
                    final String[] parts = line.split(" ");
                    assertEquals(round, Integer.parseInt(parts[1]));
                    assertEquals(acknowledged, Long.parseLong(parts[2]), "child acknowledged in order");
                    acknowledged++;
                }
            }
            assertTrue(acknowledged > 0, "round " + round + " acknowledged nothing before the kill: " + run.lines);
            System.out.println("seed " + seed + " round " + round + ": " + acknowledged + " acknowledged to the " +
                "publisher, " + nextN[round] + " journaled");
            assertTrue(nextN[round] >= acknowledged, "round " + round + ": " + acknowledged +
                " acknowledged to the publisher, only " + nextN[round] + " journaled");
        }

        // 3. The durable subscriber, across every restart: in order within a run, resuming without a gap, and
        //    together every journaled record.
        long delivered = -1; // the highest record number delivered so far
        final List<List<Long>> deliveriesPerRun = new ArrayList<>();
        for (final ChildRun run : runs)
        {
            final List<Long> deliveries = new ArrayList<>();
            for (final String line : run.lines)
            {
                if (line.startsWith("S "))
                {
                    deliveries.add(Long.parseLong(line.split(" ")[1]));
                }
            }
            deliveriesPerRun.add(deliveries);
        }
        deliveriesPerRun.add(resumed);
        for (final List<Long> deliveries : deliveriesPerRun)
        {
            long previous = -1;
            for (final long recordNumber : deliveries)
            {
                assertTrue(recordNumber > previous, "in order within a run: " + deliveries);
                assertTrue(recordNumber <= delivered + 1, "no gap: " + recordNumber + " after " + delivered);
                previous = recordNumber;
                delivered = Math.max(delivered, recordNumber);
            }
        }
        assertEquals(journaled.size() - 1, delivered, "every journaled record reached the durable subscriber");
    }

    private static long countDocuments(final File journalDir)
    {
        long documents = 0;
        try (ChronicleQueue queue = ChronicleQueue.singleBuilder(journalDir).blockSize(256 << 10).readOnly(true).build();
            ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        return documents;
                    }
                    if (!dc.isMetaData())
                    {
                        documents++;
                    }
                }
            }
        }
    }

    private ChildRun runChildAndKill(final File journalDir, final int round, final long killAfterMs) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-agentlib") && !argument.startsWith("-javaagent"))
            {
                command.add(argument);
            }
        }
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashTestChild.class.getName());
        command.add(journalDir.getAbsolutePath());
        command.add(Integer.toString(round));

        final Path stderr = dir.resolve("child-" + round + ".err");
        final Process process = new ProcessBuilder(command)
            .redirectError(stderr.toFile())
            .start();
        final ChildRun run = new ChildRun();
        final Thread reader = new Thread(() -> read(process, run), "crash-child-reader");
        reader.setDaemon(true);
        reader.start();
        try
        {
            final long readyDeadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
            while (!run.ready)
            {
                if (!process.isAlive() || System.currentTimeMillis() > readyDeadline)
                {
                    fail("child " + round + " did not start: " + run.lines + "\n" + Files.readString(stderr));
                }
                Thread.onSpinWait();
                process.waitFor(1, TimeUnit.MILLISECONDS);
            }
            // Run for a random time, then die at whatever moment that is.
            assertTrue(!process.waitFor(killAfterMs, TimeUnit.MILLISECONDS),
                "child " + round + " died by itself: " + Files.readString(stderr));
        }
        finally
        {
            // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the child's stdout
            // at once, dropping the last lines it printed that the reader had not yet taken (an "S n" line whose
            // message was acknowledged, seen as a gap after the restart). Read them to the end, then close.
            process.toHandle().destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(30));
            process.destroyForcibly();
        }
        final String errors = Files.readString(stderr);
        assertTrue(errors.isBlank() || !errors.contains("Exception"), "child " + round + " reported: " + errors);
        return run;
    }

    private static void read(final Process process, final ChildRun run)
    {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                if (line.startsWith("READY"))
                {
                    run.ready = true;
                }
                run.lines.add(line);
            }
        }
        catch (final IOException ignore)
        {
            // The child was killed.
        }
    }
}
