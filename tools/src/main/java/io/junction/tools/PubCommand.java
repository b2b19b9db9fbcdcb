package io.junction.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.ClientResult;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;

/**
 * {@code junction pub}: publish MESSAGE, or each line of standard input, through the client library. With
 * {@code --guaranteed} it waits for each message's outcome and prints its journal sequence.
 */
@Command(name = "pub", mixinStandardHelpOptions = true,
    description = "Publish MESSAGE, or one message per line of standard input, to TOPIC on a daemon. With " +
        "--guaranteed, wait for each outcome and print each message's journal sequence (one per line); exit 1 if " +
        "any failed.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = { "0:every message sent (and, with --guaranteed, durable)",
        "1:a message failed, or the daemon could not be reached or was lost",
        "2:bad usage, or no running daemon in --dir" })
final class PubCommand implements Callable<Integer>
{
    private static final String EOF = new String("end of input");

    @Mixin
    ClientOptions connection;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic, e.g. orders.new.")
    String topic;

    @Parameters(index = "1", arity = "0..1", paramLabel = "MESSAGE",
        description = "The message (UTF-8); without it, each line of standard input is one message.")
    String message;

    @Option(names = "--guaranteed", description = "Journaled before dispatch: wait for each outcome, print the " +
        "journal sequences.")
    boolean guaranteed;

    @Option(names = "--priority", paramLabel = "P", defaultValue = "NORMAL",
        description = "CRITICAL, HIGH, NORMAL or BULK (default: ${DEFAULT-VALUE}).")
    Priority priority;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
        description = "How long to wait for the daemon to take the messages (and their outcomes) (default: " +
            "${DEFAULT-VALUE}).")
    Duration timeout;

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private int failed;
    private long outcomes;

    @Override
    public Integer call() throws Exception
    {
        final ClientContext ctx;
        try
        {
            ctx = connection.context();
        }
        catch (final ClientOptions.NoDaemonException ex)
        {
            err.println("junction pub: " + ex.getMessage());
            return ClientOptions.NoDaemonException.EXIT;
        }
        ctx.outcomeListener((publisherSequence, outcome, sequence, reasonCode) ->
        {
            outcomes++;
            if (PublishOutcome.DURABLE == outcome)
            {
                out.println(sequence);
            }
            else
            {
                failed++;
                err.println("junction pub: message with publisher sequence " + publisherSequence + " " + outcome +
                    (0 == reasonCode ? "" : ": " + OfferResult.describe(reasonCode)));
            }
        });
        final JunctionClient opened;
        try
        {
            opened = connection.connect(ctx);
        }
        catch (final ClientOptions.NoDaemonException ex)
        {
            err.println("junction pub: " + ex.getMessage());
            return ClientOptions.NoDaemonException.EXIT;
        }
        try (JunctionClient client = opened)
        {
            final String unreachable = ClientOptions.awaitConnected(client, connection.connectTimeout,
                connection.where(ctx));
            if (null != unreachable)
            {
                err.println("junction pub: " + unreachable);
                return 1;
            }
            final BlockingQueue<String> lines = null != message ? null : readStandardInput();
            final long deadline = System.nanoTime() + timeout.toNanos();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[1024]);
            long sent = 0;
            String next = null != message ? message : null;
            boolean done = false;
            while (!done)
            {
                if (null == next && null != lines)
                {
                    next = lines.poll();
                }
                if (null != next)
                {
                    if (EOF == next)
                    {
                        done = true;
                        continue;
                    }
                    final byte[] bytes = next.getBytes(StandardCharsets.UTF_8);
                    if (bytes.length > payload.capacity())
                    {
                        payload.wrap(new byte[bytes.length]);
                    }
                    payload.putBytes(0, bytes);
                    final long result = client.offer(topic, priority,
                        guaranteed ? QualityOfService.GUARANTEED : QualityOfService.BEST_EFFORT, payload, 0, bytes.length);
                    if (result > 0)
                    {
                        sent++;
                        next = null;
                        done = null != message;
                    }
                    else if (!retryable(result))
                    {
                        err.println("junction pub: refused: " + ClientResult.describe(result));
                        return 1;
                    }
                }
                if (0 == client.poll() && null == next)
                {
                    LockSupport.parkNanos(200_000);
                }
                if (System.nanoTime() - deadline > 0)
                {
                    err.println("junction pub: timed out after " + CliValues.text(timeout) + " with " + sent +
                        " message(s) sent: " + client.lastError());
                    return 1;
                }
            }
            return finish(client, sent, deadline);
        }
    }

    /**
     * Wait for every outcome (guaranteed), or for the daemon to confirm it took every publish (best-effort).
     */
    private int finish(final JunctionClient client, final long sent, final long deadline)
    {
        long sync = -1;
        while (guaranteed ? outcomes < sent : !client.isSynced(sync))
        {
            if (!guaranteed && sync <= 0)
            {
                sync = client.sync();
            }
            if (0 == client.poll())
            {
                LockSupport.parkNanos(200_000);
            }
            if (System.nanoTime() - deadline > 0)
            {
                err.println("junction pub: timed out after " + CliValues.text(timeout) + " waiting for the daemon " +
                    "to answer (" + (guaranteed ? outcomes + " of " + sent + " outcomes" : "no sync") + "): " +
                    client.lastError());
                return 1;
            }
        }
        out.flush();
        return 0 == failed ? 0 : 1;
    }

    private static boolean retryable(final long result)
    {
        return result == ClientResult.BACK_PRESSURED || result == ClientResult.IN_FLIGHT_FULL ||
            result == ClientResult.IN_FLIGHT_BUFFER_FULL || result == ClientResult.NOT_CONNECTED;
    }

    /**
     * Standard input is read on its own thread into a bounded queue, so the client's duty cycle (heartbeats,
     * outcomes) goes on while input is slow to come.
     */
    private static BlockingQueue<String> readStandardInput()
    {
        final BlockingQueue<String> lines = new ArrayBlockingQueue<>(1024);
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    lines.put(line);
                }
            }
            catch (final IOException ex)
            {
                // The end of input, as far as publishing goes.
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            try
            {
                lines.put(EOF);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "junction-pub-stdin");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }
}
