package io.junction.tools;

import static io.junction.tools.ClientTestSupport.startDaemon;
import static io.junction.tools.ClientTestSupport.writeConfig;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code junction request} and {@code junction reply}, the built launcher against a real daemon child process: a
 * request gets its reply (--echo and --message), a request nobody answers times out with exit 1 and says so, and
 * --help works without a daemon.
 */
class RequestReplyLauncherTest
{
    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception
    {
        for (final Process process : processes)
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void aRequestGetsItsReplyAndOneNobodyAnswersTimesOut() throws Exception
    {
        Launcher.path(); // the built bin/junction: this runs in the build's launcher-tests execution, after package
        final File node = tmp.resolve("node").toFile();
        final JunctionProcess daemon = startDaemon(tmp, writeConfig(tmp, node, 0), node, "daemon.log");
        resources.add(daemon);
        final String url = "tcp://127.0.0.1:" + ClientTestSupport.port(node);

        final Child echo = start(null, "reply", "svc.echo", "--dir", node.getPath(), "--count", "1", "--timeout",
            "90s");
        final Child fixed = start(null, "reply", "svc.time", "--url", url, "--message", "it is noon", "--count", "1",
            "--timeout", "90s");
        await().atMost(ClientTestSupport.TIMEOUT).until(() ->
            (echo.stderr().contains("answering requests on svc.echo") || !echo.process.isAlive()) &&
            (fixed.stderr().contains("answering requests on svc.time") || !fixed.process.isAlive()));

        final Run echoed = run(null, "request", "svc.echo", "hello world", "--url", url, "--timeout", "30s");
        assertEquals(0, echoed.exitCode, echoed::toString);
        assertEquals("hello world", echoed.stdout.strip());
        final Run answered = run(null, "request", "svc.time", "what time is it?", "--dir", node.getPath());
        assertEquals(0, answered.exitCode, answered::toString);
        assertEquals("it is noon", answered.stdout.strip());
        assertTrue(echo.process.waitFor(60, TimeUnit.SECONDS), echo::toString);
        assertEquals(0, echo.process.exitValue(), echo::toString);
        assertTrue(fixed.process.waitFor(60, TimeUnit.SECONDS), fixed::toString);
        assertEquals(0, fixed.process.exitValue(), fixed::toString);

        final Run nobody = run(null, "request", "svc.nobody", "anyone?", "--url", url, "--timeout", "500ms");
        assertEquals(1, nobody.exitCode, nobody::toString);
        assertEquals("", nobody.stdout);
        assertTrue(nobody.stderr.contains("junction request: no reply on svc.nobody within 500ms"), nobody::toString);
        assertNoStackTrace(nobody);
    }

    @Test
    void helpAndUsageErrorsNeedNoDaemon() throws Exception
    {
        final Run help = run(null, "request", "--help");
        assertEquals(0, help.exitCode, help::toString);
        assertTrue(help.stdout.contains("--timeout") && help.stdout.contains("TOPIC"), help::toString);
        final Run replyHelp = run(null, "reply", "--help");
        assertEquals(0, replyHelp.exitCode, replyHelp::toString);
        assertTrue(replyHelp.stdout.contains("--echo") && replyHelp.stdout.contains("--message"), replyHelp::toString);
        final Run missing = run(null, "request", "svc.echo");
        assertEquals(2, missing.exitCode, missing::toString);
        assertNoStackTrace(missing);
        final Run both = run(null, "reply", "svc.echo", "--echo", "--message", "x");
        assertEquals(2, both.exitCode, both::toString);
        assertTrue(both.stderr.contains("--echo and --message are exclusive"), both::toString);
        assertNoStackTrace(both);
    }

    private static void assertNoStackTrace(final Run run)
    {
        assertFalse(run.stderr.contains("Exception") || run.stderr.contains("\tat "), run::toString);
    }

    private record Run(int exitCode, String stdout, String stderr)
    {
        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--stdout--\n" + stdout + "\n--stderr--\n" + stderr;
        }
    }

    private final class Child
    {
        final Process process;
        final File out;
        final File err;

        Child(final Process process, final File out, final File err)
        {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        String stdout()
        {
            return DaemonTestSupport.read(out);
        }

        String stderr()
        {
            return DaemonTestSupport.read(err);
        }

        @Override
        public String toString()
        {
            return "--stdout--\n" + stdout() + "\n--stderr--\n" + stderr();
        }
    }

    private Child start(final String input, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Launcher.path().getPath());
        command.addAll(List.of(args));
        final File out = Files.createTempFile(tmp, "out", ".txt").toFile();
        final File err = Files.createTempFile(tmp, "err", ".txt").toFile();
        final File in = Files.createTempFile(tmp, "in", ".txt").toFile();
        Files.writeString(in.toPath(), null == input ? "" : input, StandardCharsets.UTF_8);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out).redirectError(err)
            .redirectInput(in);
        builder.environment().put("JUNCTION_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        final Process process = builder.start();
        processes.add(process);
        return new Child(process, out, err);
    }

    private Run run(final String input, final String... args) throws Exception
    {
        final Child child = start(input, args);
        if (!child.process.waitFor(ClientTestSupport.TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        {
            throw new AssertionError("junction " + String.join(" ", args) + " did not finish: " + child);
        }
        return new Run(child.process.exitValue(), child.stdout(), child.stderr());
    }
}
