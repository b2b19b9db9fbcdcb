package io.junction.journal;

import java.io.File;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A read-only view of a journal directory, for operators and tools: what it holds (roll-cycle files, records,
 * durable positions), its messages in order, and a check of its structure. It opens the queue read-only (files are
 * mapped read-only, nothing is created or written), so it can read the journal of a running daemon.
 * <p>
 * Not for hot paths: it allocates per call and scans linearly.
 */
public final class JournalReader implements AutoCloseable
{
    /** The Chronicle metadata file of a journal directory; its presence is what makes a directory a journal. */
    public static final String METADATA_FILE = "metadata.cq4t";

    // Chronicle keeps what Journal and DurableSubscription store with indexForId(id) under "index." + id.
    private static final String HIGH_WATER_KEY = "index.junction.journal.highWater";
    private static final String DURABLE_PREFIX = "index.junction.durable.";
    private static final String SLOT_SUFFIX = ".slot";

    private final File directory;
    private final SingleChronicleQueue queue;

    private JournalReader(final File directory, final SingleChronicleQueue queue)
    {
        this.directory = directory;
        this.queue = queue;
    }

    /**
     * Open a journal directory read-only.
     *
     * @throws JournalException if it is missing, not a directory, or not a journal (no {@value #METADATA_FILE}).
     */
    public static JournalReader open(final File directory)
    {
        if (!directory.exists())
        {
            throw new JournalException("journal directory " + directory + " does not exist");
        }
        if (!directory.isDirectory())
        {
            throw new JournalException(directory + " is not a directory");
        }
        if (!new File(directory, METADATA_FILE).isFile())
        {
            throw new JournalException(directory + " is not a journal directory (it has no " + METADATA_FILE + ")");
        }
        try
        {
            return new JournalReader(directory, SingleChronicleQueueBuilder.single(directory).readOnly(true).build());
        }
        catch (final RuntimeException ex)
        {
            throw new JournalException("journal directory " + directory + " cannot be opened: " + ex.getMessage(), ex);
        }
    }

    public File directory()
    {
        return directory;
    }

    /**
     * @return how many records the journal says it has flushed (record number + 1 of the last), from its metadata;
     * 0 before the first.
     */
    public long highWater()
    {
        final long value = queue.tableStoreGet(HIGH_WATER_KEY);
        return Long.MIN_VALUE == value ? 0 : value;
    }

    /**
     * Visits the messages of a journal in order, one reused {@link JournalMessage} at a time.
     */
    @FunctionalInterface
    public interface MessageVisitor
    {
        /**
         * @return false to stop reading.
         */
        boolean onMessage(JournalMessage message);
    }

    /**
     * Read the messages from {@code start} ({@link StartPosition#latest()} reads nothing), those whose topic matches
     * {@code topicPattern} (null for all), up to the end of what is journaled now. Documents that fail their check
     * are passed over (see {@link #verify()}).
     */
    public void read(final StartPosition start, final String topicPattern, final MessageVisitor visitor)
    {
        if (StartPosition.Kind.LATEST == start.kind())
        {
            return;
        }
        final JournalDocument document = new JournalDocument();
        final JournalMessage message = new JournalMessage();
        boolean started = StartPosition.Kind.EARLIEST == start.kind();
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        return;
                    }
                    if (dc.isMetaData() || JournalDocument.VALID != document.wrap(dc.index(), dc.wire().bytes()))
                    {
                        continue;
                    }
                    if (!started && StartPosition.Kind.TIME == start.kind())
                    {
                        started = document.epochNs() >= start.value();
                    }
                    while (document.hasNext())
                    {
                        if (!started && document.peekSequence() >= start.value())
                        {
                            started = true;
                        }
                        if (!started)
                        {
                            document.skip();
                            continue;
                        }
                        document.next(message);
                        if ((null == topicPattern || TopicMatcher.matches(topicPattern, message.topic())) &&
                            !visitor.onMessage(message))
                        {
                            return;
                        }
                    }
                }
            }
        }
    }

    /**
     * What one roll-cycle file holds.
     *
     * @param firstEpochNs journal time of its first batch, Long.MIN_VALUE if it has no readable record; likewise
     *                     the other first/last fields (record numbers and sequences -1).
     */
    public record CycleSummary(
        int cycle,
        String fileName,
        long documents,
        long unreadableDocuments,
        long records,
        long firstRecordNumber,
        long lastRecordNumber,
        long firstSequence,
        long lastSequence,
        long firstEpochNs,
        long lastEpochNs)
    {
    }

    /**
     * @return each roll-cycle file with its documents, records, first and last record number, sequence and time.
     */
    public List<CycleSummary> cycles()
    {
        final TreeMap<Integer, long[]> byCycle = new TreeMap<>();
        final JournalDocument document = new JournalDocument();
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
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
                    final int cycle = queue.rollCycle().toCycle(dc.index());
                    final long[] s = byCycle.computeIfAbsent(cycle, (c) ->
                        new long[]{ 0, 0, 0, -1, -1, -1, -1, Long.MIN_VALUE, Long.MIN_VALUE });
                    s[0]++;
                    if (JournalDocument.VALID != document.wrap(dc.index(), dc.wire().bytes()))
                    {
                        s[1]++;
                        continue;
                    }
                    s[2] += document.count();
                    if (s[3] < 0)
                    {
                        s[3] = document.firstRecordNumber();
                        s[5] = document.peekSequence();
                        s[7] = document.epochNs();
                    }
                    s[4] = document.lastRecordNumber();
                    s[8] = document.epochNs();
                    while (document.hasNext())
                    {
                        s[6] = document.peekSequence();
                        document.skip();
                    }
                }
            }
        }
        final List<CycleSummary> result = new ArrayList<>();
        for (final Map.Entry<Integer, long[]> e : byCycle.entrySet())
        {
            final long[] s = e.getValue();
            result.add(new CycleSummary(
                e.getKey(), fileName(e.getKey()), s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]));
        }
        return result;
    }

    /**
     * A durable subscription's persisted acknowledgement (see {@link DurableSubscription}).
     *
     * @param slot           0 if it never acknowledged, else the slot (1 or 2) holding the last acknowledgement;
     *                       any other value is damage that {@link #verify()} reports.
     * @param position       the Chronicle index of the acknowledged record's document (-1 without one).
     * @param recordNumber   the acknowledged record's number (-1 without one).
     * @param sequence       its switch sequence (-1 without one).
     */
    public record DurablePosition(String name, long slot, long position, long recordNumber, long sequence)
    {
        public boolean hasAcknowledged()
        {
            return 1 == slot || 2 == slot;
        }
    }

    /**
     * @return the durable subscriptions persisted in the journal's metadata, by name.
     */
    public List<DurablePosition> durablePositions()
    {
        final Map<String, Long> values = new HashMap<>();
        queue.metaStore().forEachKey(values, (map, key, value) ->
        {
            final String k = key.toString();
            if (k.startsWith(DURABLE_PREFIX))
            {
                map.put(k, value.int64());
            }
        });
        final List<DurablePosition> result = new ArrayList<>();
        for (final String key : new java.util.TreeSet<>(values.keySet()))
        {
            if (!key.endsWith(SLOT_SUFFIX))
            {
                continue;
            }
            final String name = key.substring(DURABLE_PREFIX.length(), key.length() - SLOT_SUFFIX.length());
            final long slot = values.get(key);
            if (1 == slot || 2 == slot)
            {
                final String prefix = DURABLE_PREFIX + name;
                result.add(new DurablePosition(name, slot,
                    values.getOrDefault(prefix + ".position." + slot, -1L),
                    values.getOrDefault(prefix + ".record." + slot, 0L) - 1,
                    values.getOrDefault(prefix + ".sequence." + slot, -1L)));
            }
            else
            {
                result.add(new DurablePosition(name, slot, -1, -1, -1));
            }
        }
        return result;
    }

    /**
     * Check the journal's structure: every document whole (format, trailer, record lengths), records numbered
     * without gaps or overlaps, sequences increasing per shard (and, within a batch, a multiple of the shard count
     * apart), no idempotent publisher's sequence journaled twice, the readable tail against the high-water mark,
     * and every durable subscription's acknowledgement slots against the record they name.
     *
     * @return what is wrong, each naming where (document index, roll-cycle file, record numbers); empty if nothing.
     */
    public List<String> verify()
    {
        final List<String> problems = new ArrayList<>();
        final JournalDocument document = new JournalDocument();
        final Map<Integer, Long> lastSequenceByShard = new HashMap<>();
        final Map<Long, java.util.Set<Long>> publisherSequences = new HashMap<>();
        final JournalMessage message = new JournalMessage();
        long expectedRecord = -1;
        long readable = 0;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
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
                    final long index = dc.index();
                    final int status = document.wrap(index, dc.wire().bytes());
                    if (JournalDocument.VALID != status)
                    {
                        final int version = JournalRecord.formatVersion(document.firstByte());
                        problems.add(where(index) + ": " + (JournalDocument.OTHER_FORMAT == status ?
                            (0 == version ? "unknown record format (first byte 0x" +
                                Integer.toHexString(document.firstByte()) + ")" : "record format version " + version) +
                                "; this build reads format versions " + JournalRecord.readableVersions() :
                            "corrupt document: " + document.problem()) +
                            (expectedRecord >= 0 ? " (expected record " + expectedRecord + " next)" : ""));
                        continue;
                    }
                    final long first = document.firstRecordNumber();
                    if (expectedRecord >= 0 && first != expectedRecord)
                    {
                        problems.add(where(index) + ": record numbering " + (first > expectedRecord ?
                            "gap: " + (first - 1 == expectedRecord ? "record " + expectedRecord + " is" :
                            "records " + expectedRecord + " to " + (first - 1) + " are") + " missing" :
                            "overlap: starts at record " + first + ", records up to " + (expectedRecord - 1) +
                                " came before"));
                    }
                    expectedRecord = document.lastRecordNumber() + 1;
                    readable = expectedRecord;
                    final int shard = document.shardIndex();
                    long previous = lastSequenceByShard.getOrDefault(shard, Long.MIN_VALUE);
                    boolean inBatch = false;
                    while (document.hasNext())
                    {
                        final long record = document.nextRecordNumber();
                        final long sequence = document.peekSequence();
                        if (previous != Long.MIN_VALUE && sequence <= previous)
                        {
                            problems.add(where(index) + ": record " + record + " of shard " + shard +
                                " has sequence " + sequence + ", not above the shard's previous " + previous);
                        }
                        else if (inBatch && (sequence - previous) % document.shardCount() != 0)
                        {
                            problems.add(where(index) + ": record " + record + " of shard " + shard + " has sequence " +
                                sequence + ", not a multiple of the shard count " + document.shardCount() +
                                " after the batch's previous " + previous);
                        }
                        previous = sequence;
                        inBatch = true;
                        document.next(message);
                        if (0 != message.publisherId() && !publisherSequences.computeIfAbsent(
                            message.publisherId(), (id) -> new java.util.HashSet<>()).add(message.publisherSequence()))
                        {
                            problems.add(where(index) + ": record " + record + " journals publisher " +
                                message.publisherId() + " sequence " + message.publisherSequence() + " again");
                        }
                    }
                    lastSequenceByShard.put(shard, previous);
                }
            }
        }
        final long highWater = highWater();
        if (highWater > readable)
        {
            problems.add("tail: records " + readable + " to " + (highWater - 1) + " were journaled (high-water mark " +
                highWater + " in " + METADATA_FILE + ") but cannot be read: truncated or corrupt");
        }
        for (final DurablePosition position : durablePositions())
        {
            final String problem = checkDurable(position, readable, document);
            if (null != problem)
            {
                problems.add("durable subscription '" + position.name() + "': " + problem);
            }
        }
        return problems;
    }

    private String checkDurable(final DurablePosition p, final long readable, final JournalDocument document)
    {
        if (0 == p.slot())
        {
            return null;
        }
        if (!p.hasAcknowledged())
        {
            return "acknowledgement slot selector is " + p.slot() + " (must be 0, 1 or 2) in " + METADATA_FILE;
        }
        if (p.recordNumber() < 0 || p.recordNumber() >= Math.max(readable, highWater()))
        {
            return "slot " + p.slot() + " acknowledges record " + p.recordNumber() + ", beyond the journal's " +
                Math.max(readable, highWater()) + " records";
        }
        try (ExcerptTailer tailer = queue.createTailer())
        {
            if (!tailer.moveToIndex(p.position()))
            {
                final int cycle = queue.rollCycle().toCycle(p.position());
                return cycle < queue.firstCycle() ? null : // Deleted by retention: the subscription detects it.
                    "slot " + p.slot() + " names index " + Long.toHexString(p.position()) + " (" +
                        fileName(cycle) + "), where there is no document";
            }
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent() || dc.isMetaData() ||
                    JournalDocument.VALID != document.wrap(dc.index(), dc.wire().bytes()))
                {
                    return "slot " + p.slot() + " names " + where(p.position()) + ", which is not a readable document";
                }
                if (p.recordNumber() < document.firstRecordNumber() || p.recordNumber() > document.lastRecordNumber())
                {
                    return "slot " + p.slot() + " acknowledges record " + p.recordNumber() + " at " +
                        where(p.position()) + ", but that document holds records " + document.firstRecordNumber() +
                        " to " + document.lastRecordNumber();
                }
                while (document.nextRecordNumber() < p.recordNumber())
                {
                    document.skip();
                }
                final long found = document.peekSequence();
                return found == p.sequence() ? null : "slot " + p.slot() + " acknowledges record " + p.recordNumber() +
                    " with sequence " + p.sequence() + ", but the record carries sequence " + found;
            }
        }
    }

    private String where(final long index)
    {
        final int cycle = queue.rollCycle().toCycle(index);
        return "index 0x" + Long.toHexString(index) + " (" + fileName(cycle) + ", document " +
            queue.rollCycle().toSequenceNumber(index) + ")";
    }

    /**
     * @return the name of a roll cycle's file (as Chronicle names it: the cycle's start in the roll cycle's format).
     */
    public String fileName(final int cycle)
    {
        final long startMs = cycle * (long)queue.rollCycle().lengthInMillis();
        return DateTimeFormatter.ofPattern(queue.rollCycle().format()).withZone(ZoneOffset.UTC)
            .format(Instant.ofEpochMilli(startMs)) + ".cq4";
    }

    @Override
    public void close()
    {
        queue.close();
    }
}
