package io.junction.cluster;

import io.aeron.ExclusivePublication;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.ArchivingMediaDriver;
import io.aeron.archive.checksum.Checksums;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.codecs.SourceLocation;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Why a member restarted after SIGKILL can fail with Aeron Archive's "potentially incomplete last fragment
 * straddling page boundary": an archive that did not stop cleanly recovers the end of its open recording by
 * scanning the last segment, and a last fragment that crosses a 4 KiB page boundary with only zero bytes in a page
 * after it (a payload ending in zeros, or the frame's alignment padding) looks torn unless the frame carries a
 * checksum. A child process records a fragment laid out that way and is SIGKILLed; the archive started again on
 * the directory refuses without a record checksum and recovers the whole recording with one (what
 * {@link ClusterNode.Context#recordChecksum(boolean)} sets, {@link ClusterNode#RECORD_CHECKSUM}).
 */
class ArchiveCrashRecoveryTest
{
    private static final String CHANNEL = "aeron:ipc?term-length=64k|mtu=8k";
    private static final int STREAM_ID = 1001;
    /** The first frame ends 32 bytes short of the first page boundary; the second's zero payload is past it. */
    private static final int FIRST_PAYLOAD = 4096 - 32 - 32;
    private static final int SECOND_PAYLOAD = 64;
    private static final long END = 4096 - 32 + 32 + SECOND_PAYLOAD;

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
    void withoutARecordChecksumTheRestartedArchiveRefusesTheRecording() throws Exception
    {
        final File archiveDir = recordAndKill(false);
        final RuntimeException refused = assertThrows(RuntimeException.class, () -> restart(archiveDir, false).close());
        assertTrue(String.valueOf(refused.getMessage()).contains("straddling page boundary"), refused.toString());
    }

    @Test
    @Timeout(120)
    void withARecordChecksumTheRestartedArchiveRecoversTheWholeRecording() throws Exception
    {
        final File archiveDir = recordAndKill(true);
        try (ArchivingMediaDriver archive = restart(archiveDir, true);
            AeronArchive client = AeronArchive.connect(clientContext(archive)))
        {
            assertEquals(END, client.getStopPosition(0));
        }
    }

    private File recordAndKill(final boolean checksum) throws Exception
    {
        final File archiveDir = new File(tempDir, "archive");
        final String java = new File(new File(System.getProperty("java.home"), "bin"), "java").getPath();
        final List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        // The test JVM's module openings (Agrona's Unsafe access), as surefire gave them.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter((argument) -> argument.startsWith("--add-")).forEach(command::add);
        command.addAll(List.of(Recorder.class.getName(), tempDir.getAbsolutePath(), String.valueOf(checksum)));
        child = new ProcessBuilder(command).redirectErrorStream(true).start();
        final BufferedReader lines = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        final StringBuilder output = new StringBuilder();
        String line;
        while (null != (line = lines.readLine()) && !line.equals("RECORDED"))
        {
            output.append(line).append('\n');
        }
        assertEquals("RECORDED", line, "the recorder said: " + output);
        child.destroyForcibly();                    // SIGKILL: the catalog keeps no stop position
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        child = null;
        // As MemberDirLock does for a member: the dead process's mark file would block the start for a while.
        assertTrue(new File(archiveDir, ArchiveMarkFile.FILENAME).delete());
        return archiveDir;
    }

    private ArchivingMediaDriver restart(final File archiveDir, final boolean checksum)
    {
        return launch(tempDir, "aeron-restart", archiveDir, checksum);
    }

    static ArchivingMediaDriver launch(final File dir, final String aeronName, final File archiveDir, final boolean checksum)
    {
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, aeronName).getAbsolutePath())
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        final Archive.Context archiveCtx = new Archive.Context()
            .aeronDirectoryName(driverCtx.aeronDirectoryName())
            .archiveDir(archiveDir)
            .controlChannel("aeron:udp?endpoint=localhost:0")
            .localControlChannel("aeron:ipc")
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .deleteArchiveOnStart(false)
            .recordChecksum(checksum ? Checksums.newInstance(ClusterNode.RECORD_CHECKSUM) : null);
        return ArchivingMediaDriver.launch(driverCtx, archiveCtx);
    }

    static AeronArchive.Context clientContext(final ArchivingMediaDriver archive)
    {
        return new AeronArchive.Context()
            .aeronDirectoryName(archive.mediaDriver().aeronDirectoryName())
            .controlRequestChannel("aeron:ipc")
            .controlRequestStreamId(archive.archive().context().localControlStreamId())
            .controlResponseChannel("aeron:ipc");
    }

    /**
     * The child: records two frames laid out as the class comment says, says RECORDED once the archive has them,
     * and waits to be killed: it reads its standard input, which ends if the test goes without killing it.
     */
    public static final class Recorder
    {
        public static void main(final String[] args)
        {
            try
            {
                record(new File(args[0]), Boolean.parseBoolean(args[1]));
                while (System.in.read() >= 0)
                {
                    // nothing is written to it: this returns at end of input, once the test's side is closed
                }
            }
            catch (final Exception ex)
            {
                System.out.println("recorder failed: " + ex);
            }
            System.exit(1);                                     // the media driver's threads would keep it up
        }

        private static void record(final File dir, final boolean checksum)
        {
            final ArchivingMediaDriver archive = launch(dir, "aeron-child", new File(dir, "archive"), checksum);
            final AeronArchive client = AeronArchive.connect(clientContext(archive));
            final ExclusivePublication publication = client.addRecordedExclusivePublication(CHANNEL, STREAM_ID);
            final UnsafeBuffer first = new UnsafeBuffer(new byte[FIRST_PAYLOAD]);
            first.setMemory(0, FIRST_PAYLOAD, (byte)1);
            final UnsafeBuffer second = new UnsafeBuffer(new byte[SECOND_PAYLOAD]);     // zeros
            awaitTrue(() -> publication.offer(first) >= 0, "the first frame offered");
            awaitTrue(() -> publication.offer(second) >= 0, "the second frame offered");
            // The recording starts on the archive's thread: it is unknown for a moment.
            awaitTrue(() -> client.listRecordings(0, 1, (controlSessionId, correlationId, recordingId, startTimestamp,
                stopTimestamp, startPosition, stopPosition, initialTermId, segmentFileLength, termBufferLength,
                mtuLength, sessionId, streamId, strippedChannel, originalChannel, sourceIdentity) -> {}) > 0 &&
                client.getRecordingPosition(0) >= END, "both frames recorded");
            System.out.println("RECORDED");
            System.out.flush();
        }

        /** Until the condition holds, for at most 60 s (the child has no Awaitility); then it fails, naming it. */
        private static void awaitTrue(final BooleanSupplier condition, final String what)
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            final IdleStrategy idle = new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(10),
                TimeUnit.MILLISECONDS.toNanos(1));
            while (!condition.getAsBoolean())
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("not within 60 s: " + what);
                }
                idle.idle();
            }
        }
    }
}
