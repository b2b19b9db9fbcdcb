package io.junction.perf.journal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.junction.Durability;
import io.junction.JournalSink;
import io.junction.Junction;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.ThreadingMode;
import io.junction.journal.FlushPolicy;
import io.junction.journal.Journal;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Guaranteed publishing through the switch and its journal, side by side with raw Chronicle Queue appends
 * of the same payload (the limit), on the same directory type and block size, flush policy OS.
 * <p>
 * {@code guaranteedPublish}: an offer with {@code GUARANTEED}, retried while back-pressured; at steady state
 * the ring is full and offers go at the journal stage's rate, so its throughput is the journaling throughput.
 * {@code guaranteedPublishUntilJournaled}: one offer, then spin until {@code durability} says JOURNALED: the
 * latency a publisher waits for "accepted = journaled" (ring hand-off + append + hand-back).
 * The raw benchmarks write one document with the payload on the benchmark thread.
 * <p>
 * Run it with {@link JournalBenchmarks}, which passes the JVM flags and writes perf/results. The directory
 * defaults to /dev/shm (tmpfs: measures software, not the disk); set {@code -Djunction.bench.dir} to measure a
 * disk. Every iteration starts on empty files.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JournalBenchmark
{
    private static final String TOPIC = "bench.journal";
    /**
     * What a journal record carries besides its topic and payload (format 3: a 23-byte record header; the
     * document's 25-byte header and 4-byte trailer are shared by the records of a batch).
     */
    private static final int JOURNAL_RECORD_OVERHEAD = 23;
    /**
     * Records per batch in {@code journalWriterAppendBatch}.
     */
    private static final int WRITER_BATCH = 64;

    @Param({"64"})
    int payloadLength;

    private Path root;
    private ChronicleQueue rawQueue;
    private ExcerptAppender rawAppender;
    private Journal journal;
    private Journal writerJournal;
    private JournalSink.JournalWriter writer;
    private long writerSequence;
    private Junction junction;
    private UnsafeBuffer payload;
    private byte[] bytes;
    private byte[] recordSizedBytes;

    @Setup(Level.Iteration)
    public void setUp() throws IOException
    {
        final String base = System.getProperty("junction.bench.dir",
            new File("/dev/shm").isDirectory() ? "/dev/shm" : System.getProperty("java.io.tmpdir"));
        root = Files.createTempDirectory(Path.of(base), "junction-journal-bench");
        bytes = new byte[payloadLength];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)('a' + i % 26);
        }
        payload = new UnsafeBuffer(bytes);
        recordSizedBytes = new byte[JOURNAL_RECORD_OVERHEAD + TOPIC.length() + payloadLength];

        rawQueue = ChronicleQueue.singleBuilder(root.resolve("raw").toFile()).blockSize(64L << 20).build();
        rawAppender = rawQueue.createAppender();
        rawAppender.singleThreadedCheckDisabled(true);

        journal = Journal.launch(new Journal.Context()
            .directory(root.resolve("journal").toFile())
            .blockSize(64L << 20)
            .flushPolicy(FlushPolicy.OS)
            .minFreeDiskBytes(0));
        writerJournal = Journal.launch(new Journal.Context()
            .directory(root.resolve("writer").toFile())
            .blockSize(64L << 20)
            .flushPolicy(FlushPolicy.OS)
            .minFreeDiskBytes(0));
        writer = writerJournal.newWriter(0, 1);
        junction = Junction.launch(new Junction.Context()
            .threadingMode(ThreadingMode.SHARED)
            .shards(1)
            .ringSize(16 * 1024)
            .maxMessageLength(Math.max(128, payloadLength))
            .singleProducer(true)
            .pipelineIdleStrategySupplier(YieldingIdleStrategy::new)
            .deliveryIdleStrategySupplier(() -> new SleepingMillisIdleStrategy(1))
            .journalSink(journal));
    }

    @TearDown(Level.Iteration)
    public void tearDown() throws IOException
    {
        junction.close();
        journal.close();
        writer.close();
        writerJournal.close();
        rawAppender.close();
        rawQueue.close();
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long rawChronicleAppend()
    {
        return rawAppend();
    }

    /**
     * Raw appends of documents as long as a journal record of the payload: how much of the gap between the
     * journal and raw appends is the record's size alone.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long rawChronicleAppendRecordSize()
    {
        try (DocumentContext dc = rawAppender.writingDocument())
        {
            dc.wire().bytes().write(recordSizedBytes, 0, recordSizedBytes.length);
        }
        return rawAppender.lastIndexAppended();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long guaranteedPublish()
    {
        return offer();
    }

    /**
     * The journal's record format and writer alone, on the benchmark thread (no ring, no hand-off): separates
     * the cost of what a record carries from the cost of the pipeline's threads.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long journalWriterAppend()
    {
        writer.append(writerSequence++, TOPIC, Priority.NORMAL, writerSequence, payload, 0, payloadLength);
        writer.onEndOfBatch();
        return writerSequence;
    }

    /**
     * The writer alone with batches of {@value #WRITER_BATCH} records (one document each): the record format's
     * ceiling when the journal stage sees full batches.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(WRITER_BATCH)
    public long journalWriterAppendBatch()
    {
        for (int i = 0; i < WRITER_BATCH; i++)
        {
            writer.append(writerSequence++, TOPIC, Priority.NORMAL, writerSequence, payload, 0, payloadLength);
        }
        writer.onEndOfBatch();
        return writerSequence;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long rawChronicleAppendLatency()
    {
        return rawAppend();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Durability guaranteedPublishUntilJournaled()
    {
        final long sequence = offer();
        Durability durability;
        while ((durability = junction.durability(sequence)) == Durability.PENDING)
        {
            Thread.onSpinWait();
        }
        if (durability != Durability.JOURNALED)
        {
            throw new IllegalStateException("not journaled: " + durability);
        }
        return durability;
    }

    private long rawAppend()
    {
        try (DocumentContext dc = rawAppender.writingDocument())
        {
            dc.wire().bytes().write(bytes, 0, payloadLength);
        }
        return rawAppender.lastIndexAppended();
    }

    private long offer()
    {
        long result;
        while ((result = junction.offer(TOPIC, Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0,
            payloadLength)) == OfferResult.BACK_PRESSURED)
        {
            Thread.yield(); // Back off as a publisher should: on 2 cores the journal stage needs the CPU.
        }
        if (result < 0)
        {
            throw new IllegalStateException(OfferResult.describe(result));
        }
        return result;
    }
}
