package io.junction.cluster.netns;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.junction.OfferResult;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.RejectReason;
import io.junction.client.ClientContext;
import io.junction.client.ClientSubscription;
import io.junction.client.ConnectionState;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.cluster.client.ClusterTransport;
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
 * The test's client on a host of its own: a media driver and a {@link JunctionClient} over a {@link ClusterTransport}
 * that publishes (guaranteed) and subscribes on command (stdin) and reports every outcome (stdout), one line each,
 * for the test's history:
 * <pre>
 * in:  sub PATTERN | pub COUNT PER_SECOND | stop (publishing) | quit
 * out: CONNECTED leader | SUBSCRIBED | SENT value | ACK value sequence duplicate | DLV value sequence
 *      | ERROR code reason | LINK up/down | DONE
 * </pre>
 * The payload of publish n is n, which is also its publisher sequence, so acknowledgements and deliveries name
 * the same value. CONNECTED is printed at the first connect and at each leader change; LINK down when the link is
 * lost or the cluster has no quorum (publishes are then refused NOT_CONNECTED), LINK up when it answers again.
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
        final int duplicateCode = (int)OfferResult.rejected(RejectReason.DUPLICATE);
        final boolean[] linkUp = { false };
        final ClusterTransport transport = new ClusterTransport(new ClusterTransport.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .ingressEndpoints(ingressEndpoints));
        JunctionClient client = null;
        try
        {
            client = JunctionClient.connect(new ClientContext()
                .instance("fault-client")
                .initialPublisherSequence(1)
                .connectTimeoutNs(TimeUnit.SECONDS.toNanos(30))
                .outcomeListener((publisherSequence, outcome, sequence, reasonCode) ->
                {
                    if (PublishOutcome.DURABLE == outcome)
                    {
                        out.println("ACK " + publisherSequence + " " + sequence + " " + (duplicateCode == reasonCode));
                    }
                    else
                    {
                        out.println("ERROR " + outcome + " publish " + publisherSequence + " reason " + reasonCode);
                    }
                })
                .connectionListener((state, reason, detail) ->
                {
                    final boolean up = ConnectionState.CONNECTED == state || ConnectionState.LEADER_CHANGED == state;
                    if (up)
                    {
                        out.println("CONNECTED " + transport.leaderMemberId());
                    }
                    if (up != linkUp[0])
                    {
                        linkUp[0] = up;
                        out.println("LINK " + (up ? "up" : "down"));
                    }
                }), transport);
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
        ClientSubscription subscription = null;
        boolean subscribedReported = false;
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
                    case "sub" -> subscription = client.subscribe(words[1], (message) ->
                        out.println("DLV " + message.buffer().getLong(message.offset()) + " " + message.sequence()));
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
            if (!subscribedReported && null != subscription && subscription.isInEffect())
            {
                subscribedReported = true;
                out.println("SUBSCRIBED");
            }
            final long nowNs = System.nanoTime();
            if (toPublish > 0 && nowNs >= nextPublishNs)
            {
                payload.putLong(0, nextValue);
                final long result = client.offer("fault.v", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0, 8);
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
