package io.junction.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.core.JsonGenerator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import io.junction.Message;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;
import io.junction.client.StartAt;
import io.junction.protocol.QueueGroupNames;

/**
 * {@code junction sub}: print the messages of a pattern, one line each, as {@code TOPIC PAYLOAD} or JSON lines.
 */
@Command(name = "sub", mixinStandardHelpOptions = true,
    description = "Subscribe to PATTERN (* one token, > the rest) on a daemon and print one line per message: " +
        "TOPIC PAYLOAD (the payload as UTF-8), or JSON lines with --json.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = { "0:--count messages received (or stopped by a signal)",
        "1:--timeout passed first, or the daemon could not be reached or refused the subscription",
        "2:bad usage, or no running daemon in --dir" })
final class SubCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions connection;

    @Parameters(index = "0", paramLabel = "PATTERN", description = "The pattern, e.g. orders.> or prices.*.eu.")
    String pattern;

    @Option(names = "--count", paramLabel = "N", description = "Exit 0 after N messages (default: run until " +
        "stopped or --timeout).")
    long count = -1;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Exit 1 if --count messages have not " +
        "arrived within DURATION (default: no limit).")
    Duration timeout;

    @Option(names = "--group", paramLabel = "NAME", description = "Join queue group NAME: the subscribers of " +
        "PATTERN in that group (on any connection) share its messages, each going to one of them.")
    String group;

    @Option(names = "--json", description = "JSON lines: topic, sequence, priority, time (when received, " +
        "ISO-8601), timestampNs (the switch's clock), payload (UTF-8 text) or payloadBase64.")
    boolean json;

    @Option(names = "--durable", paramLabel = "NAME", description = "A durable subscription NAME (yours: per " +
        "principal), served from the daemon's journal, so guaranteed messages only: it resumes after the last " +
        "message acknowledged under NAME (--ack), whatever --from says, once it has acknowledged one.")
    String durable;

    @Option(names = "--from", paramLabel = "earliest|latest|SEQ|TIME", description = "Start in the daemon's " +
        "journal (guaranteed messages only): the oldest kept, only new ones (the default), the first with " +
        "sequence >= SEQ, or the first journaled at or after TIME (ISO-8601, e.g. 2026-12-01T22:00:00Z).")
    String from;

    @Option(names = "--ack", description = "Acknowledge each message once printed (with --durable): the next " +
        "sub --durable NAME starts after it.")
    boolean ack;

    private final PrintStream out = System.out;
    private final PayloadText payload = new PayloadText();
    private JsonGenerator generator;
    private long received;

    @Override
    public Integer call() throws Exception
    {
        if (0 == count || count < -1)
        {
            CliValues.check(connection.spec, "--count", count, 1, Long.MAX_VALUE);
        }
        final ClientSubscriptionOptions options = ClientSubscriptionOptions.defaults();
        if (null != group)
        {
            final String problem = QueueGroupNames.problem(group);
            if (null != problem)
            {
                throw new ParameterException(connection.spec.commandLine(), "Invalid value for option '--group': " +
                    "the name " + problem);
            }
            options.queueGroup(group);
        }
        if (null != durable)
        {
            if (!durable.matches("[A-Za-z0-9._-]{1,64}"))
            {
                throw new ParameterException(connection.spec.commandLine(), "Invalid value for option '--durable': " +
                    "1 to 64 of letters, digits, '.', '_' and '-', not '" + durable + "'");
            }
            options.durable(durable);
        }
        else if (ack)
        {
            throw new ParameterException(connection.spec.commandLine(), "--ack needs --durable NAME");
        }
        if (null != from)
        {
            options.startAt(startAt(from));
        }
        if (null != durable || null != from)
        {
            // Read from the journal on its own connection: a drop-oldest live subscription could discard its frames.
            options.slowSubscriberPolicy(io.junction.SlowSubscriberPolicy.DROP_NEWEST);
            if (count > 0)
            {
                // Sent no more than it prints, so that what it does not print is not counted against it.
                options.initialCredit(Math.min(count, ClientSubscriptionOptions.DEFAULT_INITIAL_CREDIT));
            }
        }
        final ClientContext ctx;
        try
        {
            ctx = connection.context();
        }
        catch (final ClientOptions.NoDaemonException ex)
        {
            System.err.println("junction sub: " + ex.getMessage());
            return ClientOptions.NoDaemonException.EXIT;
        }
        if (json)
        {
            generator = JsonOutput.MAPPER.getFactory().createGenerator(out);
            generator.setRootValueSeparator(null);
        }
        final long deadline = null == timeout ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        final JunctionClient opened;
        try
        {
            opened = connection.connect(ctx);
        }
        catch (final ClientOptions.NoDaemonException ex)
        {
            System.err.println("junction sub: " + ex.getMessage());
            return ClientOptions.NoDaemonException.EXIT;
        }
        try (JunctionClient client = opened)
        {
            final String unreachable = ClientOptions.awaitConnected(client, connection.connectTimeout,
                connection.where(ctx));
            if (null != unreachable)
            {
                System.err.println("junction sub: " + unreachable);
                return 1;
            }
            final ClientSubscription subscription = client.subscribe(pattern, this::print, options);
            this.subscription = subscription;
            boolean announced = false;
            while (count < 0 || received < count)
            {
                if (!announced && subscription.isInEffect())
                {
                    announced = true; // On standard error: standard output is the messages alone.
                    System.err.println("junction sub: subscribed to " + pattern +
                        (null == group ? "" : " in group " + group) + (null == durable ? "" : " as durable " +
                        durable) + (null == from ? "" : " from " + from) + " on " + ctx.url());
                }
                if (!subscription.isActive())
                {
                    System.err.println("junction sub: the subscription to " + pattern + " was refused: " +
                        subscription.endReason());
                    return 1;
                }
                if (0 == client.poll())
                {
                    out.flush();
                    LockSupport.parkNanos(1_000_000);
                }
                if (null != timeout && System.nanoTime() - deadline > 0)
                {
                    out.flush();
                    System.err.println("junction sub: timed out after " + CliValues.text(timeout) + " with " +
                        received + (count > 0 ? " of " + count : "") + " message(s)");
                    return 1;
                }
            }
        }
        out.flush();
        return 0;
    }

    private ClientSubscription subscription;

    private StartAt startAt(final String text)
    {
        switch (text)
        {
            case "earliest":
                return StartAt.earliest();
            case "latest":
                return StartAt.latest();
            default:
                if (text.matches("\\d{1,18}"))
                {
                    return StartAt.sequence(Long.parseLong(text));
                }
                try
                {
                    return StartAt.time(Instant.parse(text));
                }
                catch (final DateTimeParseException ex)
                {
                    throw new ParameterException(connection.spec.commandLine(), "Invalid value for option '--from': " +
                        "earliest, latest, a sequence number or an ISO-8601 time (2026-12-01T22:00:00Z), not '" +
                        text + "'");
                }
        }
    }

    private void print(final Message message) throws IOException
    {
        if (count >= 0 && received >= count)
        {
            return; // Arrived in the same read as the last one wanted: not acknowledged, so delivered again.
        }
        received++;
        if (ack)
        {
            printThenAck(message);
            return;
        }
        printMessage(message);
    }

    private void printThenAck(final Message message) throws IOException
    {
        printMessage(message);
        out.flush(); // printed before the daemon may forget it
        subscription.ack(message.sequence());
    }

    private void printMessage(final Message message) throws IOException
    {
        payload.of(message.buffer(), message.offset(), message.length());
        if (!json)
        {
            out.println(message.topic() + " " + payload.lenientUtf8());
            return;
        }
        generator.writeStartObject();
        generator.writeStringField("topic", message.topic());
        generator.writeNumberField("sequence", message.sequence());
        generator.writeStringField("priority", message.priority().name());
        generator.writeStringField("time", Instant.now().toString());
        generator.writeNumberField("timestampNs", message.timestampNs());
        final String text = payload.text();
        if (null != text)
        {
            generator.writeStringField("payload", text);
        }
        else
        {
            generator.writeStringField("payloadBase64", payload.base64());
        }
        generator.writeEndObject();
        generator.flush();
        out.println();
    }
}
