package io.junction.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.typesafe.config.ConfigFactory;

import io.junction.Priority;
import io.junction.QualityOfService;

/**
 * A connection's outcome window (96 KiB for the guaranteed publishes awaiting their OUTCOME) is held only while it is
 * used: a real daemon with its journal and a client over loopback publish guaranteed, the gauge
 * {@code protocol outcome windows held} shows the window taken, and once every outcome went out and the connection
 * stays idle it goes back to its I/O agent's pool; the next guaranteed publish takes one again.
 */
class OutcomeWindowTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void anIdleConnectionGivesItsOutcomeWindowBackAndTakesOneAgainOnTheNextGuaranteedPublish() throws Exception
    {
        final String config = String.join("\n",
            "dir = \"" + tmp.resolve("node").toString().replace("\\", "\\\\") + "\"",
            "histogram-log = false",
            "listen { port = 0 }",
            "http.enabled = false",
            "alarms.rules = []",
            "");
        try (Daemon daemon = new Daemon(DaemonConfig.from(ConfigFactory.parseString(config)
            .withFallback(DaemonConfig.defaults()).resolve()), null,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            FrameRecorder publisher = new FrameRecorder(new ProtocolClient("127.0.0.1", daemon.protocolPort(), "pub")))
        {
            assertEquals(0, windows(daemon), "no window before a guaranteed publish");
            final byte[] payload = new byte[16];
            int seenHeld = 0;
            for (int round = 1; round <= 3; round++)
            {
                final int expected = round * 5;
                for (int i = 0; i < 5; i++)
                {
                    publisher.client.publish("audit.trail", Priority.NORMAL, QualityOfService.GUARANTEED, payload, 0,
                        payload.length);
                }
                publisher.client.flush();
                final AtomicLong most = new AtomicLong();
                // Taken while the outcomes are awaited (held at least one timer interval after the last) ...
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(1)).until(() ->
                {
                    most.accumulateAndGet(windows(daemon), Math::max);
                    return publisher.durable.size() == expected;
                });
                assertTrue(most.get() <= 1, "round " + round + ": one connection, at most one window");
                seenHeld += (int)most.get();
                assertTrue(publisher.failedOutcomes.isEmpty(), publisher.failedOutcomes::toString);
                // ... and given back once the connection is idle.
                await().atMost(TIMEOUT).until(() -> 0 == windows(daemon));
            }
            // Seen held while its outcomes were awaited (in some round: a stalled poll may miss a short hold).
            assertTrue(seenHeld > 0, "the window was taken");
        }
    }

    private static long windows(final Daemon daemon)
    {
        final AtomicLong value = new AtomicLong(-1);
        daemon.counters().forEach((id, typeId, key, label) ->
        {
            if (ProtocolServer.OUTCOME_WINDOWS_TYPE_ID == typeId)
            {
                value.set(daemon.counters().getCounterValue(id));
            }
        });
        assertTrue(value.get() >= 0, "no counter 'protocol outcome windows held'");
        return value.get();
    }
}
