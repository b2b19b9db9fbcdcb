package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line through the built {@code bin/junction}: usage mistakes exit 2 naming the option with no stack
 * trace, {@code version}, {@code config check}, the completion script, and a running daemon that a second one on
 * its directory or its port cannot disturb.
 */
class CliLauncherTest
{
    private static final Duration STARTUP = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private int runs;

    @Test
    void usageMistakesExitTwoNamingTheOptionWithoutAStackTrace() throws Exception
    {
        final List<List<String>> mistakes = List.of(
            List.of("demo", "--duration", "abc"),
            List.of("demo", "--shards", "0"),
            List.of("demo", "--rate", "-5"),
            List.of("demo", "--size", "64x"),
            List.of("loadgen", "--size", "5000"),
            List.of("loadgen", "--mix", "normal=x"),
            List.of("stat", "--dir", tmp.toString(), "--interval", "soon"),
            List.of("stat", "--dir", tmp.toString(), "--count", "0"));
        for (final List<String> args : mistakes)
        {
            final Launcher.Result result = run(args.toArray(String[]::new));
            final String option = args.get(args.size() - 2);
            assertEquals(2, result.exitCode(), () -> args + ": " + result.output());
            assertTrue(result.output().contains("'" + option + "'"), () -> args + ": " + result.output());
            assertNoStackTrace(args, result.output());
        }
        final Launcher.Result size = run("loadgen", "--size", "5000");
        assertTrue(size.output().contains("must be between 8 and 1024"), size.output());
    }

    @Test
    void versionNamesTheBuildAndTheJvmAndTheCompletionScriptIsPackaged() throws Exception
    {
        final Launcher.Result help = run("run", "--help");
        assertTrue(help.output().contains("SIGHUP") && help.output().contains("regulation rules"), help.output());

        final Launcher.Result version = run("version");
        assertEquals(0, version.exitCode(), version.output());
        assertTrue(version.output().matches("(?s)junction \\d+\\.\\d+\\.\\d+.*\\ncommit \\S+\\nbuilt \\d{4}-.*\\njvm .*"),
            version.output());
        assertFalse(version.output().contains("${"), version.output());

        final File completion = new File(Launcher.path().getParentFile(), "junction_completion");
        final String script = Files.readString(completion.toPath());
        assertTrue(script.contains("complete") && script.contains("loadgen") && script.contains("--duration"),
            "a bash completion for the subcommands and their options");
    }

    @Test
    void configCheckNamesEachBadKeyAndAcceptsAGoodFile() throws Exception
    {
        final File bad = tmp.resolve("bad.conf").toFile();
        Files.writeString(bad.toPath(), String.join("\n",
            "shards = 0",
            "listen { port = 70000 }",
            "journal.flush-policy = sometimes",
            "colour = blue",
            ""));
        final Launcher.Result refused = run("config", "check", bad.getPath());
        assertEquals(2, refused.exitCode(), refused.output());
        for (final String key : List.of("'shards'", "'listen.port'", "'journal.flush-policy'", "'colour'"))
        {
            assertTrue(refused.output().contains(key), () -> key + " in " + refused.output());
        }
        assertNoStackTrace(List.of("config check"), refused.output());

        final File good = tmp.resolve("good.conf").toFile();
        Files.writeString(good.toPath(), "shards = 2\nlisten.port = 0\n");
        final Launcher.Result accepted = run("config", "check", good.getPath());
        assertEquals(0, accepted.exitCode(), accepted.output());

        final Launcher.Result example = run("config", "check",
            new File(Launcher.path().getParentFile().getParentFile(), "conf/junction.conf").getPath());
        assertEquals(0, example.exitCode(), "the shipped example is valid: " + example.output());
    }

    @Test
    void aSecondDaemonOnTheSameDirectoryOrPortIsRefusedByNameAndDirMovesRelativePaths() throws Exception
    {
        final File config = tmp.resolve("junction.conf").toFile();
        Files.writeString(config.toPath(), String.join("\n",
            "listen.port = 0",
            "http.port = 0",
            "histogram-log = false",
            "journal { dir = \"my-journal\", min-free-disk = 1M }",
            ""));
        final File dirA = tmp.resolve("a").toFile();
        try (Launcher a = Launcher.start(tmp.resolve("a.log").toFile(), "run", "--config", config.getPath(),
            "--dir", dirA.getPath()))
        {
            final File properties = new File(dirA, Daemon.PROPERTIES_FILE);
            await().atMost(STARTUP).until(() -> properties.isFile() || !a.process().isAlive());
            assertTrue(a.process().isAlive(), a::output);
            assertTrue(new File(dirA, "my-journal").isDirectory(), "journal.dir is under --dir");
            assertTrue(a.output().matches("(?s).*\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  junction: daemon started.*"),
                "one log format, through SLF4J and Logback: " + a.output());
            assertFalse(a.output().contains("SLF4J"), "no SLF4J provider warning: " + a.output());
            final Properties props = Daemon.readProperties(dirA);

            final Launcher.Result second = run("run", "--config", config.getPath(), "--dir", dirA.getPath());
            assertEquals(1, second.exitCode(), second.output());
            assertTrue(second.output().contains("is in use by the running daemon pid " + a.process().pid()), second.output());
            assertNoStackTrace(List.of("second daemon"), second.output());

            final int listenPort = Integer.parseInt(props.getProperty("listen.port"));
            final File portClash = tmp.resolve("clash.conf").toFile();
            Files.writeString(portClash.toPath(), "listen.port = " + listenPort + "\nhttp.enabled = false\n");
            final Launcher.Result clash = run("run", "--config", portClash.getPath(), "--dir",
                tmp.resolve("b").toString());
            assertEquals(1, clash.exitCode(), clash.output());
            assertTrue(clash.output().contains("listen.port " + listenPort + " is already in use"), clash.output());
            assertNoStackTrace(List.of("port clash"), clash.output());

            final Launcher.Result tooBig = run("loadgen", "--dir", dirA.getPath(), "--size", "2k");
            assertEquals(2, tooBig.exitCode(), tooBig.output());
            assertTrue(tooBig.output().contains("the daemon's max-message-length"), tooBig.output());

            final Launcher.Result watch = run("stat", "--dir", dirA.getPath(), "--watch", "--count", "2",
                "--interval", "100ms");
            assertEquals(0, watch.exitCode(), watch.output());
            assertEquals(2, watch.output().split("active alarms: ", -1).length - 1, watch.output());
            assertFalse(watch.output().contains("\033["), "no terminal escapes when the output is a file");

            // SIGTERM: the counters file keeps the last values, marked stopped with the time.
            final int countersRunning = counterLines(run("stat", "--dir", dirA.getPath()).output());
            final long beforeStopMs = System.currentTimeMillis();
            a.process().destroy();
            assertTrue(a.process().waitFor(STARTUP.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), a::output);
            assertEquals(0, a.process().exitValue(), a::output);
            final Launcher.Result stopped = run("stat", "--dir", dirA.getPath());
            assertEquals(0, stopped.exitCode(), stopped.output());
            assertTrue(stopped.output().contains("stopped at "), stopped.output());
            assertFalse(stopped.output().contains("heartbeat"), stopped.output());
            assertTrue(countersRunning > 10 && counterLines(stopped.output()) >= countersRunning,
                () -> "every counter kept (" + countersRunning + " while running): " + stopped.output());
            assertTrue(stopped.output().contains("protocol connections"), stopped.output());
            final Launcher.Result json = run("stat", "--dir", dirA.getPath(), "--json");
            final java.util.regex.Matcher stopTime = java.util.regex.Pattern.compile("\"stopTimeMs\":(\\d+)")
                .matcher(json.output());
            assertTrue(json.output().contains("\"stopped\":true") && stopTime.find(), json.output());
            // As the text says: not alive, stopped, with the time.
            assertTrue(json.output().contains("\"alive\":false,\"status\":\"stopped\""), json.output());
            assertTrue(json.output().matches("(?s).*\"stoppedAt\":\"\\d{4}-\\d\\d-\\d\\dT[^\"]+Z\".*"), json.output());
            assertTrue(json.output().contains("\"heartbeatAgeMs\":null"), json.output());
            assertTrue(Long.parseLong(stopTime.group(1)) >= beforeStopMs, json.output());
        }
    }

    private static int counterLines(final String statOutput)
    {
        return (int)statOutput.lines().filter((line) -> line.matches("\\s*\\d+: .*")).count();
    }

    @Test
    void aPortInUseByAnotherProgramNamesTheKey() throws Exception
    {
        try (ServerSocket taken = new ServerSocket())
        {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final File config = tmp.resolve("http.conf").toFile();
            Files.writeString(config.toPath(), "listen.port = 0\nhttp.port = " + taken.getLocalPort() + "\n");
            final Launcher.Result result = run("run", "--config", config.getPath(), "--dir", tmp.resolve("c").toString());
            assertEquals(1, result.exitCode(), result.output());
            assertTrue(result.output().contains("http.port " + taken.getLocalPort() + " is already in use"),
                result.output());
            assertNoStackTrace(List.of("http port"), result.output());
        }
    }

    @Test
    void theJarsCarryTheJvmOpeningsSoJavaDashJarWorks() throws Exception
    {
        final File lib = new File(Launcher.path().getParentFile().getParentFile(), "lib");
        final File[] jars = lib.listFiles((dir, name) -> name.startsWith("junction-"));
        assertTrue(null != jars && jars.length >= 4, "the Junction jars in lib/");
        for (final File jar : jars)
        {
            try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar))
            {
                final java.util.jar.Attributes main = file.getManifest().getMainAttributes();
                assertTrue(main.getValue("Add-Opens").contains("java.base/jdk.internal.misc") &&
                    main.getValue("Add-Exports").contains("java.base/sun.nio.ch"), jar + ": " + main.entrySet());
            }
        }
        final File output = tmp.resolve("java-jar.log").toFile();
        final Process process = new ProcessBuilder(
            ProcessHandle.current().info().command().orElse("java"), "-jar", new File(lib, "junction-tools.jar").getPath(),
            "version").redirectErrorStream(true).redirectOutput(output).start();
        assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "java -jar finishes");
        assertEquals(0, process.exitValue(), Files.readString(output.toPath()));
        assertTrue(Files.readString(output.toPath()).startsWith("junction "), Files.readString(output.toPath()));
    }

    @Test
    void benchScriptHelpIsItsUsage() throws Exception
    {
        final File bench = new File(Launcher.path().getParentFile(), "../../../../perf/bench.sh").getCanonicalFile();
        final File output = tmp.resolve("bench-help.log").toFile();
        final Process process = new ProcessBuilder(bench.getPath(), "--help").redirectErrorStream(true)
            .redirectOutput(output).start();
        assertTrue(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "bench.sh --help finishes");
        final String help = Files.readString(output.toPath());
        assertEquals(0, process.exitValue(), help);
        assertTrue(help.contains("--quick") && help.contains("--only") && !help.contains("[bench] building"), help);
    }

    private Launcher.Result run(final String... args) throws Exception
    {
        return Launcher.run(tmp.resolve("run-" + (runs++) + ".log").toFile(), args);
    }

    static void assertNoStackTrace(final List<String> what, final String output)
    {
        assertFalse(output.contains("Exception") || output.contains("\tat ") || output.contains("at io."),
            () -> what + " printed a stack trace: " + output);
    }
}
