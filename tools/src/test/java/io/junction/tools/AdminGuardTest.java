package io.junction.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

/**
 * The guard in front of a real {@link HttpEndpoint} on loopback: read-only endpoints need the token only when told
 * to (bound off loopback with authentication on), admin always; IPv6 origins are compared as hosts.
 */
class AdminGuardTest
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final HttpConfig.Limits LIMITS = new HttpConfig.Limits(2, 8, Duration.ofSeconds(10));

    @Test
    void readOnlyEndpointsNeedTheTokenOnlyWhenToldTo() throws Exception
    {
        final CountersManager counters = new CountersManager(
            new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
        final AdminGuard guarded = new AdminGuard("s3cret", true, counters);
        try (HttpEndpoint endpoint = new HttpEndpoint("127.0.0.1", 0, counters, 100, () -> true, List::of,
            () -> "reloaded", guarded, LIMITS))
        {
            assertEquals(401, get(endpoint.port(), "/health/live", null));
            assertEquals(401, get(endpoint.port(), "/metrics", "Bearer wrong"));
            assertEquals(200, get(endpoint.port(), "/health/live", "Bearer s3cret"));
            assertEquals(200, get(endpoint.port(), "/metrics", "bearer s3cret"));
            assertEquals(2, guarded.refusedCount(AdminGuard.Refusal.UNAUTHORISED));
        }

        final AdminGuard open = new AdminGuard("s3cret", false, counters);
        try (HttpEndpoint endpoint = new HttpEndpoint("127.0.0.1", 0, counters, 100, () -> true, List::of,
            () -> "reloaded", open, LIMITS))
        {
            assertEquals(200, get(endpoint.port(), "/health/live", null));
            assertEquals(200, get(endpoint.port(), "/alarms", null));
            assertEquals(401, post(endpoint.port(), null, null));
            assertEquals(403, post(endpoint.port(), "http://[::1]:" + endpoint.port(), "Bearer s3cret"),
                "::1 is not the Host 127.0.0.1");
            assertEquals(200, post(endpoint.port(), "http://127.0.0.1:" + endpoint.port(), "Bearer s3cret"));
            assertEquals(1, open.refusedCount(AdminGuard.Refusal.CROSS_ORIGIN));
        }

        final AdminGuard noToken = new AdminGuard("", false, counters);
        try (HttpEndpoint endpoint = new HttpEndpoint("127.0.0.1", 0, counters, 100, () -> true, List::of,
            () -> "reloaded", noToken, LIMITS))
        {
            assertEquals(401, post(endpoint.port(), null, "Bearer "), "no token configured: admin refused to all");
        }
    }

    private static int get(final int port, final String path, final String authorization) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20));
        if (null != authorization)
        {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static int post(final int port, final String origin, final String authorization) throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/reload"))
            .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.noBody());
        if (null != origin)
        {
            request.header("Origin", origin);
        }
        if (null != authorization)
        {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
