package io.junction.tools;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.junction.journal.JournalException;
import io.junction.journal.JournalMessage;
import io.junction.journal.JournalReader;
import io.junction.journal.StartPosition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code junction journal list|dump|verify}: a daemon's journal from the shell, read with the journal's own reader,
 * read-only (it creates and changes nothing, so it can read the journal of a running daemon).
 * Exit codes: 0 OK, 1 {@code verify} found damage, 2 bad input (missing directory, not a journal, bad option).
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
    description = "Read a journal (read-only, also while the daemon runs): list, dump or verify it.",
    subcommands = { JournalCommand.ListCommand.class, JournalCommand.DumpCommand.class,
        JournalCommand.VerifyCommand.class })
public final class JournalCommand implements Callable<Integer>
{
    static final int OK = 0;
    static final int DAMAGED = 1;
    static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        spec.commandLine().usage(System.err);
        return BAD_INPUT;
    }

    /**
     * The options every journal subcommand takes.
     */
    static final class Target
    {
        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "A daemon's data directory " +
            "(the journal is found from its daemon.properties, else DIR/journal) or a journal directory.")
        File dir;

        @Option(names = "--json", description = "JSON instead of text.")
        boolean json;

        /**
         * @return the journal directory that {@code --dir} names.
         */
        File journalDirectory() throws IOException
        {
            if (new File(dir, JournalReader.METADATA_FILE).isFile())
            {
                return dir;
            }
            if (new File(dir, Daemon.PROPERTIES_FILE).isFile())
            {
                final Properties properties = Daemon.readProperties(dir);
                final String journalDir = properties.getProperty("journal.dir", "");
                if (!journalDir.isEmpty())
                {
                    return new File(journalDir);
                }
            }
            final File inDataDir = new File(dir, "journal");
            return inDataDir.isDirectory() ? inDataDir : dir; // else the reader says what dir is not
        }

        JournalReader open() throws IOException
        {
            return JournalReader.open(journalDirectory());
        }
    }

    /**
     * Run a subcommand's body: a user's mistake (no such directory, not a journal) is one line and exit 2.
     */
    interface Body
    {
        int run(JournalReader reader, PrintStream out) throws IOException;
    }

    static int run(final String name, final Target target, final Body body)
    {
        final PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false,
            StandardCharsets.UTF_8);
        try (JournalReader reader = target.open())
        {
            return body.run(reader, out);
        }
        catch (final JournalException | IOException ex)
        {
            System.err.println("junction journal " + name + ": " + ex.getMessage());
            return BAD_INPUT;
        }
        catch (final RuntimeException ex) // Chronicle failing on a damaged file: damage, said in one line
        {
            out.flush();
            System.err.println("junction journal " + name + ": cannot read " + target.dir + ": " + ex);
            return DAMAGED;
        }
        finally
        {
            out.flush();
        }
    }

    static JsonGenerator jsonLines(final OutputStream out) throws IOException
    {
        final JsonGenerator json = new ObjectMapper().getFactory().createGenerator(out);
        json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        json.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
        return json;
    }

    static String time(final long epochNs)
    {
        return Long.MIN_VALUE == epochNs ? "-" :
            Instant.ofEpochSecond(Math.floorDiv(epochNs, 1_000_000_000L), Math.floorMod(epochNs, 1_000_000_000L))
                .toString();
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "Roll-cycle files with their records, first/last record number, sequence and time; " +
            "durable subscriptions and their acknowledged positions.")
    static final class ListCommand implements Callable<Integer>
    {
        @Mixin
        Target target;

        @Override
        public Integer call()
        {
            return run("list", target, (reader, out) ->
            {
                final List<JournalReader.CycleSummary> cycles = reader.cycles();
                final List<JournalReader.DurablePosition> durable = reader.durablePositions();
                if (target.json)
                {
                    writeJson(reader, cycles, durable, out);
                }
                else
                {
                    writeText(reader, cycles, durable, out);
                }
                return OK;
            });
        }

        private static void writeText(
            final JournalReader reader,
            final List<JournalReader.CycleSummary> cycles,
            final List<JournalReader.DurablePosition> durable,
            final PrintStream out)
        {
            out.println("journal " + reader.directory().getAbsolutePath());
            out.printf("%-20s %10s %10s %12s %12s %14s %14s  %-30s  %-30s%n", "file", "documents", "records",
                "first record", "last record", "first seq", "last seq", "first time", "last time");
            long records = 0;
            for (final JournalReader.CycleSummary c : cycles)
            {
                out.printf("%-20s %10d %10d %12d %12d %14d %14d  %-30s  %-30s%s%n", c.fileName(), c.documents(),
                    c.records(), c.firstRecordNumber(), c.lastRecordNumber(), c.firstSequence(), c.lastSequence(),
                    time(c.firstEpochNs()), time(c.lastEpochNs()),
                    c.unreadableDocuments() > 0 ? "  (" + c.unreadableDocuments() + " unreadable: run verify)" : "");
                records += c.records();
            }
            out.println(cycles.size() + " roll-cycle file(s), " + records + " record(s); high-water mark " +
                reader.highWater());
            out.println("durable subscriptions: " + (durable.isEmpty() ? "none" : durable.size()));
            for (final JournalReader.DurablePosition d : durable)
            {
                out.println("  " + d.name() + ": " + (d.hasAcknowledged() ?
                    "acknowledged record " + d.recordNumber() + " (sequence " + d.sequence() + ", index 0x" +
                        Long.toHexString(d.position()) + ", slot " + d.slot() + ")" :
                    0 == d.slot() ? "nothing acknowledged" : "damaged slot selector " + d.slot() + " (run verify)"));
            }
        }

        private static void writeJson(
            final JournalReader reader,
            final List<JournalReader.CycleSummary> cycles,
            final List<JournalReader.DurablePosition> durable,
            final PrintStream out) throws IOException
        {
            try (JsonGenerator json = jsonLines(out))
            {
                json.writeStartObject();
                json.writeStringField("directory", reader.directory().getAbsolutePath());
                json.writeNumberField("highWater", reader.highWater());
                json.writeArrayFieldStart("cycles");
                for (final JournalReader.CycleSummary c : cycles)
                {
                    json.writeStartObject();
                    json.writeNumberField("cycle", c.cycle());
                    json.writeStringField("file", c.fileName());
                    json.writeNumberField("documents", c.documents());
                    json.writeNumberField("unreadableDocuments", c.unreadableDocuments());
                    json.writeNumberField("records", c.records());
                    json.writeNumberField("firstRecord", c.firstRecordNumber());
                    json.writeNumberField("lastRecord", c.lastRecordNumber());
                    json.writeNumberField("firstSequence", c.firstSequence());
                    json.writeNumberField("lastSequence", c.lastSequence());
                    json.writeStringField("firstTime", time(c.firstEpochNs()));
                    json.writeStringField("lastTime", time(c.lastEpochNs()));
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeArrayFieldStart("durableSubscriptions");
                for (final JournalReader.DurablePosition d : durable)
                {
                    json.writeStartObject();
                    json.writeStringField("name", d.name());
                    json.writeNumberField("slot", d.slot());
                    json.writeNumberField("acknowledgedRecord", d.recordNumber());
                    json.writeNumberField("acknowledgedSequence", d.sequence());
                    json.writeNumberField("position", d.position());
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            out.println();
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
        description = "One line per message: SEQ TIME PRIORITY TOPIC PAYLOAD (payload as UTF-8 when printable, " +
            "else base64:...), or JSON lines with --json.")
    static final class DumpCommand implements Callable<Integer>
    {
        @Mixin
        Target target;

        @Option(names = "--from", paramLabel = "SEQ|TIME", description = "From the first message with switch " +
            "sequence >= SEQ, or the first batch journaled at or after TIME (ISO-8601, e.g. 2026-12-01T22:00:00Z).")
        String from;

        @Option(names = "--topic", paramLabel = "PATTERN", description = "Only topics matching PATTERN (* one " +
            "token, > the rest).")
        String topic;

        @Override
        public Integer call()
        {
            final StartPosition start;
            try
            {
                start = parseFrom(from);
            }
            catch (final IllegalArgumentException ex)
            {
                System.err.println("junction journal dump: " + ex.getMessage());
                return BAD_INPUT;
            }
            return run("dump", target, (reader, out) ->
            {
                final PayloadText payload = new PayloadText();
                if (target.json)
                {
                    try (JsonGenerator json = jsonLines(out))
                    {
                        reader.read(start, topic, (m) -> writeJson(json, m, payload));
                    }
                    out.println();
                }
                else
                {
                    final StringBuilder line = new StringBuilder(256);
                    reader.read(start, topic, (m) ->
                    {
                        line.setLength(0);
                        line.append(m.sequence()).append(' ').append(time(m.epochNs())).append(' ')
                            .append(m.priority()).append(' ').append(m.topic()).append(' ');
                        final String text = payload.of(m.buffer(), m.offset(), m.length()).text();
                        line.append(null != text ? text : "base64:" + payload.base64());
                        out.println(line);
                        return !out.checkError(); // stop when the reader of the pipe has gone
                    });
                }
                return OK;
            });
        }

        private static boolean writeJson(final JsonGenerator json, final JournalMessage m, final PayloadText payload)
        {
            try
            {
                json.writeStartObject();
                json.writeStringField("topic", m.topic());
                json.writeNumberField("sequence", m.sequence());
                json.writeNumberField("record", m.recordNumber());
                json.writeStringField("priority", m.priority().name());
                json.writeStringField("time", time(m.epochNs()));
                if (0 != m.publisherId())
                {
                    json.writeNumberField("publisherId", m.publisherId());
                    json.writeNumberField("publisherSequence", m.publisherSequence());
                }
                if (null != m.replyTo() || 0 != m.correlationId())
                {
                    json.writeStringField("replyTo", m.replyTo());
                    json.writeNumberField("correlationId", m.correlationId());
                }
                if (0 != m.expiryEpochNs())
                {
                    // A guaranteed publish with a time-to-live: durable delivery and replay pass over it from then.
                    json.writeStringField("expires", time(m.expiryEpochNs()));
                    json.writeNumberField("expiryEpochNs", m.expiryEpochNs());
                }
                final String text = payload.of(m.buffer(), m.offset(), m.length()).text();
                if (null != text)
                {
                    json.writeStringField("payload", text);
                }
                else
                {
                    json.writeStringField("payloadBase64", payload.base64());
                }
                json.writeEndObject();
                return true;
            }
            catch (final IOException ex)
            {
                return false;
            }
        }

        static StartPosition parseFrom(final String from)
        {
            if (null == from || from.equals("earliest"))
            {
                return StartPosition.earliest();
            }
            if (from.matches("\\d+"))
            {
                return StartPosition.sequence(Long.parseLong(from));
            }
            try
            {
                final Instant instant = Instant.parse(from);
                return StartPosition.time(instant.getEpochSecond() * 1_000_000_000L + instant.getNano());
            }
            catch (final DateTimeParseException ex)
            {
                throw new IllegalArgumentException("--from must be a sequence number or an ISO-8601 time " +
                    "(2026-12-01T22:00:00Z), not '" + from + "'");
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check record numbering, sequences per shard, document trailers and lengths, the tail " +
            "against the high-water mark, and durable subscriptions' acknowledgement slots. Exit 0 if OK, " +
            "1 with what is wrong and where.")
    static final class VerifyCommand implements Callable<Integer>
    {
        @Mixin
        Target target;

        @Override
        public Integer call()
        {
            return run("verify", target, (reader, out) ->
            {
                final List<String> problems = reader.verify();
                long records = 0;
                long documents = 0;
                for (final JournalReader.CycleSummary c : reader.cycles())
                {
                    records += c.records();
                    documents += c.documents();
                }
                if (target.json)
                {
                    try (JsonGenerator json = jsonLines(out))
                    {
                        json.writeStartObject();
                        json.writeStringField("directory", reader.directory().getAbsolutePath());
                        json.writeBooleanField("ok", problems.isEmpty());
                        json.writeNumberField("documents", documents);
                        json.writeNumberField("records", records);
                        json.writeArrayFieldStart("problems");
                        for (final String problem : problems)
                        {
                            json.writeString(problem);
                        }
                        json.writeEndArray();
                        json.writeEndObject();
                    }
                    out.println();
                }
                else
                {
                    for (final String problem : problems)
                    {
                        out.println("ERROR " + problem);
                    }
                    out.println((problems.isEmpty() ? "OK: " : problems.size() + " problem(s): ") + documents +
                        " document(s), " + records + " readable record(s) in " + reader.directory().getAbsolutePath());
                }
                return problems.isEmpty() ? OK : DAMAGED;
            });
        }
    }
}
