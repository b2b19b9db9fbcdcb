package io.junction.tools;

import static io.junction.tools.DaemonTestSupport.httpGet;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.junction.protocol.ProtocolFrames;
import io.junction.security.AuthenticationMethod;
import io.junction.security.TokenHash;

/**
 * Protocol connections by principal on /metrics: a series per principal with connections open, at most
 * http.metrics.max-principal-series, the rest in principal="_other" (counted).
 */
class PrincipalSeriesTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close()
    {
        CloseHelper.quietCloseAll(resources);
    }

    @Test
    void aSeriesPerPrincipalUnderTheCapAndTheRestInOther() throws Exception
    {
        final File node = tmp.resolve("node").toFile();
        final Daemon daemon = new Daemon(DaemonConfig.parse(String.join("\n",
            "dir = \"" + node.getPath().replace("\\", "\\\\") + "\"",
            "listen.port = 0",
            "http.port = 0",
            "histogram-log = false",
            "journal.enabled = false",
            "http.metrics.max-principal-series = 1",
            "security { authentication = required, tokens = [",
            "  { hash = \"" + hash("alpha-token") + "\", principal = alpha }",
            "  { hash = \"" + hash("beta-token") + "\", principal = beta } ] }")), null,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        resources.add(daemon);
        final int httpPort = daemon.httpPort();

        final ProtocolClient alpha1 = connect(daemon, "alpha-token");
        final ProtocolClient alpha2 = connect(daemon, "alpha-token");
        awaitMetric(httpPort, "junction_protocol_principal_connections{principal=\"alpha\"} 2.0");

        connect(daemon, "beta-token"); // over the cap of one principal
        awaitMetric(httpPort, "junction_protocol_principal_connections{principal=\"_other\"} 1.0");
        final String capped = metrics(httpPort);
        assertTrue(capped.contains("junction_protocol_principal_series_capped_total 1.0"), capped);
        assertFalse(capped.contains("principal=\"beta\""), capped);

        // alpha's last connection closes: its series goes, and the slot is free for another principal.
        alpha1.close();
        alpha2.close();
        await().atMost(TIMEOUT).until(() -> !metrics(httpPort).contains("principal=\"alpha\""));
        connect(daemon, "beta-token");
        awaitMetric(httpPort, "junction_protocol_principal_connections{principal=\"beta\"} 1.0");
    }

    private ProtocolClient connect(final Daemon daemon, final String token) throws Exception
    {
        final ProtocolClient client = ProtocolClient.raw("127.0.0.1", daemon.protocolPort());
        resources.add(0, client);
        // Each its own instance: a second HELLO as the same principal/instance would take the first one's place.
        client.hello("client-" + resources.size(), ProtocolFrames.VERSION, 0, AuthenticationMethod.TOKEN, "",
            token.getBytes(StandardCharsets.UTF_8));
        return client;
    }

    private static String hash(final String token)
    {
        return TokenHash.encode(token.getBytes(StandardCharsets.UTF_8));
    }

    private static void awaitMetric(final int port, final String line)
    {
        await().atMost(TIMEOUT).untilAsserted(() ->
        {
            final String text = metrics(port);
            assertTrue(text.contains(line), () -> line + " in " + text.lines()
                .filter((l) -> l.contains("principal") || l.contains("protocol_connections") ||
                    l.contains("authentication")).toList());
        });
    }

    private static String metrics(final int port) throws Exception
    {
        return httpGet(port, "/metrics").body();
    }
}
