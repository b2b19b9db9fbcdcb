package io.junction.tools;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.junction.Message;
import io.junction.Priority;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ClientSubscriptionOptions;
import io.junction.client.JunctionClient;

/**
 * {@code junction reply}: answer the requests of a pattern, with their own payload or a fixed text (a responder for
 * tests and for trying request/reply from the shell).
 */
@Command(name = "reply", mixinStandardHelpOptions = true,
    description = "Subscribe to PATTERN and answer every request (a message with a reply topic) on its reply " +
        "topic: with the request's own payload (--echo, the default) or with --message TEXT. Messages that are not " +
        "requests are ignored.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = { "0:--count requests answered (or stopped by a signal)",
        "1:--timeout passed first, or the daemon could not be reached or refused the subscription",
        "2:bad usage, or no running daemon in --dir" })
final class ReplyCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions connection;

    @Parameters(index = "0", paramLabel = "PATTERN", description = "The pattern of the requests to answer.")
    String pattern;

    @Option(names = "--count", paramLabel = "N", description = "Exit 0 after answering N requests (default: run " +
        "until stopped or --timeout).")
    long count = -1;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Exit 1 if --count requests have not " +
        "been answered within DURATION (default: no limit).")
    Duration timeout;

    @Option(names = "--echo", description = "Answer with the request's payload (the default).")
    boolean echo;

    @Option(names = "--message", paramLabel = "TEXT", description = "Answer every request with TEXT instead.")
    String text;

    @Option(names = "--group", paramLabel = "NAME", description = "Join queue group NAME: each request goes to one " +
        "responder of the group.")
    String group;

    private JunctionClient client;
    private UnsafeBuffer fixed;
    private long answered;
    private long refused;

    @Override
    public Integer call()
    {
        if (0 == count || count < -1)
        {
            CliValues.check(connection.spec, "--count", count, 1, Long.MAX_VALUE);
        }
        if (null != connection.cluster)
        {
            // The replicated switch does not carry correlationId and replyTo yet.
            throw new picocli.CommandLine.ParameterException(connection.spec.commandLine(),
                "--cluster: a cluster does not serve request/reply yet; use --url or --dir");
        }
        if (echo && null != text)
        {
            throw new picocli.CommandLine.ParameterException(connection.spec.commandLine(),
                "--echo and --message are exclusive: choose one");
        }
        if (null != text)
        {
            fixed = new UnsafeBuffer(text.getBytes(StandardCharsets.UTF_8));
        }
        final ClientSubscriptionOptions options = ClientSubscriptionOptions.defaults();
        if (null != group)
        {
            options.queueGroup(group);
        }
        final ClientContext ctx;
        try
        {
            ctx = connection.context();
        }
        catch (final ClientOptions.NoDaemonException ex)
        {
            System.err.println("junction reply: " + ex.getMessage());
            return ClientOptions.NoDaemonException.EXIT;
        }
        final long deadline = null == timeout ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        try (JunctionClient connected = JunctionClient.connect(ctx))
        {
            client = connected;
            final String unreachable = ClientOptions.awaitConnected(client, connection.connectTimeout);
            if (null != unreachable)
            {
                System.err.println("junction reply: " + unreachable);
                return 1;
            }
            final ClientSubscription subscription = client.subscribe(pattern, this::answer, options);
            boolean announced = false;
            while (count < 0 || answered < count)
            {
                if (!announced && subscription.isInEffect())
                {
                    announced = true;
                    System.err.println("junction reply: answering requests on " + pattern + " on " + ctx.url());
                }
                if (!subscription.isActive())
                {
                    System.err.println("junction reply: the subscription to " + pattern + " was refused: " +
                        subscription.endReason());
                    return 1;
                }
                if (0 == client.poll())
                {
                    LockSupport.parkNanos(1_000_000);
                }
                if (null != timeout && System.nanoTime() - deadline > 0)
                {
                    System.err.println("junction reply: timed out after " + CliValues.text(timeout) + " with " +
                        answered + (count > 0 ? " of " + count : "") + " request(s) answered");
                    return 1;
                }
            }
            // The daemon has taken the last reply before the connection closes (a PONG after every earlier publish).
            final long sync = client.sync();
            final long syncDeadline = System.nanoTime() + connection.connectTimeout.toNanos();
            while (sync > 0 && !client.isSynced(sync) && client.isConnected() && System.nanoTime() - syncDeadline < 0)
            {
                if (0 == client.poll())
                {
                    LockSupport.parkNanos(1_000_000);
                }
            }
        }
        if (refused > 0)
        {
            System.err.println("junction reply: " + refused + " repl(ies) could not be sent");
        }
        return 0;
    }

    private void answer(final Message request)
    {
        if (null == request.replyTo() || (count >= 0 && answered >= count))
        {
            return; // not a request, or beyond --count in the same read
        }
        final long result = null == fixed ?
            client.reply(request, Priority.NORMAL, request.buffer(), request.offset(), request.length()) :
            client.reply(request, Priority.NORMAL, fixed, 0, fixed.capacity());
        if (result > 0)
        {
            answered++;
        }
        else
        {
            refused++;
        }
    }
}
