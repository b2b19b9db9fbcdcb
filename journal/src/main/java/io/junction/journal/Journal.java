package io.junction.journal;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import io.junction.JournalSink;
import io.junction.agent.AgentPlacement;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The switch's journal on Chronicle Queue: where guaranteed messages are appended before they are
 * dispatched, and what durable subscriptions and replays read.
 *
 * <pre>{@code
 * try (Journal journal = Journal.launch(new Journal.Context().directory(dir));
 *     Junction junction = Junction.launch(new Junction.Context().journalSink(journal)))
 * {
 *     journal.subscribe("audit", "orders.>", StartPosition.earliest(), (subscription, message) ->
 *     {
 *         process(message);
 *         subscription.acknowledge(message);
 *     });
 *     final long sequence = junction.offer("orders.new", Priority.HIGH, QualityOfService.GUARANTEED, buffer, 0, length);
 *     // ... junction.durability(sequence) == Durability.JOURNALED: it survives a crash
 * }
 * }</pre>
 *
 * A journal that cannot be opened or written (directory not writable, disk full, failed append) does not
 * stop the switch: the journal reports why through its error handler, {@link #failure()} and counters,
 * guaranteed offers are refused with {@code OfferResult.JOURNAL_UNAVAILABLE}, and best-effort traffic
 * keeps flowing.
 */
public final class Journal implements JournalSink, AutoCloseable
{
    private final Context ctx;
    private final JournalCounters counters;
    private final SingleChronicleQueue queue;
    private final AtomicLong nextRecordNumber = new AtomicLong();
    private final List<DurableSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final List<DurableSubscription> closedSubscriptions = new CopyOnWriteArrayList<>();
    private volatile DurableSubscription[] subscriptionArray = new DurableSubscription[0]; // iterated without garbage
    private final AtomicBoolean closed = new AtomicBoolean();
    private final JournalAgent agent;
    private final AgentRunner runner;
    private final AgentInvoker invoker;
    private final long lastSequence;
    private final LongValue highWater; // record number + 1 of the last record known flushed, in the metadata file
    private final PublisherDeduplication deduplication;
    private volatile Throwable failure;
    private volatile boolean diskFull;

    private Journal(final Context ctx)
    {
        this.ctx = ctx;
        this.counters = new JournalCounters(ctx.countersManager());
        this.queue = open(ctx);
        this.highWater = null == queue ? null : queue.indexForId("junction.journal.highWater");
        this.lastSequence = null == queue ? -1 : recover();
        this.deduplication = new PublisherDeduplication(ctx.deduplicationWindow(), counters.idempotentPublishersCounter());
        if (null != queue && null == failure && ctx.recoverPublishers())
        {
            recoverPublishers();
        }
        this.agent = new JournalAgent(this, ctx, counters);
        if (ctx.useInvoker())
        {
            invoker = AgentPlacement.onCaller(agent, this::onError);
            runner = null;
        }
        else
        {
            invoker = null;
            runner = AgentPlacement.onThread(
                agent, ctx.idleStrategySupplier().get(), AgentPlacement.ANY_CPU, this::onError);
        }
    }

    /**
     * Open (or create) the journal. Never fails because of the directory: a journal that cannot be opened
     * starts failed (see {@link #failure()}), so that the switch still serves best-effort traffic.
     */
    public static Journal launch(final Context ctx)
    {
        ctx.conclude();
        return new Journal(ctx);
    }

    private SingleChronicleQueue open(final Context ctx)
    {
        try
        {
            final File dir = ctx.directory();
            // 0700 when new: Chronicle creates its files with the process umask, the directory keeps others out.
            io.junction.security.PrivateFiles.createDirectories(dir.toPath());
            if (!Files.isWritable(dir.toPath()))
            {
                throw new java.io.IOException("directory is not writable");
            }
            return SingleChronicleQueueBuilder.single(dir)
                .rollCycle(ctx.rollCycle())
                .blockSize(ctx.blockSize())
                .timeProvider(ctx.timeProvider())
                .syncMode(FlushPolicy.OS == ctx.flushPolicy() ? SyncMode.NONE : SyncMode.SYNC)
                .timeoutMS(ctx.lockTimeoutMs())
                .build();
        }
        catch (final Exception | Error ex)
        {
            fail(new JournalException("journal directory " + ctx.directory().getAbsolutePath() +
                " cannot be opened for writing: " + ex, ex));
            return null;
        }
    }

    /**
     * Rebuild the record number and the highest switch sequence from the tail of the journal: the last
     * document of every shard is within the last {@code shardCount} documents of each shard's run.
     */
    private long recover()
    {
        long maxSequence = -1;
        try (ExcerptTailer tailer = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd())
        {
            final JournalDocument document = new JournalDocument();
            final java.util.BitSet shardsSeen = new java.util.BitSet();
            int shardCount = Integer.MAX_VALUE;
            boolean first = true;
            int scanned = 0;
            while (shardsSeen.cardinality() < shardCount && scanned < ctx.recoveryScanLimit())
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    if (dc.isMetaData())
                    {
                        continue;
                    }
                    scanned++;
                    final int status = document.wrap(dc.index(), dc.wire().bytes());
                    if (JournalDocument.OTHER_FORMAT == status)
                    {
                        refuseFormat(dc.index(), document.firstByte());
                        return -1;
                    }
                    if (JournalDocument.CORRUPT == status)
                    {
                        if (first)
                        {
                            continue; // A damaged tail: reported once, by checkTail.
                        }
                        counters.corruptRecordsCounter().increment();
                        onError(new JournalException("journal document at index " + Long.toHexString(dc.index()) +
                            " is corrupt or truncated; its records are skipped"));
                        continue;
                    }
                    if (first)
                    {
                        checkTail(document.lastRecordNumber() + 1);
                        first = false;
                    }
                    shardCount = document.shardCount();
                    shardsSeen.set(document.shardIndex());
                    while (document.hasNext())
                    {
                        maxSequence = Math.max(maxSequence, document.peekSequence());
                        document.skip();
                    }
                }
            }
        }
        catch (final RuntimeException ex)
        {
            fail(new JournalException("journal in " + ctx.directory() + " could not be recovered: " + ex, ex));
        }
        if (nextRecordNumber.get() == 0)
        {
            checkTail(0);
        }
        return maxSequence;
    }

    /**
     * Rebuild each idempotent publisher's deduplication window from the records that carry a publisher id: the
     * whole journal is read once, forward (linear in its size; retention bounds it). Only documents in format 4 hold
     * such records.
     */
    private void recoverPublishers()
    {
        try (ExcerptTailer tailer = queue.createTailer())
        {
            final JournalDocument document = new JournalDocument();
            final JournalMessage message = new JournalMessage();
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    if (dc.isMetaData() || JournalDocument.VALID != document.wrap(dc.index(), dc.wire().bytes()) ||
                        JournalRecord.FORMAT == document.firstByte()) // format 3 has no publisher fields
                    {
                        continue;
                    }
                    while (document.hasNext())
                    {
                        document.next(message);
                        if (0 != message.publisherId())
                        {
                            deduplication.recover(message.publisherId(), message.publisherSequence());
                        }
                    }
                }
            }
        }
        catch (final RuntimeException ex)
        {
            fail(new JournalException("journal in " + ctx.directory() + ": idempotent publishers could not be " +
                "recovered: " + ex, ex));
        }
    }

    @Override
    public long reservePublisherSequence(final long publisherId, final long publisherSequence)
    {
        return deduplication.reserve(publisherId, publisherSequence);
    }

    @Override
    public void releasePublisherSequence(final long publisherId, final long publisherSequence)
    {
        deduplication.release(publisherId, publisherSequence);
    }

    /**
     * @return now on the journal's clock, in nanoseconds since the epoch, as expiries are recorded.
     */
    long nowEpochNs()
    {
        return ctx.timeProvider().currentTimeNanos();
    }

    /**
     * A record in a format this build does not write (an older or newer build's journal): refuse the journal
     * rather than misread it. Zero is not a format: it is what a record cut short reads as.
     */
    private void refuseFormat(final long index, final int firstByte)
    {
        final int version = JournalRecord.formatVersion(firstByte);
        fail(new JournalException("journal in " + ctx.directory() + " holds a record (index " +
            Long.toHexString(index) + ") in " + (0 == version ? "an unknown record format (first byte 0x" +
            Integer.toHexString(firstByte) + ")" : "record format version " + version) +
            "; this build reads and writes format versions " + JournalRecord.readableVersions() + " only. Replay it with the build that wrote it, or start on a new journal directory; guaranteed " +
            "messages are refused, best-effort traffic continues"));
        nextRecordNumber.set(Math.max(nextRecordNumber.get(), highWater.getVolatileValue()));
    }

    /**
     * Compare the last readable record with the high-water mark written after each flushed batch: fewer
     * records than that means the tail was truncated or corrupted. Say so; never reuse their numbers.
     */
    private void checkTail(final long readable)
    {
        final long flushed = highWater.getVolatileValue();
        nextRecordNumber.set(Math.max(readable, flushed));
        if (flushed > readable)
        {
            // Appending after a damaged tail could hide the new records from readers (Chronicle resumes at its
            // stored write position), so the journal stops taking guaranteed messages until an operator acts.
            counters.corruptRecordsCounter().getAndAdd(flushed - readable);
            fail(new JournalException("journal in " + ctx.directory() + " lost its tail: records " + readable +
                " to " + (flushed - 1) + " were journaled but cannot be read (truncated or corrupt file). " +
                "Records before them can still be replayed; guaranteed messages are refused until an operator " +
                "repairs or replaces the journal directory; best-effort traffic continues"));
        }
    }

    void onBatchJournaled(final long lastRecordNumber)
    {
        if (lastRecordNumber >= 0)
        {
            highWater.setMaxValue(lastRecordNumber + 1);
        }
    }

    public Context context()
    {
        return ctx;
    }

    public JournalCounters counters()
    {
        return counters;
    }

    /**
     * @return why the journal cannot take appends, or null while it can.
     */
    public Throwable failure()
    {
        return failure;
    }

    @Override
    public JournalWriter newWriter(final int shardIndex, final int shardCount)
    {
        checkWritable();
        final ExcerptAppender appender = queue.createAppender();
        // Created on the stage's thread; in INVOKER mode the stage may later run on another caller thread,
        // one at a time (the Disruptor's sequences order them), which Chronicle's check would refuse.
        appender.singleThreadedCheckDisabled(true);
        return new ChronicleJournalWriter(
            this, appender, shardIndex, shardCount, ctx.flushPolicy(), ctx.timeProvider(),
            counters.appendedCounter(), ctx.maxDocumentLength());
    }

    @Override
    public long lastSequence()
    {
        return lastSequence;
    }

    @Override
    public boolean isAvailable()
    {
        return null == failure && !diskFull;
    }

    void checkWritable()
    {
        final Throwable cause = failure;
        if (null != cause)
        {
            throw new JournalException("journal unavailable: " + cause.getMessage(), cause);
        }
        if (diskFull)
        {
            throw new JournalException("journal disk full: fewer than minFreeDiskBytes=" + ctx.minFreeDiskBytes() +
                " bytes free in " + ctx.directory());
        }
    }

    /**
     * Take the numbers of a document's records. Called under the queue's write lock, which orders every
     * appender: a plain read published with a release store, no locked instruction per document.
     *
     * @return the first of {@code count} consecutive record numbers.
     */
    long nextRecordNumbers(final int count)
    {
        final long first = nextRecordNumber.getPlain();
        nextRecordNumber.setRelease(first + count);
        return first;
    }

    void releaseRecordNumbers(final long first, final int count)
    {
        nextRecordNumber.compareAndSet(first + count, first);
    }

    /**
     * @return the record number the next append will take: how many records the journal has ever held.
     */
    public long nextRecordNumberValue()
    {
        return nextRecordNumber.get();
    }

    void diskFull(final boolean isFull)
    {
        diskFull = isFull;
    }

    boolean isDiskFull()
    {
        return diskFull;
    }

    void fail(final Throwable cause)
    {
        if (null == failure)
        {
            failure = cause;
        }
        counters.faultsCounter().increment();
        onError(cause);
    }

    void onError(final Throwable error)
    {
        ctx.errorHandler().onError(error);
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    List<DurableSubscription> subscriptions()
    {
        return subscriptions;
    }

    DurableSubscription[] subscriptionArray()
    {
        return subscriptionArray;
    }

    /**
     * Subscribe to the journal. A named subscription is durable: its position is persisted in the
     * journal's metadata only when it acknowledges, and on a later subscribe with the same name delivery
     * resumes after the last acknowledged message ({@code start} applies only the first time). Delivery is
     * at-least-once: drop duplicates by {@link JournalMessage#recordNumber()}. If retention deleted
     * messages it had not acknowledged, it stops with {@link DurableSubscription.State#BEHIND_RETENTION}
     * (and a counter) rather than skip them.
     *
     * @param name    a durable name (letters, digits, '-', '_', '.'), or null for a replay that persists nothing.
     * @param pattern the topics to deliver, as for the switch ({@code *}, {@code >}).
     */
    public DurableSubscription subscribe(
        final String name, final String pattern, final StartPosition start, final DurableMessageHandler handler)
    {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(handler, "handler");
        if (null != name && !name.matches("[A-Za-z0-9._-]{1,100}"))
        {
            throw new IllegalArgumentException("durable name must be 1-100 of [A-Za-z0-9._-]: " + name);
        }
        if (null == queue)
        {
            throw new JournalException("journal unavailable: " + failure.getMessage(), failure);
        }
        final DurableSubscription subscription = new DurableSubscription(this, name, pattern, handler, counters);
        subscription.start(start);
        subscriptions.add(subscription);
        subscriptionArray = subscriptions.toArray(new DurableSubscription[0]);
        return subscription;
    }

    /**
     * A reader of this journal's messages by sequence (see {@link JournalCursor}), on the caller's thread.
     */
    public JournalCursor newCursor()
    {
        if (null == queue)
        {
            throw new JournalException("journal unavailable: " + failure.getMessage(), failure);
        }
        return new JournalCursor(queue.createTailer());
    }

    void remove(final DurableSubscription subscription)
    {
        if (subscriptions.remove(subscription))
        {
            subscriptionArray = subscriptions.toArray(new DurableSubscription[0]);
            closedSubscriptions.add(subscription); // Its tailer is closed by the delivery thread (or the journal's close).
        }
    }

    /**
     * On the delivery thread, after its polls: close the tailers and values of subscriptions closed since, so that a
     * daemon whose durable subscribers come and go holds only those open.
     */
    int releaseClosed()
    {
        int released = 0;
        for (final DurableSubscription subscription : closedSubscriptions)
        {
            if (closedSubscriptions.remove(subscription))
            {
                subscription.closeResources();
                released++;
            }
        }
        return released;
    }

    int closedAwaitingRelease()
    {
        return closedSubscriptions.size();
    }

    /**
     * With {@link Context#useInvoker(boolean)}: run one duty cycle (durable deliveries, retention, disk
     * check) on the caller's thread.
     */
    public int doWork()
    {
        if (null == invoker)
        {
            throw new IllegalStateException("doWork() needs Context.useInvoker(true)");
        }
        return invoker.invoke();
    }

    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        CloseHelper.closeAll(runner, invoker);
        for (final DurableSubscription subscription : subscriptions)
        {
            subscription.closeResources();
        }
        for (final DurableSubscription subscription : closedSubscriptions)
        {
            subscription.closeResources();
        }
        subscriptions.clear();
        closedSubscriptions.clear();
        if (highWater instanceof AutoCloseable)
        {
            CloseHelper.quietClose((AutoCloseable)highWater);
        }
        CloseHelper.quietClose(queue);
        counters.close();
    }

    /**
     * Configuration of a journal: defaults for everything, checked and completed by {@link #conclude()}.
     */
    public static final class Context
    {
        public static final long DEFAULT_BLOCK_SIZE = 16L << 20;
        public static final long DEFAULT_MIN_FREE_DISK_BYTES = 256L << 20;
        public static final long DEFAULT_DISK_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
        public static final long DEFAULT_RETENTION_CHECK_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
        public static final long DEFAULT_LOCK_TIMEOUT_MS = 10_000;
        public static final int DEFAULT_DELIVERY_BATCH_LIMIT = 256;
        public static final int DEFAULT_RECOVERY_SCAN_LIMIT = 1 << 20;
        public static final int DEFAULT_MAX_DOCUMENT_LENGTH = 64 << 10;
        public static final int DEFAULT_DEDUPLICATION_WINDOW = 4096;

        private boolean isConcluded;
        private File directory;
        private RollCycle rollCycle = RollCycles.FAST_DAILY;
        private long blockSize = DEFAULT_BLOCK_SIZE;
        private FlushPolicy flushPolicy = FlushPolicy.OS;
        private TimeProvider timeProvider = SystemTimeProvider.INSTANCE;
        private Retention retention = Retention.keepAll();
        private long minFreeDiskBytes = DEFAULT_MIN_FREE_DISK_BYTES;
        private long diskCheckIntervalNs = DEFAULT_DISK_CHECK_INTERVAL_NS;
        private long retentionCheckIntervalNs = DEFAULT_RETENTION_CHECK_INTERVAL_NS;
        private long lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS;
        private int deliveryBatchLimit = DEFAULT_DELIVERY_BATCH_LIMIT;
        private int recoveryScanLimit = DEFAULT_RECOVERY_SCAN_LIMIT;
        private int maxDocumentLength;
        private int deduplicationWindow = DEFAULT_DEDUPLICATION_WINDOW;
        private boolean recoverPublishers = true;
        private boolean useInvoker;
        private Supplier<IdleStrategy> idleStrategySupplier = AgentPlacement.BACKOFF_IDLE_STRATEGY;
        private ErrorHandler errorHandler;
        private CountersManager countersManager;

        public Context conclude()
        {
            if (isConcluded)
            {
                throw new IllegalStateException("context already concluded");
            }
            isConcluded = true;
            Objects.requireNonNull(directory, "directory");
            if (blockSize < (64 << 10) || minFreeDiskBytes < 0 || diskCheckIntervalNs <= 0 ||
                retentionCheckIntervalNs <= 0 || deliveryBatchLimit < 1 || lockTimeoutMs <= 0)
            {
                throw new IllegalArgumentException("blockSize >= 64k, minFreeDiskBytes >= 0, intervals > 0, " +
                    "deliveryBatchLimit >= 1 and lockTimeoutMs > 0 are required");
            }
            if (0 == maxDocumentLength)
            {
                maxDocumentLength = (int)Math.min(DEFAULT_MAX_DOCUMENT_LENGTH, blockSize / 4);
            }
            if (maxDocumentLength < 256 || maxDocumentLength > blockSize / 4)
            {
                throw new IllegalArgumentException("maxDocumentLength must be 256 to blockSize/4 (" +
                    blockSize / 4 + "): " + maxDocumentLength);
            }
            if (deduplicationWindow < 64 || deduplicationWindow > (1 << 24) ||
                Integer.bitCount(deduplicationWindow) != 1)
            {
                throw new IllegalArgumentException("deduplicationWindow must be a power of two from 64 to 2^24: " +
                    deduplicationWindow);
            }
            if (null == errorHandler)
            {
                errorHandler = Throwable::printStackTrace;
            }
            if (null == countersManager)
            {
                final int capacity = 256;
                countersManager = new CountersManager(
                    new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.METADATA_LENGTH)),
                    new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.COUNTER_LENGTH)),
                    StandardCharsets.US_ASCII, SystemEpochClock.INSTANCE, 1000);
            }
            return this;
        }

        /**
         * @param directory where the Chronicle Queue files live; created if missing. Required.
         */
        public Context directory(final File directory)
        {
            this.directory = directory;
            return this;
        }

        public File directory()
        {
            return directory;
        }

        /**
         * @param rollCycle how often a new file starts (retention deletes whole files); FAST_DAILY by default.
         */
        public Context rollCycle(final RollCycle rollCycle)
        {
            this.rollCycle = Objects.requireNonNull(rollCycle);
            return this;
        }

        public RollCycle rollCycle()
        {
            return rollCycle;
        }

        /**
         * @param blockSize bytes Chronicle maps at a time; also bounds the largest record.
         */
        public Context blockSize(final long blockSize)
        {
            this.blockSize = blockSize;
            return this;
        }

        public long blockSize()
        {
            return blockSize;
        }

        public Context flushPolicy(final FlushPolicy policy)
        {
            this.flushPolicy = Objects.requireNonNull(policy);
            return this;
        }

        public FlushPolicy flushPolicy()
        {
            return flushPolicy;
        }

        /**
         * @param timeProvider the journal's wall clock: roll cycles, record times and retention by age.
         */
        public Context timeProvider(final TimeProvider timeProvider)
        {
            this.timeProvider = Objects.requireNonNull(timeProvider);
            return this;
        }

        public TimeProvider timeProvider()
        {
            return timeProvider;
        }

        public Context retention(final Retention retention)
        {
            this.retention = Objects.requireNonNull(retention);
            return this;
        }

        public Retention retention()
        {
            return retention;
        }

        /**
         * @param bytes below this much usable space in the directory, the journal refuses appends (guaranteed
         *              offers are refused) until space is freed: a memory-mapped write to a full disk
         *              would kill the JVM with SIGBUS.
         */
        public Context minFreeDiskBytes(final long bytes)
        {
            this.minFreeDiskBytes = bytes;
            return this;
        }

        public long minFreeDiskBytes()
        {
            return minFreeDiskBytes;
        }

        public Context diskCheckIntervalNs(final long intervalNs)
        {
            this.diskCheckIntervalNs = intervalNs;
            return this;
        }

        public long diskCheckIntervalNs()
        {
            return diskCheckIntervalNs;
        }

        public Context retentionCheckIntervalNs(final long intervalNs)
        {
            this.retentionCheckIntervalNs = intervalNs;
            return this;
        }

        public long retentionCheckIntervalNs()
        {
            return retentionCheckIntervalNs;
        }

        /**
         * @param timeoutMs how long an appender waits for the write lock before it takes it over; a process
         *                  killed while writing leaves the lock held until then.
         */
        public Context lockTimeoutMs(final long timeoutMs)
        {
            this.lockTimeoutMs = timeoutMs;
            return this;
        }

        public long lockTimeoutMs()
        {
            return lockTimeoutMs;
        }

        public Context deliveryBatchLimit(final int limit)
        {
            this.deliveryBatchLimit = limit;
            return this;
        }

        public int deliveryBatchLimit()
        {
            return deliveryBatchLimit;
        }

        /**
         * @param length the size cap of a journal document: the records of one batch of the journal stage are
         *               written as one Chronicle document up to this many bytes (a batch beyond it is split; a
         *               record larger than it gets a document of its own). Default: 64 KiB or blockSize/4 if less.
         */
        public Context maxDocumentLength(final int length)
        {
            this.maxDocumentLength = length;
            return this;
        }

        public int maxDocumentLength()
        {
            return maxDocumentLength;
        }

        /**
         * @param window how many publisher sequences below an idempotent publisher's highest the journal remembers
         *               (a power of two, default 4096): a resend within it is refused as {@code DUPLICATE} if it was
         *               journaled (or is in flight), accepted if not; older, it is refused as
         *               {@code TOO_OLD_FOR_DEDUPLICATION}. Memory: window / 8 bytes per publisher id.
         */
        public Context deduplicationWindow(final int window)
        {
            this.deduplicationWindow = window;
            return this;
        }

        public int deduplicationWindow()
        {
            return deduplicationWindow;
        }

        /**
         * @param recover false: do not rebuild the idempotent publishers' windows from the journal when it opens
         *                (which reads it whole), for an owner that keeps its own deduplication state, such as a
         *                clustered member's snapshot.
         */
        public Context recoverPublishers(final boolean recover)
        {
            this.recoverPublishers = recover;
            return this;
        }

        public boolean recoverPublishers()
        {
            return recoverPublishers;
        }

        public Context recoveryScanLimit(final int limit)
        {
            this.recoveryScanLimit = limit;
            return this;
        }

        public int recoveryScanLimit()
        {
            return recoveryScanLimit;
        }

        /**
         * @param useInvoker true: no thread; the application calls {@link Journal#doWork()}.
         */
        public Context useInvoker(final boolean useInvoker)
        {
            this.useInvoker = useInvoker;
            return this;
        }

        public boolean useInvoker()
        {
            return useInvoker;
        }

        public Context idleStrategySupplier(final Supplier<IdleStrategy> supplier)
        {
            this.idleStrategySupplier = Objects.requireNonNull(supplier);
            return this;
        }

        public Supplier<IdleStrategy> idleStrategySupplier()
        {
            return idleStrategySupplier;
        }

        public Context errorHandler(final ErrorHandler handler)
        {
            this.errorHandler = handler;
            return this;
        }

        public ErrorHandler errorHandler()
        {
            return errorHandler;
        }

        public Context countersManager(final CountersManager manager)
        {
            this.countersManager = manager;
            return this;
        }

        public CountersManager countersManager()
        {
            return countersManager;
        }
    }
}
