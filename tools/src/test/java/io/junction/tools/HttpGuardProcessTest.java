package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The daemon's HTTP endpoint as a real child process: admin requests need the token and the same origin, each
 * refusal is counted; a client holding half a request does not block other clients; the files it makes are its
 * user's alone.
 */
class HttpGuardProcessTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String TOKEN = "t0ken-for-tests";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @RegisterExtension
    final DaemonChild daemon = DaemonChild.withConfig("listen.port = 0", "journal.enabled = true",
        "http { port = 0, threads = 1, request-timeout = 1s, admin-token = \"" + TOKEN + "\" }");

    @Test
    @Timeout(180)
    void adminNeedsTheTokenAndTheSameOriginAndAHalfRequestBlocksNoOne() throws Exception
    {
        final File node = daemon.node();
        final JunctionProcess running = daemon.start();
        final File properties = new File(node, Daemon.PROPERTIES_FILE);
        final int port = daemon.httpPort();

        // Missing or wrong token: 401. Right token from another origin: 403. Right token, same origin: 200.
        assertEquals(401, post(port, null, null, null).statusCode());
        assertEquals(401, post(port, "Bearer wrong", null, null).statusCode());
        assertEquals(401, post(port, "Basic " + TOKEN, null, null).statusCode());
        final HttpResponse<String> crossOrigin = post(port, "Bearer " + TOKEN, "http://evil.example", null);
        assertEquals(403, crossOrigin.statusCode());
        assertTrue(crossOrigin.body().contains("cross-origin"), crossOrigin.body());
        assertEquals(403, post(port, "Bearer " + TOKEN, null, "cross-site").statusCode());
        assertEquals(403, post(port, "Bearer " + TOKEN, "http://127.0.0.1:" + (port + 1), null).statusCode());
        assertEquals(403, post(port, "Bearer " + TOKEN, "null", null).statusCode());
        final HttpResponse<String> sameOrigin = post(port, "Bearer " + TOKEN, "http://127.0.0.1:" + port, "same-origin");
        assertEquals(200, sameOrigin.statusCode(), sameOrigin.body());
        assertEquals(200, post(port, "Bearer " + TOKEN, null, null).statusCode());

        // Read-only endpoints stay open on loopback; the refusals are counted by reason.
        final String metrics = DaemonTestSupport.httpGet(port, "/metrics").body();
        assertTrue(metrics.contains("junction_http_refused_total{reason=\"cross-origin\"} 4.0"), metrics);
        assertTrue(metrics.contains("junction_http_refused_total{reason=\"unauthorised\"} 3.0"), metrics);

        // `junction admin reload` finds the token in the data directory.
        final File adminOut = daemon.tmp().resolve("admin.txt").toFile();
        assertEquals(0, JunctionProcess.run(adminOut, "admin", "reload", "--dir", node.getPath()),
            () -> DaemonTestSupport.read(adminOut));

        // Half a request, held open, on the only worker: the next client is still served, since the daemon
        // closes the half request after http.request-timeout.
        try (Socket partial = new Socket())
        {
            partial.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            partial.setSoTimeout(30_000);
            final OutputStream out = partial.getOutputStream();
            out.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final HttpResponse<String> live = DaemonTestSupport.httpGet(port, "/health/live");
            assertEquals(200, live.statusCode());
            final InputStream in = partial.getInputStream();
            assertEquals(-1, in.read(), "the half request was closed");
        }

        // Files only the daemon's user can read.
        assertEquals("rwx------", permissions(node.toPath()));
        assertEquals("rw-------", permissions(node.toPath().resolve("counters.dat")));
        assertEquals("rw-------", permissions(properties.toPath()));
        assertEquals("rw-------", permissions(node.toPath().resolve(DirectoryLock.FILE_NAME)));
        assertEquals("rw-------", permissions(node.toPath().resolve(AdminGuard.TOKEN_FILE)));
        assertEquals("rwx------", permissions(node.toPath().resolve("journal")));
        assertEquals(TOKEN, AdminGuard.readToken(node));

        running.process().destroy(); // SIGTERM
        assertTrue(running.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), running::output);
        assertFalse(new File(node, AdminGuard.TOKEN_FILE).exists(), "the token file goes with the daemon");
    }

    private static HttpResponse<String> post(
        final int port, final String authorization, final String origin, final String fetchSite) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/reload"))
            .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody());
        if (null != authorization)
        {
            request.header("Authorization", authorization);
        }
        if (null != origin)
        {
            request.header("Origin", origin);
        }
        if (null != fetchSite)
        {
            request.header("Sec-Fetch-Site", fetchSite);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String permissions(final Path path) throws Exception
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
