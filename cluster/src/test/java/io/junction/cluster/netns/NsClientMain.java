package io.junction.cluster.netns;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.junction.Priority;
import io.junction.cluster.client.ClientListener;
import io.junction.cluster.client.JunctionClient;
import io.junction.cluster.codecs.ErrorCode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The test's client on a host of its own: a media driver and a {@link JunctionClient} that publish and subscribe
 * on command (stdin) and report every outcome (stdout), one line each, for the test's history:
 * <pre>
 * in:  sub PATTERN | pub COUNT PER_SECOND | stop (publishing) | quit
 * out: CONNECTED leader | SUBSCRIBED | SENT value | ACK value sequence duplicate | DLV value sequence
 *      | ERROR code reason | LINK up/down | DONE
 * </pre>
 * The payload of publish n is n, which is also its publisher sequence, so acknowledgements and deliveries name
 * the same value.
 */
public final class NsClientMain
{
    private NsClientMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String ingressEndpoints = args[0];
        final File dir = new File(args[1]);
        final PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        final BlockingQueue<String> commands = new ArrayBlockingQueue<>(64);
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    commands.put(line.trim());
                }
            }
            catch (final Exception ignore)
            {
                // stdin closed: the test is gone
            }
            commands.offer("quit");
        }, "commands");
        reader.setDaemon(true);
        reader.start();

        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getAbsolutePath())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000))
            .termBufferSparseFile(true)
            .publicationTermBufferLength(128 * 1024)
            .ipcTermBufferLength(128 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final ClientListener listener = new ClientListener()
        {
            public void onPublishAck(final long publisherSequence, final long sequence, final boolean duplicate)
            {
                out.println("ACK " + publisherSequence + " " + sequence + " " + duplicate);
            }

            public void onError(final long correlationId, final int requestTemplateId, final ErrorCode code,
                final String reason)
            {
                out.println("ERROR " + code + " " + reason.replace('\n', ' '));
            }

            public void onConnected(final long clusterSessionId, final int leaderMemberId)
            {
                out.println("CONNECTED " + leaderMemberId);
            }
        };
        JunctionClient client = null;
        try
        {
            client = JunctionClient.connect(new JunctionClient.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .ingressEndpoints(ingressEndpoints)
                .connectTimeoutNs(TimeUnit.SECONDS.toNanos(30))
                .listener(listener));
            out.flush();
            run(client, commands, out);
        }
        finally
        {
            out.println("DONE");
            out.flush();
            CloseHelper.closeAll(client, driver);
        }
    }

    private static void run(final JunctionClient client, final BlockingQueue<String> commands, final PrintStream out)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        final BackoffIdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
        long subscription = -1;
        boolean subscribedReported = false;
        boolean connected = client.isConnected();
        long toPublish = 0;
        long intervalNs = 0;
        long nextPublishNs = 0;
        long nextValue = 1;
        while (true)
        {
            int work = client.poll();
            final String command = commands.poll();
            if (null != command)
            {
                work++;
                final String[] words = command.split(" ");
                switch (words[0])
                {
                    case "sub" -> subscription = client.subscribe(words[1], (topic, sequence, priority, buffer,
                        offset, length) -> out.println("DLV " + buffer.getLong(offset) + " " + sequence));
                    case "pub" ->
                    {
                        toPublish += Long.parseLong(words[1]);
                        intervalNs = TimeUnit.SECONDS.toNanos(1) / Long.parseLong(words[2]);
                        nextPublishNs = System.nanoTime();
                    }
                    case "stop" -> toPublish = 0;
                    case "quit" ->
                    {
                        return;
                    }
                    default -> out.println("ERROR command '" + command + "'");
                }
            }
            if (!subscribedReported && subscription > 0 && client.isSubscribed(subscription))
            {
                subscribedReported = true;
                out.println("SUBSCRIBED");
            }
            if (client.isConnected() != connected)
            {
                connected = client.isConnected();
                out.println("LINK " + (connected ? "up" : "down"));
            }
            final long nowNs = System.nanoTime();
            if (toPublish > 0 && nowNs >= nextPublishNs)
            {
                payload.putLong(0, nextValue);
                final long result = client.publish("fault.v", Priority.NORMAL, payload, 0, 8);
                if (result > 0)
                {
                    if (result != nextValue)
                    {
                        throw new IllegalStateException("publisher sequence " + result + " for value " + nextValue);
                    }
                    out.println("SENT " + nextValue);
                    nextValue++;
                    toPublish--;
                    nextPublishNs += intervalNs;
                    work++;
                }
            }
            if (work > 0)
            {
                out.flush();
            }
            idle.idle(work);
        }
    }
}
