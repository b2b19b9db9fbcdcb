package io.junction.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import org.agrona.concurrent.status.CountersManager;

import io.junction.observe.Alarm;

/**
 * The daemon's HTTP endpoint (loopback by default): {@code GET /} (the status page, {@link StatusPage}),
 * {@code /status.json}, {@code GET /metrics} (Prometheus text, {@link MetricsExposition}),
 * {@code /health/live}, {@code /health/ready}, {@code /alarms} (JSON) and {@code POST /admin/reload}.
 */
public final class HttpEndpoint implements AutoCloseable
{
    private final HttpServer server;
    private final ExecutorService executor;
    private final MetricsExposition metrics;
    private final AdminGuard guard;

    public HttpEndpoint(
        final String host,
        final int port,
        final CountersManager counters,
        final int maxNamedSeries,
        final BooleanSupplier ready,
        final Supplier<List<Alarm>> alarms,
        final Supplier<String> reload,
        final AdminGuard guard,
        final HttpConfig.Limits limits) throws IOException
    {
        // The JDK server reads these once, when its first instance starts: a request (or response) that takes
        // longer is closed, so a client that sends half a request cannot hold a worker for ever.
        final String timeout = Long.toString(Math.max(1, limits.requestTimeout().toSeconds()));
        System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", timeout));
        System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime", timeout));
        this.guard = guard;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 16);
        final AtomicInteger threads = new AtomicInteger();
        executor = new ThreadPoolExecutor(limits.threads(), limits.threads(), 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(limits.maxQueued()), (r) ->
            {
                final Thread thread = new Thread(r, "junction-http-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            },
            (rejected, pool) -> guard.refused(AdminGuard.Refusal.OVERLOADED)); // the client's connection times out
        server.setExecutor(executor);
        metrics = new MetricsExposition(counters, maxNamedSeries);
        context("/metrics", false, (exchange) ->
            respondBytes(exchange, "GET", 200, metrics.contentType(), metrics::text));
        final StatusReport statusReport = new StatusReport(counters, alarms, System::currentTimeMillis);
        context("/status.json", false, (exchange) ->
            respond(exchange, "GET", 200, "application/json", statusReport::json));
        context("/", false, (exchange) -> // the status page; "/" also gets every path nothing else serves
        {
            final StatusPage.File file = StatusPage.file(exchange.getRequestURI().getPath());
            if (null == file)
            {
                respond(exchange, "GET", 404, "text/plain", () -> "no such page\n");
            }
            else
            {
                respondBytes(exchange, "GET", 200, file.contentType(), file::bytes);
            }
        });
        context("/health/live", false, (exchange) ->
            respond(exchange, "GET", 200, "text/plain", () -> "live\n"));
        context("/health/ready", false, (exchange) ->
        {
            final boolean isReady = ready.getAsBoolean();
            respond(exchange, "GET", isReady ? 200 : 503, "text/plain", () -> isReady ? "ready\n" : "not ready\n");
        });
        context("/alarms", false, (exchange) ->
            respond(exchange, "GET", 200, "application/json", () -> alarmsJson(alarms.get())));
        context("/admin/reload", true, (exchange) ->
        {
            final String[] outcome = new String[1];
            final int status;
            if ("POST".equals(exchange.getRequestMethod()))
            {
                outcome[0] = reload.get();
                status = outcome[0].startsWith("reloaded") ? 200 : 400;
            }
            else
            {
                status = 405;
                outcome[0] = "use POST";
            }
            respond(exchange, null, status, "text/plain", () -> outcome[0] + "\n");
        });
        server.start();
    }

    /** Serve a path, behind the guard: a refused request is answered with its status and counted. */
    private void context(final String path, final boolean admin, final HttpHandler handler)
    {
        server.createContext(path, (exchange) ->
        {
            final AdminGuard.Refusal refusal = guard.check(exchange, admin);
            if (null == refusal)
            {
                handler.handle(exchange);
                return;
            }
            if (AdminGuard.Refusal.UNAUTHORISED == refusal)
            {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"junction\"");
            }
            respond(exchange, null, refusal.status, "text/plain", () -> AdminGuard.Refusal.CROSS_ORIGIN == refusal ?
                "forbidden: cross-origin request\n" : AdminGuard.Refusal.UNAUTHORISED == refusal ?
                "unauthorised: send Authorization: Bearer <http.admin-token>\n" : "overloaded\n");
        });
    }

    public int port()
    {
        return server.getAddress().getPort();
    }

    static String alarmsJson(final List<Alarm> alarms)
    {
        return JsonOutput.alarms(alarms);
    }

    private static void respond(
        final HttpExchange exchange, final String method, final int status, final String contentType,
        final Supplier<String> body) throws IOException
    {
        respondBytes(exchange, method, status, contentType, () -> body.get().getBytes(StandardCharsets.UTF_8));
    }

    private static void respondBytes(
        final HttpExchange exchange, final String method, final int status, final String contentType,
        final Supplier<byte[]> body) throws IOException
    {
        try (exchange)
        {
            if (null != method && !method.equals(exchange.getRequestMethod()))
            {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            final byte[] bytes = body.get();
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        }
        catch (final RuntimeException ex)
        {
            System.err.println("junction: http " + exchange.getRequestURI() + " failed: " + ex);
            throw ex;
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
        metrics.close();
        guard.close();
    }
}
