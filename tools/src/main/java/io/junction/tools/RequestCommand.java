package io.junction.tools;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.junction.client.ClientContext;
import io.junction.client.JunctionClient;

/**
 * {@code junction request}: send one request and print its reply, as {@code nats request} does.
 */
@Command(name = "request", mixinStandardHelpOptions = true,
    description = "Send MESSAGE as a request on TOPIC (best-effort, with this client's private inbox as its reply " +
        "topic) and print the first reply's payload as UTF-8.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = { "0:a reply was printed",
        "1:no reply within --timeout, or the daemon could not be reached or refused the request",
        "2:bad usage, or no running daemon in --dir" })
final class RequestCommand implements Callable<Integer>
{
    @Mixin
    ClientOptions connection;

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic a responder subscribes to.")
    String topic;

    @Parameters(index = "1", paramLabel = "MESSAGE", description = "The request's payload (UTF-8).")
    String message;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
        description = "How long to wait for the reply (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call()
    {
        CliValues.check(connection.spec, "--timeout", timeout.toMillis(), 1, Long.MAX_VALUE);
        if (null != connection.cluster)
        {
            // The replicated switch does not carry correlationId and replyTo yet.
            throw new picocli.CommandLine.ParameterException(connection.spec.commandLine(),
                "--cluster: a cluster does not serve request/reply yet; use --url or --dir");
        }
        final ClientContext ctx;
        try
        {
            ctx = connection.context();
        }
        catch (final ClientOptions.NoDaemonException ex)
        {
            System.err.println("junction request: " + ex.getMessage());
            return ClientOptions.NoDaemonException.EXIT;
        }
        try (JunctionClient client = JunctionClient.connect(ctx))
        {
            final String unreachable = ClientOptions.awaitConnected(client, connection.connectTimeout);
            if (null != unreachable)
            {
                System.err.println("junction request: " + unreachable);
                return 1;
            }
            final byte[] reply = client.request(topic, message.getBytes(StandardCharsets.UTF_8), timeout);
            if (null == reply)
            {
                System.err.println("junction request: no reply on " + topic + " within " + CliValues.text(timeout) +
                    " (" + client.lastError() + "): is a responder subscribed?");
                return 1;
            }
            final PayloadText text = new PayloadText();
            text.of(new org.agrona.concurrent.UnsafeBuffer(reply), 0, reply.length);
            System.out.println(text.lenientUtf8());
            System.out.flush();
            return 0;
        }
    }
}
