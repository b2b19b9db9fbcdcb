package io.junction.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member ({@link ClusterNodeMain}, a real child process) whose archive cannot start exits with status 1 and one
 * line saying why, rather than staying up half-started: its archive's UDP port held by another socket, or its
 * archive directory a file. No stack trace: both are the operator's to fix.
 */
class MemberStartFailureTest
{
    private static final long EXIT_WITHIN_S = 60;

    @TempDir
    File tempDir;

    private Process child;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        if (null != child)
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(120)
    void aMemberWhoseArchivePortIsTakenExitsWithOneLine() throws Exception
    {
        final int basePort = FreePortRange.startingAt(26_400, 1);
        final int archivePort = basePort + ClusterNode.Context.ARCHIVE_OFFSET;
        try (DatagramSocket holder = new DatagramSocket(null))
        {
            holder.bind(new InetSocketAddress(InetAddress.getByName("localhost"), archivePort));
            final String output = runToExit(basePort, new File(tempDir, "members"), true);
            assertOneLineRefusal(output);
            assertTrue(output.contains("junction cluster member: cannot start: member 0's archive port localhost:" +
                archivePort + " (UDP) is in use"), output);
        }
    }

    @Test
    @Timeout(120)
    void aMemberWhoseArchiveDirectoryIsAFileExitsWithOneLine() throws Exception
    {
        final int basePort = FreePortRange.startingAt(26_500, 1);
        final File dir = new File(tempDir, "members");
        final File archiveDir = new File(new File(dir, "member-0"), "archive");
        assertTrue(archiveDir.getParentFile().mkdirs());
        Files.writeString(archiveDir.toPath(), "not a directory");
        // Not a clean start: that deletes the archive directory, whatever it is, and makes a new one.
        final String output = runToExit(basePort, dir, false);
        assertOneLineRefusal(output);
        assertTrue(output.contains("archive"), output);
    }

    private static void assertOneLineRefusal(final String output)
    {
        final List<String> refusals = output.lines()
            .filter((line) -> line.startsWith("junction cluster member: cannot start: ")).toList();
        assertEquals(1, refusals.size(), output);
        System.out.println("the member said: " + refusals.get(0));
        assertFalse(output.contains("\tat ") || output.contains("Exception in thread"), output);
        assertFalse(output.contains(" started; members "), output);
    }

    /**
     * @return what the member wrote, once it has exited with status 1.
     */
    private String runToExit(final int basePort, final File dir, final boolean cleanStart) throws Exception
    {
        final String java = new File(new File(System.getProperty("java.home"), "bin"), "java").getPath();
        final List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        // The test JVM's module openings (Agrona's Unsafe access, the archive's checksums), as surefire gave them.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter((argument) -> argument.startsWith("--add-")).forEach(command::add);
        command.addAll(List.of(ClusterNodeMain.class.getName(), "--member-id", "0",
            "--members", "0=localhost:" + basePort, "--dir", dir.getAbsolutePath()));
        if (cleanStart)
        {
            command.add("--clean-start");
        }
        final File log = new File(tempDir, "member-" + basePort + ".log");
        child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        final boolean exited = child.waitFor(EXIT_WITHIN_S, TimeUnit.SECONDS);
        final String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        assertTrue(exited, () -> "still running after " + EXIT_WITHIN_S + " s: " + output);
        assertEquals(1, child.exitValue(), output);
        child = null;
        return output;
    }
}
