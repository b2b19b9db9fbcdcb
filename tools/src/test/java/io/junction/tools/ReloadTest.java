package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload never ignores a key silently: journal and cluster keys a running daemon cannot change refuse the whole
 * reload, naming each key; journal.durable-timeout is applied.
 */
class ReloadTest
{
    @TempDir
    Path tmp;

    @Test
    void journalKeysThatNeedARestartAreRefusedByNameAndDurableTimeoutIsApplied() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        final File config = tmp.resolve("junction.conf").toFile();
        write(config, node, "flush-policy = os, durable-timeout = 5s", "first");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final ch.qos.logback.classic.Logger logger =
            (ch.qos.logback.classic.Logger)org.slf4j.LoggerFactory.getLogger("junction");
        final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
            new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (Daemon daemon = new Daemon(DaemonConfig.load(config), config,
            new PrintStream(log, true, StandardCharsets.UTF_8)))
        {
            write(config, node, "flush-policy = per-batch, durable-timeout = 5s, retention.max-cycles = 3", "second");
            final String refused = daemon.reload();
            assertTrue(refused.startsWith("reload refused, the running configuration is kept: " +
                "key 'journal.flush-policy' changed (OS -> PER_BATCH); key 'journal.retention.max-cycles' changed " +
                "(0 -> 3) (applied only by a restart"), refused);
            assertTrue(logged.list.stream().anyMatch((event) -> event.getFormattedMessage().equals(refused)),
                "logged too");

            write(config, node, "flush-policy = os, durable-timeout = 2s", "third");
            final String reloaded = daemon.reload();
            assertTrue(reloaded.startsWith("reloaded 1 alarm rule(s)") &&
                reloaded.contains("journal.durable-timeout PT2S"), reloaded);
            assertTrue(!reloaded.contains("restart"), reloaded);

            Files.writeString(config.toPath(), "cluster.base-port = 21000\n", java.nio.file.StandardOpenOption.APPEND);
            final String clusterChange = daemon.reload();
            assertTrue(clusterChange.contains("key 'cluster.base-port' changed (20000 -> 21000)"), clusterChange);

            write(config, node, "flush-policy = os, durable-timeout = 2s", "third");
            Files.writeString(config.toPath(), "regulation.express-critical = true\n",
                java.nio.file.StandardOpenOption.APPEND);
            final String expressChange = daemon.reload();
            assertTrue(expressChange.contains("key 'regulation.express-critical' changed (false -> true)"),
                expressChange);
        }
        finally
        {
            logger.detachAppender(logged);
        }
        assertEquals(false, new File(node, Daemon.PROPERTIES_FILE).exists());
    }

    @Test
    void aRestartOnlyKeyRevertedToItsRunningValueNeedsNoRestartAndTheDirOverrideIsNoChange() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        final File config = tmp.resolve("junction.conf").toFile();
        write(config, tmp.resolve("not-used").toFile(), "flush-policy = os", "first");
        final java.util.function.UnaryOperator<DaemonConfig> dirOverride = (c) -> c.withNode(c.node().withDir(node.getPath()));
        try (Daemon daemon = new Daemon(dirOverride.apply(DaemonConfig.load(config)), config,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), dirOverride))
        {
            assertEquals(node.getAbsoluteFile(), daemon.dir());
            final String same = daemon.reload();
            assertTrue(same.startsWith("reloaded") && !same.contains("restart"), same);

            Files.writeString(config.toPath(), "shards = 2\nnetwork.max-connections = 100\n",
                java.nio.file.StandardOpenOption.APPEND);
            final String changed = daemon.reload();
            assertTrue(changed.contains("a restart is needed to apply [shards, network.max-connections]"), changed);

            write(config, tmp.resolve("not-used").toFile(), "flush-policy = os", "first");
            final String reverted = daemon.reload();
            assertTrue(reverted.startsWith("reloaded") && !reverted.contains("restart"), reverted);
        }
    }

    private static void write(final File config, final File node, final String journal, final String rule)
        throws Exception
    {
        Files.writeString(config.toPath(), String.join("\n",
            "dir = \"" + node.getPath().replace("\\", "\\\\") + "\"",
            "listen.port = 0",
            "http.enabled = false",
            "histogram-log = false",
            "journal { min-free-disk = 1M, " + journal + " }",
            "alarms.rules = [ { name = " + rule + ", metric = errors, above = 0 } ]",
            ""));
    }
}
