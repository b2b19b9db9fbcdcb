package io.junction.tools;

import static io.junction.tools.DaemonTestSupport.httpGet;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page at {@code /} of a running daemon (demo load, one alarm raised), rendered by headless Chromium:
 * the DOM after the page's script has polled shows a non-zero delivery rate and the raised alarm, and the
 * screenshot is a 1280x900 PNG with something drawn on it.
 */
class StatusPageTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private Daemon daemon;
    private int port;

    @BeforeEach
    void start() throws Exception
    {
        daemon = MetricsEndpointTest.startDaemon(tmp);
        port = daemon.httpPort();
        await().atMost(TIMEOUT).until(() -> httpGet(port, "/alarms").body().contains("has-subscriptions"));
    }

    @AfterEach
    void stop()
    {
        daemon.close();
    }

    @Test
    void statusJsonHasRatesLatencyAlarmsSubscriptionsAndConnections() throws Exception
    {
        httpGet(port, "/status.json");
        await().atMost(TIMEOUT).until(() ->
            JsonOutput.MAPPER.readTree(httpGet(port, "/status.json").body()).at("/rates/dispatched").asDouble() > 0);
        final JsonNode status = JsonOutput.MAPPER.readTree(httpGet(port, "/status.json").body());
        assertTrue(status.at("/totals/dispatched").asLong() > 0, status::toString);
        // Every subscription's deliveries, named or not, added up each observation interval: it catches up with
        // what the named ones (live counters) had delivered a moment before.
        final long namedBefore = status.at("/totals/delivered").asLong();
        await().atMost(TIMEOUT).until(() -> JsonOutput.MAPPER.readTree(httpGet(port, "/status.json").body())
            .at("/totals/deliveredAll").asLong() >= Math.max(1, namedBefore));
        assertTrue(JsonOutput.MAPPER.readTree(httpGet(port, "/status.json").body()).at("/rates/deliveredAll")
            .isNumber());
        assertTrue(status.at("/latency/0/stage").asText().startsWith("offer_to_"), status::toString);
        assertEquals("has-subscriptions", status.at("/alarms/0/alarm").asText(), status::toString);
        assertTrue(status.at("/subscriptions/active").asLong() > 0, status::toString);
        // Rows are for subscriptions with counters of their own, the named ones; the demo load's are not named.
        assertTrue(status.at("/subscriptions/shown").isArray(), status::toString);
        assertTrue(status.at("/connections/connected").isIntegralNumber(), status::toString);
        assertEquals(404, httpGet(port, "/no-such-page").statusCode());
        assertTrue(httpGet(port, "/").headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    }

    @Test
    void chromiumRendersLiveRatesAndTheRaisedAlarm() throws Exception
    {
        final String chromium = chromium();
        assumeTrue(null != chromium, "chromium not found on PATH (Debian: apt-get install chromium); .ci/run installs it");

        final String dom = runChromium(chromium, "--dump-dom", "--virtual-time-budget=8000");
        final Matcher delivered = Pattern.compile("id=\"rate-dispatched\"[^>]*>([0-9.,]+)<").matcher(dom);
        assertTrue(delivered.find(), dom);
        assertTrue(Double.parseDouble(delivered.group(1).replace(",", "")) > 0, () -> "dispatched/s " + delivered.group(1));
        assertTrue(dom.contains("<strong>has-subscriptions</strong>"), dom);
        assertTrue(dom.contains("<polyline"), "the latency plot is drawn: " + dom);

        final File png = tmp.resolve("status.png").toFile();
        runChromium(chromium, "--screenshot=" + png.getPath(), "--virtual-time-budget=8000");
        final BufferedImage image = ImageIO.read(png);
        assertTrue(null != image, "a PNG");
        assertEquals(1280, image.getWidth());
        assertEquals(900, image.getHeight());
        final Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3)
        {
            for (int x = 0; x < image.getWidth(); x += 3)
            {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 20, "not blank: " + colours.size() + " colours");
    }

    private String runChromium(final String chromium, final String... what) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile"),
            "--window-size=1280,900"));
        command.addAll(List.of(what));
        command.add("http://127.0.0.1:" + port + "/");
        final File out = Files.createTempFile(tmp, "chromium", ".out").toFile();
        final File err = Files.createTempFile(tmp, "chromium", ".err").toFile();
        final Process process = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
        try
        {
            assertTrue(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                () -> "chromium did not finish: " + DaemonTestSupport.read(err));
            assertEquals(0, process.exitValue(), () -> DaemonTestSupport.read(err));
        }
        finally
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        return DaemonTestSupport.read(out);
    }

    private static String chromium()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            for (final String name : new String[]{ "chromium", "chromium-browser" })
            {
                final File candidate = new File(dir, name);
                if (candidate.canExecute())
                {
                    return candidate.getPath();
                }
            }
        }
        return null;
    }
}
