package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.junction.Priority;
import io.junction.QualityOfService;
import io.junction.client.ClientContext;
import io.junction.client.JunctionClient;
import io.junction.client.PublishOutcome;
import io.junction.cluster.ClusterNode;
import io.junction.cluster.client.ClusterTransport;

/**
 * A cluster member journals in the journal module's format: {@code junction journal list|dump|verify --dir} read a
 * member's journal directory (after a member of one served a few publishes) as they read a daemon's.
 */
class MemberJournalCommandTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private ClusterNode node;
    private MediaDriver clientDriver;
    private JunctionClient client;

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(client, node, clientDriver);
    }

    @Test
    @Timeout(120)
    void listDumpAndVerifyReadAMembersJournal() throws Exception
    {
        final File baseDir = tmp.resolve("cluster").toFile();
        final int basePort = ClusterDaemonProcessTest.freeBasePort(1);
        node = ClusterNode.launch(new ClusterNode.Context().baseDir(baseDir).basePort(basePort).memberCount(1)
            .memberId(0).cleanStart(true));
        await(node::isLeader);

        clientDriver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(tmp.resolve("client-aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000))
            .termBufferSparseFile(true)
            .publicationTermBufferLength(128 * 1024)
            .ipcTermBufferLength(128 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final long[] acked = { 0 };
        client = JunctionClient.connect(new ClientContext()
            .instance("journal-test")
            .outcomeListener((publisherSequence, outcome, sequence, reasonCode) ->
            {
                if (PublishOutcome.DURABLE == outcome)
                {
                    acked[0]++;
                }
            }),
            new ClusterTransport(new ClusterTransport.Context()
                .aeronDirectoryName(clientDriver.aeronDirectoryName())
                .ingressEndpoints(node.context().ingressEndpoints())));
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
        final List<String> topics = List.of("orders.eu", "prices.fx", "orders.us");
        for (int i = 0; i < topics.size(); i++)
        {
            final int length = payload.putStringWithoutLengthAscii(0, "message-" + (i + 1));
            final String topic = topics.get(i);
            await(() -> client.poll() >= 0 && client.offer(topic, Priority.HIGH, QualityOfService.GUARANTEED, payload, 0,
                length) > 0);
        }
        await(() -> client.poll() >= 0 && acked[0] == topics.size());
        final File journalDir = node.journalDir();
        CloseHelper.closeAll(client, node);
        client = null;
        node = null;

        final Result list = run("journal", "list", "--dir", journalDir.getPath());
        assertEquals(0, list.exitCode, list.err);
        assertTrue(list.out.contains("3 record(s)"), list.out);

        final Result dump = run("journal", "dump", "--dir", journalDir.getPath());
        assertEquals(0, dump.exitCode, dump.err);
        final List<String> lines = dump.out.lines().toList();
        assertEquals(3, lines.size(), dump.out);
        for (int i = 0; i < lines.size(); i++)
        {
            final String[] fields = lines.get(i).split(" ");
            assertEquals(String.valueOf(i + 1), fields[0], lines.get(i));
            assertEquals("HIGH", fields[2], lines.get(i));
            assertEquals(topics.get(i), fields[3], lines.get(i));
            assertEquals("message-" + (i + 1), fields[4], lines.get(i));
        }

        final Result verify = run("journal", "verify", "--dir", journalDir.getPath());
        assertEquals(0, verify.exitCode, verify.out + verify.err);
    }

    private static void await(final java.util.function.BooleanSupplier condition)
    {
        final BackoffIdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
        final long deadlineNs = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("condition not met within " + TIMEOUT);
            }
            idle.idle();
        }
    }

    private record Result(int exitCode, String out, String err)
    {
    }

    /**
     * Run the CLI in this JVM: its journal commands print to System.out and System.err.
     */
    private static synchronized Result run(final String... args)
    {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            final int exitCode = JunctionCli.commandLine().execute(args);
            return new Result(exitCode, outBytes.toString(StandardCharsets.UTF_8),
                errBytes.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
