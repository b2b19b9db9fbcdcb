package io.junction.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
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

    public HttpEndpoint(
        final String host,
        final int port,
        final CountersManager counters,
        final int maxNamedSeries,
        final BooleanSupplier ready,
        final Supplier<List<Alarm>> alarms,
        final Supplier<String> reload) throws IOException
    {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 16);
        executor = Executors.newSingleThreadExecutor((r) ->
        {
            final Thread thread = new Thread(r, "junction-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        metrics = new MetricsExposition(counters, maxNamedSeries);
        server.createContext("/metrics", (exchange) ->
            respondBytes(exchange, "GET", 200, metrics.contentType(), metrics::text));
        final StatusReport statusReport = new StatusReport(counters, alarms, System::currentTimeMillis);
        server.createContext("/status.json", (exchange) ->
            respond(exchange, "GET", 200, "application/json", statusReport::json));
        server.createContext("/", (exchange) -> // the status page; "/" also gets every path nothing else serves
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
        server.createContext("/health/live", (exchange) ->
            respond(exchange, "GET", 200, "text/plain", () -> "live\n"));
        server.createContext("/health/ready", (exchange) ->
        {
            final boolean isReady = ready.getAsBoolean();
            respond(exchange, "GET", isReady ? 200 : 503, "text/plain", () -> isReady ? "ready\n" : "not ready\n");
        });
        server.createContext("/alarms", (exchange) ->
            respond(exchange, "GET", 200, "application/json", () -> alarmsJson(alarms.get())));
        server.createContext("/admin/reload", (exchange) ->
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
    }
}
