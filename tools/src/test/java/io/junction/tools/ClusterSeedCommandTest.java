package io.junction.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code junction cluster seed}'s answers to mistakes and to a cluster that is not there: a clear line, an exit
 * code, no stack trace. (The seed itself, against a running cluster that purged its log, is the cluster module's
 * MemberRebuildTest.)
 */
class ClusterSeedCommandTest
{
    @TempDir
    File tempDir;

    @Test
    void aMissingConfigIsAConfigError()
    {
        final Result result = run("cluster", "seed", "--config", new File(tempDir, "none.conf").getPath());
        assertEquals(ClusterCommand.BAD_INPUT, result.exitCode);
        assertTrue(result.err.contains("junction: config error: config file not found"), result.err);
        assertNoStackTrace(result);
    }

    @Test
    void aConfigWithoutAClusterIsRefused() throws IOException
    {
        final File config = config("dir = \"" + tempDir.getAbsolutePath() + "\"\n");
        final Result result = run("cluster", "seed", "--config", config.getPath());
        assertEquals(ClusterCommand.BAD_INPUT, result.exitCode);
        assertTrue(result.err.contains("runs no cluster member (cluster.enabled = false)"), result.err);
        assertNoStackTrace(result);
    }

    @Test
    void aMemberDirectoryWithALogIsNotSeeded() throws IOException
    {
        final File config = config(clusterConfig(24_950));
        final File clusterDir = new File(tempDir, "cluster/member-1/cluster");
        assertTrue(clusterDir.mkdirs());
        Files.writeString(new File(clusterDir, "recording.log").toPath(), "");
        final Result result = run("cluster", "seed", "--config", config.getPath());
        assertEquals(ClusterCommand.BAD_INPUT, result.exitCode);
        assertTrue(result.err.contains("has a log already: a seed is only for a member whose directory is empty"),
            result.err);
        assertNoStackTrace(result);
    }

    @Test
    @Timeout(60)
    void noClusterToCopyFromIsReportedAfterTheTimeout() throws IOException
    {
        final File config = config(clusterConfig(24_970));
        final Result result = run("cluster", "seed", "--config", config.getPath(), "--timeout", "3s");
        assertEquals(ClusterCommand.NOT_LIVE, result.exitCode, result.err);
        assertTrue(result.out.contains("seeding member 1: BACKUP_QUERY"), result.out);
        assertTrue(result.err.contains("member 1's copy does not follow the live log after 3 s"), result.err);
        assertFalse(new File(tempDir, "cluster/member-1/aeron").exists(), "its media driver's directory removed");
    }

    private String clusterConfig(final int basePort)
    {
        return "dir = \"" + tempDir.getAbsolutePath() + "\"\n" +
            "cluster { enabled = true, member-id = 1, member-count = 3, base-port = " + basePort + " }\n";
    }

    private File config(final String text) throws IOException
    {
        final File file = new File(tempDir, "member.conf");
        Files.writeString(file.toPath(), text);
        return file;
    }

    private static void assertNoStackTrace(final Result result)
    {
        assertFalse(result.err.contains("\tat ") || result.err.contains("Exception"), result.err);
    }

    private record Result(int exitCode, String out, String err)
    {
    }

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
